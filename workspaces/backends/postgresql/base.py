"""PostgreSQL for a region: a connection that cannot be opened raises RegionUnavailable."""

from django.db.backends.postgresql import base

from workspaces.outage import RegionConnectionMixin


class DatabaseWrapper(RegionConnectionMixin, base.DatabaseWrapper):
    pass
