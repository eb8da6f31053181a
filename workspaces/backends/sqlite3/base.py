"""SQLite for a region: a file that cannot be opened raises RegionUnavailable."""

from django.db.backends.sqlite3 import base

from workspaces.outage import RegionConnectionMixin


class DatabaseWrapper(RegionConnectionMixin, base.DatabaseWrapper):
    pass
