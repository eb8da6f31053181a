"""The Auto tracker page: the person's own records of a day, and what they do with them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from tests.factories import make_tag
from tracking import services
from tracking.helpers.models import ActivityRecord
from tracking.models import Project, TimeEntry

NOW = datetime(2026, 11, 25, 15, 0, 0, tzinfo=UTC)
DAY = "2026-11-25"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def url(name: str, workspace) -> str:
    return reverse(f"tracking:{name}", args=[workspace.id])


def turn_on(user) -> None:
    user.auto_tracker = True
    user.save(update_fields=["auto_tracker"])


_numbers = iter(range(1, 10**6))


def record(workspace, user, start: datetime, minutes: int = 10, **fields) -> ActivityRecord:
    return ActivityRecord.objects.in_workspace(workspace).create(
        user_id=user.pk,
        client_id=f"c-{next(_numbers)}",
        start=start,
        end=start + timedelta(minutes=minutes),
        **({"app": "Code", "title": "", "url": ""} | fields),
    )


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 25, hour, minute, tzinfo=UTC)


def records(workspace):
    return list(ActivityRecord.objects.in_workspace(workspace).order_by("start"))


def entries(workspace, **filters):
    return list(TimeEntry.objects.in_workspace(workspace).filter(**filters).order_by("start"))


def make_entry(workspace, user, start: datetime, end: datetime, **details) -> TimeEntry:
    return services.create_entry(workspace, user.pk, services.EntryDetails(**details), start, end)


# --- the day ---


def test_the_page_groups_the_days_records_and_draws_them(client, workspace, member):
    turn_on(member)
    record(workspace, member, at(9), 30, app="Firefox", url="https://docs.example.org")
    record(workspace, member, at(10), 15, app="Firefox", url="https://docs.example.org")
    record(workspace, member, at(11), 20, app="Terminal")
    record(workspace, member, at(9) - timedelta(days=1), 20, app="Yesterday's app")
    client.force_login(member)
    response = client.get(url("auto_tracker", workspace), {"day": DAY})
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [(g.label, g.kind, g.total) for g in groups] == [
        ("docs.example.org", "site", timedelta(minutes=45)),
        ("Terminal", "app", timedelta(minutes=20)),
    ]
    assert response.context["day_total"] == timedelta(minutes=65)
    html = response.content.decode()
    assert '<svg class="auto-timeline"' in html
    assert html.count('fill-opacity="0.85"') == 3
    assert "Yesterday&#x27;s app" not in html and "Yesterday's app" not in html
    assert "style=" not in html


def test_a_record_across_midnight_counts_its_part_of_the_day(client, workspace, member):
    record(workspace, member, at(0) - timedelta(minutes=30), 60, app="Night owl")
    client.force_login(member)
    response = client.get(url("auto_tracker", workspace), {"day": DAY})
    assert [(g.label, g.total) for g in response.context["groups"]] == [
        ("Night owl", timedelta(minutes=30))
    ]
    bar = response.context["plot"]["bars"][0]
    assert bar["x"] == 0


def test_day_links_go_to_the_previous_and_next_day(client, workspace, member):
    client.force_login(member)
    html = client.get(url("auto_tracker", workspace), {"day": DAY}).content.decode()
    assert "?day=2026-11-24" in html and "?day=2026-11-26" in html


def test_without_a_day_the_page_shows_today_in_the_persons_zone(client, workspace, member):
    member.time_zone = "Asia/Tokyo"  # 15:00 UTC is already the 26th there
    member.save(update_fields=["time_zone"])
    record(workspace, member, at(15, 30), 5, app="Tomorrow in Tokyo")
    client.force_login(member)
    response = client.get(url("auto_tracker", workspace))
    assert str(response.context["day"]) == "2026-11-26"
    assert [g.label for g in response.context["groups"]] == ["Tomorrow in Tokyo"]


@pytest.mark.parametrize("day", ["yesterday", "2026-02-30", "1900-01-01", "9" * 30])
def test_a_bad_day_is_a_400_with_a_message(client, workspace, member, day):
    client.force_login(member)
    response = client.get(url("auto_tracker", workspace), {"day": day})
    assert response.status_code == 400
    assert 'class="alert error"' in response.content.decode()


def test_an_empty_day_says_so(client, workspace, member):
    turn_on(member)
    client.force_login(member)
    html = client.get(url("auto_tracker", workspace), {"day": DAY}).content.decode()
    assert "No records on this day." in html
    assert "auto-timeline" not in html
    assert "auto tracker is off" not in html


def test_the_page_says_when_the_auto_tracker_is_off(client, workspace, member):
    client.force_login(member)
    html = client.get(url("auto_tracker", workspace), {"day": DAY}).content.decode()
    assert "Your auto tracker is off" in html
    assert reverse("tracking:helper_settings") in html


def test_the_page_shows_only_the_persons_own_records(client, workspace, owner, member, admin):
    record(workspace, member, at(9), app="Member's secret app")
    for person in (owner, admin):
        client.force_login(person)
        response = client.get(url("auto_tracker", workspace), {"day": DAY})
        assert response.status_code == 200
        assert response.context["records"] == []
        assert "secret app" not in response.content.decode()


def test_the_page_needs_a_login_and_membership(client, workspace, outsider):
    response = client.get(url("auto_tracker", workspace))
    assert response.status_code == 302
    client.force_login(outsider)
    assert client.get(url("auto_tracker", workspace)).status_code == 404


def test_the_page_takes_only_get(client, workspace, member):
    client.force_login(member)
    assert client.post(url("auto_tracker", workspace)).status_code == 405


def test_the_page_runs_the_same_queries_for_any_number_of_records(
    client, workspace, member, all_queries
):
    client.force_login(member)
    client.get(url("auto_tracker", workspace))  # the session's first request does more
    counts = []
    for total in (1, 40):
        while len(records(workspace)) < total:
            record(workspace, member, at(8) + timedelta(minutes=10 * len(records(workspace))))
        with all_queries() as queries:
            assert client.get(url("auto_tracker", workspace), {"day": DAY}).status_code == 200
        counts.append(queries.by_alias())
    assert counts[0] == counts[1]


def test_the_tracker_links_the_page_only_when_on_or_with_records(client, workspace, member):
    client.force_login(member)
    link = url("auto_tracker", workspace)
    assert link not in client.get(url("tracker", workspace)).content.decode()
    turn_on(member)
    assert link in client.get(url("tracker", workspace)).content.decode()
    member.auto_tracker = False
    member.save(update_fields=["auto_tracker"])
    record(workspace, member, at(9))
    assert link in client.get(url("tracker", workspace)).content.decode()


# --- create an entry ---


def test_create_entry_prefills_the_form_from_the_selection(client, workspace, member):
    first = record(workspace, member, at(9), 30, title="Write report")
    second = record(workspace, member, at(10), 15, title="Write report")
    third = record(workspace, member, at(9, 40), 10, title="Email")
    client.force_login(member)
    response = client.post(
        url("auto_tracker_entry", workspace), {"records": [first.id, second.id, third.id]}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["description"] == "Write report"
    assert str(form.initial["day"]) == DAY
    assert form.initial["start_time"].strftime("%H:%M") == "09:00"
    assert form.initial["end_time"].strftime("%H:%M") == "10:15"
    assert entries(workspace) == []


def test_create_entry_adds_the_entry_as_edited(client, workspace, member):
    project = Project.objects.in_workspace(workspace).create(name="Website")
    tag = make_tag(workspace, "deep work")
    first = record(workspace, member, at(9), 30)
    client.force_login(member)
    response = client.post(
        url("auto_tracker_entry", workspace),
        {
            "records": [first.id],
            "save": "1",
            "description": "Docs",
            "project_task": f"p:{project.id}",
            "tags": [str(tag.id)],
            "billable": "no",
            "day": DAY,
            "start_time": "09:00",
            "end_time": "09:45",
        },
    )
    assert response.status_code == 302
    assert response.url.endswith(f"?day={DAY}")
    [entry] = entries(workspace, user_id=member.pk)
    assert entry.description == "Docs" and entry.project == project
    assert list(entry.tags.all()) == [tag]
    assert (entry.start, entry.end) == (at(9), at(9, 45))
    assert len(records(workspace)) == 1  # the records stay


def test_create_entry_shows_errors_next_to_their_field(client, workspace, member):
    first = record(workspace, member, at(9), 30)
    client.force_login(member)
    response = client.post(
        url("auto_tracker_entry", workspace),
        {"records": [first.id], "save": "1", "day": DAY, "start_time": "nonsense"},
    )
    assert response.status_code == 400
    assert "start_time" in response.context["form"].errors
    assert 'class="field-error"' in response.content.decode()
    assert entries(workspace) == []


# --- add to an entry ---


def test_add_to_entry_offers_the_days_entries(client, workspace, member, owner):
    mine = make_entry(workspace, member, at(8), at(9), description="Mine")
    make_entry(workspace, member, at(8) - timedelta(days=2), at(9) - timedelta(days=2))
    make_entry(workspace, owner, at(8), at(9), description="The owner's")
    first = record(workspace, member, at(9), 30)
    client.force_login(member)
    response = client.post(url("auto_tracker_add", workspace), {"records": [first.id]})
    assert response.status_code == 200
    assert response.context["entries"] == [mine]


def test_add_to_entry_stretches_the_entry_over_the_records(client, workspace, member):
    entry = make_entry(workspace, member, at(9, 15), at(9, 30), description="Keep me")
    first = record(workspace, member, at(9), 10)
    second = record(workspace, member, at(9, 50), 20)
    client.force_login(member)
    response = client.post(
        url("auto_tracker_add", workspace),
        {"records": [first.id, second.id], "entry": entry.id, "choose": "1"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.start, entry.end) == (at(9), at(10, 10))
    assert entry.description == "Keep me"


def test_add_to_entry_never_shortens_the_entry(client, workspace, member):
    entry = make_entry(workspace, member, at(8), at(12))
    first = record(workspace, member, at(9), 10)
    client.force_login(member)
    client.post(
        url("auto_tracker_add", workspace),
        {"records": [first.id], "entry": entry.id, "choose": "1"},
    )
    entry.refresh_from_db()
    assert (entry.start, entry.end) == (at(8), at(12))


def test_add_to_a_running_timer_moves_only_its_start(client, workspace, member):
    running = services.start_timer(workspace, member.pk, services.EntryDetails(), at=at(14))
    first = record(workspace, member, at(13), 10)
    client.force_login(member)
    client.post(
        url("auto_tracker_add", workspace),
        {"records": [first.id], "entry": running.id, "choose": "1"},
    )
    running.refresh_from_db()
    assert (running.start, running.end) == (at(13), None)


def test_add_to_entry_without_a_choice_is_a_400(client, workspace, member):
    make_entry(workspace, member, at(8), at(9))
    first = record(workspace, member, at(9), 10)
    client.force_login(member)
    response = client.post(
        url("auto_tracker_add", workspace), {"records": [first.id], "choose": "1"}
    )
    assert response.status_code == 400
    assert "Choose the entry" in response.content.decode()


def test_add_to_someone_elses_entry_is_a_404(client, workspace, member, owner):
    theirs = make_entry(workspace, owner, at(8), at(9))
    first = record(workspace, member, at(9), 10)
    client.force_login(member)
    response = client.post(
        url("auto_tracker_add", workspace),
        {"records": [first.id], "entry": theirs.id, "choose": "1"},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.start, theirs.end) == (at(8), at(9))


def test_an_entry_stretched_past_the_rules_is_a_400(client, workspace, member, settings):
    entry = make_entry(workspace, member, at(9), at(10))
    far = record(workspace, member, at(9) - timedelta(days=41, hours=23), 10)
    client.force_login(member)
    response = client.post(
        url("auto_tracker_add", workspace),
        {"records": [far.id], "entry": entry.id, "choose": "1"},
    )
    assert response.status_code == 400
    assert "The entry cannot cover these records" in response.content.decode()
    entry.refresh_from_db()
    assert entry.start == at(9)


# --- delete ---


def test_delete_asks_first_then_deletes_the_selection(client, workspace, member):
    first = record(workspace, member, at(9))
    second = record(workspace, member, at(10))
    keep = record(workspace, member, at(11))
    client.force_login(member)
    asked = client.post(url("auto_tracker_delete", workspace), {"records": [first.id, second.id]})
    assert asked.status_code == 200
    assert "Delete 2 records?" in asked.content.decode()
    assert len(records(workspace)) == 3
    done = client.post(
        url("auto_tracker_delete", workspace),
        {"records": [first.id, second.id], "confirm": "on"},
    )
    assert done.status_code == 302
    assert records(workspace) == [keep]


def test_nothing_selected_is_a_400_on_the_days_page(client, workspace, member):
    client.force_login(member)
    for name in ("auto_tracker_entry", "auto_tracker_add", "auto_tracker_delete"):
        response = client.post(url(name, workspace), {"day": DAY})
        assert response.status_code == 400
        assert "Select one or more records first." in response.content.decode()


@pytest.mark.parametrize("name", ["auto_tracker_entry", "auto_tracker_add", "auto_tracker_delete"])
def test_a_malformed_selection_is_a_400(client, workspace, member, name):
    client.force_login(member)
    response = client.post(url(name, workspace), {"records": ["not-an-id"]})
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["auto_tracker_entry", "auto_tracker_add", "auto_tracker_delete"])
def test_the_actions_take_only_post(client, workspace, member, name):
    client.force_login(member)
    assert client.get(url(name, workspace)).status_code == 405


# --- nobody else's records ---


@pytest.mark.parametrize("who", ["owner", "admin", "other_member"])
@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("auto_tracker_entry", {}),
        (
            "auto_tracker_entry",
            {"save": "1", "day": DAY, "start_time": "09:00", "end_time": "10:00"},
        ),
        ("auto_tracker_add", {}),
        ("auto_tracker_add", {"choose": "1"}),
        ("auto_tracker_delete", {}),
        ("auto_tracker_delete", {"confirm": "on"}),
    ],
)
def test_another_persons_records_are_a_404_to_anyone(
    client, workspace, owner, admin, member, who, name, extra
):
    from tests.factories import add_member

    people = {"owner": owner, "admin": admin, "other_member": add_member(workspace).user}
    person = people[who]
    theirs = record(workspace, member, at(9), title="Private")
    own_entry = make_entry(workspace, person, at(8), at(9))
    data = {"records": [theirs.id], **extra}
    if name == "auto_tracker_add" and extra:
        data["entry"] = own_entry.id
    client.force_login(person)
    response = client.post(url(name, workspace), data)
    assert response.status_code == 404
    assert "Private" not in response.content.decode()
    assert records(workspace) == [theirs]
    assert entries(workspace) == [own_entry]
    own_entry.refresh_from_db()
    assert (own_entry.start, own_entry.end) == (at(8), at(9))


def test_a_selection_mixing_own_and_anothers_records_is_a_404(client, workspace, owner, member):
    mine = record(workspace, owner, at(9))
    theirs = record(workspace, member, at(10))
    client.force_login(owner)
    response = client.post(
        url("auto_tracker_delete", workspace), {"records": [mine.id, theirs.id], "confirm": "on"}
    )
    assert response.status_code == 404
    assert len(records(workspace)) == 2


def test_an_outsider_gets_a_404_for_the_workspace(client, workspace, member, outsider):
    theirs = record(workspace, member, at(9))
    client.force_login(outsider)
    for name in ("auto_tracker_entry", "auto_tracker_add", "auto_tracker_delete"):
        data = {"records": [theirs.id], "confirm": "on"}
        assert client.post(url(name, workspace), data).status_code == 404
    assert records(workspace) == [theirs]
