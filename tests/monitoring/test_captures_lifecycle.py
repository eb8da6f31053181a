"""Deleting captures (with their files) and letting them expire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from monitoring import captures
from monitoring.models import LocationSample, Screenshot
from monitoring.tasks import make_thumbnail
from tests.monitoring.capture_kit import ago, entry, image_bytes, stored, timer, turn_on, upload
from tracking.models import TimeEntry
from workspaces.models import Membership
from workspaces.outage import RegionUnavailable
from workspaces.regions import storage_for


def membership_of(workspace, user) -> Membership:
    return Membership.objects.select_related("workspace").get(workspace=workspace, user=user)


def shoot(workspace, user, captured_at, **options):
    return captures.accept_screenshot(
        membership_of(workspace, user),
        upload(image_bytes()),
        captured_at,
        False,
        Screenshot.Source.WEB,
        **options,
    )


@pytest.fixture
def on_commit(workspace, django_capture_on_commit_callbacks):
    """Run the region's on-commit callbacks (the file deletions) when the block ends."""
    return lambda: django_capture_on_commit_callbacks(using=workspace.db_alias, execute=True)


def test_deleting_an_entry_deletes_its_screenshots_and_files(workspace, member, on_commit):
    turn_on(workspace)
    running = timer(workspace, member)
    with on_commit():
        first = shoot(workspace, member, ago(minutes=40))
        shoot(workspace, member, ago(minutes=20))
    assert len(stored(workspace)) == 4  # two screenshots, two thumbnails
    with on_commit():
        running.delete()
    assert not Screenshot.objects.in_workspace(workspace).exists()
    assert stored(workspace) == []
    assert not storage_for(workspace).exists(first.storage_name)


def test_a_rolled_back_deletion_keeps_the_files(workspace, member, on_commit):
    turn_on(workspace)
    running = timer(workspace, member)
    shot = shoot(workspace, member, ago(minutes=10))
    with on_commit(), pytest.raises(RuntimeError), transaction.atomic(using=workspace.db_alias):
        running.delete()
        raise RuntimeError("changed my mind")
    assert Screenshot.objects.in_workspace(workspace).filter(pk=shot.pk).exists()
    assert shot.storage_name in stored(workspace)


def test_a_member_deleting_their_screenshot_of_a_running_timer_loses_that_time(
    workspace, member, on_commit
):
    turn_on(workspace)
    running = timer(workspace, member, timedelta(hours=1))
    start = running.start
    shoot(workspace, member, ago(minutes=40))
    second = shoot(workspace, member, ago(minutes=25))
    mine = membership_of(workspace, member)
    assert captures.time_removed_by_deleting(mine, second) == timedelta(minutes=15)
    with on_commit():
        result = captures.delete_screenshot(mine, second)
    assert result.removed == timedelta(minutes=15)
    running.refresh_from_db()
    assert running.start == start + timedelta(minutes=15)
    assert running.end is None
    assert (result.start, result.end) == (running.start, None)
    assert second.storage_name not in stored(workspace)


def test_a_member_deleting_the_first_screenshot_of_a_finished_entry_loses_time_since_start(
    workspace, member
):
    turn_on(workspace)
    start, end = ago(minutes=50), ago(minutes=5)
    finished = entry(workspace, member, start, end)
    first = shoot(workspace, member, ago(minutes=40))
    shoot(workspace, member, ago(minutes=30))
    result = captures.delete_screenshot(membership_of(workspace, member), first)
    assert result.removed == timedelta(minutes=10)
    finished.refresh_from_db()
    assert (finished.start, finished.end) == (start, end - timedelta(minutes=10))


def test_the_entry_keeps_at_least_a_second(workspace, member):
    turn_on(workspace)
    start = ago(minutes=30)
    short = entry(workspace, member, start, start + timedelta(minutes=10))
    # Captured at the very end: deleting it would take the whole entry.
    shot = shoot(workspace, member, start + timedelta(minutes=10))
    result = captures.delete_screenshot(membership_of(workspace, member), shot)
    short.refresh_from_db()
    assert short.end - short.start == timedelta(seconds=1)
    assert result.removed == timedelta(minutes=10) - timedelta(seconds=1)


def test_an_admin_deleting_a_members_screenshot_removes_no_time(workspace, member, admin):
    turn_on(workspace)
    running = timer(workspace, member)
    start = running.start
    shot = shoot(workspace, member, ago(minutes=20))
    result = captures.delete_screenshot(membership_of(workspace, admin), shot)
    assert result.removed == timedelta(0)
    running.refresh_from_db()
    assert running.start == start
    assert not Screenshot.objects.in_workspace(workspace).exists()


def test_a_member_cannot_delete_someone_elses_screenshot(workspace, member, owner):
    turn_on(workspace)
    timer(workspace, owner)
    shot = shoot(workspace, owner, ago(minutes=20))
    with pytest.raises(captures.NotAllowed):
        captures.delete_screenshot(membership_of(workspace, member), shot)
    assert Screenshot.objects.in_workspace(workspace).filter(pk=shot.pk).exists()


def test_purge_removes_expired_files_then_rows_and_is_idempotent(
    workspace, member, on_commit, monkeypatch, capsys
):
    turn_on(workspace, screenshot_retention_days=30, location_retention_days=7)
    old_timer = timer(workspace, member, timedelta(days=40))
    now = timezone.now()
    with on_commit():
        old = shoot(workspace, member, ago(days=35))
        recent = shoot(workspace, member, ago(days=1))
    assert len(stored(workspace)) == 4
    samples = LocationSample.objects.in_workspace(workspace)
    for n, age in enumerate((timedelta(days=8), timedelta(days=2))):
        samples.create(
            user_id=member.pk,
            entry=old_timer,
            client_id=f"c{n}",
            latitude=1,
            longitude=2,
            accuracy=3,
            recorded_at=now - age,
            kind="MOVE",
        )

    # Files go first: when a file is deleted, its row is still there.
    storage = storage_for(workspace)
    original_delete = storage.delete
    rows_at_delete = []

    def delete(name):
        key = name.rsplit("/", 1)[-1].split(".")[0].removesuffix("-thumb")
        rows_at_delete.append(Screenshot.objects.in_workspace(workspace).filter(key=key).exists())
        original_delete(name)

    monkeypatch.setattr(storage, "delete", delete)
    with on_commit():
        purged = captures.purge_expired(now)
    assert (purged.screenshots, purged.locations) == (1, 1)
    assert rows_at_delete[:2] == [True, True]
    assert list(Screenshot.objects.in_workspace(workspace)) == [recent]
    assert sorted(stored(workspace)) == sorted([recent.storage_name, recent.thumbnail_name])
    assert old.storage_name not in stored(workspace)
    assert [s.client_id for s in samples] == ["c1"]

    again = captures.purge_expired(now)
    assert (again.screenshots, again.locations) == (0, 0)
    call_command("purge_expired")
    assert capsys.readouterr().out.strip() == "Purged 0 screenshot(s) and 0 location sample(s)."


def test_purge_skips_a_region_that_is_down(workspace, member, monkeypatch):
    def down(workspace, now):
        raise RegionUnavailable(workspace.region)

    monkeypatch.setattr(captures, "purge_workspace", down)
    purged = captures.purge_expired(timezone.now())
    assert (purged.screenshots, purged.locations) == (0, 0)


def test_the_thumbnail_task_is_idempotent(workspace, member):
    turn_on(workspace)
    timer(workspace, member)
    shot = shoot(workspace, member, ago(minutes=5))  # no commit: no thumbnail yet
    assert not shot.has_thumbnail
    assert make_thumbnail(str(workspace.id), str(shot.id)) is True
    assert make_thumbnail(str(workspace.id), str(shot.id)) is False
    # A run that died after writing the file but before noting it: replaced, not doubled.
    Screenshot.objects.in_workspace(workspace).filter(pk=shot.pk).update(has_thumbnail=False)
    assert make_thumbnail(str(workspace.id), str(shot.id)) is True
    assert sorted(stored(workspace)) == sorted([shot.storage_name, shot.thumbnail_name])
    assert make_thumbnail(str(workspace.id), "0190a0a0-0000-7000-8000-000000000000") is False


def test_the_service_refuses_a_file_over_10_mb(workspace, member):
    turn_on(workspace)
    timer(workspace, member)
    big = upload(b"\0" * (captures.MAX_UPLOAD + 1))
    with pytest.raises(captures.CaptureTooLarge):
        captures.accept_screenshot(
            membership_of(workspace, member), big, ago(minutes=1), False, "web"
        )
    assert stored(workspace) == []
    assert TimeEntry.objects.in_workspace(workspace).count() == 1
