"""A workspace's content never lands in the directory database, sessions included."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.urls import reverse

from reports.models import ImportUpload
from tests.factories import add_member, make_workspace
from tracking.models import Client, Project, Tag, Task, TimeEntry

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday
MARKER = "zq7oncology"  # ASCII: the session's JSON escapes anything else


def _text(value: object) -> str:
    if isinstance(value, memoryview | bytes):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def directory_dump() -> str:
    """Every row of every directory table as text, each session decoded."""
    # Read with raw SQL on the directory's own connection: the test looks at what is stored,
    # whatever the ORM and the router would show.
    connection = connections["default"]
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                record = dict(zip(columns, map(_text, row), strict=True))
                if table == "django_session":
                    decoded = SessionStore().decode(record["session_data"])
                    record["session_data"] = json.dumps(decoded, default=str)
                parts.append(f"{table}: {record}")
    return "\n".join(parts)


@pytest.fixture
def au(owner):
    with time_machine.travel(NOW, tick=False):
        yield make_workspace(owner, name="Sydney", region="au")


def test_no_page_writes_workspace_content_into_the_directory(client, owner, au):
    colleague = add_member(au)
    client.force_login(owner)
    steps = []

    def post(view: str, data: dict | None = None, *args: object, status: int = 302) -> None:
        name = f"{view}{args}"
        url = reverse(view, args=[au.id, *args])
        response = client.post(url, data or {})
        assert response.status_code == status, (name, response.content.decode()[:2000])
        steps.append(name)
        # Checked before any page shows the flash message and takes it out of the session.
        assert MARKER not in directory_dump(), f"after {steps[-1]}"

    clients, projects = Client.objects.in_workspace(au), Project.objects.in_workspace(au)
    post("tracking:client_create", {"name": f"{MARKER} client"})
    acme = clients.get()
    post("tracking:client_edit", {"name": f"{MARKER} renamed client"}, acme.id)
    post("tracking:client_archive", {}, acme.id)
    post("tracking:client_restore", {}, acme.id)
    project_data = {"name": f"{MARKER} project", "client": acme.id, "color": "#123abc"}
    post("tracking:project_create", project_data | {"visibility": "public"})
    project = projects.get()
    edit = project_data | {"visibility": "public", "hourly_rate": "50", "apply_rate_to_past": "on"}
    post("tracking:project_edit", edit | {"name": f"{MARKER} project 2"}, project.id)
    post("tracking:project_archive", {}, project.id)
    post("tracking:project_restore", {}, project.id)
    post("tracking:task_create", {"name": f"{MARKER} task"}, project.id)
    task = Task.objects.in_workspace(au).get()
    post("tracking:task_edit", {"name": f"{MARKER} task 2"}, project.id, task.id)
    post("tracking:task_done", {}, project.id, task.id)
    post("tracking:task_active", {}, project.id, task.id)
    post("tracking:tag_create", {"name": f"{MARKER} tag"})
    tag = Tag.objects.in_workspace(au).get()
    post("tracking:tag_edit", {"name": f"{MARKER} tag 2"}, tag.id)
    post("tracking:tag_archive", {}, tag.id)
    post("tracking:tag_restore", {}, tag.id)

    details = {"description": f"{MARKER} work", "project_task": f"t:{task.id}", "tags": [tag.id]}
    entries = TimeEntry.objects.in_workspace(au)
    with time_machine.travel(NOW, tick=False):
        post("tracking:start", details | {"running": ""})
        post("tracking:start", details | {"running": ""}, status=409)  # a stale page
        post("tracking:stop", {"running": str(entries.get().id)})
        manual = {"day": "2026-11-24", "start_time": "09:00", "end_time": "10:00"}
        post("tracking:add_entry", details | manual)
        entry = entries.get(start__date="2026-11-24")
        post("tracking:edit_entry", details | manual | {"description": f"{MARKER} 2"}, entry.id)
        post("tracking:duplicate_entry", {}, entry.id)
        post("tracking:continue_entry", {}, entry.id)
        post("tracking:stop", {})
        post("tracking:delete_entry", {}, entries.order_by("-start").first().id)
        bulk = {"entries": [str(entries.order_by("-start").first().id)], "confirm": "on"}
        post("tracking:bulk_delete", bulk)
        cell = {"project_task": f"t:{task.id}", "day": "2026-11-23", "value": "2"}
        post("tracking:timesheet_cell", cell)
        post("tracking:timesheet_cell", cell | {"value": MARKER}, status=400)
        post("reports:edit_entry", details | manual | {"description": f"{MARKER} 3"}, entry.id)
        post("reports:delete_entry", {}, entry.id)

    settings = {"ws-name": "Sydney", "prefs-currency": "aud", "prefs-duration_format": "full"}
    post(
        "workspaces:settings",
        settings | {"prefs-hourly_rate": "30", "prefs-apply_rate_to_past": "on"},
    )
    rate = {f"m{colleague.pk}-hourly_rate": "40", f"m{colleague.pk}-apply_rate_to_past": "on"}
    post("tracking:rate_update", rate, colleague.pk)

    # Refused deletions name the row on the page they render, not in a kept message.
    post("tracking:client_delete", {}, acme.id, status=400)
    post("tracking:project_delete", {}, project.id, status=400)
    post("tracking:task_delete", {}, project.id, task.id)
    post("tracking:tag_delete", {}, tag.id)
    spare = projects.create(name=f"{MARKER} spare")
    post("tracking:project_delete", {}, spare.id)
    lone = clients.create(name=f"{MARKER} lone")
    post("tracking:client_delete", {}, lone.id)

    # The pages then show the names the messages left out.
    assert MARKER in client.get(reverse("tracking:projects", args=[au.id])).content.decode()
    assert MARKER not in directory_dump()


def test_an_uploaded_files_name_stays_out_of_the_directory(client, owner, au):
    client.force_login(owner)
    upload = SimpleUploadedFile(f"{MARKER}.csv", b"Project,Description\n", "text/csv")
    response = client.post(reverse("reports:import", args=[au.id]), {"file": upload})
    assert response.status_code == 302
    assert MARKER not in directory_dump()
    # It is kept with the upload, in the workspace's region.
    assert ImportUpload.objects.in_workspace(au).get().file_name == f"{MARKER}.csv"
