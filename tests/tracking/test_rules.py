"""One definition of a valid entry, and the attack's reproductions that each path now refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from tests.factories import make_project
from tracking import rules, services
from tracking.models import TimeEntry

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def entries(workspace):
    return list(TimeEntry.objects.in_workspace(workspace))


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC), None, "start", "1970 or later"),
        (datetime(1, 1, 1, tzinfo=UTC), NOW, "start", "1970 or later"),
        (NOW + timedelta(days=366), None, "start", "a year ahead"),
        (NOW + timedelta(days=366), NOW + timedelta(days=367), "start", "a year ahead"),
        (NOW + timedelta(hours=1), None, "start", "running timer cannot start in the future"),
        (NOW, NOW, "end", "after the start"),
        (NOW, NOW - timedelta(seconds=1), "end", "after the start"),
        (NOW, NOW + timedelta(hours=999, seconds=1), "end", "999 hours"),
        (datetime(1970, 1, 1, tzinfo=UTC), datetime(2050, 1, 1, tzinfo=UTC), "end", "999 hours"),
    ],
)
def test_the_rule_refuses_each_bad_entry_naming_its_field(start, end, field, message):
    with pytest.raises(rules.EntryTimeError) as raised:
        rules.check_entry_times(start, end)
    assert raised.value.field == field
    assert message in raised.value.message


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(1970, 1, 1, tzinfo=UTC), datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)),
        (NOW, NOW + timedelta(hours=999)),
        (NOW + timedelta(days=365), NOW + timedelta(days=365, hours=999)),
        (NOW - timedelta(days=30), None),
    ],
)
def test_the_rule_accepts_entries_at_its_bounds(start, end):
    rules.check_entry_times(start, end)


def test_only_stopping_a_timer_lifts_the_cap_and_not_past_a_year_ahead():
    start = NOW - timedelta(days=60)
    rules.check_entry_times(start, NOW, capped=False)
    with pytest.raises(rules.EntryTimeError, match="999 hours"):
        rules.check_entry_times(start, NOW)
    with pytest.raises(rules.EntryTimeError, match="a year ahead"):
        rules.check_entry_times(start, NOW + timedelta(days=366), capped=False)


def test_services_refuse_what_the_rule_refuses_whoever_calls_them(workspace, owner):
    details = services.EntryDetails()
    with pytest.raises(rules.EntryTimeError):
        services.create_entry(workspace, owner.pk, details, datetime(1, 1, 1, tzinfo=UTC), NOW)
    entry = services.create_entry(workspace, owner.pk, details, NOW - timedelta(hours=1), NOW)
    with pytest.raises(rules.EntryTimeError):
        services.update_entry(workspace, entry, details, NOW + timedelta(days=400), None)
    entry.refresh_from_db()
    assert entry.end == NOW


# --- The attack review's reproductions: each was a 500 or stored a broken entry ---


def test_timesheet_cell_far_ahead_or_long_ago_is_a_400_and_saves_nothing(client, owner, workspace):
    project = make_project(workspace, "Website")
    client.force_login(owner)
    url = reverse("tracking:timesheet_cell", args=[workspace.id])
    for day, message in (
        ("9999-12-26", "between 1970 and 2100"),
        ("0001-01-01", "between 1970 and 2100"),
        ("1969-12-31", "between 1970 and 2100"),
        ("2090-06-05", "a year ahead"),
    ):
        data = {"project_task": f"p:{project.id}", "day": day, "value": "1:00"}
        response = client.post(url, data, headers={"HX-Request": "true"})
        assert response.status_code == 400, day
        assert message in response.content.decode(), day
    assert entries(workspace) == []


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31", "1969-12-29", "not-a-day"])
def test_timesheet_week_out_of_range_is_a_400(client, owner, workspace, week):
    client.force_login(owner)
    url = reverse("tracking:timesheet", args=[workspace.id])
    response = client.get(url, {"week": week})
    assert response.status_code == 400


def test_tracker_edit_with_a_malformed_id_is_a_404(client, owner, workspace):
    client.force_login(owner)
    url = reverse("tracking:tracker", args=[workspace.id])
    assert client.get(url, {"edit": "not-a-uuid"}).status_code == 404


@pytest.mark.parametrize(
    "cursor",
    [
        "0001-01-01T00:00:00+14:00_01a21338-8180-7322-a659-cddf4a064283",
        "9999-12-31T23:59:59-14:00_01a21338-8180-7322-a659-cddf4a064283",
        "2026-11-01T00:00:00_01a21338-8180-7322-a659-cddf4a064283",
        "2026-11-01T00:00:00+00:00_nope",
        "garbage",
    ],
)
def test_tracker_cursor_that_the_page_did_not_write_is_a_400(client, owner, workspace, cursor):
    client.force_login(owner)
    url = reverse("tracking:tracker", args=[workspace.id])
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(url, {"before": cursor}, headers=headers)
        assert response.status_code == 400
        assert b"not a page of your entries" in response.content


def test_manual_entry_at_the_end_of_year_9999_in_new_york_is_a_400(client, owner, workspace):
    owner.time_zone = "America/New_York"
    owner.save(update_fields=["time_zone"])
    client.force_login(owner)
    data = {"day": "9999-12-31", "start_time": "23:00", "end_time": "23:30", "duration": ""}
    response = client.post(reverse("tracking:add_entry", args=[workspace.id]), data)
    assert response.status_code == 400
    assert b"between 1970 and 2100" in response.content
    assert entries(workspace) == []
