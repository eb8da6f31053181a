"""Moving a workspace to another region: everything moves, nothing collides, any step resumes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse

from reports.models import ImportUpload
from tests.factories import (
    add_member,
    make_client,
    make_project,
    make_tag,
    make_task,
    make_user,
    make_workspace,
    sign_in,
)
from tracking.models import MemberRate, TimeEntry
from tracking.services import EntryDetails, create_entry
from workspaces import moving
from workspaces.models import ApiKey, AuditEvent, Workspace, WorkspaceSettings
from workspaces.readonly import changes_data
from workspaces.regions import copy_in, regional_models, storage_for

UPLOAD = "imports/restore.csv"


def fill(workspace: Workspace, owner, *, marker: str) -> None:
    """Entries with tags, tasks, rates and settings, a member, and a stored file."""
    member = add_member(workspace, make_user()).user
    client = make_client(workspace, f"{marker} client")
    project = make_project(workspace, f"{marker} project", client=client, billable=True)
    task = make_task(project, workspace, f"{marker} task")
    tags = [make_tag(workspace, f"{marker} tag {n}") for n in range(2)]
    WorkspaceSettings.objects.in_workspace(workspace).update(hourly_rate=Decimal("55.00"))
    MemberRate.objects.in_workspace(workspace).create(user_id=member.pk, hourly_rate=Decimal("70"))
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    for n in range(7):
        details = EntryDetails(
            f"{marker} entry {n}", project, task if n % 2 else None, tags[: n % 3]
        )
        person = owner if n % 2 else member
        moment = start + timedelta(days=n)
        create_entry(workspace, person.pk, details, moment, moment + timedelta(hours=1, minutes=n))
    storage_for(workspace).save(f"{workspace.id}/{UPLOAD}", ContentFile(f"{marker},1\n".encode()))


def snapshot(workspace: Workspace) -> dict[str, object]:
    """What the workspace holds in the region its directory entry names: rows and files.

    Not its audit log, which exports and the move itself add to (see the audit tests).
    """
    held: dict[str, object] = {
        model._meta.label: moving.table_digest(model, workspace)
        for model in regional_models()
        if model is not AuditEvent
    }
    storage = storage_for(workspace)
    for name in moving.walk(storage, f"{workspace.id}/"):
        held[name] = moving.file_digest(storage, name)
    return held


def export(client, workspace: Workspace) -> bytes:
    url = reverse("reports:export", args=[workspace.id]) + "?preset=all"
    response = client.get(url, headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def move(workspace: Workspace, region: str) -> str:
    out = StringIO()
    call_command("move_workspace", str(workspace.id), region, "--settle", "0", stdout=out)
    return out.getvalue()


@pytest.fixture
def boston(owner) -> Workspace:
    workspace = make_workspace(owner, name="Boston", region="us")
    fill(workspace, owner, marker="Boston")
    return workspace


@pytest.fixture
def neighbours(owner) -> list[Workspace]:
    """A workspace already in the target region and one staying in the source region."""
    berlin = make_workspace(owner, name="Berlin", region="eu")
    fill(berlin, owner, marker="Berlin")
    chicago = make_workspace(owner, name="Chicago", region="us")
    fill(chicago, owner, marker="Chicago")
    return [berlin, chicago]


def test_a_workspace_moves_whole_and_its_neighbours_are_untouched(
    client, owner, boston, neighbours
):
    sign_in(client, owner)
    before, csv_before = snapshot(boston), export(client, boston)
    others = {ws.id: snapshot(ws) for ws in neighbours}

    printed = move(boston, "eu")

    boston.refresh_from_db()
    assert (boston.region, boston.moving_to, boston.stale_copy_in) == ("eu", "", "")
    assert snapshot(boston) == before
    # The log moved too, and says so: the export before the move, then the move.
    log = AuditEvent.objects.in_workspace(boston).order_by("created_at", "id")
    assert list(log.values_list("kind", flat=True)) == ["report_exported", "region_moved"]
    assert export(client, boston) == csv_before
    assert TimeEntry.objects.in_workspace(boston).count() == 7
    assert storage_for(boston).exists(f"{boston.id}/{UPLOAD}")
    # Nothing of it is left in the USA: no row of any table, no file.
    left = copy_in(boston, "us")
    assert all(moving.table_digest(m, left).count == 0 for m in regional_models())
    assert list(moving.walk(storage_for(left), f"{boston.id}/")) == []
    assert {ws.id: snapshot(ws) for ws in neighbours} == others
    assert "tracking.TimeEntry: 7 rows copied" in printed
    assert "Verified tracking.TimeEntryTag" in printed and "Done." in printed


def test_an_import_waiting_in_the_old_region_is_confirmed_in_the_new_one(client, owner, boston):
    sign_in(client, owner)
    restored = export(client, boston).replace(b"Boston entry 0", b"Boston entry restored")
    file = SimpleUploadedFile("backup.csv", restored, content_type="text/csv")
    assert (
        client.post(reverse("reports:import", args=[boston.id]), {"file": file}).status_code == 302
    )
    waiting = ImportUpload.objects.in_workspace(boston).get()

    move(boston, "eu")

    boston.refresh_from_db()
    assert storage_for(boston).exists(waiting.storage_name)
    assert not storage_for(copy_in(boston, "us")).exists(waiting.storage_name)
    with TestCase.captureOnCommitCallbacks(using="eu", execute=True):
        response = client.post(
            reverse("reports:import_confirm", args=[boston.id]), {"order": "month"}
        )
    assert response.status_code == 302, response.content.decode()
    assert (
        TimeEntry.objects.in_workspace(boston).filter(description="Boston entry restored").exists()
    )
    assert not ImportUpload.objects.in_workspace(boston).exists()
    assert not storage_for(boston).exists(waiting.storage_name)


def test_the_moved_workspace_works_in_its_new_region(client, owner, boston):
    move(boston, "eu")
    boston.refresh_from_db()
    sign_in(client, owner)
    tracker = client.get(reverse("tracking:tracker", args=[boston.id]))
    assert tracker.status_code == 200 and "Boston entry 3" in tracker.content.decode()
    response = client.post(
        reverse("tracking:start", args=[boston.id]), {"description": "After the move"}
    )
    assert response.status_code in (200, 302)
    assert TimeEntry.objects.in_workspace(boston).filter(description="After the move").exists()


class Interrupted(Exception):
    pass


def _break(monkeypatch, name: str, *, after: bool) -> None:
    """Make one step of the move fail, before or after it has done its work."""
    step = getattr(moving, name)

    def failing(*args, **kwargs):
        if after:
            step(*args, **kwargs)
        raise Interrupted(name)

    monkeypatch.setattr(moving, name, failing)


@pytest.mark.parametrize(
    ("step", "after"),
    [
        ("_mark", True),
        ("copy_workspace", False),
        ("_replace_rows", True),  # the first table copied, the rest not
        ("copy_workspace", True),
        ("verify_copy", True),
        ("_switch", True),
        ("delete_workspace_data", False),
        ("_delete_rows", True),  # one table of the old copy deleted, then the rest rolled back
    ],
)
def test_a_move_interrupted_at_any_step_finishes_when_run_again(
    client, owner, boston, neighbours, monkeypatch, step, after
):
    sign_in(client, owner)
    before, csv_before = snapshot(boston), export(client, boston)
    others = {ws.id: snapshot(ws) for ws in neighbours}
    with monkeypatch.context() as patch:
        _break(patch, step, after=after)
        with pytest.raises(Interrupted):
            move(boston, "eu")

    move(boston, "eu")

    boston.refresh_from_db()
    assert (boston.region, boston.moving_to, boston.stale_copy_in) == ("eu", "", "")
    assert snapshot(boston) == before
    assert export(client, boston) == csv_before
    left = copy_in(boston, "us")
    assert all(moving.table_digest(m, left).count == 0 for m in regional_models())
    assert list(moving.walk(storage_for(left), f"{boston.id}/")) == []
    assert {ws.id: snapshot(ws) for ws in neighbours} == others


def test_a_target_that_differs_after_the_copy_is_not_switched_to(owner, boston, monkeypatch):
    copy_workspace = moving.copy_workspace

    def copy_then_lose_a_row(workspace, source, target, report):
        copy_workspace(workspace, source, target, report)
        TimeEntry.objects.in_workspace(copy_in(workspace, target)).first().delete()

    monkeypatch.setattr(moving, "copy_workspace", copy_then_lose_a_row)
    with pytest.raises(CommandError, match=r"differs .*tracking.TimeEntry \(7 rows here, 6"):
        move(boston, "eu")
    boston.refresh_from_db()
    assert (boston.region, boston.moving_to) == ("us", "eu")  # still served from the USA
    monkeypatch.undo()
    move(boston, "eu")  # the table that differs is copied again
    assert TimeEntry.objects.in_workspace(copy_in(boston, "eu")).count() == 7


def test_a_second_move_elsewhere_waits_for_the_first(owner, boston, monkeypatch):
    _break(monkeypatch, "copy_workspace", after=False)
    with pytest.raises(Interrupted):
        move(boston, "eu")
    monkeypatch.undo()
    with pytest.raises(CommandError, match=r"being moved to EU .*run the command with eu"):
        move(boston, "au")
    assert "nothing to move" not in move(boston, "eu")


def test_bad_arguments_are_clear(owner, boston):
    with pytest.raises(CommandError, match="No workspace has the id"):
        move(Workspace(id=uuid.uuid4(), region="us"), "eu")
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("move_workspace", str(boston.id), "mars")
    assert "nothing to move" in move(boston, "us")


# --- Read-only while it moves ---


@pytest.fixture
def marked(boston) -> Workspace:
    """Boston as the move leaves it between its mark and its switch."""
    moving._mark(boston, "eu")
    return boston


def test_while_it_moves_pages_and_reports_read_and_changes_answer_503(client, owner, marked):
    sign_in(client, owner)
    tracker = client.get(reverse("tracking:tracker", args=[marked.id]))
    assert tracker.status_code == 200
    assert "is moving to the EU (Germany) region" in tracker.content.decode()
    assert client.get(reverse("reports:detailed", args=[marked.id])).status_code == 200
    assert export(client, marked).count(b"\n") == 8

    response = client.post(reverse("tracking:start", args=[marked.id]), {"description": "No"})
    assert response.status_code == 503
    assert "changes are paused until the move is done" in response.content.decode()
    assert response["Retry-After"] == "60"
    assert not TimeEntry.objects.in_workspace(marked).filter(description="No").exists()


def test_while_it_moves_the_api_reads_and_refuses_changes(client, owner, marked):
    headers = {"X-Api-Key": ApiKey.objects.issue(owner, "tests")[1]}
    base = f"/api/v1/workspaces/{marked.id}"
    assert client.get(f"{base}/projects", headers=headers).status_code == 200
    response = client.post(
        f"{base}/time-entries",
        {"start": "2026-03-20T09:00:00Z", "end": "2026-03-20T10:00:00Z", "description": "No"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 503
    assert "moving to the EU (Germany) region" in response.json()["message"]
    report = client.post(
        f"/api/reports/v1/workspaces/{marked.id}/reports/detailed",
        {"dateRangeStart": "2026-01-01T00:00:00Z", "dateRangeEnd": "2026-12-31T23:59:59Z"},
        content_type="application/json",
        headers=headers,
    )
    assert report.status_code == 200  # a report asked for with POST only reads
    assert TimeEntry.objects.in_workspace(marked).count() == 7


def test_other_workspaces_of_the_region_stay_writable(client, owner, marked, neighbours):
    chicago = neighbours[1]
    sign_in(client, owner)
    response = client.post(reverse("tracking:start", args=[chicago.id]), {"description": "Yes"})
    assert response.status_code in (200, 302)
    assert TimeEntry.objects.in_workspace(chicago).filter(description="Yes").exists()


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ('SELECT "id" FROM "t" WHERE "updated_at" > %s FOR UPDATE', False),
        ('INSERT INTO "t" ("id") VALUES (%s)', True),
        ('  update "t" SET "x" = 1', True),
        ('DELETE FROM "t"', True),
        ('WITH "a" AS (SELECT 1) SELECT * FROM "a"', False),
        ('WITH "a" AS (DELETE FROM "t" RETURNING 1) SELECT * FROM "a"', True),
        ("COPY (SELECT 1) TO STDOUT", False),
        ('COPY "t" FROM STDIN', True),
        ("SAVEPOINT s1", False),
    ],
)
def test_which_statements_change_data(sql, writes):
    assert changes_data(sql) is writes


# --- Deleted text does not stay in the embedded default's files ---


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_the_old_region_file_no_longer_holds_the_workspace_text(owner):
    from django.db import connections

    if connections["us"].vendor != "sqlite":
        pytest.skip("The embedded default's files (SQLite) only.")
    workspace = make_workspace(owner, name="Boston", region="us")
    secret = "Quarterly-plan-7f3a9c"
    fill(workspace, owner, marker=secret)
    path = Path(connections["us"].settings_dict["NAME"])

    def held() -> bytes:
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())

    assert secret.encode() in held()
    move(workspace, "eu")
    assert secret.encode() not in held()


# --- Asking for a move ---


def test_workspace_settings_say_how_to_ask_for_a_region_change(client, owner, boston, settings):
    sign_in(client, owner)
    url = reverse("workspaces:settings", args=[boston.id])
    html = client.get(url).content.decode()
    assert "Moving to another region" in html and str(boston.id) in html
    assert "the person who runs this server" in html
    settings.SUPPORT_EMAIL = "help@example.com"
    html = client.get(url).content.decode()
    assert 'href="mailto:help@example.com?subject=Move%20workspace%20' in html
