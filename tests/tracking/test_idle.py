"""Idle detection's rules (tracking/helpers/idle.py), through the service and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import add_member, make_project, make_tag, make_user, make_workspace
from tracking.helpers import idle
from tracking.helpers.models import IdlePeriod
from tracking.models import TimeEntry, TimeEntryTag
from workspaces.models import ApiKey, Role

pytestmark = pytest.mark.django_db(databases="__all__")

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def person():
    user = make_user()
    user.idle_detection = True
    user.save()
    return user


@pytest.fixture
def ws(person):
    return make_workspace(person, region="uk")


def timer(ws, user, started=timedelta(hours=2), **fields):
    return TimeEntry.objects.in_workspace(ws).create(user_id=user.pk, start=NOW - started, **fields)


def answer(ws, user, action, start=timedelta(hours=1), end=timedelta(minutes=1)):
    return idle.answer_idle(ws, user, NOW - start, NOW - end, action, now=NOW)


def entries(ws, user):
    return list(TimeEntry.objects.in_workspace(ws).of_user(user.pk).order_by("start"))


def test_discard_ends_the_entry_when_the_idleness_began(ws, person):
    entry = timer(ws, person)
    result = answer(ws, person, "DISCARD")
    entry.refresh_from_db()
    assert entry.end == NOW - timedelta(hours=1)
    assert [e.pk for e in result.changed] == [entry.pk] and not result.repeated
    period = IdlePeriod.objects.in_workspace(ws).get()
    assert (period.entry_id, period.action, period.continued_id) == (entry.pk, "DISCARD", None)
    assert len(entries(ws, person)) == 1


def test_discard_and_continue_starts_the_same_entry_again_when_they_came_back(ws, person):
    project = make_project(ws, "Site")
    tag = make_tag(ws, "Focus")
    entry = timer(ws, person, description="Design", project=project, billable=True)
    TimeEntryTag.objects.in_workspace(ws).create(entry=entry, tag=tag)
    result = answer(ws, person, "DISCARD_AND_CONTINUE")
    first, again = entries(ws, person)
    assert first.end == NOW - timedelta(hours=1)
    assert again.start == NOW - timedelta(minutes=1) and again.end is None
    assert (again.description, again.project_id, again.billable) == ("Design", project.pk, True)
    assert list(again.tags.all()) == [tag]
    assert IdlePeriod.objects.in_workspace(ws).get().continued_id == again.pk
    assert {e.pk for e in result.changed} == {first.pk, again.pk}


def test_keep_changes_nothing(ws, person):
    entry = timer(ws, person)
    result = answer(ws, person, "KEEP")
    entry.refresh_from_db()
    assert entry.end is None and result.changed == []
    assert IdlePeriod.objects.in_workspace(ws).get().action == "KEEP"


def test_a_timer_stopped_elsewhere_during_the_idle_time_ends_at_the_idle_start(ws, person):
    entry = timer(ws, person)
    entry.stop(NOW - timedelta(minutes=30))  # stopped from the phone while away
    result = answer(ws, person, "DISCARD_AND_CONTINUE")
    (only,) = entries(ws, person)
    assert only.end == NOW - timedelta(hours=1)  # the idle part is gone all the same
    assert "stopped elsewhere, so no new entry started" in result.period.outcome


def test_an_entry_that_is_all_idle_time_is_deleted(ws, person):
    entry = timer(ws, person, started=timedelta(hours=1))  # started when the idleness began
    result = answer(ws, person, "DISCARD")
    assert entries(ws, person) == [] and result.deleted == [entry.pk]
    assert IdlePeriod.objects.in_workspace(ws).get().entry_id is None


def test_an_entry_started_during_the_idle_time_is_work_and_untouched(ws, person):
    later = timer(ws, person, started=timedelta(minutes=20))  # started from another device
    result = answer(ws, person, "DISCARD")
    later.refresh_from_db()
    assert later.end is None and result.changed == []
    assert "No timer was running" in result.period.outcome


def test_another_timer_running_now_is_not_stopped_by_continue(ws, person):
    entry = timer(ws, person)
    entry.stop(NOW - timedelta(minutes=50))
    timer(ws, person, started=timedelta(minutes=10))  # they started something else since
    # The first entry was stopped elsewhere: no continue; the running one stays.
    answer(ws, person, "DISCARD_AND_CONTINUE")
    assert [e.end is None for e in entries(ws, person)] == [False, True]


def test_an_idle_period_answered_twice_applies_once(ws, person):
    entry = timer(ws, person)
    first = answer(ws, person, "DISCARD_AND_CONTINUE")
    # The same answer again, and a second tab's slightly different view of the same absence.
    again = answer(ws, person, "DISCARD_AND_CONTINUE")
    other_tab = answer(ws, person, "KEEP", start=timedelta(minutes=58), end=timedelta(minutes=2))
    assert again.repeated and other_tab.repeated
    assert again.period.pk == other_tab.period.pk == first.period.pk
    assert len(entries(ws, person)) == 2 and IdlePeriod.objects.in_workspace(ws).count() == 1
    entry.refresh_from_db()
    assert entry.end == NOW - timedelta(hours=1)


def test_nothing_is_recorded_while_idle_detection_is_off(ws, person):
    person.idle_detection = False
    person.save()
    timer(ws, person)
    with pytest.raises(idle.HelperOff):
        answer(ws, person, "DISCARD")
    assert not IdlePeriod.objects.in_workspace(ws).exists()
    assert entries(ws, person)[0].end is None


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (timedelta(minutes=5), timedelta(minutes=10), "end must be after start"),
        (timedelta(minutes=5), timedelta(minutes=4, seconds=30), "at least a minute"),
        (timedelta(minutes=5), -timedelta(minutes=5), "in the future"),
        (timedelta(days=60), timedelta(minutes=1), "too far in the past"),
    ],
)
def test_impossible_idle_times_are_refused(ws, person, start, end, message):
    timer(ws, person)
    with pytest.raises(idle.InvalidIdle, match=message):
        answer(ws, person, "DISCARD", start=start, end=end)
    assert not IdlePeriod.objects.in_workspace(ws).exists()


# --- the API ---


def post(client, ws, key, **body):
    return client.post(
        f"/api/v1/workspaces/{ws.id}/idle-periods",
        body,
        content_type="application/json",
        HTTP_X_API_KEY=key,
    )


def iso(delta):
    return (NOW - delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_api_applies_the_same_rules(client, ws, person):
    _, key = ApiKey.objects.issue(person, "Desktop")
    entry = timer(ws, person)
    body = {"start": iso(timedelta(hours=1)), "end": iso(timedelta(minutes=1))}
    response = post(client, ws, key, action="DISCARD_AND_CONTINUE", **body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["action"] == "DISCARD_AND_CONTINUE" and not data["alreadyAnswered"]
    assert data["timeEntries"][0]["id"] == str(entry.pk)
    assert data["timeEntries"][1]["timeInterval"]["end"] is None
    again = post(client, ws, key, action="DISCARD_AND_CONTINUE", **body)
    assert again.status_code == 200 and again.json()["alreadyAnswered"]
    assert again.json()["id"] == data["id"]


def test_the_api_refuses_while_off_and_bad_input(client, ws, person):
    _, key = ApiKey.objects.issue(person, "Desktop")
    body = {"start": iso(timedelta(hours=1)), "end": iso(timedelta(minutes=1))}
    assert post(client, ws, key, action="SLEEP", **body).status_code == 400
    assert (
        post(client, ws, key, action="KEEP", start="yesterday", end=body["end"]).status_code == 400
    )
    person.idle_detection = False
    person.save()
    refused = post(client, ws, key, action="KEEP", **body)
    assert refused.status_code == 403 and "Idle detection is off" in refused.json()["message"]
    other = make_workspace(make_user(), region="uk")
    assert post(client, other, key, action="KEEP", **body).status_code == 404


def test_the_settings_endpoint_tells_clients_what_is_on(client, person):
    _, key = ApiKey.objects.issue(person, "Extension")
    data = client.get("/api/v1/user/helpers", HTTP_X_API_KEY=key).json()
    assert data == {
        "idleDetection": {"enabled": True, "thresholdMinutes": 5},
        "autoTracker": {"enabled": False, "recordAddresses": False},
        "retentionDays": 45,
    }


def test_an_admin_cannot_answer_for_someone_else(client, ws, person):
    """There is no user parameter: an admin's answer applies to the admin's own entries."""
    admin = add_member(ws, make_user(), role=Role.ADMIN).user
    admin.idle_detection = True
    admin.save()
    _, key = ApiKey.objects.issue(admin, "Admin")
    entry = timer(ws, person)
    body = {"start": iso(timedelta(hours=1)), "end": iso(timedelta(minutes=1))}
    response = post(client, ws, key, action="DISCARD", **body)
    assert response.status_code == 201 and response.json()["timeEntries"] == []
    entry.refresh_from_db()
    assert entry.end is None


def test_an_idle_periods_length_is_kept_to_the_second(ws, person):
    """Cut separately, 10:05:14.9 to 10:10:15.0 would last 301 s; the length is kept."""
    timer(ws, person)
    start = NOW - timedelta(minutes=30) + timedelta(milliseconds=900)
    result = idle.answer_idle(
        ws, person, start, start + timedelta(minutes=5, milliseconds=150), "KEEP", now=NOW
    )
    period = result.period
    assert period.start == NOW - timedelta(minutes=30)
    assert period.end - period.start == timedelta(minutes=5)
