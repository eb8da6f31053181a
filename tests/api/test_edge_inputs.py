"""Inputs found by review that once gave a 500: each is now a clear 4xx and saves nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import add_member, make_user
from tracking import services
from tracking.models import Project, ProjectMember, Tag, Task, TimeEntry
from workspaces.services import leave_workspace

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def entries(workspace):
    return list(TimeEntry.objects.in_workspace(workspace))


@pytest.mark.parametrize(
    "body",
    [
        {"start": "9999-12-31T23:59:59-05:00"},
        {"start": "0001-01-01T00:00:00+14:00"},
        {"start": "2026-11-24T09:00:00Z", "end": "9999-12-31T23:59:59-05:00"},
        {"start": "1700000000"},
        {"start": "2026-11-24T09:00:00.2Z", "end": "2026-11-24T09:00:00.9Z"},
        {"start": "2026-11-24T09:00:00Z", "description": "\ud800"},
        {"start": "2026-11-24T09:00:00Z", "description": "nul\x00byte"},
    ],
)
def test_odd_timestamps_and_text_are_400(api_as, owner, workspace, body):
    response = api_as(owner).post(f"/workspaces/{workspace.id}/time-entries", body)
    assert response.status_code == 400, response.content
    assert entries(workspace) == []


def test_odd_query_values_are_4xx(api_as, owner, workspace):
    api = api_as(owner)
    base = f"/workspaces/{workspace.id}/user"
    assert (
        api.get(f"{base}/{owner.pk}/time-entries", start="0001-01-01T00:00:00+14:00").status_code
        == 400
    )
    assert api.get(f"{base}/99999999999999999999999/time-entries").status_code == 404
    assert api.get(f"/workspaces/{workspace.id}/tags", name="a\x00b").status_code == 400


def test_lone_surrogate_in_a_name_is_400(api_as, owner, workspace):
    tag = Tag.objects.in_workspace(workspace).create(name="ok")
    response = api_as(owner).client.put(
        f"/api/v1/workspaces/{workspace.id}/tags/{tag.id}",
        '{"name": "\\ud800"}',
        content_type="application/json",
        headers=api_as(owner).headers,
    )
    assert response.status_code == 400
    tag.refresh_from_db()
    assert tag.name == "ok"


def test_a_timer_cannot_start_in_the_future(api_as, owner, workspace):
    api = api_as(owner)
    api.post(f"/workspaces/{workspace.id}/time-entries", {"start": "2026-11-25T09:00:00Z"})
    future = (NOW + timedelta(days=300)).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = api.post(f"/workspaces/{workspace.id}/time-entries", {"start": future})
    assert response.status_code == 400
    (running,) = entries(workspace)
    assert running.end is None


def test_a_long_forgotten_timer_can_still_be_stopped(api_as, owner, workspace):
    start = NOW - timedelta(days=60)
    services.start_timer(workspace, owner.pk, services.EntryDetails(), at=start)
    response = api_as(owner).patch(
        f"/workspaces/{workspace.id}/user/{owner.pk}/time-entries", {"end": "2026-11-25T15:00:00Z"}
    )
    assert response.status_code == 200


def test_new_project_without_task_drops_the_old_task(api_as, owner, workspace):
    first = Project.objects.in_workspace(workspace).create(name="First")
    second = Project.objects.in_workspace(workspace).create(name="Second")
    task = Task.objects.in_workspace(workspace).create(project=first, name="T")
    details = services.EntryDetails(project=first, task=task)
    entry = services.create_entry(
        workspace, owner.pk, details, NOW - timedelta(hours=2), NOW - timedelta(hours=1)
    )
    api = api_as(owner)
    moved = api.put(
        f"/workspaces/{workspace.id}/time-entries/{entry.id}", {"projectId": str(second.id)}
    )
    assert moved.status_code == 200
    assert (moved.json()["projectId"], moved.json()["taskId"]) == (str(second.id), None)
    cleared = api.put(f"/workspaces/{workspace.id}/time-entries/{entry.id}", {"projectId": None})
    assert (cleared.json()["projectId"], cleared.json()["taskId"]) == (None, None)


def test_leaving_removes_private_project_places_and_the_project_stays_editable(
    api_as, owner, workspace
):
    project = Project.objects.in_workspace(workspace).create(name="Secret", is_public=False)
    leaver = add_member(workspace, make_user("leaver@example.com"))
    ProjectMember.objects.in_workspace(workspace).create(project=project, user_id=leaver.user_id)
    leave_workspace(leaver, actor_id=leaver.user_id)
    assert not ProjectMember.objects.in_workspace(workspace).exists()
    response = api_as(owner).put(
        f"/workspaces/{workspace.id}/projects/{project.id}", {"color": "#123456"}
    )
    assert response.status_code == 200
