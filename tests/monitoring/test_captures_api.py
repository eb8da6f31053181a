"""The capture API: screenshots and location samples, taken only while a switch is on."""

from __future__ import annotations

import io
import json
import math
import os
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from PIL import Image

from monitoring.models import LocationSample, Screenshot
from tests.factories import make_user, make_workspace
from tests.files import files_in
from tests.monitoring.capture_kit import (
    ago,
    entry,
    image_bytes,
    iso,
    png_header,
    stored,
    timer,
    turn_on,
    upload,
)
from workspaces.models import ApiKey
from workspaces.regions import REGION_ALIASES

MB = 1024 * 1024


@pytest.fixture
def member_key(member):
    return ApiKey.objects.issue(member, "tests")[1]


def post_shot(client, workspace, key, data: bytes | None = None, **fields):
    body = {"capturedAt": iso(ago(minutes=1)), **fields}
    if data is not None:
        body["image"] = upload(data)
    return client.post(
        f"/api/v1/workspaces/{workspace.id}/screenshots", body, headers={"X-Api-Key": key}
    )


def post_samples(client, workspace, key, samples, raw: str | None = None):
    return client.post(
        f"/api/v1/workspaces/{workspace.id}/locations",
        raw if raw is not None else json.dumps({"samples": samples}),
        content_type="application/json",
        headers={"X-Api-Key": key},
    )


def sample(n: int = 1, **fields):
    return {
        "id": f"s-{n}",
        "latitude": 52.52,
        "longitude": 13.405,
        "accuracy": 12.5,
        "recordedAt": iso(ago(minutes=5)),
        "kind": "MOVE",
        **fields,
    }


def assert_nothing_stored(workspace):
    assert not Screenshot.objects.in_workspace(workspace).exists()
    assert stored(workspace) == []


# --- screenshots ---


def test_a_screenshot_is_taken_while_the_timer_runs(client, workspace, member, member_key):
    turn_on(workspace)
    running = timer(workspace, member)
    captured = ago(minutes=2)
    response = post_shot(client, workspace, member_key, image_bytes(), capturedAt=iso(captured))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["timeEntryId"] == str(running.id)
    assert body["capturedAt"] == iso(captured)
    shot = Screenshot.objects.in_workspace(workspace).get(pk=body["id"])
    assert (shot.user_id, shot.source, shot.content_type) == (member.pk, "api", "image/webp")
    assert shot.storage_name in stored(workspace)
    assert not shot.blurred


def test_nothing_is_stored_while_screenshots_are_off(client, workspace, member, member_key):
    timer(workspace, member)
    turn_on(workspace, screenshots=False)
    response = post_shot(client, workspace, member_key, image_bytes())
    assert response.status_code == 403
    assert response.json()["message"].startswith("Screenshots are off in this workspace")
    assert_nothing_stored(workspace)


def test_without_a_policy_screenshots_are_off(client, workspace, member, member_key):
    timer(workspace, member)
    assert post_shot(client, workspace, member_key, image_bytes()).status_code == 403
    assert_nothing_stored(workspace)


def test_a_capture_before_the_switch_turned_on_is_refused(client, workspace, member, member_key):
    timer(workspace, member, timedelta(hours=3))
    turn_on(workspace, screenshots_changed_at=ago(hours=1))
    response = post_shot(client, workspace, member_key, image_bytes(), capturedAt=iso(ago(hours=2)))
    assert response.status_code == 403
    assert_nothing_stored(workspace)


def test_without_a_covering_entry_it_is_409_and_nothing_is_stored(
    client, workspace, member, member_key
):
    turn_on(workspace)
    # An entry that ended two hours ago is past the hour a queued upload may take.
    entry(workspace, member, ago(hours=3), ago(hours=2))
    response = post_shot(
        client, workspace, member_key, image_bytes(), capturedAt=iso(ago(hours=2, minutes=30))
    )
    assert response.status_code == 409
    assert "No time entry covers capturedAt" in response.json()["message"]
    assert post_shot(client, workspace, member_key, image_bytes()).status_code == 409
    assert_nothing_stored(workspace)


def test_an_entry_that_ended_within_the_hour_takes_queued_uploads(
    client, workspace, member, member_key
):
    turn_on(workspace)
    finished = entry(workspace, member, ago(minutes=90), ago(minutes=30))
    response = post_shot(
        client, workspace, member_key, image_bytes(), capturedAt=iso(ago(minutes=45))
    )
    assert response.status_code == 201
    assert response.json()["timeEntryId"] == str(finished.id)
    # ... but not a moment after its end.
    late = post_shot(client, workspace, member_key, image_bytes(), capturedAt=iso(ago(minutes=20)))
    assert late.status_code == 409


def test_another_members_timer_does_not_cover(client, workspace, member, member_key, owner):
    turn_on(workspace)
    timer(workspace, owner)
    assert post_shot(client, workspace, member_key, image_bytes()).status_code == 409


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4\n%%EOF\n", "not a PNG, JPEG or WebP"),
        (image_bytes(fmt="GIF"), "not a PNG, JPEG or WebP"),
        (b"plain text", "not a PNG, JPEG or WebP"),
        (image_bytes((800, 600), fmt="PNG")[:300], "damaged"),
        (png_header(50_000, 50_000), "too many pixels"),
    ],
    ids=["pdf", "gif", "text", "truncated-png", "50000x50000"],
)
def test_bad_uploads_are_400_and_leave_nothing(
    client, workspace, member, member_key, data, message
):
    turn_on(workspace)
    timer(workspace, member)
    response = post_shot(client, workspace, member_key, data)
    assert response.status_code == 400, response.content
    assert message in response.json()["message"]
    assert_nothing_stored(workspace)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"capturedAt": "yesterday"}, "capturedAt"),
        ({"capturedAt": ""}, "capturedAt"),
        ({"blurred": "maybe"}, "blurred"),
    ],
)
def test_bad_fields_are_400(client, workspace, member, member_key, fields, message):
    turn_on(workspace)
    timer(workspace, member)
    response = post_shot(client, workspace, member_key, image_bytes(), **fields)
    assert response.status_code == 400
    assert response.json()["message"].startswith(message)
    assert_nothing_stored(workspace)


def test_missing_image_and_future_time_are_400(client, workspace, member, member_key):
    turn_on(workspace)
    timer(workspace, member)
    assert post_shot(client, workspace, member_key, None).status_code == 400
    future = ago(minutes=-30)
    response = post_shot(client, workspace, member_key, image_bytes(), capturedAt=iso(future))
    assert response.status_code == 400
    assert "future" in response.json()["message"]
    assert_nothing_stored(workspace)


def test_a_failure_after_the_file_is_written_deletes_it(
    client, workspace, member, member_key, monkeypatch
):
    turn_on(workspace)
    timer(workspace, member)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Screenshot.objects.get_queryset().__class__, "bulk_create", broken)
    client.raise_request_exception = False
    response = post_shot(client, workspace, member_key, image_bytes())
    assert response.status_code == 500
    assert_nothing_stored(workspace)


def _unreadable_post(client, path: str, length: int, key: str):
    class Unreadable:
        def read(self, *args):
            raise AssertionError("the body was read")

        readline = read

    return client.post(
        path,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(length),
        headers={"X-Api-Key": key},
        **{"wsgi.input": Unreadable()},
    )


def test_a_body_over_10_mb_is_413_before_it_is_read(client, workspace, member, member_key):
    turn_on(workspace)
    timer(workspace, member)
    path = f"/api/v1/workspaces/{workspace.id}/screenshots"
    response = _unreadable_post(client, path, 11 * MB, member_key)
    assert response.status_code == 413
    assert response.json() == {
        "message": "The request is too large: at most 10.1\xa0MB is accepted here.",
        "code": 413,
    }
    # Without a valid key the usual 1 MB cap stays.
    assert _unreadable_post(client, path, 2 * MB, "not-a-key").status_code == 413
    assert_nothing_stored(workspace)


def test_a_screenshot_of_several_megabytes_is_taken(client, workspace, member, member_key):
    turn_on(workspace)
    timer(workspace, member)
    noise = Image.frombytes("RGB", (1200, 1000), os.urandom(1200 * 1000 * 3))
    out = io.BytesIO()
    noise.save(out, format="PNG")
    assert out.tell() > 3 * MB
    response = post_shot(client, workspace, member_key, out.getvalue())
    assert response.status_code == 201, response.content
    # The same body to another API path keeps the 1 MB cap.
    other = client.post(
        f"/api/v1/workspaces/{workspace.id}/tags",
        {"image": upload(out.getvalue())},
        headers={"X-Api-Key": member_key},
    )
    assert other.status_code == 413


def test_the_server_blurs_when_the_policy_says_so_and_the_client_did_not(
    client, workspace, member, member_key
):
    turn_on(workspace, blur=True)
    timer(workspace, member)
    data = image_bytes((400, 200))
    by_server = post_shot(client, workspace, member_key, data).json()
    by_client = post_shot(client, workspace, member_key, data, blurred="true").json()
    shots = Screenshot.objects.in_workspace(workspace)
    server_shot, client_shot = shots.get(pk=by_server["id"]), shots.get(pk=by_client["id"])
    assert server_shot.blurred and client_shot.blurred
    storage = storages[f"region-{workspace.region}"]

    def edge(shot):
        with storage.open(shot.storage_name) as file:
            image = Image.open(file).convert("L")
            image.load()
        return image.getpixel((201, 100)) - image.getpixel((198, 100))

    assert edge(server_shot) < 150  # softened here
    assert edge(client_shot) > 200  # left as the client sent it: it says it blurred it


def test_a_us_workspaces_screenshot_lands_only_in_us_storage(client):
    person = make_user("us-member@example.com")
    us = make_workspace(person, name="US team", region="us")
    key = ApiKey.objects.issue(person, "tests")[1]
    turn_on(us)
    timer(us, person)
    response = post_shot(client, us, key, image_bytes())
    assert response.status_code == 201
    shot = Screenshot.objects.in_workspace(us).get()
    assert files_in(storages["region-us"]) == [shot.storage_name]
    for alias in REGION_ALIASES:
        if alias != "us":
            assert files_in(storages[f"region-{alias}"]) == [], alias


def test_the_thumbnail_is_made_by_a_task_after_the_commit(
    client, workspace, member, member_key, django_capture_on_commit_callbacks
):
    turn_on(workspace)
    timer(workspace, member)
    with django_capture_on_commit_callbacks(using=workspace.db_alias, execute=True):
        response = post_shot(client, workspace, member_key, image_bytes((1600, 900)))
    shot = Screenshot.objects.in_workspace(workspace).get(pk=response.json()["id"])
    assert shot.has_thumbnail
    assert sorted(stored(workspace)) == sorted([shot.storage_name, shot.thumbnail_name])
    with storages[f"region-{workspace.region}"].open(shot.thumbnail_name) as file:
        assert Image.open(file).size == (320, 180)


def test_another_workspace_is_404_on_both_endpoints(client, workspace, member, outsider):
    turn_on(workspace)
    timer(workspace, member)
    key = ApiKey.objects.issue(outsider, "tests")[1]
    assert post_shot(client, workspace, key, image_bytes()).status_code == 404
    assert post_samples(client, workspace, key, [sample()]).status_code == 404
    assert_nothing_stored(workspace)
    assert not LocationSample.objects.in_workspace(workspace).exists()


# --- location ---


def test_a_valid_batch_is_accepted(client, workspace, member, member_key):
    turn_on(workspace)
    running = timer(workspace, member)
    batch = [
        sample(1, kind="START", recordedAt=iso(ago(minutes=59))),
        sample(2),
        sample(3, kind="STOP", latitude=-90, longitude=180, accuracy=0),
    ]
    response = post_samples(client, workspace, member_key, batch)
    assert response.status_code == 200, response.content
    assert response.json() == {"accepted": 3, "dropped": 0, "duplicates": 0}
    rows = LocationSample.objects.in_workspace(workspace).order_by("client_id")
    assert [row.client_id for row in rows] == ["s-1", "s-2", "s-3"]
    assert {row.entry_id for row in rows} == {running.id}


def test_inaccurate_samples_and_samples_without_a_timer_are_dropped_and_counted(
    client, workspace, member, member_key
):
    turn_on(workspace)
    timer(workspace, member, timedelta(minutes=30))
    batch = [
        sample(1, accuracy=1000.5),
        sample(2, recordedAt=iso(ago(hours=2))),  # before the timer started
        sample(3, accuracy=1000),
    ]
    response = post_samples(client, workspace, member_key, batch)
    assert response.json() == {"accepted": 1, "dropped": 2, "duplicates": 0}
    assert LocationSample.objects.in_workspace(workspace).get().client_id == "s-3"


def test_a_replayed_batch_creates_nothing(client, workspace, member, member_key):
    turn_on(workspace)
    timer(workspace, member)
    batch = [sample(1), sample(2)]
    assert post_samples(client, workspace, member_key, batch).json()["accepted"] == 2
    again = post_samples(client, workspace, member_key, [*batch, sample(3), sample(3)])
    assert again.json() == {"accepted": 1, "dropped": 0, "duplicates": 3}
    assert LocationSample.objects.in_workspace(workspace).count() == 3


@pytest.mark.parametrize(
    "bad",
    [
        {"latitude": 90.0001},
        {"latitude": -91},
        {"longitude": 180.5},
        {"longitude": -181},
        {"accuracy": -1},
        {"recordedAt": "2100-01-01T00:00:00Z"},  # far ahead, whenever the test runs
        {"kind": "TELEPORT"},
        {"id": ""},
        {"id": "x" * 65},
        {"latitude": "north"},
        {"recordedAt": 1700000000},
    ],
)
def test_malformed_samples_refuse_the_batch(client, workspace, member, member_key, bad):
    turn_on(workspace)
    timer(workspace, member)
    response = post_samples(client, workspace, member_key, [sample(1), sample(2, **bad)])
    assert response.status_code == 400, response.content
    assert response.json()["code"] == 400
    assert not LocationSample.objects.in_workspace(workspace).exists()


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("field", ["latitude", "longitude", "accuracy"])
def test_non_finite_numbers_are_refused(client, workspace, member, member_key, literal, field):
    turn_on(workspace)
    timer(workspace, member)
    raw = json.dumps({"samples": [sample(1, **{field: math.nan})]}).replace("NaN", literal)
    response = post_samples(client, workspace, member_key, None, raw=raw)
    assert response.status_code == 400, response.content
    assert not LocationSample.objects.in_workspace(workspace).exists()


def test_more_than_500_samples_are_refused(client, workspace, member, member_key):
    turn_on(workspace)
    timer(workspace, member)
    response = post_samples(client, workspace, member_key, [sample(n) for n in range(501)])
    assert response.status_code == 400
    assert not LocationSample.objects.in_workspace(workspace).exists()
    assert (
        post_samples(client, workspace, member_key, [sample(n) for n in range(500)]).json()[
            "accepted"
        ]
        == 500
    )


def test_location_off_is_403(client, workspace, member, member_key):
    turn_on(workspace, location=False)
    timer(workspace, member)
    response = post_samples(client, workspace, member_key, [sample()])
    assert response.status_code == 403
    assert response.json()["message"].startswith("Location is off in this workspace")
    assert not LocationSample.objects.in_workspace(workspace).exists()
