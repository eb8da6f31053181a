"""The CSV import: upload, preview, confirm; all or nothing, and never twice the same entry."""

from __future__ import annotations

import csv
import re
import sys
import tempfile
import threading
import time
import tracemalloc
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import DatabaseError, OperationalError, connections, transaction
from django.test import Client as HttpClient
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from clockify.celery import app
from reports import csv_import, importing
from reports import tasks as reports_tasks
from reports.models import UPLOAD_TTL, ImportUpload
from reports.tasks import sweep_import_uploads
from reports.views.imports import SESSION_KEY
from tests.factories import (
    PASSWORD,
    add_member,
    make_project,
    make_tag,
    make_task,
    make_user,
    make_workspace,
)
from tracking.forms import EntryDetailsForm
from tracking.models import (
    Client,
    Project,
    ProjectMember,
    Tag,
    Task,
    TaskStatus,
    TimeEntry,
)
from workspaces.models import Membership, Role, WorkspaceSettings
from workspaces.outage import RegionUnavailable
from workspaces.regions import REGION_ALIASES, regional_cursor, storage_for, uuid7

HEADER = (
    '"Project","Client","Description","Task","User","Group","Email","Tags","Billable",'
    '"Start Date","Start Time","End Date","End Time","Duration (h)","Duration (decimal)",'
    '"Billable Rate (EUR)","Billable Amount (EUR)"\r\n'
)


def line(email: str, description: str = "Design", start: str = "09:00:00 AM", **cells) -> str:
    values = {
        "project": "Website",
        "client": "Acme",
        "task": "Mock-ups",
        "tags": "review, urgent",
        "billable": "Yes",
        "date": "03/16/2026",
        "end": "10:30:00 AM",
        "rate": "80.00",
    }
    values.update(cells)
    row = [
        values["project"],
        values["client"],
        description,
        values["task"],
        "Someone",
        "",
        email,
        values["tags"],
        values["billable"],
        values["date"],
        start,
        values["date"],
        values["end"],
        "01:30:00",
        "1.50",
        values["rate"],
        "120.00",
    ]
    return ",".join('"' + value.replace('"', '""') + '"' for value in row) + "\r\n"


def upload(client, workspace, content: str | bytes, name: str = "report.csv"):
    data = content.encode() if isinstance(content, str) else content
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(reverse("reports:import", args=[workspace.id]), {"file": file})


def preview(client, workspace, **params):
    return client.get(reverse("reports:import_preview", args=[workspace.id]), params)


def confirm(client, workspace, **data):
    # As in production, what waits for the region's commit runs (the file's deletion).
    with TestCase.captureOnCommitCallbacks(using=workspace.db_alias, execute=True):
        return client.post(reverse("reports:import_confirm", args=[workspace.id]), data)


def login(client, user):
    client.login(email=user.email, password=PASSWORD)
    return client


def entries(workspace):
    return TimeEntry.objects.in_workspace(workspace)


def uploads(workspace):
    return ImportUpload.objects.in_workspace(workspace)


def the_upload(client, workspace) -> ImportUpload:
    """The upload the client's session waits for."""
    return uploads(workspace).get(pk=client.session[SESSION_KEY]["upload"])


def files_under(storage, folder: str) -> list[str]:
    """Every file's name under `folder` ("a/b/"), through the Storage API only."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a folder storage where nothing was written
        return []
    names = [folder + name for name in files]
    for name in folders:
        names += files_under(storage, f"{folder}{name}/")
    return sorted(names)


def waiting_files(workspace) -> list[str]:
    return files_under(storage_for(workspace), f"{workspace.id}/")


def backdate(upload: ImportUpload, workspace, by: timedelta = UPLOAD_TTL + timedelta(minutes=1)):
    uploads(workspace).filter(pk=upload.pk).update(created_at=upload.created_at - by)


def test_admin_imports_for_members(client, workspace, owner, member):
    login(client, owner)
    content = (
        HEADER
        + line(member.email)
        + line(owner.email, "Own work", "11:00:00 AM", end="12:00:00 PM")
    )
    response = upload(client, workspace, content)
    assert response.status_code == 302
    page = preview(client, workspace)
    assert page.status_code == 200
    html = page.content.decode()
    assert "MM/DD/YYYY" in html and "12-hour" in html and "EUR" in html
    assert member.email in html and "Acme" in html and "Mock-ups" in html and "urgent" in html
    assert entries(workspace).count() == 0  # a preview saves nothing
    assert "Keep the rates in the file" in html  # an admin's choice, for a restore

    done = confirm(client, workspace, rates="file")
    assert done.status_code == 302
    saved = entries(workspace).order_by("start")
    assert [e.user_id for e in saved] == [member.pk, owner.pk]
    first = saved[0]
    assert first.start == datetime(2026, 3, 16, 9, tzinfo=UTC)
    assert first.end == datetime(2026, 3, 16, 10, 30, tzinfo=UTC)
    assert first.project.name == "Website" and first.project.client.name == "Acme"
    assert first.task.name == "Mock-ups" and first.billable
    assert first.hourly_rate == Decimal("80.00")
    assert sorted(t.name for t in first.tags.all()) == ["review", "urgent"]
    assert Project.objects.in_workspace(workspace).count() == 1


def test_importing_twice_creates_nothing_new(client, workspace, owner):
    login(client, owner)
    content = (
        HEADER + line(owner.email) + line(owner.email, "Other", "11:00:00 AM", end="12:00:00 PM")
    )
    upload(client, workspace, content)
    confirm(client, workspace)
    upload(client, workspace, content)
    assert "2 rows match entries that exist" in preview(client, workspace).content.decode()
    confirm_url = reverse("reports:import_confirm", args=[workspace.id])
    response = client.post(confirm_url, follow=True)
    assert "Imported 0 entries; 2 were already here" in response.content.decode()
    assert entries(workspace).count() == 2
    assert Task.objects.in_workspace(workspace).count() == 1
    assert Tag.objects.in_workspace(workspace).count() == 2


def test_member_imports_only_own_rows(client, workspace, owner, member):
    login(client, member)
    upload(client, workspace, HEADER + line(member.email) + line(owner.email))
    page = preview(client, workspace)
    assert "Line 3: owner@example.com is not you" in page.content.decode()
    response = confirm(client, workspace)
    assert response.status_code == 400
    assert entries(workspace).count() == 0


def test_member_imports_own_rows(client, workspace, member):
    settings = WorkspaceSettings.objects.for_workspace(workspace)
    settings.members_can_manage_projects = True
    settings.save(update_fields=["members_can_manage_projects"])
    login(client, member)
    upload(client, workspace, HEADER + line(member.email))
    assert confirm(client, workspace).status_code == 302
    assert entries(workspace).get().user_id == member.pk


def test_member_cannot_create_projects_unless_allowed(client, workspace, member):
    login(client, member)
    upload(client, workspace, HEADER + line(member.email))
    assert "only admins can create them" in preview(client, workspace).content.decode()
    assert confirm(client, workspace).status_code == 400
    assert Project.objects.in_workspace(workspace).count() == 0
    upload(client, workspace, HEADER + line(member.email, project="", client="", task="", tags=""))
    assert confirm(client, workspace).status_code == 302


def test_unknown_email_is_an_error(client, workspace, owner):
    login(client, owner)
    upload(client, workspace, HEADER + line("stranger@example.com"))
    assert "No member of this workspace has stranger@example.com" in (
        preview(client, workspace).content.decode()
    )
    assert confirm(client, workspace).status_code == 400
    assert entries(workspace).count() == 0


def test_any_bad_row_saves_nothing(client, workspace, owner):
    login(client, owner)
    bad = line(owner.email, "Broken", "25:00:00")
    zero = line(owner.email, "Empty", "10:30:00 AM")
    upload(client, workspace, HEADER + line(owner.email) + bad + zero)
    html = preview(client, workspace).content.decode()
    assert "Line 3: Start Time" in html
    assert "Line 4: The end must be after the start." in html
    assert confirm(client, workspace).status_code == 400
    assert entries(workspace).count() == 0
    assert Client.objects.in_workspace(workspace).count() == 0


def test_ambiguous_dates_ask_day_or_month(client, workspace, owner):
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email, date="03/04/2026", end="10:00:00 AM"))
    html = preview(client, workspace).content.decode()
    assert "Day or month first?" in html and "Import 1 row<" not in html
    assert confirm(client, workspace).status_code == 400
    html = preview(client, workspace, order="day").content.decode()
    assert "DD/MM/YYYY" in html and "Import 1 row<" in html
    assert preview(client, workspace, order="sideways").status_code == 400
    assert confirm(client, workspace, order="day").status_code == 302
    assert entries(workspace).get().start == datetime(2026, 4, 3, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    "content",
    [
        # Activity instead of Task; no Client, Group, Billable or rate columns; extra columns.
        "\ufeffProject,Description,Activity,User,Email,Tags,Type,Start Date,Start Time,"
        "End Date,End Time,Duration (h),Invoiced\n"
        "Website,Design,Mock-ups,Ann,owner@example.com,review,Regular,2026-03-16,09:00,"
        "2026-03-16,10:30,1:30,No\n",
        # Day-first dates with dots, a 24-hour clock, \n line endings.
        HEADER.replace("\r\n", "\n")
        + line("owner@example.com", date="16.03.2026", start="09:00:00", end="10:30:00").replace(
            "\r\n", "\n"
        ),
        # DD-MM-YYYY, settled by a day above 12.
        HEADER + line("owner@example.com", date="16-03-2026"),
    ],
)
def test_file_variants(client, workspace, owner, content):
    login(client, owner)
    upload(client, workspace, content)
    assert confirm(client, workspace).status_code == 302
    entry = entries(workspace).get()
    assert entry.start == datetime(2026, 3, 16, 9, tzinfo=UTC)
    assert entry.end == datetime(2026, 3, 16, 10, 30, tzinfo=UTC)
    assert entry.project.name == "Website" and entry.task.name == "Mock-ups"


def test_without_rate_the_current_rate_applies(client, workspace, owner):
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email, rate=""))
    confirm(client, workspace)
    assert entries(workspace).get().hourly_rate is None


def test_times_are_read_in_the_members_zone(client, workspace, owner):
    owner.time_zone = "Europe/Berlin"
    owner.save(update_fields=["time_zone"])
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email))
    confirm(client, workspace)
    assert entries(workspace).get().start == datetime(2026, 3, 16, 8, tzinfo=UTC)


def test_login_required(client, workspace):
    url = reverse("reports:import", args=[workspace.id])
    assert "/accounts/login/" in client.get(url)["Location"]
    assert "/accounts/login/" in client.post(url)["Location"]
    confirm_url = reverse("reports:import_confirm", args=[workspace.id])
    assert "/accounts/login/" in client.post(confirm_url)["Location"]


def test_another_workspace_is_404(client, workspace, outsider):
    login(client, outsider)
    assert client.get(reverse("reports:import", args=[workspace.id])).status_code == 404
    assert upload(client, workspace, HEADER).status_code == 404
    assert preview(client, workspace).status_code == 404
    assert confirm(client, workspace).status_code == 404


def test_upload_is_kept_per_workspace(client, workspace, owner):
    other = make_workspace(owner, name="Second", region="uk")
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email))
    assert preview(client, other).status_code == 400
    assert confirm(client, other).status_code == 400
    assert entries(other).count() == 0


def test_wrong_methods(client, workspace, owner):
    login(client, owner)
    assert client.put(reverse("reports:import", args=[workspace.id])).status_code == 405
    assert client.post(reverse("reports:import_preview", args=[workspace.id])).status_code == 405
    assert client.get(reverse("reports:import_confirm", args=[workspace.id])).status_code == 405
    assert client.get(reverse("reports:import_cancel", args=[workspace.id])).status_code == 405


def test_bad_uploads(client, workspace, owner):
    login(client, owner)
    url = reverse("reports:import", args=[workspace.id])
    assert client.post(url, {}).status_code == 400
    assert upload(client, workspace, b"").status_code == 400  # an empty file
    response = upload(client, workspace, b"\xff\xfe not text")
    assert response.status_code == 302
    assert "not UTF-8" in preview(client, workspace).content.decode()
    assert confirm(client, workspace).status_code == 400
    too_big = client.post(url, {}, CONTENT_LENGTH=str(importing.MAX_UPLOAD * 2))
    assert too_big.status_code == 413
    assert entries(workspace).count() == 0


def test_confirm_without_upload(client, workspace, owner):
    login(client, owner)
    assert confirm(client, workspace).status_code == 400
    assert preview(client, workspace).status_code == 400


# --- Where an upload waits: a row of the region, its file in the region's storage ---


def point_session_at(client, workspace, upload_id) -> None:
    session = client.session
    session[SESSION_KEY] = {"upload": str(upload_id), "workspace": str(workspace.id)}
    session.save()


def test_the_upload_waits_in_its_regions_storage_and_nowhere_else(
    client, owner, tmp_path, monkeypatch
):
    workspace = make_workspace(owner, name="Down under", region="au")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    planned_from = []
    plan_import = importing.plan_import

    def spied(workspace, membership, source, **kwargs):
        planned_from.append(source)
        return plan_import(workspace, membership, source, **kwargs)

    monkeypatch.setattr(importing, "plan_import", spied)
    # Past FILE_UPLOAD_MAX_MEMORY_SIZE, the request streams the file to a temporary file.
    content = (HEADER + line(owner.email, "x" * 3000) * 400).encode()
    assert len(content) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    login(client, owner)
    assert upload(client, workspace, content, name="Backup.csv").status_code == 302

    [source] = planned_from  # planned from the request's own temporary file...
    assert isinstance(source, TemporaryUploadedFile)
    assert source.temporary_file_path().startswith(str(temporary))
    assert list(temporary.iterdir()) == []  # ...which went with the request
    waiting = the_upload(client, workspace)
    assert (waiting.user_id, waiting.file_name, waiting.size) == (
        owner.pk,
        "Backup.csv",
        len(content),
    )
    assert waiting_files(workspace) == [f"{workspace.id}/imports/{waiting.id}.csv"]
    with storage_for(workspace).open(waiting.storage_name, "rb") as file:
        assert file.read() == content
    for alias in set(REGION_ALIASES) - {"au"}:
        assert files_under(storages[f"region-{alias}"], f"{workspace.id}/") == []
    assert "Backup.csv" in preview(client, workspace).content.decode()


def test_cancel_removes_the_upload_and_its_file(client, workspace, owner):
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email))
    assert len(waiting_files(workspace)) == 1
    client.post(reverse("reports:import_cancel", args=[workspace.id]))
    assert not uploads(workspace).exists()
    assert waiting_files(workspace) == []
    assert confirm(client, workspace).status_code == 400


def test_a_new_upload_replaces_the_waiting_one(client, workspace, owner):
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email), name="first.csv")
    upload(client, workspace, HEADER + line(owner.email), name="second.csv")
    waiting = the_upload(client, workspace)
    assert [u.file_name for u in uploads(workspace)] == ["second.csv"]
    assert waiting_files(workspace) == [waiting.storage_name]


def test_an_expired_upload_is_gone_when_used(client, workspace, owner):
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email))
    backdate(the_upload(client, workspace), workspace)
    response = preview(client, workspace)
    assert response.status_code == 400
    assert "no uploaded file waiting" in response.content.decode()
    assert not uploads(workspace).exists()
    assert waiting_files(workspace) == []
    assert confirm(client, workspace).status_code == 400
    assert entries(workspace).count() == 0


def test_an_upload_sweeps_the_workspaces_expired_uploads_and_old_orphan_files(
    client, workspace, owner, admin
):
    login(client, admin)
    upload(client, workspace, HEADER + line(admin.email))
    expired = the_upload(client, workspace)
    backdate(expired, workspace)
    storage = storage_for(workspace)
    folder = f"{workspace.id}/imports/"
    # Files without a row: one a process left two hours ago, one whose row is being written,
    # and one the import did not name.
    with time_machine.travel(timezone.now() - 2 * UPLOAD_TTL):
        old_orphan = storage.save(f"{folder}{uuid7()}.csv", ContentFile(b"x"))
    young_orphan = storage.save(f"{folder}{uuid7()}.csv", ContentFile(b"x"))
    not_ours = storage.save(f"{folder}notes.txt", ContentFile(b"x"))

    owners = login(HttpClient(), owner)
    assert upload(owners, workspace, HEADER + line(owner.email)).status_code == 302
    fresh = the_upload(owners, workspace)
    assert list(uploads(workspace)) == [fresh]
    assert waiting_files(workspace) == sorted([fresh.storage_name, young_orphan, not_ours])
    assert not storage.exists(old_orphan) and not storage.exists(expired.storage_name)
    assert confirm(client, workspace).status_code == 400  # the admin's is gone


def test_an_upload_whose_file_is_missing_is_gone(client, workspace, owner):
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email, date="03/04/2026", end="10:00:00 AM"))
    storage_for(workspace).delete(the_upload(client, workspace).storage_name)
    assert preview(client, workspace).status_code == 200  # the kept preview reads no file
    response = preview(client, workspace, order="day")  # one not planned yet needs it
    assert response.status_code == 400
    assert "no uploaded file waiting" in response.content.decode()
    assert not uploads(workspace).exists()

    upload(client, workspace, HEADER + line(owner.email))
    storage_for(workspace).delete(the_upload(client, workspace).storage_name)
    assert confirm(client, workspace).status_code == 400
    assert not uploads(workspace).exists()
    assert entries(workspace).count() == 0


def test_the_periodic_sweep_clears_expired_uploads_in_every_region(client, workspace, owner, admin):
    uk = make_workspace(owner, name="Second", region="uk")
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email))
    in_eu = the_upload(client, workspace)
    upload(client, uk, HEADER + line(owner.email))  # the one in eu still waits
    in_uk = the_upload(client, uk)
    others = login(HttpClient(), admin)
    upload(others, workspace, HEADER + line(admin.email))
    young = the_upload(others, workspace)
    backdate(in_eu, workspace)
    backdate(in_uk, uk)

    assert sweep_import_uploads.delay().get() == 2
    assert list(uploads(workspace)) == [young] and not uploads(uk).exists()
    assert waiting_files(workspace) == [young.storage_name] and waiting_files(uk) == []
    assert sweep_import_uploads.delay().get() == 0  # nothing left to do
    schedule = app.conf.beat_schedule["sweep-import-uploads"]
    assert (schedule["task"], schedule["schedule"]) == (sweep_import_uploads.name, 15 * 60)


def test_the_periodic_sweep_goes_on_past_a_region_that_is_down(
    client, workspace, owner, monkeypatch
):
    make_workspace(owner, name="Stateside", region="us")  # the first region swept
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email))
    backdate(the_upload(client, workspace), workspace)
    sweep_uploads = importing.sweep_uploads

    def us_is_down(workspace, now=None):
        if workspace.region == "us":
            raise RegionUnavailable("us")
        return sweep_uploads(workspace, now)

    monkeypatch.setattr(reports_tasks, "sweep_uploads", us_is_down)
    assert sweep_import_uploads.delay().get() == 1
    assert not uploads(workspace).exists()


@pytest.mark.parametrize("upload_id", ["../../etc/passwd", "", None, "not-a-uuid"])
def test_an_id_that_is_no_upload_is_no_upload_waiting(client, workspace, owner, upload_id):
    login(client, owner)
    point_session_at(client, workspace, upload_id)
    assert preview(client, workspace).status_code == 400
    point_session_at(client, workspace, upload_id)
    assert confirm(client, workspace).status_code == 400


def test_nobody_but_the_uploader_can_use_an_upload(client, workspace, owner, member):
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email))
    owners = the_upload(client, workspace)
    members = login(HttpClient(), member)
    for use in (preview, confirm):
        point_session_at(members, workspace, owners.id)
        response = use(members, workspace)
        assert response.status_code == 400
        assert "no uploaded file waiting" in response.content.decode()
    point_session_at(members, workspace, owners.id)
    members.post(reverse("reports:import_cancel", args=[workspace.id]))
    # Nor is it waiting in another workspace of the uploader's.
    elsewhere = make_workspace(owner, name="Second", region="eu")
    point_session_at(client, elsewhere, owners.id)
    assert preview(client, elsewhere).status_code == 400
    assert confirm(client, elsewhere).status_code == 400

    assert list(uploads(workspace)) == [owners]
    assert waiting_files(workspace) == [owners.storage_name]
    assert entries(workspace).count() == 0 and entries(elsewhere).count() == 0
    point_session_at(client, workspace, owners.id)
    assert confirm(client, workspace).status_code == 302  # still the uploader's to import


def test_admin_of_another_workspace_cannot_import_here(client, workspace, member):
    elsewhere = make_workspace(make_user(), name="Other", region="eu")
    add_member(elsewhere, member)
    login(client, member)
    upload(client, elsewhere, HEADER + line(member.email))
    assert confirm(client, workspace).status_code == 400
    assert entries(workspace).count() == 0


def test_many_problems_show_the_first_ones(client, workspace, owner):
    login(client, owner)
    upload(client, workspace, HEADER + line("stranger@example.com") * 250)
    html = preview(client, workspace).content.decode()
    assert "250 problems; the first 200:" in html
    assert html.count("No member of this workspace has") == 200


def owner_membership(workspace):
    return Membership.objects.select_related("user", "workspace").get(
        workspace=workspace, role=Role.OWNER
    )


def test_identical_rows_of_one_file_are_all_kept(workspace, owner):
    # Two identical entries export as two identical rows; a restore brings both back.
    plan = importing.plan_import(
        workspace, owner_membership(workspace), HEADER + line(owner.email) * 2
    )
    assert plan.ok and plan.row_count == 2
    assert importing.apply_import(workspace, plan).created == 2
    assert entries(workspace).count() == 2


def test_rows_are_saved_in_batches_all_or_nothing(workspace, owner, monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 3)
    rows = [
        line(owner.email, f"Row {n}", f"0{n}:00:00 AM", end=f"0{n}:30:00 AM") for n in range(1, 9)
    ]
    plan = importing.plan_import(workspace, owner_membership(workspace), HEADER + "".join(rows))
    assert plan.ok and plan.row_count == 8 and len(plan.preview) == 8
    assert importing.apply_import(workspace, plan).created == 8
    assert entries(workspace).count() == 8


def test_a_file_changed_after_its_preview_saves_nothing(workspace, owner, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 1)  # the first rows reach the database before
    path = tmp_path / "report.csv"
    path.write_text(
        HEADER + line(owner.email) + line(owner.email, "Two", "11:00:00 AM", end="12:00:00 PM")
    )
    plan = importing.plan_import(workspace, owner_membership(workspace), path)
    assert plan.ok
    path.write_text(
        path.read_text() + line("stranger@example.com", "Three", "01:00:00 PM", end="02:00:00 PM")
    )
    with pytest.raises(importing.ImportFailed, match="changed since its preview"):
        importing.apply_import(workspace, plan)
    assert entries(workspace).count() == 0
    assert Project.objects.in_workspace(workspace).count() == 0


def test_a_confirm_that_finds_its_upload_gone_asks_again(client, workspace, owner, monkeypatch):
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email))
    resume_import = importing.resume_import

    def resume_then_lose_it(*args, **kwargs):
        plan = resume_import(*args, **kwargs)
        uploads(workspace).delete()  # as another confirm that imported it meanwhile did
        return plan

    monkeypatch.setattr(importing, "resume_import", resume_then_lose_it)
    response = confirm(client, workspace)
    assert response.status_code == 400
    assert "no uploaded file waiting" in response.content.decode()
    assert entries(workspace).count() == 0


def test_memory_does_not_grow_with_the_file(workspace, owner, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 50)
    membership = owner_membership(workspace)

    def peak(rows: int) -> int:
        path = tmp_path / f"{rows}.csv"
        with path.open("w", newline="") as file:
            file.write(HEADER)
            for n in range(rows):
                start = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(hours=n)
                file.write(
                    line(
                        owner.email,
                        f"Entry {rows}-{n}",
                        start.strftime("%I:00:00 %p"),
                        date=start.strftime("%Y-%m-%d"),
                        end=start.strftime("%I:30:00 %p"),
                    )
                )
        tracemalloc.start()
        try:
            plan = importing.plan_import(workspace, membership, path)
            assert plan.ok, plan.errors[:3]
            assert importing.apply_import(workspace, plan).created == rows
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    # Held in memory, 3,000 rows would take about 2.5 MB more than 200 (measured).
    small, large = peak(200), peak(3000)
    assert large - small < 1024 * 1024, (small, large)


def test_a_confirm_consumes_the_upload_and_its_file(client, workspace, owner):
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email))
    assert confirm(client, workspace).status_code == 302
    assert entries(workspace).count() == 1
    assert not uploads(workspace).exists()
    assert waiting_files(workspace) == []
    assert SESSION_KEY not in client.session
    assert confirm(client, workspace).status_code == 400  # a second click imports nothing
    assert entries(workspace).count() == 1


def test_a_failed_confirm_leaves_the_upload_waiting(client, workspace, member):
    project = make_project(workspace, "Site")
    login(client, member)
    upload(client, workspace, HEADER + own_line(member, "Site"))
    waiting = the_upload(client, workspace)
    project.archived = True  # after the preview: the import itself refuses the row
    project.save(update_fields=["archived"])
    assert confirm(client, workspace).status_code == 409
    assert list(uploads(workspace)) == [waiting]
    assert waiting_files(workspace) == [waiting.storage_name]
    project.archived = False
    project.save(update_fields=["archived"])
    assert confirm(client, workspace).status_code == 302  # another try
    assert entries(workspace).count() == 1
    assert not uploads(workspace).exists() and waiting_files(workspace) == []


def test_an_import_that_dies_after_taking_its_upload_leaves_it_waiting(
    client, workspace, owner, monkeypatch
):
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email))
    waiting = the_upload(client, workspace)
    save = importing._Writer.save

    def connection_lost(self, batch):
        # The upload's row is locked and deleted by now, in the import's transaction.
        assert not uploads(workspace).filter(pk=waiting.pk).exists()
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(importing._Writer, "save", connection_lost)
    response = confirm(client, workspace)
    assert response.status_code == 409
    assert "could not finish the import just now" in response.content.decode()
    assert list(uploads(workspace)) == [waiting]  # rolled back with the entries
    assert waiting_files(workspace) == [waiting.storage_name]
    monkeypatch.setattr(importing._Writer, "save", save)
    assert confirm(client, workspace).status_code == 302  # and the person retries at once
    assert entries(workspace).count() == 1
    assert waiting_files(workspace) == []


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["eu"]["ENGINE"],
    reason="row locks are PostgreSQL's; SQLite makes a second confirm wait for the first's "
    "write lock instead: run with DATABASE_URL_EU set (CI does)",
)
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_second_confirm_while_one_imports_gets_409_until_that_connection_dies(
    client, workspace, owner
):
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email))
    waiting = the_upload(client, workspace)
    locked, done = threading.Event(), threading.Event()
    holder = {}

    def first_confirm() -> None:
        # Holds the upload's row as a running import does, in a connection of its own, until
        # that connection is killed under it.
        try:
            with suppress(DatabaseError), transaction.atomic(using=workspace.db_alias):
                uploads(workspace).select_for_update().get(pk=waiting.pk)
                with regional_cursor(workspace) as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    holder["pid"] = cursor.fetchone()[0]
                locked.set()
                done.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_confirm)
    thread.start()
    try:
        assert locked.wait(timeout=30)
        response = confirm(client, workspace)
        assert response.status_code == 409
        assert "being imported right now" in response.content.decode()
        assert list(uploads(workspace)) == [waiting]
        assert entries(workspace).count() == 0
        # That import's process dies: the server drops its connection, and the lock with it
        # (pg_terminate_backend waits, here up to 10 s, until the backend is gone).
        with regional_cursor(workspace) as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 10000)", [holder["pid"]])
            assert cursor.fetchone()[0] is True
        assert confirm(client, workspace).status_code == 302
    finally:
        done.set()
        thread.join(timeout=30)
    assert entries(workspace).count() == 1
    assert not uploads(workspace).exists()
    assert waiting_files(workspace) == []


# --- Limits: reading costs time and memory in proportion to the file, never more ---


def test_a_50_mb_file_without_a_newline_is_refused_fast_in_flat_memory(workspace, owner, tmp_path):
    path = tmp_path / "one-line.csv"
    with path.open("wb") as file:
        file.write(HEADER.encode())
        for _ in range(50):
            file.write(b"x" * 1024 * 1024)
    tracemalloc.start()
    started = time.process_time()
    try:
        plan = importing.plan_import(workspace, owner_membership(workspace), path)
        seconds = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not plan.ok
    assert plan.parsed.limit and "64 KiB" in plan.parsed.limit
    assert [error.line for error in plan.errors] == [2]
    assert seconds < 2, seconds
    assert peak < 2 * 1024 * 1024, peak


def test_a_header_of_5_million_columns_is_refused_fast(workspace, owner, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(HEADER.rstrip() + ',"Custom"' * 5_000_000 + "\r\n" + line(owner.email))
    started = time.process_time()
    plan = importing.plan_import(workspace, owner_membership(workspace), path)
    assert time.process_time() - started < 2
    assert plan.parsed.limit and "64 KiB" in plan.parsed.limit
    assert plan.row_count == 0 and plan.parsed.ignored_columns == []


def test_more_than_64_columns_is_refused(workspace, owner):
    wide = HEADER.rstrip() + ',"Custom"' * 48 + "\r\n"  # 65 columns
    plan = importing.plan_import(workspace, owner_membership(workspace), wide)
    assert plan.parsed.limit == "It has 65 columns; a file may have at most 64."


def test_a_long_multi_line_field_is_refused_whatever_csvs_global_limit(workspace, owner):
    before = csv.field_size_limit()
    membership = owner_membership(workspace)
    long_field = line(owner.email, "x\n" * 100_000)  # 200 KB over 100,000 lines
    try:
        csv.field_size_limit(sys.maxsize)  # other code in the process may raise it
        started = time.process_time()
        plan = importing.plan_import(workspace, membership, HEADER + long_field)
        assert time.process_time() - started < 2
    finally:
        csv.field_size_limit(before)
    assert plan.parsed.limit and "is longer than 128 KiB" in plan.parsed.limit
    assert plan.errors[0].line == 2
    # Between the field limit and the row limit, the field's own limit speaks.
    field = line(owner.email, "x\n" * 40_000)  # 80,000 characters on 40,000 lines
    plan = importing.plan_import(workspace, membership, HEADER + field)
    assert plan.parsed.limit and "A field is longer than 64 KiB" in plan.parsed.limit
    assert csv.field_size_limit() == before  # the reading leaves csv's global limit alone


def test_more_than_the_most_rows_is_refused(workspace, owner, monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_ROWS", 3)
    rows = [line(owner.email, f"Row {n}", f"0{n}:00:00 AM", end=f"0{n}:30:00 AM") for n in (1, 2)]
    membership = owner_membership(workspace)
    assert importing.plan_import(workspace, membership, HEADER + "".join(rows) + "\r\n").ok
    plan = importing.plan_import(workspace, membership, HEADER + "".join(rows) * 2)
    assert plan.parsed.limit == "The file has more than 3 rows; split it."
    assert plan.errors[0].line == 5


def test_a_file_at_every_limit_still_imports(workspace, owner, monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_ROWS", 2)
    extra = csv_import.MAX_COLUMNS - 17
    header = HEADER.rstrip() + "".join(f',"Custom {n}"' for n in range(extra)) + "\r\n"
    first = line(owner.email).rstrip()
    # The longest line: one custom cell fills the row up to MAX_LINE bytes exactly.
    filler = csv_import.MAX_LINE - len(first) - len(',""') * extra
    longest_line = first + ',"' + "x" * filler + '"' + ',""' * (extra - 1) + "\r\n"
    assert len(longest_line.encode()) == csv_import.MAX_LINE + 2
    # The longest field, on lines of 1,024 characters.
    longest_field = ("y" * 1023 + "\n") * (csv_import.MAX_FIELD // 1024)
    second = line(owner.email, "Later", "11:00:00 AM", end="12:00:00 PM").rstrip()
    second += ',"' + longest_field + '"' + ',""' * (extra - 1) + "\r\n"
    plan = importing.plan_import(
        workspace, owner_membership(workspace), header + longest_line + second
    )
    assert plan.ok, plan.errors
    assert importing.apply_import(workspace, plan).created == 2


def test_a_file_over_a_limit_is_refused_at_upload_and_not_kept(client, workspace, owner):
    login(client, owner)
    response = upload(client, workspace, HEADER + "x" * 200_000)
    assert response.status_code == 400
    assert "Line 2 is longer than 64 KiB" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert not uploads(workspace).exists()
    assert waiting_files(workspace) == []


def test_the_preview_is_planned_once_and_the_confirm_reads_the_file_once(
    client, workspace, owner, monkeypatch
):
    passes, opened = [], []
    lines_of = csv_import._lines_of
    storage = storage_for(workspace)
    open_file = storage.open

    def counted_pass(file):
        passes.append(file)
        return lines_of(file)

    def counted_open(name, mode="rb"):
        opened.append(name)
        return open_file(name, mode)

    monkeypatch.setattr(csv_import, "_lines_of", counted_pass)
    monkeypatch.setattr(storage, "open", counted_open)
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email), name="March.csv")
    # The dates' pass and the rows' pass, over the request's own copy.
    assert (len(passes), opened) == (2, [])
    passes.clear()
    for _ in range(3):
        page = preview(client, workspace)
        assert page.status_code == 200 and "March.csv" in page.content.decode()
    assert (passes, opened) == ([], [])
    # A day order not planned yet reads the file from storage, once; then it is kept too.
    for _ in range(2):
        assert preview(client, workspace, order="month").status_code == 200
    assert (len(passes), opened) == (2, [the_upload(client, workspace).storage_name])
    passes.clear()
    opened.clear()
    assert confirm(client, workspace).status_code == 302
    # Saving reads it once more, and plans nothing again.
    assert (len(passes), len(opened)) == (1, 1)
    assert entries(workspace).count() == 1


def test_the_session_holds_only_the_upload_id_and_the_workspace(client, workspace, owner):
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email), name="Secret client list.csv")
    assert client.session[SESSION_KEY] == {
        "upload": str(the_upload(client, workspace).id),
        "workspace": str(workspace.id),
    }
    assert "Secret client list" not in str(dict(client.session))
    assert "Secret client list.csv" in preview(client, workspace).content.decode()


def test_the_preview_lists_a_few_of_many_names(client, workspace, owner):
    login(client, owner)
    header = HEADER.rstrip() + "".join(f',"Custom {n}"' for n in range(30)) + "\r\n"
    rows = "".join(
        line(owner.email, project=f"Project {n:02d}", client="", task="", tags="").rstrip()
        + ',""' * 30
        + "\r\n"
        for n in range(30)
    )
    upload(client, workspace, header + rows)
    html = preview(client, workspace).content.decode()
    assert "Custom 0, Custom 1, Custom 2, Custom 3, Custom 4 and 25 more" in html
    assert "Project 19 and 10 more" in html and "Project 20" not in html


# --- Who may use what: the tracker's rules, for the importing person ---


def allow_members_to_create(workspace) -> None:
    settings = WorkspaceSettings.objects.for_workspace(workspace)
    settings.members_can_manage_projects = True
    settings.save(update_fields=["members_can_manage_projects"])


def problems_of(client, workspace, content: str) -> list[str]:
    upload(client, workspace, content)
    html = preview(client, workspace).content.decode()
    return re.findall(r"<li>(Line \d+: [^<]*)</li>", html)


def own_line(user, project: str, **cells) -> str:
    values = {"client": "", "task": "", "tags": ""} | cells
    return line(user.email, project=project, **values)


def test_a_private_project_the_member_is_not_on_is_as_unavailable_as_a_missing_one(
    client, workspace, member
):
    make_project(workspace, "Secret", is_public=False, hourly_rate=Decimal("500.00"))
    login(client, member)
    hidden = problems_of(client, workspace, HEADER + own_line(member, "Secret", rate="500.00"))
    assert hidden == ["Line 2: Project “Secret” is not available to you."]
    assert confirm(client, workspace).status_code == 400
    missing = problems_of(client, workspace, HEADER + own_line(member, "Nowhere"))
    assert missing == ["Line 2: Project “Nowhere” is not available to you."]
    assert entries(workspace).count() == 0


def test_a_member_who_may_create_projects_cannot_take_a_hidden_ones_name(client, workspace, member):
    allow_members_to_create(workspace)
    make_project(workspace, "Secret", is_public=False)
    login(client, member)
    content = HEADER + own_line(member, "Secret") + own_line(member, "New", end="09:30:00 AM")
    assert problems_of(client, workspace, content) == [
        "Line 2: Project “Secret” is not available to you."
    ]
    assert confirm(client, workspace).status_code == 400
    assert entries(workspace).count() == 0
    assert Project.objects.in_workspace(workspace).count() == 1


def test_a_member_on_a_private_project_imports_onto_it(client, workspace, member):
    secret = make_project(workspace, "Secret", is_public=False)
    ProjectMember.objects.in_workspace(workspace).create(project=secret, user_id=member.pk)
    make_task(secret, workspace, "Design")
    make_tag(workspace, "review")
    login(client, member)
    content = HEADER + own_line(member, "Secret", task="Design", tags="review")
    assert problems_of(client, workspace, content) == []
    assert confirm(client, workspace).status_code == 302
    entry = entries(workspace).get()
    assert (entry.project, entry.task.name) == (secret, "Design")


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ADMIN])
def test_archived_projects_tags_and_done_tasks_are_refused(client, workspace, member, role):
    Membership.objects.filter(workspace=workspace, user=member).update(role=role)
    make_project(workspace, "Old", archived=True)
    current = make_project(workspace, "Current")
    task = make_task(current, workspace, "Finished")
    task.status = TaskStatus.DONE
    task.save(update_fields=["status"])
    make_tag(workspace, "retired", archived=True)
    login(client, member)
    content = (
        HEADER
        + own_line(member, "Old")
        + own_line(member, "Current", task="Finished")
        + own_line(member, "Current", tags="retired")
    )
    assert problems_of(client, workspace, content) == [
        "Line 2: Project “Old” is archived.",
        "Line 3: Task “Finished” is done: no time can go on it.",
        "Line 4: Tag “retired” is archived.",
    ]
    assert confirm(client, workspace).status_code == 400
    assert entries(workspace).count() == 0


def test_a_members_rate_comes_from_the_workspace_not_the_file(client, workspace, member):
    project = make_project(workspace, "Site", hourly_rate=Decimal("60.00"))
    login(client, member)
    upload(client, workspace, HEADER + own_line(member, "Site", rate="500.00"))
    html = preview(client, workspace).content.decode()
    assert "Keep the rates in the file" not in html and "the file's rates are not used" in html
    assert confirm(client, workspace, rates="file").status_code == 400  # not a member's choice
    assert confirm(client, workspace).status_code == 302
    assert entries(workspace).get().hourly_rate == project.hourly_rate


def test_an_admin_keeps_the_files_rates_only_when_asked(client, workspace, owner):
    settings = WorkspaceSettings.objects.for_workspace(workspace)
    settings.hourly_rate = Decimal("40.00")
    settings.save(update_fields=["hourly_rate"])
    login(client, owner)
    upload(client, workspace, HEADER + line(owner.email, rate="500.00"))
    assert confirm(client, workspace, rates="workspace").status_code == 302
    assert entries(workspace).get().hourly_rate == Decimal("40.00")
    entries(workspace).delete()
    upload(client, workspace, HEADER + line(owner.email, rate="500.00"))
    assert confirm(client, workspace, rates="file").status_code == 302
    assert entries(workspace).get().hourly_rate == Decimal("500.00")


def test_a_project_archived_after_the_preview_saves_nothing(client, workspace, member):
    project = make_project(workspace, "Site")
    login(client, member)
    upload(client, workspace, HEADER + own_line(member, "Site"))
    assert "Import 1 row<" in preview(client, workspace).content.decode()
    project.archived = True
    project.save(update_fields=["archived"])
    response = confirm(client, workspace)
    assert response.status_code == 409
    assert "Line 2: Project “Site” is archived." in response.content.decode()
    assert entries(workspace).count() == 0


def test_the_tracker_api_and_import_share_one_rule(workspace, owner, member):
    public = make_project(workspace, "Public")
    make_project(workspace, "Archived", archived=True)
    make_project(workspace, "Secret", is_public=False)
    own = Membership.objects.get(workspace=workspace, user=member)
    usable = Project.objects.in_workspace(workspace).usable_by(own)
    assert list(usable) == [public]
    form = EntryDetailsForm(workspace=workspace, membership=own)
    assert list(form.projects.values()) == [public]


# --- One rule for an entry's times, and one-line names ---


@pytest.mark.parametrize(
    ("date", "end_date", "zone", "message"),
    [
        ("01/01/0001", "01/01/0001", "UTC", "Entries start in 1970 or later."),
        ("12/31/1969", "12/31/1969", "UTC", "Entries start in 1970 or later."),
        ("12/31/9999", "12/31/9999", "UTC", "Entries can start at most a year ahead."),
        ("03/16/1990", "03/16/2070", "UTC", "An entry can last at most 999 hours."),
        # 9999 in a zone west of UTC leaves Python's calendar: an error, not a crash.
        ("12/31/9999", "12/31/9999", "America/New_York", "is not a date we can store."),
    ],
)
def test_dates_out_of_bounds_are_refused_with_their_line(
    client, workspace, owner, date, end_date, zone, message
):
    owner.time_zone = zone
    owner.save(update_fields=["time_zone"])
    login(client, owner)
    row = line(owner.email, date=date, end="11:30:00 PM").replace(
        f'"{date}","11:30:00 PM"', f'"{end_date}","11:30:00 PM"'
    )
    [problem] = problems_of(client, workspace, HEADER + line(owner.email) + row)
    assert problem.startswith("Line 3: ") and problem.endswith(message)
    assert confirm(client, workspace).status_code == 400
    assert entries(workspace).count() == 0


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"project": "Web\nsite"}, "Project: Use one line"),
        ({"client": "Ac\rme"}, "Client: Use one line"),
        ({"task": "Mock\u2028ups"}, "Task: Use one line"),
        ({"tags": "review, ur\x00gent"}, "Tag: Use one line"),
    ],
)
def test_names_from_the_file_are_one_line(client, workspace, owner, cells, message):
    login(client, owner)
    [problem] = problems_of(client, workspace, HEADER + line(owner.email, **cells))
    assert problem.startswith(f"Line 2: {message}")
    assert confirm(client, workspace).status_code == 400
    assert entries(workspace).count() == 0
    assert Project.objects.in_workspace(workspace).count() == 0
