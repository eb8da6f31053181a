"""The weekly timesheet: cells create, resize and clear entries; rows and weeks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from tracking import services
from tracking.models import Project, Task, TimeEntry

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday
MONDAY = "2026-11-23"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def project(workspace):
    return Project.objects.in_workspace(workspace).create(name="Website")


def page(workspace, **query):
    return reverse("tracking:timesheet", args=[workspace.id]), query


def cell(client, workspace, key, day, value, htmx=True, rows=""):
    headers = {"HX-Request": "true"} if htmx else {}
    data = {"project_task": key, "day": day, "value": value, "rows": rows}
    return client.post(
        reverse("tracking:timesheet_cell", args=[workspace.id]), data, headers=headers
    )


def entries(workspace):
    return list(TimeEntry.objects.in_workspace(workspace).order_by("start"))


def add(workspace, user, project, start, minutes):
    details = services.EntryDetails(project=project)
    return services.create_entry(
        workspace, user.pk, details, start, start + timedelta(minutes=minutes)
    )


def test_grid_shows_rows_cells_and_totals(client, owner, workspace, project):
    add(workspace, owner, project, datetime(2026, 11, 23, 9, tzinfo=UTC), 90)
    add(workspace, owner, project, datetime(2026, 11, 23, 13, tzinfo=UTC), 30)
    add(workspace, owner, None, datetime(2026, 11, 24, 9, tzinfo=UTC), 60)
    client.force_login(owner)
    response = client.get(*page(workspace))
    week = response.context["week"]
    assert [row.key for row in week.rows] == [f"p:{project.id}", ""]
    assert week.rows[0].cells[0].total == timedelta(hours=2)
    assert week.day_totals[:2] == [timedelta(hours=2), timedelta(hours=1)]
    assert week.total == timedelta(hours=3)
    html = response.content.decode()
    assert 'value="2:00"' in html and "03:00:00" in html


def test_week_starts_on_the_members_day_and_navigates(client, owner, workspace):
    owner.week_start = 7  # Sunday
    owner.save()
    client.force_login(owner)
    assert client.get(*page(workspace)).context["first"].isoformat() == "2026-11-22"
    assert (
        client.get(*page(workspace, week="2026-12-02")).context["first"].isoformat() == "2026-11-29"
    )


def test_typing_in_an_empty_cell_creates_an_entry(client, owner, workspace, project):
    client.force_login(owner)
    response = cell(client, workspace, f"p:{project.id}", MONDAY, "1:30")
    assert response.status_code == 200
    assert 'id="timesheet-grid"' in response.content.decode()
    (entry,) = entries(workspace)
    assert entry.project_id == project.id
    assert entry.start == datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert entry.end - entry.start == timedelta(hours=1, minutes=30)


def test_changing_a_cell_resizes_and_clearing_removes(client, owner, workspace, project):
    add(workspace, owner, project, datetime(2026, 11, 23, 9, tzinfo=UTC), 60)
    add(workspace, owner, project, datetime(2026, 11, 23, 14, tzinfo=UTC), 60)
    client.force_login(owner)
    cell(client, workspace, f"p:{project.id}", MONDAY, "3")
    first, second = entries(workspace)
    assert first.duration == timedelta(hours=1)
    assert second.duration == timedelta(hours=2)  # the latest absorbs the change
    cell(client, workspace, f"p:{project.id}", MONDAY, "")
    assert entries(workspace) == []


def test_a_cell_of_a_task_row(client, owner, workspace, project):
    task = Task.objects.in_workspace(workspace).create(project=project, name="Copy")
    client.force_login(owner)
    cell(client, workspace, f"t:{task.id}", "2026-11-26", "45m")
    (entry,) = entries(workspace)
    assert (entry.project_id, entry.task_id) == (project.id, task.id)


def test_without_htmx_the_cell_redirects_back_to_the_week(client, owner, workspace, project):
    client.force_login(owner)
    response = cell(client, workspace, f"p:{project.id}", MONDAY, "1", htmx=False)
    assert response.status_code == 302
    assert "week=2026-11-23" in response["Location"]


@pytest.mark.parametrize(
    ("value", "message"),
    [("25:00", "A day has 24 hours"), ("soon", "is not a duration"), ("1:99", "up to 59")],
)
def test_bad_cell_values(client, owner, workspace, project, value, message):
    client.force_login(owner)
    response = cell(client, workspace, f"p:{project.id}", MONDAY, value)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert entries(workspace) == []


def test_shrinking_below_other_entries_is_refused(client, owner, workspace, project):
    add(workspace, owner, project, datetime(2026, 11, 23, 9, tzinfo=UTC), 60)
    add(workspace, owner, project, datetime(2026, 11, 23, 14, tzinfo=UTC), 30)
    client.force_login(owner)
    response = cell(client, workspace, f"p:{project.id}", MONDAY, "0:45")
    assert response.status_code == 400
    assert "This cell has 2 entries" in response.content.decode()
    assert sum((e.duration for e in entries(workspace)), timedelta()) == timedelta(minutes=90)


def test_foreign_or_archived_project_rows_are_refused(client, owner, outsider, workspace):
    from workspaces.models import Workspace

    elsewhere = Workspace.objects.get(memberships__user=outsider)
    foreign = Project.objects.in_workspace(elsewhere).create(name="Theirs")
    archived = Project.objects.in_workspace(workspace).create(name="Old", archived=True)
    client.force_login(owner)
    for key in (f"p:{foreign.id}", f"p:{archived.id}", "p:nope"):
        response = cell(client, workspace, key, MONDAY, "1")
        assert response.status_code == 400
    assert entries(workspace) == []
    assert TimeEntry.objects.in_workspace(elsewhere).count() == 0


def test_add_row_and_copy_last_weeks_rows(client, owner, workspace, project):
    other = Project.objects.in_workspace(workspace).create(name="Support")
    add(workspace, owner, other, datetime(2026, 11, 17, 9, tzinfo=UTC), 60)  # last week
    client.force_login(owner)
    added = client.get(*page(workspace, add=f"p:{project.id}"))
    assert [row.project for row in added.context["week"].rows] == [project]
    copied = client.get(*page(workspace, rows=f"p:{project.id}", copy="on"))
    assert [row.project for row in copied.context["week"].rows] == [project, other]
    assert copied.context["week"].total == timedelta()


def test_bad_week_or_rows_in_the_address_is_400(client, owner, workspace):
    client.force_login(owner)
    assert client.get(*page(workspace, week="2026-13-45")).status_code == 400
    assert client.get(*page(workspace, rows="drop table")).status_code == 400


def test_timesheet_queries_do_not_grow_with_entries(client, owner, workspace, project, all_queries):
    client.force_login(owner)
    add(workspace, owner, project, datetime(2026, 11, 23, 9, tzinfo=UTC), 60)
    client.get(*page(workspace))
    with all_queries() as few:
        client.get(*page(workspace))
    for day in range(7):
        for hour in range(8):
            start = datetime(2026, 11, 23 + day, 8 + hour, tzinfo=UTC)
            add(workspace, owner, project if hour % 2 else None, start, 30)
    with all_queries() as many:
        client.get(*page(workspace))
    assert few.by_alias() == many.by_alias()


def test_login_404_405(client, outsider, workspace, project):
    assert client.get(*page(workspace)).status_code == 302
    client.force_login(outsider)
    assert client.get(*page(workspace)).status_code == 404
    assert cell(client, workspace, f"p:{project.id}", MONDAY, "1").status_code == 404
    assert client.get(reverse("tracking:timesheet_cell", args=[workspace.id])).status_code == 405
    assert entries(workspace) == []
