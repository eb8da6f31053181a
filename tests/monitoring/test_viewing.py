"""Looking at captures: who may see what, and every look at someone else's is recorded."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse
from PIL import Image

from monitoring.models import CaptureView, LocationSample, Screenshot
from monitoring.viewing import plot
from tests.factories import make_workspace, sign_in
from tracking.models import TimeEntry
from workspaces.regions import storage_for

DAY = "2026-03-16"
START = datetime(2026, 3, 16, 9, tzinfo=UTC)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 40), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def entry_of(workspace, user, description="Design") -> TimeEntry:
    return TimeEntry.objects.in_workspace(workspace).create(
        user_id=user.pk, description=description, start=START, end=START + timedelta(hours=2)
    )


def screenshot_of(workspace, entry, minutes=10) -> Screenshot:
    data = png()
    shot = Screenshot.objects.in_workspace(workspace).create(
        user_id=entry.user_id,
        entry=entry,
        captured_at=entry.start + timedelta(minutes=minutes),
        content_type="image/png",
        width=64,
        height=40,
        size=len(data),
        blurred=False,
        source=Screenshot.Source.API,
    )
    storage_for(workspace).save(shot.storage_name, ContentFile(data))
    return shot


def samples_of(workspace, entry) -> list[LocationSample]:
    points = [(52.52, 13.405, "START"), (52.521, 13.41, "MOVE"), (52.523, 13.412, "STOP")]
    return [
        LocationSample.objects.in_workspace(workspace).create(
            user_id=entry.user_id,
            entry=entry,
            client_id=f"sample-{n}",
            latitude=lat,
            longitude=lon,
            accuracy=12,
            recorded_at=entry.start + timedelta(minutes=n * 30),
            kind=kind,
        )
        for n, (lat, lon, kind) in enumerate(points)
    ]


def captures_url(workspace, **query) -> str:
    params = "&".join(f"{k}={v}" for k, v in {"day": DAY, **query}.items())
    return reverse("monitoring:captures", args=[workspace.id]) + "?" + params


def image_url(shot, kind="image") -> str:
    return reverse(f"monitoring:screenshot_{kind}", args=[shot.workspace_id, shot.id])


def views(workspace):
    return CaptureView.objects.in_workspace(workspace)


@pytest.fixture
def shot(workspace, member) -> Screenshot:
    return screenshot_of(workspace, entry_of(workspace, member))


def test_a_member_sees_their_own_captures_and_nobody_is_recorded(client, workspace, member, shot):
    sign_in(client, member)
    html = client.get(captures_url(workspace)).content.decode()
    assert "Your captures" in html and "Design" in html
    assert image_url(shot, "thumbnail") in html
    response = client.get(image_url(shot))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        b"".join(response.streaming_content)
        == storage_for(workspace).open(shot.storage_name).read()
    )
    assert "Nobody else has looked at your screenshots or locations." in html
    assert not views(workspace).exists()


def test_an_admins_look_is_recorded_once_and_shown_to_the_member(
    client, workspace, admin, member, shot
):
    sign_in(client, admin)
    page = client.get(captures_url(workspace, member=member.pk))
    assert page.status_code == 200 and "Captures of Max Member" in page.content.decode()
    assert "Who looked at your captures" not in page.content.decode()
    assert client.get(image_url(shot, "thumbnail")).status_code == 200  # no thumbnail yet
    assert client.get(image_url(shot)).status_code == 200
    (view,) = views(workspace)
    assert (view.viewer_id, view.subject_id, view.screenshot_id) == (admin.pk, member.pk, shot.id)

    client.logout()
    sign_in(client, member)
    html = client.get(captures_url(workspace)).content.decode()
    assert "Ada Admin (admin@example.com)" in html
    assert "Your screenshot of" in html


def test_a_member_cannot_see_anyone_elses_captures(client, workspace, admin, member):
    theirs = screenshot_of(workspace, entry_of(workspace, admin, "Admin work"))
    sign_in(client, member)
    assert client.get(captures_url(workspace, member=admin.pk)).status_code == 403
    assert client.get(image_url(theirs)).status_code == 404
    assert client.get(image_url(theirs, "thumbnail")).status_code == 404
    locations = reverse("monitoring:entry_locations", args=[workspace.id, theirs.entry_id])
    assert client.get(locations).status_code == 404
    assert not views(workspace).exists()


def test_another_workspaces_captures_are_404(client, workspace, owner, outsider):
    elsewhere = outsider.memberships.get().workspace
    theirs = screenshot_of(elsewhere, entry_of(elsewhere, outsider))
    sign_in(client, owner)
    assert client.get(captures_url(elsewhere)).status_code == 404
    assert client.get(image_url(theirs)).status_code == 404
    # The id in the owner's own workspace's address: not found there either.
    foreign = reverse("monitoring:screenshot_image", args=[workspace.id, theirs.id])
    assert client.get(foreign).status_code == 404
    assert client.get(captures_url(workspace, member=outsider.pk)).status_code == 404


def test_bad_days_and_members_are_400(client, workspace, member):
    sign_in(client, member)
    for query in ({"day": "2026-02-30"}, {"day": "1900-01-01"}, {"member": "x"}):
        url = reverse("monitoring:captures", args=[workspace.id])
        assert client.get(url, query).status_code == 400


def test_an_empty_day_says_so(client, workspace, member):
    sign_in(client, member)
    html = client.get(captures_url(workspace)).content.decode()
    assert "No screenshots or locations on this day." in html
    assert "Screenshots and location are off in this workspace" in html


def test_locations_are_listed_plotted_and_an_admins_look_recorded(client, workspace, admin, member):
    entry = entry_of(workspace, member)
    samples_of(workspace, entry)
    url = reverse("monitoring:entry_locations", args=[workspace.id, entry.id])
    sign_in(client, member)
    html = client.get(url).content.decode()
    assert html.count("openstreetmap.org/?mlat=52.52") == 3
    assert "<polyline" in html and html.count("<circle") == 3
    assert not views(workspace).exists()
    client.logout()
    sign_in(client, admin)
    assert client.get(url).status_code == 200
    (view,) = views(workspace)
    assert (view.switch, view.entry_id, view.subject_id) == ("location", entry.id, member.pk)


def test_the_plot_keeps_north_up_and_inside_its_box():
    class Sample:
        def __init__(self, latitude, longitude):
            self.latitude, self.longitude = latitude, longitude

    south, north = Sample(52.0, 13.0), Sample(52.1, 13.0)
    drawn = plot([south, north], width=200, height=100)
    assert drawn.points[0].y > drawn.points[1].y  # north is higher up
    assert all(0 <= p.x <= 200 and 0 <= p.y <= 100 for p in drawn.points)
    (single,) = plot([south], width=200, height=100).points
    assert 0 <= single.x <= 200 and 0 <= single.y <= 100
    assert plot([]) is None


def test_pages_need_a_sign_in(client, workspace, shot):
    response = client.get(image_url(shot))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_second_workspace_of_the_admin_is_not_mixed_in(client, owner, workspace, member, shot):
    other = make_workspace(owner, name="Other", region="us")
    sign_in(client, owner)
    assert client.get(captures_url(other, member=member.pk)).status_code == 404


def test_a_member_deleting_their_screenshot_is_told_the_time_it_removes(client, workspace, member):
    entry = entry_of(workspace, member)
    first = screenshot_of(workspace, entry, minutes=10)
    second = screenshot_of(workspace, entry, minutes=25)
    sign_in(client, member)
    url = reverse("monitoring:delete_screenshot", args=[workspace.id, second.id])
    page = client.get(url).content.decode()
    assert "removes <strong>00:15:00</strong> from its time entry" in page
    with TestCase.captureOnCommitCallbacks(using=workspace.db_alias, execute=True):
        response = client.post(url)  # the file goes once the deletion is committed
    assert response.status_code == 302 and f"day={DAY}" in response["Location"]
    entry.refresh_from_db()
    assert entry.end - entry.start == timedelta(hours=1, minutes=45)
    assert list(Screenshot.objects.in_workspace(workspace)) == [first]
    assert not storage_for(workspace).exists(second.storage_name)


def test_an_admin_deleting_a_screenshot_removes_no_time(client, workspace, admin, member, shot):
    sign_in(client, admin)
    url = reverse("monitoring:delete_screenshot", args=[workspace.id, shot.id])
    assert "The entry's time stays as it is." in client.get(url).content.decode()
    response = client.post(url)
    assert f"member={member.pk}" in response["Location"]
    entry = TimeEntry.objects.in_workspace(workspace).get()
    assert entry.end - entry.start == timedelta(hours=2)
    assert not Screenshot.objects.in_workspace(workspace).exists()


def test_a_member_cannot_delete_someone_elses_screenshot(client, workspace, admin, member):
    theirs = screenshot_of(workspace, entry_of(workspace, admin))
    sign_in(client, member)
    url = reverse("monitoring:delete_screenshot", args=[workspace.id, theirs.id])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Screenshot.objects.in_workspace(workspace).exists()
