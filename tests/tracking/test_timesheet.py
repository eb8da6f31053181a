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
    assert [row.key for row in week.rows] == ["", f"p:{project.id}"]  # no project first
    assert week.rows[1].cells[0].total == timedelta(hours=2)
    assert week.day_totals[:2] == [timedelta(hours=2), timedelta(hours=1)]
    assert week.total == timedelta(hours=3)
    html = response.content.decode()
    assert 'value="2:00"' in html and "03:00:00" in html
    # Ids follow the row and the day, not the position, so they survive new rows.
    assert f'id="cell-p-{project.id}-2026-11-23"' in html
    assert 'id="cell-none-2026-11-24"' in html


def test_rows_keep_a_stable_order_by_name(client, owner, workspace):
    zeta = Project.objects.in_workspace(workspace).create(name="zeta")
    alpha = Project.objects.in_workspace(workspace).create(name="Alpha")
    beta = Project.objects.in_workspace(workspace).create(name="beta")
    copy = Task.objects.in_workspace(workspace).create(project=alpha, name="copy")
    build = Task.objects.in_workspace(workspace).create(project=alpha, name="Build")
    # Entries in the opposite order: the rows must not follow them.
    add(workspace, owner, zeta, datetime(2026, 11, 23, 8, tzinfo=UTC), 30)
    services.create_entry(
        workspace,
        owner.pk,
        services.EntryDetails(project=alpha, task=copy),
        datetime(2026, 11, 23, 10, tzinfo=UTC),
        datetime(2026, 11, 23, 11, tzinfo=UTC),
    )
    add(workspace, owner, None, datetime(2026, 11, 24, 9, tzinfo=UTC), 60)
    client.force_login(owner)
    rows = f"p:{beta.id},t:{build.id}"
    response = client.get(*page(workspace, rows=rows, add=f"p:{alpha.id}"))
    assert [row.key for row in response.context["week"].rows] == [
        "",
        f"p:{alpha.id}",
        f"t:{build.id}",
        f"t:{copy.id}",
        f"p:{beta.id}",
        f"p:{zeta.id}",
    ]


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
    (entry,) = entries(workspace)
    assert entry.project_id == project.id
    assert entry.start == datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert entry.end - entry.start == timedelta(hours=1, minutes=30)


def test_htmx_gets_only_the_edited_cell_and_the_totals(client, owner, workspace, project):
    other = Project.objects.in_workspace(workspace).create(name="Support")
    add(workspace, owner, other, datetime(2026, 11, 24, 9, tzinfo=UTC), 60)
    client.force_login(owner)
    response = cell(client, workspace, f"p:{project.id}", MONDAY, "1:30")
    html = response.content.decode()
    # No other input is replaced: what is being typed in the next cell stays.
    assert 'id="timesheet-grid"' not in html
    assert html.count('name="value"') == 1
    assert f'id="cell-p-{project.id}-2026-11-23"' in html and 'value="1:30"' in html
    for oob in (
        f'id="sheet-p-{project.id}-2026-11-23" hx-swap-oob="true"',
        f'id="sheet-total-p-{project.id}" hx-swap-oob="true"',
        'id="sheet-day-totals" hx-swap-oob="true"',
        'id="sheet-alert" hx-swap-oob="true"',
    ):
        assert oob in html
    assert "02:30:00" in html  # the week's total, the other project's hour included


def test_the_cell_form_swaps_nothing_itself(client, owner, workspace, project):
    add(workspace, owner, project, datetime(2026, 11, 23, 9, tzinfo=UTC), 60)
    client.force_login(owner)
    html = client.get(*page(workspace)).content.decode()
    assert html.count('hx-swap="none"') == 7
    assert 'hx-target="#timesheet-grid"' not in html
    assert 'id="sheet-day-totals"' in html and f'id="sheet-total-p-{project.id}"' in html


def test_clearing_a_cell_keeps_its_row_in_the_answer(client, owner, workspace, project):
    add(workspace, owner, project, datetime(2026, 11, 23, 9, tzinfo=UTC), 60)
    client.force_login(owner)
    response = cell(client, workspace, f"p:{project.id}", MONDAY, "")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="sheet-p-{project.id}-2026-11-23"' in html
    assert f'id="sheet-total-p-{project.id}" hx-swap-oob="true">00:00:00' in html
    assert entries(workspace) == []


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


@pytest.mark.parametrize("htmx", [True, False])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("25:00", "A day has 24 hours; enter at most 24:00."),
        ("abc", "“abc” is not a duration"),
        ("1:99", "up to 59"),
    ],
)
def test_bad_cell_values_show_next_to_the_cell(
    client, owner, workspace, project, value, message, htmx
):
    client.force_login(owner)
    response = cell(client, workspace, f"p:{project.id}", MONDAY, value, htmx=htmx)
    assert response.status_code == 400
    html = response.content.decode()
    cell_id = f"cell-p-{project.id}-2026-11-23"
    td = html[html.index(f'<td class="num has-error" id="sheet-p-{project.id}-2026-11-23"') :]
    td = td[: td.index("</td>")]
    assert f'id="{cell_id}"' in td
    assert f'value="{value}"' in td  # what was typed stays
    assert f'aria-invalid="true" aria-describedby="{cell_id}-error"' in td
    assert f'<p class="field-error cell-error" id="{cell_id}-error" role="alert">' in td
    assert message in td
    assert 'class="alert error"' not in html  # not a banner
    assert entries(workspace) == []


def test_a_bad_value_keeps_the_other_totals_untouched(client, owner, workspace, project):
    add(workspace, owner, project, datetime(2026, 11, 23, 9, tzinfo=UTC), 60)
    client.force_login(owner)
    response = cell(client, workspace, f"p:{project.id}", MONDAY, "abc")
    assert response.status_code == 400
    assert 'id="sheet-day-totals"' not in response.content.decode()
    assert [e.duration for e in entries(workspace)] == [timedelta(hours=1)]


def test_shrinking_below_other_entries_is_refused(client, owner, workspace, project):
    add(workspace, owner, project, datetime(2026, 11, 23, 9, tzinfo=UTC), 60)
    add(workspace, owner, project, datetime(2026, 11, 23, 14, tzinfo=UTC), 30)
    client.force_login(owner)
    response = cell(client, workspace, f"p:{project.id}", MONDAY, "0:45")
    assert response.status_code == 400
    html = response.content.decode()
    assert "This cell has 2 entries" in html
    assert 'value="0:45" aria-label="Website, Monday"' in html and 'aria-invalid="true"' in html
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
        # No cell of the grid is this row's, so the reason shows above the grid.
        assert '<div id="sheet-alert" hx-swap-oob="true"><p class="alert error"' in (
            response.content.decode()
        )
    assert entries(workspace) == []
    assert TimeEntry.objects.in_workspace(elsewhere).count() == 0


def test_add_row_and_copy_last_weeks_rows(client, owner, workspace, project):
    other = Project.objects.in_workspace(workspace).create(name="Support")
    add(workspace, owner, other, datetime(2026, 11, 17, 9, tzinfo=UTC), 60)  # last week
    client.force_login(owner)
    added = client.get(*page(workspace, add=f"p:{project.id}"))
    assert [row.project for row in added.context["week"].rows] == [project]
    copied = client.get(*page(workspace, rows=f"p:{project.id}", copy="on"))
    assert [row.project for row in copied.context["week"].rows] == [other, project]  # by name
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
