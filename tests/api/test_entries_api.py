"""Time entries through the API: add, start, stop, list, update, delete, roles, bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from tests.factories import make_workspace
from tracking.models import Project, Tag, Task, TimeEntry

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def project(workspace):
    return Project.objects.in_workspace(workspace).create(name="Website", hourly_rate="80.00")


def entries_url(workspace, path=""):
    return f"/workspaces/{workspace.id}/time-entries{path}"


def user_url(workspace, user):
    return f"/workspaces/{workspace.id}/user/{user.pk}/time-entries"


def entries(workspace):
    return list(TimeEntry.objects.in_workspace(workspace).order_by("start"))


def test_add_a_finished_entry_in_clockifys_shape(api_as, owner, workspace, project):
    tag = Tag.objects.in_workspace(workspace).create(name="review")
    body = {
        "start": "2026-11-24T09:00:00Z",
        "end": "2026-11-24T10:30:15Z",
        "description": "Review",
        "projectId": str(project.id),
        "tagIds": [str(tag.id)],
        "billable": True,
        "customFields": [],
        "taskId": None,
    }
    response = api_as(owner).post(entries_url(workspace), body)
    assert response.status_code == 201, response.content
    entry = response.json()
    assert entry["timeInterval"] == {
        "start": "2026-11-24T09:00:00Z",
        "end": "2026-11-24T10:30:15Z",
        "duration": "PT1H30M15S",
    }
    assert entry["hourlyRate"] == {"amount": 8000, "currency": "EUR"}
    assert (entry["projectId"], entry["tagIds"], entry["billable"]) == (
        str(project.id),
        [str(tag.id)],
        True,
    )
    assert (entry["userId"], entry["workspaceId"], entry["type"]) == (
        str(owner.pk),
        str(workspace.id),
        "REGULAR",
    )


def test_start_stops_the_running_timer_then_patch_stops(api_as, owner, workspace):
    api = api_as(owner)
    first = api.post(
        entries_url(workspace), {"start": "2026-11-25T13:00:00Z", "description": "A"}
    ).json()
    assert first["timeInterval"]["end"] is None and first["timeInterval"]["duration"] is None
    api.post(entries_url(workspace), {"start": "2026-11-25T14:00:00Z", "description": "B"})
    a, b = entries(workspace)
    assert a.end == b.start == datetime(2026, 11, 25, 14, tzinfo=UTC)
    running = api.get(entries_url(workspace, "/status/in-progress")).json()
    assert [e["description"] for e in running] == ["B"]

    stopped = api.patch(user_url(workspace, owner), {"end": "2026-11-25T14:45:00Z"})
    assert stopped.status_code == 200
    assert stopped.json()["timeInterval"]["duration"] == "PT45M"
    again = api.patch(user_url(workspace, owner), {"end": "2026-11-25T15:00:00Z"})
    assert again.status_code == 404
    assert again.json() == {"message": "No timer is running.", "code": 404}


def test_list_filters_and_pages_newest_first(api_as, owner, workspace, project):
    api = api_as(owner)
    for day in range(1, 6):
        start = f"2026-11-{day:02d}T09:00:00Z"
        api.post(
            entries_url(workspace),
            {
                "start": start,
                "end": start.replace("09:", "10:"),
                "description": f"day {day}",
                "projectId": str(project.id) if day % 2 else None,
            },
        )
    listed = api.get(user_url(workspace, owner)).json()
    assert [e["description"] for e in listed] == ["day 5", "day 4", "day 3", "day 2", "day 1"]
    page = api.get(user_url(workspace, owner), page=2, **{"page-size": 2}).json()
    assert [e["description"] for e in page] == ["day 3", "day 2"]
    ranged = api.get(
        user_url(workspace, owner), start="2026-11-02T00:00:00Z", end="2026-11-03T23:59:59Z"
    ).json()
    assert [e["description"] for e in ranged] == ["day 3", "day 2"]
    assert len(api.get(user_url(workspace, owner), project=str(project.id)).json()) == 3
    assert len(api.get(user_url(workspace, owner), description="DAY 4").json()) == 1
    assert api.get(user_url(workspace, owner), **{"in-progress": "true"}).json() == []


def test_update_changes_only_what_is_sent(api_as, owner, workspace, project):
    api = api_as(owner)
    created = api.post(
        entries_url(workspace),
        {
            "start": "2026-11-24T09:00:00Z",
            "end": "2026-11-24T10:00:00Z",
            "description": "Keep",
            "projectId": str(project.id),
        },
    ).json()
    updated = api.put(
        entries_url(workspace, f"/{created['id']}"), {"end": "2026-11-24T11:00:00Z"}
    ).json()
    assert updated["description"] == "Keep"
    assert updated["projectId"] == str(project.id)
    assert updated["timeInterval"]["duration"] == "PT2H"
    cleared = api.put(
        entries_url(workspace, f"/{created['id']}"),
        {"projectId": None, "start": "2026-11-24T09:30:00Z"},
    ).json()
    assert cleared["projectId"] is None
    assert cleared["timeInterval"]["start"] == "2026-11-24T09:30:00Z"
    assert api.get(entries_url(workspace, f"/{created['id']}")).json()["id"] == created["id"]
    assert api.delete(entries_url(workspace, f"/{created['id']}")).status_code == 204
    assert entries(workspace) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"start": "2026-11-24T10:00:00Z", "end": "2026-11-24T09:00:00Z"},
            "end: the end must be after the start.",
        ),
        (
            {"start": "2026-11-24T10:00:00Z", "end": "2026-11-24T10:00:00Z"},
            "end: the end must be after the start.",
        ),
        (
            {"start": "1969-12-31T10:00:00Z", "end": "1969-12-31T11:00:00Z"},
            "start: entries start in 1970",
        ),
        ({"start": "2028-01-01T10:00:00Z"}, "at most a year ahead"),
        ({"start": "2026-01-01T00:00:00Z", "end": "2026-03-01T00:00:00Z"}, "at most 999 hours"),
        ({"start": "yesterday"}, "start"),
        ({"start": 12}, "start"),
        ({}, "start"),
        ({"start": "2026-11-24T10:00:00Z", "description": "x" * 3001}, "description"),
        ({"start": "2026-11-24T10:00:00Z", "tagIds": "not-a-list"}, "tagIds"),
        ({"start": "2026-11-24T10:00:00Z", "billable": "maybe"}, "billable"),
    ],
)
def test_bad_input_is_400_and_saves_nothing(api_as, owner, workspace, body, message):
    response = api_as(owner).post(entries_url(workspace), body)
    assert response.status_code == 400, response.content
    assert message in response.json()["message"]
    assert response.json()["code"] == 400
    assert entries(workspace) == []


def test_archived_foreign_or_mismatched_projects_and_tasks(
    api_as, owner, outsider, workspace, project
):
    archived = Project.objects.in_workspace(workspace).create(name="Old", archived=True)
    other = Project.objects.in_workspace(workspace).create(name="Other")
    task = Task.objects.in_workspace(workspace).create(project=other, name="Elsewhere")
    elsewhere = make_workspace(outsider, region="us")
    foreign = Project.objects.in_workspace(elsewhere).create(name="Theirs")
    foreign_tag = Tag.objects.in_workspace(elsewhere).create(name="theirs")
    start = {"start": "2026-11-24T09:00:00Z", "end": "2026-11-24T10:00:00Z"}
    api = api_as(owner)
    for body in [
        {"projectId": str(archived.id)},
        {"projectId": str(foreign.id)},
        {"projectId": "nonsense"},
        {"projectId": str(project.id), "taskId": str(task.id)},
        {"tagIds": [str(foreign_tag.id)]},
    ]:
        response = api.post(entries_url(workspace), start | body)
        assert response.status_code == 400, (body, response.content)
    assert entries(workspace) == []


def test_members_work_on_their_own_entries_admins_on_anyones(
    api_as, owner, member, admin, workspace
):
    mine = (
        api_as(member)
        .post(
            entries_url(workspace), {"start": "2026-11-24T09:00:00Z", "end": "2026-11-24T10:00:00Z"}
        )
        .json()
    )
    owners = api_as(owner).post(entries_url(workspace), {"start": "2026-11-24T11:00:00Z"}).json()
    member_api = api_as(member)
    assert member_api.get(entries_url(workspace, f"/{owners['id']}")).status_code == 403
    assert (
        member_api.put(entries_url(workspace, f"/{owners['id']}"), {"description": "x"}).status_code
        == 403
    )
    assert member_api.delete(entries_url(workspace, f"/{owners['id']}")).status_code == 403
    assert member_api.get(user_url(workspace, owner)).status_code == 403
    assert (
        member_api.patch(user_url(workspace, owner), {"end": "2026-11-24T12:00:00Z"}).status_code
        == 403
    )
    assert [
        e["id"] for e in member_api.get(entries_url(workspace, "/status/in-progress")).json()
    ] == []

    admin_api = api_as(admin)
    assert admin_api.get(entries_url(workspace, f"/{mine['id']}")).status_code == 200
    assert (
        admin_api.put(entries_url(workspace, f"/{mine['id']}"), {"description": "checked"}).json()[
            "description"
        ]
        == "checked"
    )
    assert len(admin_api.get(entries_url(workspace, "/status/in-progress")).json()) == 1
    for_member = admin_api.post(
        f"/workspaces/{workspace.id}/user/{member.pk}/time-entries",
        {"start": "2026-11-23T09:00:00Z", "end": "2026-11-23T09:30:00Z"},
    )
    assert for_member.json()["userId"] == str(member.pk)
    assert (
        admin_api.patch(user_url(workspace, owner), {"end": "2026-11-24T12:00:00Z"}).status_code
        == 200
    )


def test_another_workspace_is_404_everywhere(api_as, owner, outsider, workspace):
    entry = (
        api_as(owner)
        .post(
            entries_url(workspace), {"start": "2026-11-24T09:00:00Z", "end": "2026-11-24T10:00:00Z"}
        )
        .json()
    )
    api = api_as(outsider)
    elsewhere = make_workspace(outsider, region="uk")
    assert api.get(entries_url(workspace, f"/{entry['id']}")).status_code == 404
    assert api.get(entries_url(elsewhere, f"/{entry['id']}")).status_code == 404
    assert (
        api.put(entries_url(elsewhere, f"/{entry['id']}"), {"description": "x"}).status_code == 404
    )
    assert api.delete(entries_url(elsewhere, f"/{entry['id']}")).status_code == 404
    assert api.post(entries_url(workspace), {"start": "2026-11-24T09:00:00Z"}).status_code == 404
    assert api.get(user_url(workspace, owner)).status_code == 404
    assert api.get(user_url(elsewhere, owner)).status_code == 404  # not a member there
    assert len(entries(workspace)) == 1


def test_list_runs_the_same_queries_for_any_page_size(
    api_as, owner, workspace, project, all_queries
):
    api = api_as(owner)
    tag = Tag.objects.in_workspace(workspace).create(name="t")
    for hour in range(8):
        start = f"2026-11-24T{hour + 8:02d}:00:00Z"
        api.post(
            entries_url(workspace),
            {
                "start": start,
                "end": start.replace(":00:00", ":30:00"),
                "projectId": str(project.id),
                "tagIds": [str(tag.id)],
            },
        )
    with all_queries() as one:
        api.get(user_url(workspace, owner), **{"page-size": 1})
    with all_queries() as eight:
        api.get(user_url(workspace, owner), **{"page-size": 8})
    assert one.by_alias() == eight.by_alias()
