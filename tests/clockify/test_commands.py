"""migrate_all, seed_demo, and the Makefile's search for a suitable Python."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, time
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from workspaces.models import Membership, Role, User, Workspace, WorkspaceSettings


def test_migrate_all_migrates_every_database():
    out = StringIO()
    call_command("migrate_all", stdout=out)
    assert "Migrated default, us, eu, uk, au." in out.getvalue()


def test_seed_demo_creates_a_workspace_people_can_log_in_to(client):
    out = StringIO()
    call_command("seed_demo", "--region", "uk", stdout=out)
    workspace = Workspace.objects.get(name="Demo Agency")
    assert workspace.region == "uk"
    roles = dict(Membership.objects.filter(workspace=workspace).values_list("user__email", "role"))
    assert roles == {
        "demo@example.com": Role.OWNER,
        "alice@example.com": Role.ADMIN,
        "bob@example.com": Role.MEMBER,
        "carol@example.com": Role.MEMBER,
    }
    assert EmailAddress.objects.filter(verified=True).count() == 4
    assert WorkspaceSettings.objects.in_workspace(workspace).exists()
    assert "demo@example.com" in out.getvalue() and "demo-password" in out.getvalue()
    response = client.post(
        "/accounts/login/", {"login": "demo@example.com", "password": "demo-password"}
    )
    assert response.status_code == 302


def test_seed_demo_names_the_address_make_run_serves(monkeypatch):
    monkeypatch.setenv("PORT", "8141")
    out = StringIO()
    call_command("seed_demo", "--entries", "0", stdout=out)
    assert "Log in at http://127.0.0.1:8141/accounts/login/" in out.getvalue()


def test_seed_demo_is_idempotent_and_if_empty_skips():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert Workspace.objects.count() == 1
    assert User.objects.count() == 4
    out = StringIO()
    call_command("seed_demo", "--if-empty", "--region", "au", stdout=out)
    assert "not loaded" in out.getvalue()
    assert not Workspace.objects.filter(region="au").exists()


def _find_python(env: dict[str, str]) -> subprocess.CompletedProcess:
    script = Path(settings.BASE_DIR) / "bin" / "find-python"
    return subprocess.run([str(script)], env=env, capture_output=True, text=True)


def test_find_python_fails_clearly_without_a_suitable_interpreter(tmp_path):
    result = _find_python(
        {"PATH": str(tmp_path), "PYENV_ROOT": str(tmp_path), "HOME": str(tmp_path)}
    )
    assert result.returncode == 1
    assert "No Python 3.12 or newer found" in result.stderr


def test_find_python_finds_one_at_least_3_12():
    result = _find_python(dict(os.environ))
    assert result.returncode == 0
    version = subprocess.run(
        [result.stdout.strip(), "-c", "import sys; print(sys.version_info >= (3, 12))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == "True"


def test_seed_demo_entries_are_realistic_and_deterministic():
    from tracking.models import Project, TimeEntry

    out = StringIO()
    call_command("seed_demo", "--entries", "300", "--region", "au", stdout=out)
    workspace = Workspace.objects.get(name="Demo Agency")
    entries = TimeEntry.objects.in_workspace(workspace)
    assert entries.count() == 300
    assert "Created 300 entries" in out.getvalue()
    assert entries.values("user_id").distinct().count() == 4
    assert entries.filter(project__isnull=False).count() > 200
    assert Project.objects.in_workspace(workspace).count() >= 5
    assert all(e.end > e.start for e in entries)
    # History ends yesterday: nothing runs into today, let alone the future.
    today = datetime.combine(timezone.localdate(), time(0), tzinfo=UTC)
    assert entries.order_by("-end").values_list("end", flat=True)[0] < today
    assert all(e.end.date() == e.start.date() for e in entries)  # workdays end by 23:00
    first = list(entries.order_by("start").values_list("description", "start", "end")[:50])

    TimeEntry.objects.in_workspace(workspace).delete()
    call_command("seed_demo", "--entries", "300", stdout=StringIO())
    assert list(entries.order_by("start").values_list("description", "start", "end")[:50]) == first


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_seed_demo_leaves_postgresql_ready_for_index_only_scans():
    if connections["au"].vendor != "postgresql":
        pytest.skip("VACUUM and the visibility map are PostgreSQL's (CI's second run)")
    call_command("seed_demo", "--entries", "300", "--region", "au", stdout=StringIO())
    with connections["au"].cursor() as cursor:
        cursor.execute(
            "SELECT relpages, relallvisible FROM pg_class WHERE relname = 'tracking_timeentry'"
        )
        pages, visible = cursor.fetchone()
    # Every page of the new rows is marked all-visible, so totals never visit the table.
    assert pages > 0 and visible == pages
