"""The tracker page: timer, manual entries, inline edit, continue, duplicate, delete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_workspace
from tracking import services
from tracking.models import Project, Tag, Task, TimeEntry
from workspaces.models import Workspace

NOW = datetime(2026, 11, 25, 15, 0, 0, tzinfo=UTC)


def url(name: str, workspace: Workspace, *args: object) -> str:
    return reverse(f"tracking:{name}", args=[workspace.id, *args])


def entries(workspace: Workspace, **filters: object) -> list[TimeEntry]:
    return list(TimeEntry.objects.in_workspace(workspace).filter(**filters).order_by("start"))


def make_entry(workspace, user, start=NOW - timedelta(hours=2), minutes=60, **details):
    return services.create_entry(
        workspace,
        user.pk,
        services.EntryDetails(**details),
        start,
        start + timedelta(minutes=minutes),
    )


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def project(workspace):
    return Project.objects.in_workspace(workspace).create(name="Website", hourly_rate=90)


# --- page ---


def test_page_shows_empty_state_then_entries_by_day(client, owner, workspace, project):
    client.force_login(owner)
    assert "No time tracked yet" in client.get(url("tracker", workspace)).content.decode()
    make_entry(workspace, owner, project=project, description="Homepage copy")
    html = client.get(url("tracker", workspace)).content.decode()
    assert "Homepage copy" in html
    assert "Wednesday, 11/25/2026" in html
    assert "01:00:00" in html


def test_page_shows_times_in_the_members_zone_and_formats(client, owner, workspace):
    owner.time_zone, owner.time_format, owner.date_format = "Asia/Tokyo", "24", "%d.%m.%Y"
    owner.save()
    make_entry(workspace, owner, start=datetime(2026, 11, 25, 15, 30, tzinfo=UTC))
    client.force_login(owner)
    html = client.get(url("tracker", workspace)).content.decode()
    assert "26.11.2026" in html  # 15:30 UTC is already the next day in Tokyo
    assert "00:30 \u2013 01:30" in html


def test_page_runs_the_same_queries_for_any_number_of_entries(
    client, owner, workspace, project, all_queries
):
    tag = Tag.objects.in_workspace(workspace).create(name="deep work")
    services.start_timer(workspace, owner.pk, services.EntryDetails(project=project, tags=[tag]))
    client.force_login(owner)
    client.get(url("tracker", workspace))
    counts = []
    for total in (1, 60, 300):
        while len(entries(workspace)) <= total:
            n = len(entries(workspace))
            make_entry(
                workspace,
                owner,
                start=NOW - timedelta(hours=3 * n + 5),
                project=project,
                tags=[tag],
            )
        with all_queries() as queries:
            assert client.get(url("tracker", workspace)).status_code == 200
        counts.append(queries.by_alias())
    # A full page adds one query (the rest of its last day); beyond that, nothing grows.
    assert counts[1] == counts[2]
    assert sum(counts[0].values()) <= sum(counts[1].values())


def test_load_more_pages_through_every_entry_once(client, owner, workspace):
    made = [
        make_entry(workspace, owner, start=NOW - timedelta(hours=5 * i + 3), minutes=30)
        for i in range(120)
    ]
    client.force_login(owner)
    seen, cursor = [], None
    for _ in range(10):
        response = client.get(url("tracker", workspace), {"before": cursor} if cursor else {})
        page = response.context
        seen += [entry.id for day in page["days"] for entry in day.entries]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(e.id for e in made)
    assert len(seen) == len(set(seen))


def test_the_days_total_counts_the_running_timer(client, owner, workspace):
    make_entry(workspace, owner, start=NOW - timedelta(hours=3), minutes=60)
    services.start_timer(
        workspace, owner.pk, services.EntryDetails(), at=NOW - timedelta(minutes=30)
    )
    client.force_login(owner)
    response = client.get(url("tracker", workspace))
    assert response.context["days"][0].total == timedelta(hours=1, minutes=30)
    assert response.context["week_total"] == timedelta(hours=1, minutes=30)
    assert "Total <strong>01:30:00</strong>" in response.content.decode()


def test_other_tabs_get_the_timer_bar_alone_and_leave_messages_unread(client, owner, workspace):
    client.force_login(owner)
    client.post(url("start", workspace), {"running": ""})
    (running,) = entries(workspace)
    client.post(url("add_entry", workspace), manual())  # leaves "Entry added." to show
    headers = {"HX-Request": "true", "HX-Target": "timer-bar"}
    bar = client.get(url("tracker", workspace), headers=headers).content.decode()
    assert bar.lstrip().startswith('<section id="timer-bar"')
    assert f'data-timer-state="{running.id}"' in bar
    assert "Entry added." in client.get(url("tracker", workspace)).content.decode()


def test_tracker_login_404_405(client, outsider, workspace):
    assert client.get(url("tracker", workspace)).status_code == 302
    client.force_login(outsider)
    assert client.get(url("tracker", workspace)).status_code == 404
    assert client.post(url("tracker", workspace)).status_code == 405


# --- timer ---


def test_start_and_stop(client, member, workspace, project):
    client.force_login(member)
    response = client.post(
        url("start", workspace),
        {"description": "Call", "project_task": f"p:{project.id}", "running": ""},
    )
    assert response.status_code == 302
    (running,) = entries(workspace, end__isnull=True)
    assert (running.user_id, running.description, running.project_id) == (
        member.pk,
        "Call",
        project.id,
    )
    assert running.billable is True  # the project's default
    assert running.hourly_rate == 90
    assert running.start == NOW

    with time_machine.travel(NOW + timedelta(minutes=25), tick=False):
        html = client.get(url("tracker", workspace)).content.decode()
        assert 'data-timer-start="2026-11-25T15:00:00+00:00"' in html
        assert client.post(url("stop", workspace), {"running": str(running.id)}).status_code == 302
    running.refresh_from_db()
    assert running.end - running.start == timedelta(minutes=25)


def test_double_click_start_starts_one_timer(client, owner, workspace):
    client.force_login(owner)
    first = client.post(url("start", workspace), {"description": "A", "running": ""})
    second = client.post(url("start", workspace), {"description": "A", "running": ""})
    assert first.status_code == 302
    assert second.status_code == 409
    assert "The timer changed meanwhile" in second.content.decode()
    assert len(entries(workspace)) == 1


def test_continue_stops_the_running_timer_at_the_same_instant(client, owner, workspace, project):
    old = make_entry(workspace, owner, project=project, description="Again")
    client.force_login(owner)
    client.post(url("start", workspace), {"description": "Other", "running": ""})
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        assert client.post(url("continue_entry", workspace, old.id)).status_code == 302
    running = entries(workspace, end__isnull=True)
    assert [e.description for e in running] == ["Again"]
    stopped = entries(workspace, description="Other")[0]
    assert stopped.end == running[0].start == NOW + timedelta(minutes=10)


def test_stop_without_running_timer_is_a_clear_400(client, owner, workspace):
    client.force_login(owner)
    response = client.post(url("stop", workspace))
    assert response.status_code == 400
    assert "No timer is running." in response.content.decode()


def test_stop_within_the_first_second_keeps_one_second(client, owner, workspace):
    client.force_login(owner)
    client.post(url("start", workspace), {"running": ""})
    client.post(url("stop", workspace))
    (entry,) = entries(workspace)
    assert entry.end - entry.start == timedelta(seconds=1)


def test_timer_needs_own_workspace_and_post(client, outsider, workspace):
    client.force_login(outsider)
    assert client.post(url("start", workspace), {"running": ""}).status_code == 404
    assert client.post(url("stop", workspace)).status_code == 404
    assert client.get(url("start", workspace)).status_code == 405
    assert entries(workspace) == []


@pytest.mark.parametrize("pick", ["archived", "foreign", "garbage", "private"])
def test_timer_refuses_projects_that_cannot_be_picked(client, member, workspace, outsider, pick):
    archived = Project.objects.in_workspace(workspace).create(name="Old", archived=True)
    private = Project.objects.in_workspace(workspace).create(name="Secret", is_public=False)
    elsewhere = Workspace.objects.get(memberships__user=outsider)
    foreign = Project.objects.in_workspace(elsewhere).create(name="Theirs")
    value = {
        "archived": f"p:{archived.id}",
        "foreign": f"p:{foreign.id}",
        "garbage": "p:xyz",
        "private": f"p:{private.id}",
    }[pick]
    client.force_login(member)
    response = client.post(url("start", workspace), {"project_task": value, "running": ""})
    assert response.status_code == 400
    assert "Choose one of this workspace&#x27;s active projects." in response.content.decode()
    assert entries(workspace) == []


def test_tags_are_checkboxes_in_a_dropdown_with_ids_per_form(client, owner, workspace):
    tag = Tag.objects.in_workspace(workspace).create(name="deep work")
    entry = make_entry(workspace, owner, tags=[tag])
    client.force_login(owner)
    html = client.get(url("tracker", workspace), {"edit": entry.id}).content.decode()
    assert "<select" not in html.split('name="tags"')[0][-300:]
    assert html.count('<details class="tag-picker">') == 3  # timer, manual, edit
    for form in ("timer", "manual", "edit"):
        checked = " checked" if form == "edit" else ""
        assert (
            f'<input type="checkbox" name="tags" value="{tag.id}" id="{form}-tags_0"{checked}>'
            f'<label for="{form}-tags_0">deep work</label>'
        ) in html


def test_timer_starts_with_ticked_tags(client, owner, workspace):
    first = Tag.objects.in_workspace(workspace).create(name="a")
    second = Tag.objects.in_workspace(workspace).create(name="b")
    client.force_login(owner)
    data = {"tags": [str(first.id), str(second.id)], "running": ""}
    assert client.post(url("start", workspace), data).status_code == 302
    (running,) = entries(workspace)
    assert sorted(t.name for t in running.tags.all()) == ["a", "b"]


def test_timer_refuses_foreign_tags(client, owner, workspace, outsider):
    elsewhere = Workspace.objects.get(memberships__user=outsider)
    tag = Tag.objects.in_workspace(elsewhere).create(name="theirs")
    client.force_login(owner)
    response = client.post(url("start", workspace), {"tags": [str(tag.id)], "running": ""})
    assert response.status_code == 400
    assert entries(workspace) == []


# --- manual entries ---


def manual(**changes):
    data = {
        "description": "Report",
        "day": "2026-11-24",
        "start_time": "09:00",
        "end_time": "10:30",
        "duration": "",
    }
    return data | changes


@pytest.mark.parametrize(
    ("changes", "length"),
    [
        ({}, timedelta(hours=1, minutes=30)),
        ({"end_time": "", "duration": "1:30"}, timedelta(hours=1, minutes=30)),
        ({"end_time": "", "duration": "1.5"}, timedelta(hours=1, minutes=30)),
        ({"end_time": "", "duration": "90m"}, timedelta(minutes=90)),
        ({"start_time": "22:00", "end_time": "01:15"}, timedelta(hours=3, minutes=15)),
        ({"end_time": "", "duration": "30:00"}, timedelta(hours=30)),
    ],
)
def test_manual_entry(client, owner, workspace, changes, length):
    client.force_login(owner)
    assert client.post(url("add_entry", workspace), manual(**changes)).status_code == 302
    (entry,) = entries(workspace)
    assert entry.start == datetime(
        2026, 11, 24, int(manual(**changes)["start_time"][:2]), tzinfo=UTC
    )
    assert entry.end - entry.start == length


@pytest.mark.parametrize(
    ("zone", "day", "start", "end", "hours"),
    [
        ("Europe/Berlin", "2026-03-29", "01:00", "04:00", 2),  # clocks go forward at 02:00
        ("Europe/Berlin", "2026-10-25", "01:00", "04:00", 4),  # clocks go back at 03:00
        ("America/New_York", "2026-11-01", "00:30", "03:30", 4),
        ("America/New_York", "2026-03-08", "23:00", "01:00", 2),  # across midnight, no change
    ],
)
def test_entries_across_dst_keep_the_real_duration(
    client, owner, workspace, zone, day, start, end, hours
):
    owner.time_zone = zone
    owner.save()
    client.force_login(owner)
    data = manual(day=day, start_time=start, end_time=end)
    assert client.post(url("add_entry", workspace), data).status_code == 302
    (entry,) = entries(workspace)
    assert entry.end - entry.start == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_time": "09:00"}, "The end must be after the start."),
        ({"end_time": "", "duration": "0:00"}, "A duration must be more than zero."),
        ({"end_time": "", "duration": "1000:00"}, "A duration can be at most 999 hours."),
        ({"end_time": "", "duration": "soon"}, "is not a duration"),
        ({"end_time": "", "duration": ""}, "Give an end time or a duration."),
        ({"day": "1969-12-31"}, "Choose a day between 1970 and 2100."),
        ({"day": "2027-12-01"}, "Entries can start at most a year ahead."),
        ({"day": "2026-02-30"}, "Enter a valid date."),
        ({"start_time": "25:00"}, "Enter a valid time."),
        ({"description": "x" * 3001}, "at most 3000 characters"),
    ],
)
def test_manual_entry_bad_input(client, owner, workspace, changes, message):
    client.force_login(owner)
    response = client.post(url("add_entry", workspace), manual(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert entries(workspace) == []


def test_manual_entry_with_a_task(client, owner, workspace, project):
    task = Task.objects.in_workspace(workspace).create(project=project, name="Copy")
    client.force_login(owner)
    client.post(url("add_entry", workspace), manual(project_task=f"t:{task.id}", billable="no"))
    (entry,) = entries(workspace)
    assert (entry.project_id, entry.task_id, entry.billable) == (project.id, task.id, False)


def test_done_task_cannot_be_picked(client, owner, workspace, project):
    task = Task.objects.in_workspace(workspace).create(project=project, name="Old", status="DONE")
    client.force_login(owner)
    response = client.post(url("add_entry", workspace), manual(project_task=f"t:{task.id}"))
    assert response.status_code == 400
    assert entries(workspace) == []


# --- edit ---


def test_edit_every_field(client, owner, workspace, project):
    entry = make_entry(workspace, owner, description="Before")
    tag = Tag.objects.in_workspace(workspace).create(name="review")
    client.force_login(owner)
    edit = url("edit_entry", workspace, entry.id)
    assert "Before" in client.get(edit).content.decode()
    data = manual(
        description="After",
        project_task=f"p:{project.id}",
        tags=[str(tag.id)],
        billable="yes",
        end_time="",
        duration="2:15",
    )
    assert client.post(edit, data).status_code == 302
    entry.refresh_from_db()
    assert entry.description == "After"
    assert entry.project_id == project.id
    assert entry.hourly_rate == 90  # follows the new project
    assert [t.name for t in entry.tags.all()] == ["review"]
    assert entry.end - entry.start == timedelta(hours=2, minutes=15)


def test_htmx_edit_returns_the_row_form_and_redirects_on_save(client, owner, workspace):
    entry = make_entry(workspace, owner)
    client.force_login(owner)
    edit = url("edit_entry", workspace, entry.id)
    form = client.get(edit, headers={"HX-Request": "true"})
    assert form.status_code == 200
    assert form.content.decode().lstrip().startswith('<div class="entry editing"')
    bad = client.post(edit, manual(end_time="09:00"), headers={"HX-Request": "true"})
    assert bad.status_code == 400
    assert "The end must be after the start." in bad.content.decode()
    good = client.post(edit, manual(), headers={"HX-Request": "true"})
    # To the tracker itself, not back to ?edit=, so the form closes; the message follows.
    assert good["HX-Redirect"] == url("tracker", workspace)
    assert "HX-Refresh" not in good
    page = client.get(good["HX-Redirect"]).content.decode()
    assert '<li class="message success">Entry saved.</li>' in page
    assert 'class="entry editing"' not in page


def test_htmx_edit_of_the_running_entry_redirects_to_the_tracker(client, owner, workspace):
    client.force_login(owner)
    client.post(url("start", workspace), {"running": ""})
    (entry,) = entries(workspace)
    assert (
        "Edit the running entry"
        in client.get(url("tracker", workspace), {"edit": entry.id}).content.decode()
    )
    data = {"description": "Renamed", "day": "2026-11-25", "start_time": "14:00"}
    response = client.post(
        url("edit_entry", workspace, entry.id), data, headers={"HX-Request": "true"}
    )
    assert response["HX-Redirect"] == url("tracker", workspace)
    page = client.get(url("tracker", workspace)).content.decode()
    assert "Entry saved." in page and "Edit the running entry" not in page
    entry.refresh_from_db()
    assert (entry.description, entry.end) == ("Renamed", None)


def test_end_time_says_that_an_earlier_end_is_the_next_day(client, owner, workspace):
    entry = make_entry(workspace, owner, start=NOW - timedelta(hours=20), minutes=23 * 60)
    client.force_login(owner)
    html = client.get(url("tracker", workspace), {"edit": entry.id}).content.decode()
    assert html.count("Earlier than the start? It ends the next day.") == 2  # manual and edit
    assert "(+1 day)" in client.get(url("tracker", workspace)).content.decode()


def test_edit_running_entry_has_no_end(client, owner, workspace):
    client.force_login(owner)
    client.post(url("start", workspace), {"running": ""})
    (entry,) = entries(workspace)
    data = {"description": "Renamed", "day": "2026-11-25", "start_time": "14:00"}
    assert client.post(url("edit_entry", workspace, entry.id), data).status_code == 302
    entry.refresh_from_db()
    assert (entry.description, entry.end, entry.start.hour) == ("Renamed", None, 14)


def test_edit_someone_elses_entry_is_404(client, owner, member, outsider, workspace):
    entry = make_entry(workspace, member, description="Mine")
    edit = url("edit_entry", workspace, entry.id)
    client.force_login(owner)  # even the owner: the tracker is personal
    assert client.get(edit).status_code == 404
    client.force_login(outsider)
    assert client.post(edit, manual()).status_code == 404
    other = make_workspace(outsider, region="au")
    assert client.get(url("edit_entry", other, entry.id)).status_code == 404
    entry.refresh_from_db()
    assert entry.description == "Mine"
    assert client.put(edit).status_code == 405


# --- duplicate, delete, bulk delete ---


def test_duplicate_copies_everything(client, owner, workspace, project):
    tag = Tag.objects.in_workspace(workspace).create(name="t")
    entry = make_entry(workspace, owner, project=project, tags=[tag], description="Copy me")
    client.force_login(owner)
    assert client.post(url("duplicate_entry", workspace, entry.id)).status_code == 302
    first, second = entries(workspace)
    assert (first.start, first.end, first.description) == (
        second.start,
        second.end,
        second.description,
    )
    assert list(second.tags.all()) == [tag]


def test_delete_one(client, owner, member, workspace):
    mine = make_entry(workspace, owner)
    theirs = make_entry(workspace, member)
    client.force_login(owner)
    assert client.post(url("delete_entry", workspace, theirs.id)).status_code == 404
    assert client.get(url("delete_entry", workspace, mine.id)).status_code == 405
    assert client.post(url("delete_entry", workspace, mine.id)).status_code == 302
    assert entries(workspace) == [theirs]


def test_bulk_delete_asks_then_deletes(client, owner, workspace):
    made = [make_entry(workspace, owner, start=NOW - timedelta(hours=3 * i + 2)) for i in range(3)]
    client.force_login(owner)
    ids = [str(e.id) for e in made[:2]]
    confirm = client.post(url("bulk_delete", workspace), {"entries": ids})
    assert confirm.status_code == 200
    assert "Delete 2 entries?" in confirm.content.decode()
    assert len(entries(workspace)) == 3
    done = client.post(url("bulk_delete", workspace), {"entries": ids, "confirm": "on"})
    assert done.status_code == 302
    assert entries(workspace) == [made[2]]


@pytest.mark.parametrize("extra", ["foreign", "garbage", "none"])
def test_bulk_delete_bad_selection_deletes_nothing(client, owner, member, workspace, extra):
    mine = make_entry(workspace, owner)
    theirs = make_entry(workspace, member, start=NOW - timedelta(hours=5))
    picked = {
        "foreign": [str(mine.id), str(theirs.id)],
        "garbage": [str(mine.id), "nope"],
        "none": [],
    }[extra]
    client.force_login(owner)
    response = client.post(url("bulk_delete", workspace), {"entries": picked, "confirm": "on"})
    assert response.status_code == 400
    assert len(entries(workspace)) == 2


def test_entries_are_stored_only_in_the_workspace_region(owner, workspace):
    make_entry(workspace, owner)
    from django.db import connections

    for alias in ["us", "eu", "uk", "au"]:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM tracking_timeentry")
            assert cursor.fetchone()[0] == (1 if alias == "eu" else 0)
    assert timezone.now() == NOW
