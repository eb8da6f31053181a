"""Whatever the filters say, the report shows this workspace's rows only, or a 400."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import (
    make_client,
    make_project,
    make_tag,
    make_task,
    make_user,
    make_workspace,
)
from tracking.models import TimeEntry
from workspaces.models import User, Workspace

BASE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Hypothesis runs every example inside one test (one database transaction): build once.
_CATALOGS: dict[UUID, tuple[dict[str, list[str]], dict[str, list[str]]]] = {}
GARBAGE = st.sampled_from(
    ["", "none", "x", "0", "-1", "' OR 1=1 --", "00000000-0000-0000-0000-000000000000"]
)


def _catalog(workspace: Workspace, user: User, marker: str) -> dict[str, list[str]]:
    client = make_client(workspace, f"{marker} client")
    project = make_project(workspace, f"{marker} project", client=client)
    task = make_task(project, workspace, f"{marker} task")
    tag = make_tag(workspace, f"{marker} tag")
    for n in range(3):
        entry = TimeEntry.objects.in_workspace(workspace).create(
            user_id=user.pk,
            start=BASE + timedelta(days=n),
            end=BASE + timedelta(days=n, hours=1),
            description=f"{marker} entry {n}",
            project=project if n else None,
            task=task if n == 2 else None,
        )
        entry.set_tags(workspace, [tag])
    return {
        "projects": [str(project.id)],
        "clients": [str(client.id)],
        "tasks": [str(task.id)],
        "tags": [str(tag.id)],
        "members": [str(user.pk)],
    }


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_filters_never_show_another_workspaces_rows(
    client: Client, workspace: Workspace, owner: User, data: st.DataObject
) -> None:
    if workspace.id not in _CATALOGS:
        stranger = make_user()
        # Same region: a scoping slip would find the other rows in the same database.
        elsewhere = make_workspace(stranger, name="Elsewhere", region=workspace.region)
        _CATALOGS[workspace.id] = (
            _catalog(workspace, owner, "Ours"),
            _catalog(elsewhere, stranger, "Theirs"),
        )
    ours, theirs = _CATALOGS[workspace.id]
    query: dict[str, object] = {"preset": data.draw(st.sampled_from(["all", "this_week", "x"]))}
    used_foreign = False
    for field in ("projects", "clients", "tasks", "tags", "members"):
        own = st.sampled_from(ours[field])
        foreign = st.sampled_from(theirs[field])
        values = data.draw(st.lists(st.one_of(own, foreign, GARBAGE), max_size=3))
        used_foreign |= any(value in theirs[field] for value in values)
        if values:
            query[field] = values
    query["sort"] = data.draw(st.sampled_from(["date", "duration", "member", "project", "nope"]))
    client.force_login(owner)
    for name in ("reports:detailed", "reports:summary"):
        response = client.get(reverse(name, args=[workspace.id]), query)
        assert response.status_code in (200, 400)
        assert "Theirs" not in response.content.decode()
        if used_foreign:
            assert response.status_code == 400
        if response.status_code == 200 and name == "reports:detailed":
            entries = response.context["page"].entries
            assert all(entry.workspace_id == workspace.id for entry in entries)
