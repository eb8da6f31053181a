"""The three people every test can use: an owner, a member of the owner's workspace, and an
outsider who owns a workspace in another region."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.core.files.storage import storages
from django.db import connections
from django.test.utils import CaptureQueriesContext

from clockify.celery import app
from tests.factories import add_member, make_user, make_workspace
from tests.files import empty
from workspaces.models import Role, User, Workspace
from workspaces.regions import REGION_ALIASES

REGION_STORAGES = [f"region-{alias}" for alias in REGION_ALIASES]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every test may touch the directory and any region; tests that need real transactions
    # (browser, concurrency) mark themselves with transaction=True.
    for item in items:
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(databases="__all__"))


@pytest.fixture(autouse=True)
def _fast_and_clean(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_inline(request: pytest.FixtureRequest) -> Iterator[None]:
    # Tasks run inline in every test, as in the embedded default, so a test that checks an
    # email reads mail.outbox on both CI runs; tests marked `broker` publish for real.
    if request.node.get_closest_marker("broker"):
        yield
        return
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture(scope="session", autouse=True)
def _no_region_files_from_earlier_runs() -> None:
    for alias in REGION_STORAGES:
        empty(storages[alias])


@pytest.fixture(autouse=True)
def _region_files_emptied() -> Iterator[None]:
    # Every test starts with empty region storages (the suite's own: tests/settings.py):
    # after a test that opened one, its files are deleted. Django keeps the storages it has
    # built in `storages._storages`; forgetting them first tells which ones a test opens.
    for alias in REGION_STORAGES:
        storages._storages.pop(alias, None)
    yield
    for alias in REGION_STORAGES:
        if alias in storages._storages:
            empty(storages[alias])


@pytest.fixture
def owner() -> User:
    return make_user("owner@example.com", name="Olivia Owner")


@pytest.fixture
def workspace(owner: User) -> Workspace:
    return make_workspace(owner, name="Owner's Team", region="eu")


@pytest.fixture
def member(workspace: Workspace) -> User:
    return add_member(workspace, make_user("member@example.com", name="Max Member")).user


@pytest.fixture
def outsider() -> User:
    user = make_user("outsider@example.com", name="Oscar Outsider")
    make_workspace(user, name="Elsewhere Inc", region="us")
    return user


@pytest.fixture
def admin(workspace: Workspace) -> User:
    return add_member(workspace, make_user("admin@example.com", name="Ada Admin"), Role.ADMIN).user


class _AllQueries:
    """Capture the queries of every database: the directory and each region."""

    def __enter__(self) -> _AllQueries:
        self._contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in connections}
        for context in self._contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        for context in self._contexts.values():
            context.__exit__(*exc)

    def by_alias(self) -> dict[str, int]:
        return {alias: len(c.captured_queries) for alias, c in self._contexts.items() if len(c)}

    def __len__(self) -> int:
        return sum(self.by_alias().values())


@pytest.fixture
def all_queries() -> type[_AllQueries]:
    """`with all_queries() as q: ...` then `len(q)` counts queries on every database."""
    return _AllQueries
