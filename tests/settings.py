"""The app's settings for the test suite: a key of its own when none is set, and test
databases and region files apart from the app's."""

import os

# The suite also runs against PostgreSQL, where the app refuses to start without a key.
os.environ.setdefault("SECRET_KEY", "test-suite-only-key-never-used-by-a-server")

from clockify.settings import *  # noqa: F403
from clockify.settings import DATABASES, DB_DIR, REGION_ALIASES, SQLITE_ENGINES, STORAGES, VAR_DIR

# SQLite test databases are files, as the app's are, not shared in-memory ones: memory
# databases lock whole tables between threads and ignore WAL, so concurrent tests would
# measure a setup no server runs.
for _alias, _database in DATABASES.items():
    if _database["ENGINE"] in SQLITE_ENGINES:
        _name = DB_DIR / f"test-{_alias}.sqlite3"
        _database["TEST"] = {"NAME": str(_name)}
        if not _name.exists():
            # A WAL left beside a deleted test database would be replayed into the next one.
            for _suffix in ("-wal", "-shm"):
                _name.with_name(_name.name + _suffix).unlink(missing_ok=True)

# The suite's region files stay apart from the app's, as its databases do, since it empties
# them (tests/conftest.py): folders VAR_DIR/test-media/<region>, or a prefix test-suite/ in
# each region's bucket.
for _alias in REGION_ALIASES:
    _options = STORAGES[f"region-{_alias}"]["OPTIONS"]
    if "bucket_name" in _options:
        _options["location"] = "test-suite"
    else:
        _options["location"] = VAR_DIR / "test-media" / _alias

# Page views are counted only in the tests of the counting (tests/privacy/conftest.py), so
# the query counts asserted on every page stay the page's own.
PAGE_ANALYTICS = False
