"""The auto tracker API: the caller's own activity records, taken only while they allow it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import add_member, make_user
from tracking.helpers.activity import MAX_SAMPLES, kept_url, origin_of
from tracking.helpers.models import APP_MAX, TITLE_MAX, URL_MAX, ActivityRecord
from workspaces.models import ApiKey, Role

NOW = datetime(2026, 11, 25, 15, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def key_of(user, *, on: bool = True, urls: bool = False) -> str:
    user.auto_tracker, user.auto_tracker_urls = on, urls
    user.save(update_fields=["auto_tracker", "auto_tracker_urls"])
    return ApiKey.objects.issue(user, "tests")[1]


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def sample(n: int = 1, minutes_ago: int = 60, length: int = 5, **fields):
    start = NOW - timedelta(minutes=minutes_ago)
    return {
        "id": f"a-{n}",
        "app": "Firefox",
        "title": f"Page {n}",
        "url": "https://docs.example.org/guide/page?q=1#top",
        "start": iso(start),
        "end": iso(start + timedelta(minutes=length)),
    } | fields


def send(client, workspace, key, samples, raw: str | None = None):
    return client.post(
        f"/api/v1/workspaces/{workspace.id}/activity",
        raw if raw is not None else json.dumps({"samples": samples}),
        content_type="application/json",
        headers={"X-Api-Key": key},
    )


def day_of(client, workspace, key, day: str = "2026-11-25"):
    return client.get(
        f"/api/v1/workspaces/{workspace.id}/activity",
        {"date": day},
        headers={"X-Api-Key": key},
    )


def records(workspace, **filters):
    return list(ActivityRecord.objects.in_workspace(workspace).filter(**filters))


# --- sending ---


def test_a_batch_is_stored_as_the_callers_records(client, workspace, member):
    key = key_of(member)
    response = send(client, workspace, key, [sample(1), sample(2, minutes_ago=30)])
    assert response.status_code == 200, response.content
    assert response.json() == {"accepted": 2, "duplicates": 0}
    stored = records(workspace)
    assert {r.user_id for r in stored} == {member.pk}
    assert {r.client_id for r in stored} == {"a-1", "a-2"}
    first = next(r for r in stored if r.client_id == "a-1")
    assert first.app == "Firefox" and first.title == "Page 1"
    assert first.start == NOW - timedelta(minutes=60)
    assert first.end == NOW - timedelta(minutes=55)


def test_a_replayed_batch_adds_nothing_and_counts_duplicates(client, workspace, member):
    key = key_of(member)
    send(client, workspace, key, [sample(1), sample(2)])
    response = send(client, workspace, key, [sample(1), sample(2), sample(3)])
    assert response.json() == {"accepted": 1, "duplicates": 2}
    assert len(records(workspace)) == 3


def test_an_id_repeated_within_a_batch_is_a_duplicate(client, workspace, member):
    key = key_of(member)
    response = send(client, workspace, key, [sample(1), sample(1, title="again")])
    assert response.json() == {"accepted": 1, "duplicates": 1}
    assert [r.title for r in records(workspace)] == ["Page 1"]


def test_the_same_client_id_from_two_people_is_two_records(client, workspace, owner, member):
    send(client, workspace, key_of(member), [sample(1)])
    response = send(client, workspace, key_of(owner), [sample(1)])
    assert response.json() == {"accepted": 1, "duplicates": 0}
    assert len(records(workspace)) == 2


def test_an_empty_batch_accepts_nothing(client, workspace, member):
    response = send(client, workspace, key_of(member), [])
    assert response.status_code == 200
    assert response.json() == {"accepted": 0, "duplicates": 0}


def test_nothing_is_taken_while_the_auto_tracker_is_off(client, workspace, member):
    response = send(client, workspace, key_of(member, on=False), [sample(1)])
    assert response.status_code == 403
    assert "auto tracker is off in your profile" in response.json()["message"]
    assert records(workspace) == []


def test_another_workspace_is_a_404(client, workspace, outsider):
    response = send(client, workspace, key_of(outsider), [sample(1)])
    assert response.status_code == 404
    assert records(workspace) == []


def test_an_unknown_key_is_a_401(client, workspace, member):
    key_of(member)
    assert send(client, workspace, "not-a-key", [sample(1)]).status_code == 401


# --- addresses ---


def test_addresses_are_cut_to_their_origin_unless_allowed(client, workspace, member, owner):
    send(client, workspace, key_of(member), [sample(1)])
    send(client, workspace, key_of(owner, urls=True), [sample(1)])
    assert records(workspace, user_id=member.pk)[0].url == "https://docs.example.org"
    kept = records(workspace, user_id=owner.pk)[0].url
    assert kept == "https://docs.example.org/guide/page?q=1#top"


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Docs.Example.org/a/b", "https://docs.example.org"),
        ("http://localhost:8000/admin/", "http://localhost:8000"),
        ("example.com/path", "https://example.com"),
        ("https://user:secret@example.com/x", "https://example.com"),
        ("https://[::1]:8443/x", "https://[::1]:8443"),
        ("about:blank", ""),
        ("https://bad:port/x", ""),
        ("", ""),
    ],
)
def test_origin_of(url, origin):
    assert origin_of(url) == origin


def test_full_addresses_never_keep_credentials():
    assert kept_url("https://me:pw@example.com/x?y=1", full=True) == "https://example.com/x?y=1"


# --- limits and validation ---


def test_long_text_is_cut_to_the_fields_sizes(client, workspace, member):
    key = key_of(member, urls=True)
    long = sample(1, app="A" * 5000, title="T" * 5000, url="https://example.com/" + "p" * 5000)
    assert send(client, workspace, key, [long]).json()["accepted"] == 1
    record = records(workspace)[0]
    assert (len(record.app), len(record.title), len(record.url)) == (APP_MAX, TITLE_MAX, URL_MAX)


def test_more_than_the_batch_limit_is_refused(client, workspace, member):
    batch = [sample(n) for n in range(MAX_SAMPLES + 1)]
    response = send(client, workspace, key_of(member), batch)
    assert response.status_code == 400
    assert "samples" in response.json()["message"]
    assert records(workspace) == []


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"end": iso(NOW - timedelta(hours=2))}, "samples[1].end is before its start"),
        (
            {"start": iso(NOW), "end": iso(NOW + timedelta(minutes=10))},
            "samples[1].end is in the future",
        ),
        (
            {"start": iso(NOW - timedelta(hours=30)), "end": iso(NOW - timedelta(hours=5))},
            "samples[1].end: a record lasts at most 24 hours",
        ),
        (
            {"start": iso(NOW - timedelta(days=50)), "end": iso(NOW - timedelta(days=50))},
            "samples[1].end is older than your retention of 45 days",
        ),
        ({"app": "", "title": None, "url": "  "}, "samples[1].app: give an app, a title or a url"),
    ],
)
def test_a_bad_sample_refuses_the_batch_naming_it(client, workspace, member, fields, words):
    response = send(client, workspace, key_of(member), [sample(1), sample(2, **fields)])
    assert response.status_code == 400
    assert words in response.json()["message"]
    assert records(workspace) == []


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"id": ""}, "samples.1.id"),
        ({"id": "x" * 65}, "samples.1.id"),
        ({"start": "yesterday"}, "samples.1.start"),
        ({"end": 1700000000}, "samples.1.end"),
        ({"title": ["a list"]}, "samples.1.title"),
    ],
)
def test_a_malformed_sample_is_a_400_naming_it(client, workspace, member, fields, where):
    response = send(client, workspace, key_of(member), [sample(1), sample(2, **fields)])
    assert response.status_code == 400
    assert response.json()["message"].startswith(where)
    assert records(workspace) == []


@pytest.mark.parametrize("raw", ["not json", "{}", '{"samples": 3}', '{"samples": [1]}'])
def test_a_malformed_body_is_a_400(client, workspace, member, raw):
    response = send(client, workspace, key_of(member), [], raw=raw)
    assert response.status_code == 400
    assert records(workspace) == []


def test_a_shorter_retention_narrows_what_is_taken(client, workspace, member):
    member.helper_retention_days = 1
    member.save(update_fields=["helper_retention_days"])
    old = sample(1, minutes_ago=60 * 30)
    response = send(client, workspace, key_of(member), [old])
    assert response.status_code == 400
    assert "retention of 1 days" in response.json()["message"]


# --- reading a day ---


def test_a_day_lists_the_callers_own_records_only(client, workspace, member, owner):
    send(client, workspace, key_of(member), [sample(1), sample(2, minutes_ago=30)])
    owner_key = key_of(owner)
    send(client, workspace, owner_key, [sample(9, title="Owner's page")])
    response = day_of(client, workspace, owner_key)
    assert response.status_code == 200
    body = response.json()
    assert [row["title"] for row in body] == ["Owner's page"]
    assert body[0]["clientId"] == "a-9"
    assert body[0]["start"] == iso(NOW - timedelta(minutes=60))
    assert body[0]["duration"] == "PT5M"


def test_a_day_is_the_callers_own_time_zone(client, workspace, member):
    key = key_of(member)
    send(client, workspace, key, [sample(1)])  # 14:00 UTC, 23:00 in Tokyo
    member.time_zone = "Asia/Tokyo"
    member.save(update_fields=["time_zone"])
    assert len(day_of(client, workspace, key, "2026-11-25").json()) == 1
    send(client, workspace, key, [sample(2, minutes_ago=30)])  # 14:30 UTC, 23:30 in Tokyo
    send(client, workspace, key, [sample(3, minutes_ago=0, length=0)])  # 15:00 UTC, next day
    assert [r["clientId"] for r in day_of(client, workspace, key, "2026-11-26").json()] == ["a-3"]


def test_an_admin_reads_no_one_elses_records(client, workspace, member):
    send(client, workspace, key_of(member), [sample(1)])
    admin = add_member(workspace, make_user(), Role.ADMIN).user
    assert day_of(client, workspace, key_of(admin)).json() == []


def test_reading_another_workspace_is_a_404(client, workspace, outsider):
    assert day_of(client, workspace, key_of(outsider)).status_code == 404


@pytest.mark.parametrize(
    "day", ["", "2026-13-01", "tomorrow", "1900-01-01", "2026-W48-1", "20261125"]
)
def test_a_bad_date_is_a_400(client, workspace, member, day):
    response = day_of(client, workspace, key_of(member), day)
    assert response.status_code == 400
    assert response.json()["message"].startswith("date:")
