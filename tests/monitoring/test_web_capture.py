"""Capture from the tracker page: the panel, and its uploads under the API's rules."""

from __future__ import annotations

import json
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.models import LocationSample, NotShared, Screenshot
from tests.factories import sign_in
from tests.monitoring.capture_kit import ago, image_bytes, iso, stored, timer, turn_on, upload


def shot_url(workspace) -> str:
    return reverse("monitoring:web_screenshot", args=[workspace.id])


def locations_url(workspace) -> str:
    return reverse("monitoring:web_locations", args=[workspace.id])


def send_shot(client, workspace, **fields):
    data = {"image": upload(image_bytes()), "capturedAt": iso(ago(minutes=1)), **fields}
    return client.post(shot_url(workspace), data)


def send_samples(client, workspace, samples):
    return client.post(
        locations_url(workspace), json.dumps({"samples": samples}), "application/json"
    )


def sample(n=0, **fields):
    return {
        "id": f"web-{n}",
        "latitude": 48.1374,
        "longitude": 11.5755,
        "accuracy": 20,
        "recordedAt": iso(ago(minutes=5)),
        "kind": "MOVE",
        **fields,
    }


def test_the_running_timer_shows_the_capture_panel_only_while_a_switch_is_on(
    client, workspace, member
):
    timer(workspace, member)
    sign_in(client, member)
    tracker = reverse("tracking:tracker", args=[workspace.id])
    assert "data-capture" not in client.get(tracker).content.decode()
    turn_on(workspace, location=False, screenshot_interval=10)
    html = client.get(tracker).content.decode()
    assert 'data-interval-minutes="10"' in html and shot_url(workspace) in html
    assert "data-share-screen" in html and locations_url(workspace) not in html
    assert "js/capture.js" in html


def test_a_frame_from_the_page_is_kept_for_the_running_timer(client, workspace, member):
    running = timer(workspace, member)
    turn_on(workspace)
    sign_in(client, member)
    response = send_shot(client, workspace)
    assert response.status_code == 201, response.content
    shot = Screenshot.objects.in_workspace(workspace).get()
    assert response.json()["timeEntryId"] == str(running.id) == str(shot.entry_id)
    assert shot.source == Screenshot.Source.WEB and shot.user_id == member.pk
    assert stored(workspace)


def test_the_page_needs_its_csrf_token(workspace, member):
    timer(workspace, member)
    turn_on(workspace)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    assert send_shot(browser, workspace).status_code == 403
    assert not Screenshot.objects.in_workspace(workspace).exists()


def test_refusals_are_json_and_store_nothing(client, workspace, member, outsider):
    sign_in(client, member)
    response = send_shot(client, workspace)  # screenshots off
    assert response.status_code == 403 and "Screenshots" in response.json()["message"]
    turn_on(workspace)
    response = send_shot(client, workspace)  # no timer
    assert response.status_code == 409 and response.json()["code"] == 409
    timer(workspace, member)
    assert send_shot(client, workspace, capturedAt="yesterday").status_code == 400
    no_image = client.post(shot_url(workspace), {"capturedAt": iso(ago(minutes=1))})
    assert no_image.status_code == 400 and "image" in no_image.json()["message"]
    not_an_image = send_shot(
        client, workspace, image=upload(b"%PDF-1.4", "a.pdf", "application/pdf")
    )
    assert not_an_image.status_code == 400
    elsewhere = outsider.memberships.get().workspace
    assert send_shot(client, elsewhere).status_code == 404
    assert not Screenshot.objects.in_workspace(workspace).exists()
    assert stored(workspace) == []


def test_an_upload_over_the_limit_is_refused_before_it_is_read(client, workspace, member):
    timer(workspace, member)
    turn_on(workspace)
    sign_in(client, member)
    response = client.post(
        shot_url(workspace),
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(11 * 1024 * 1024),
    )
    assert response.status_code == 413


def test_positions_from_the_page_follow_the_apis_rules(client, workspace, member):
    timer(workspace, member)
    sign_in(client, member)
    assert send_samples(client, workspace, [sample()]).status_code == 403  # location off
    turn_on(workspace)
    response = send_samples(client, workspace, [sample(0), sample(1, accuracy=5000)])
    assert response.json() == {"accepted": 1, "dropped": 1, "duplicates": 0}
    assert send_samples(client, workspace, [sample(0)]).json()["duplicates"] == 1
    bad = send_samples(client, workspace, [sample(2, latitude=95)])
    assert bad.status_code == 400 and bad.json()["message"]
    garbage = client.post(locations_url(workspace), "{not json", "application/json")
    assert garbage.status_code == 400
    (kept,) = LocationSample.objects.in_workspace(workspace)
    assert kept.client_id == "web-0" and kept.user_id == member.pk


def test_declining_to_share_is_noted_on_the_entry(client, workspace, member, admin):
    url = reverse("monitoring:web_not_shared", args=[workspace.id])
    sign_in(client, member)
    assert client.post(url, {"switch": "screenshots"}).status_code == 403  # off: nothing to note
    turn_on(workspace)
    assert client.post(url, {"switch": "screenshots"}).status_code == 409  # no timer
    running = timer(workspace, member, started=timedelta(minutes=20))
    assert client.post(url, {"switch": "camera"}).status_code == 400
    for _ in range(2):  # declining twice notes it once
        response = client.post(url, {"switch": "screenshots"})
        assert response.json() == {"timeEntryId": str(running.id), "switch": "screenshots"}
    assert client.post(url, {"switch": "location"}).status_code == 200
    assert NotShared.objects.in_workspace(workspace).count() == 2

    client.logout()
    sign_in(client, admin)
    day = timezone.localtime(running.start).date().isoformat()
    page = reverse("monitoring:captures", args=[workspace.id])
    html = client.get(page, {"day": day, "member": member.pk}).content.decode()
    assert "No screenshots (not shared)." in html and "No location (not shared)." in html
