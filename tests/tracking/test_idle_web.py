"""The tracker page's idle dialog: its endpoint (tracking/helpers/web.py) and where the page
includes it. The rules themselves are tested in test_idle.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import sign_in
from tracking.helpers.models import IdlePeriod
from tracking.models import TimeEntry


@pytest.fixture
def person(member):
    member.idle_detection = True
    member.idle_threshold_minutes = 3
    member.save()
    return member


def url(workspace) -> str:
    return reverse("tracking:answer_idle", args=[workspace.id])


def timer(workspace, user, started=timedelta(hours=2), **fields) -> TimeEntry:
    start = timezone.now().replace(microsecond=0) - started
    return TimeEntry.objects.in_workspace(workspace).create(user_id=user.pk, start=start, **fields)


def iso(moment) -> str:
    return moment.isoformat()


def absence(minutes_ago=60, back_minutes_ago=1) -> dict[str, str]:
    now = timezone.now().replace(microsecond=0)
    return {
        "start": iso(now - timedelta(minutes=minutes_ago)),
        "end": iso(now - timedelta(minutes=back_minutes_ago)),
    }


def send(client, workspace, action="DISCARD", **fields):
    return client.post(url(workspace), {"action": action, **absence(), **fields})


def periods(workspace):
    return IdlePeriod.objects.in_workspace(workspace)


def test_discard_ends_the_entry_when_the_idleness_began(client, workspace, person):
    entry = timer(workspace, person, description="Write")
    sign_in(client, person)
    sent = absence()
    response = client.post(url(workspace), {"action": "DISCARD", **sent})
    assert response.status_code == 201, response.content
    data = response.json()
    entry.refresh_from_db()
    assert entry.end.isoformat() == sent["start"]
    assert data["action"] == "DISCARD" and data["actionLabel"] == "Discard idle time"
    assert data["outcome"] == "The entry now ends when you went idle."
    assert data["changedEntryIds"] == [str(entry.pk)] and data["deletedEntryIds"] == []
    assert data["alreadyAnswered"] is False and data["continuedEntryId"] is None
    period = periods(workspace).get()
    assert data["id"] == str(period.pk) and period.user_id == person.pk


def test_discard_and_continue_starts_the_same_entry_again(client, workspace, person):
    timer(workspace, person, description="Write")
    sign_in(client, person)
    data = send(client, workspace, "DISCARD_AND_CONTINUE").json()
    again = TimeEntry.objects.in_workspace(workspace).get(end__isnull=True)
    assert again.description == "Write" and data["continuedEntryId"] == str(again.pk)
    assert str(again.pk) in data["changedEntryIds"]


def test_keep_changes_nothing_and_is_recorded(client, workspace, person):
    entry = timer(workspace, person)
    sign_in(client, person)
    data = send(client, workspace, "KEEP").json()
    entry.refresh_from_db()
    assert entry.end is None and data["changedEntryIds"] == []
    assert periods(workspace).get().action == "KEEP"


def test_a_second_answer_returns_the_first_and_changes_nothing(client, workspace, person):
    entry = timer(workspace, person)
    sign_in(client, person)
    first = send(client, workspace, "DISCARD").json()
    # Another tab's view of the same absence, a little different, answered otherwise.
    second = send(client, workspace, "KEEP", **absence(minutes_ago=59, back_minutes_ago=2))
    assert second.status_code == 200
    data = second.json()
    assert data["alreadyAnswered"] is True and data["id"] == first["id"]
    assert data["action"] == "DISCARD" and data["changedEntryIds"] == []
    assert periods(workspace).count() == 1
    entry.refresh_from_db()
    assert entry.end is not None


def test_times_may_be_in_any_offset(client, workspace, person):
    entry = timer(workspace, person)
    sign_in(client, person)
    start = timezone.now().replace(microsecond=0) - timedelta(minutes=30)
    berlin = start.astimezone(timezone.get_fixed_timezone(120)).isoformat()
    zulu = (start + timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:%S.123Z")
    assert send(client, workspace, start=berlin, end=zulu).status_code == 201
    entry.refresh_from_db()
    assert entry.end == start


def test_refused_while_idle_detection_is_off(client, workspace, person):
    entry = timer(workspace, person)
    person.idle_detection = False
    person.save()
    sign_in(client, person)
    response = send(client, workspace)
    assert response.status_code == 403
    assert response.json() == {
        "message": "Idle detection is off in your profile: turn it on to send idle periods.",
        "code": 403,
    }
    entry.refresh_from_db()
    assert entry.end is None and not periods(workspace).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"action": "SLEEP"}, "action: Choose DISCARD, DISCARD_AND_CONTINUE or KEEP."),
        ({"action": ""}, "action: Choose DISCARD, DISCARD_AND_CONTINUE or KEEP."),
        ({"start": ""}, "start: an ISO 8601 time with its offset"),
        ({"start": "yesterday"}, "start: an ISO 8601 time with its offset"),
        ({"start": "2026-03-04T10:23:52"}, "start: an ISO 8601 time with its offset"),
        ({"end": "1772619832000"}, "end: an ISO 8601 time with its offset"),
        ({"end": "9" * 41}, "end: Ensure this value has at most 40 characters"),
        ({"start": "2026-02-30T10:00:00Z"}, "start: an ISO 8601 time with its offset"),
        ({"start": "0001-01-01T00:00:00+05:00"}, "start is too far in the past."),
        (absence(minutes_ago=10, back_minutes_ago=20), "end must be after start."),
        # Far ahead: a value made at collection must still be in the future when it runs.
        ({"end": "2100-01-01T00:00:00Z"}, "end is in the future."),
        ({"end": "9999-12-31T23:59:59-05:00"}, "end is in the future."),
        ({"start": "2026-03-04T10:23:52\x00Z"}, "start: Null characters are not allowed."),
        (
            {"start": absence(minutes_ago=2)["start"], "end": absence(minutes_ago=2)["start"]},
            "end must be after start.",
        ),
    ],
)
def test_bad_input_is_a_clear_400_and_changes_nothing(client, workspace, person, fields, message):
    entry = timer(workspace, person)
    sign_in(client, person)
    response = send(client, workspace, **fields)
    assert response.status_code == 400, response.content
    assert response.json()["message"].startswith(message) and response.json()["code"] == 400
    entry.refresh_from_db()
    assert entry.end is None and not periods(workspace).exists()


def test_another_workspace_is_a_404(client, workspace, person, outsider):
    sign_in(client, outsider)
    outsider.idle_detection = True
    outsider.save()
    timer(workspace, person)
    assert send(client, workspace).status_code == 404
    assert not periods(workspace).exists()


def test_login_required(client, workspace):
    response = send(client, workspace)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_only_post(client, workspace, person):
    sign_in(client, person)
    assert client.get(url(workspace)).status_code == 405


def test_the_page_needs_its_csrf_token(workspace, person):
    timer(workspace, person)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(person)
    assert send(browser, workspace).status_code == 403
    assert not periods(workspace).exists()


def test_the_dialog_is_on_the_tracker_only_with_a_running_timer_and_idle_detection(
    client, workspace, person
):
    sign_in(client, person)
    tracker = reverse("tracking:tracker", args=[workspace.id])
    assert "data-idle" not in client.get(tracker).content.decode()  # no timer
    entry = timer(workspace, person)
    html = client.get(tracker).content.decode()
    assert "js/idle.js" in html and 'data-threshold-minutes="3"' in html
    assert f'data-idle-url="{url(workspace)}"' in html
    assert f'data-entry-id="{entry.pk}"' in html and "<dialog" in html
    person.idle_detection = False
    person.save()
    html = client.get(tracker).content.decode()
    assert "js/idle.js" not in html and "data-idle" not in html
