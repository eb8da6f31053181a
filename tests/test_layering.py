"""Which app may import which: the features build on the directory, and clockify wires them.

- The directory app (`workspaces`) imports no feature app (tracking, reports, monitoring,
  privacy). Where a directory action must change a feature's rows, it sends a signal
  (workspaces/signals.py) that the feature app receives. Its migrations, and the named
  exceptions below, are left out.
- `clockify` is the project package. Its wiring (settings, urls, the API object) imports the
  apps; the rest of it is plumbing (Celery, the client's address, the body limit, the
  middleware, the health check) that imports no app, and is all an app may import from it.

Imports are read from the source, wherever they are in a file (a function's lazy import or
a TYPE_CHECKING block counts too).
"""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import add_member, make_user
from tracking import services as tracking_services
from tracking.models import Project, ProjectMember, TimeEntry
from workspaces import signals
from workspaces.models import Membership, Workspace, WorkspaceSettings

ROOT = Path(__file__).resolve().parents[1]
DIRECTORY = "workspaces"
FEATURES = {"tracking", "reports", "monitoring", "privacy"}
APPS = {DIRECTORY, *FEATURES}
# Directory code that may import a feature app, and why.
DIRECTORY_EXCEPTIONS = {
    # Builds a demo workspace with its projects and entries, across the apps.
    Path("workspaces/management/commands/seed_demo.py"),
}
# The modules of clockify that wire the apps together, and so import them.
CLOCKIFY_WIRING = {"clockify.settings", "clockify.urls", "clockify.api"}


def _sources(package: str) -> list[Path]:
    return [
        path.relative_to(ROOT)
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.relative_to(ROOT).parts
    ]


def _imports(relative: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, relative ones resolved; `from a import b`
    gives both `a` and `a.b`, as b may be a module."""
    package = list(relative.with_suffix("").parts[:-1])  # also for an __init__.py
    found = []
    for node in ast.walk(ast.parse((ROOT / relative).read_text(), filename=str(relative))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _offenders(paths: list[Path], refused: object) -> list[str]:
    """One line per refusing import statement, naming the first refused module."""
    found: dict[tuple[Path, int], str] = {}
    for path in paths:
        for line, module in _imports(path):
            if refused(module) and len(module) < len(found.get((path, line), module + ".")):
                found[path, line] = module
    return [f"{path}:{line}: {module}" for (path, line), module in sorted(found.items())]


def _top(module: str) -> str:
    return module.split(".")[0]


def test_the_directory_imports_no_feature_app():
    paths = [p for p in _sources(DIRECTORY) if p not in DIRECTORY_EXCEPTIONS]
    offenders = _offenders(paths, lambda module: _top(module) in FEATURES)
    assert offenders == [], (
        "the directory app imports a feature app; let it send a signal that the feature "
        "receives (workspaces/signals.py):\n" + "\n".join(offenders)
    )


def test_the_named_exceptions_still_exist():
    for path in DIRECTORY_EXCEPTIONS:
        assert (ROOT / path).exists(), f"{path} is gone: drop it from DIRECTORY_EXCEPTIONS"


def _is_wiring(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in CLOCKIFY_WIRING)


def test_clockifys_plumbing_imports_no_app():
    plumbing = [
        path
        for path in _sources("clockify")
        if not _is_wiring(".".join(path.with_suffix("").parts))
    ]
    offenders = _offenders(plumbing, lambda module: _top(module) in APPS)
    assert offenders == [], (
        "only clockify's wiring (settings, urls, api) imports the apps; move shared code "
        "into the app it belongs to:\n" + "\n".join(offenders)
    )


def test_apps_import_only_clockifys_plumbing():
    paths = [path for app in sorted(APPS) for path in _sources(app)]
    offenders = _offenders(paths, _is_wiring)
    assert offenders == [], "an app imports clockify's wiring:\n" + "\n".join(offenders)


def test_the_reader_sees_a_planted_import(tmp_path, monkeypatch):
    # The reader itself: a lazy import inside a function, and a relative one, are found.
    planted = tmp_path / "workspaces" / "planted.py"
    planted.parent.mkdir()
    planted.write_text("def f():\n    from tracking.models import Project\nfrom . import views\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert sorted(_imports(Path("workspaces/planted.py"))) == [
        (2, "tracking.models"),
        (2, "tracking.models.Project"),
        (3, "workspaces"),
        (3, "workspaces.views"),
    ]


# --- What the directory's signals do in tracking ---


def _settings_url(workspace: Workspace) -> str:
    return reverse("workspaces:settings", args=[workspace.id])


SETTINGS = {
    "ws-name": "Renamed",
    "prefs-currency": "EUR",
    "prefs-duration_format": "full",
    "prefs-hourly_rate": "60",
    "prefs-apply_rate_to_past": "on",
}


def _entry(workspace: Workspace, user_id: int) -> TimeEntry:
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    return TimeEntry.objects.in_workspace(workspace).create(
        user_id=user_id, start=start, end=start + timedelta(hours=1)
    )


def test_tracking_receives_the_directorys_signals():
    assert signals.member_removed.has_listeners(Membership)
    assert signals.default_rate_applied_to_past.has_listeners(WorkspaceSettings)


def test_the_settings_page_says_how_many_past_entries_got_the_rate(client, owner, workspace):
    _entry(workspace, owner.pk)
    client.force_login(owner)
    response = client.post(_settings_url(workspace), SETTINGS)
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert "The default rate now applies to 1 past entry." in said
    assert TimeEntry.objects.in_workspace(workspace).get().hourly_rate == 60


def test_a_failure_applying_the_rate_rolls_back_the_whole_save(
    client, owner, workspace, monkeypatch
):
    _entry(workspace, owner.pk)

    def broken(workspace: Workspace) -> int:
        TimeEntry.objects.in_workspace(workspace).update(hourly_rate=60)
        raise RuntimeError("the region broke mid-save")

    monkeypatch.setattr(tracking_services, "apply_workspace_rate_to_past_entries", broken)
    client.force_login(owner)
    with pytest.raises(RuntimeError):
        client.post(_settings_url(workspace), SETTINGS)

    workspace.refresh_from_db()
    assert workspace.name == "Owner's Team"  # the directory's write
    assert WorkspaceSettings.objects.for_workspace(workspace).hourly_rate is None  # the region's
    assert TimeEntry.objects.in_workspace(workspace).get().hourly_rate is None


def test_a_member_who_leaves_loses_their_private_project_places(client, owner, workspace):
    leaver = add_member(workspace, make_user("leaver@example.com"))
    project = Project.objects.in_workspace(workspace).create(name="Secret", is_public=False)
    ProjectMember.objects.in_workspace(workspace).create(project=project, user_id=leaver.user_id)
    client.force_login(owner)
    response = client.post(reverse("workspaces:remove_member", args=[workspace.id, leaver.pk]))
    assert response.status_code == 302
    assert not ProjectMember.objects.in_workspace(workspace).exists()
