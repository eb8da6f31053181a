"""The app's settings for the test suite, with a key of its own when none is set."""

import os

# The suite also runs against PostgreSQL, where the app refuses to start without a key.
os.environ.setdefault("SECRET_KEY", "test-suite-only-key-never-used-by-a-server")

from clockify.settings import *  # noqa: E402, F403
