"""The three people every test can use: an owner, a member of the owner's workspace, and an
outsider who owns a workspace in another region."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.core.files.storage import Storage
from django.db import connections
from django.test.utils import CaptureQueriesContext

from clockify.celery import app
from tests.factories import add_member, make_user, make_workspace
from workspaces.models import Role, User, Workspace
from workspaces.regions import workspace_prefixes


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


@pytest.fixture(autouse=True)
def _no_files_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    # The regions' storages are the real ones (folders under VAR_DIR, or buckets): when a
    # test ends, its workspaces' files go, found where a workspace's deletion finds them.
    yield
    databases = request.node.get_closest_marker("django_db").kwargs.get("databases")
    if databases is not None and databases != "__all__" and "default" not in databases:
        return  # a test without the directory has no workspace
    for workspace in Workspace.objects.all():
        for storage, prefix in workspace_prefixes(workspace):
            delete_files_under(storage, prefix)


def delete_files_under(storage: Storage, folder: str) -> None:
    """Delete every file under `folder` ("a/b/"), through the Storage API only."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a folder storage where nothing was written
        return
    for name in files:
        storage.delete(folder + name)
    for name in folders:
        delete_files_under(storage, f"{folder}{name}/")


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
