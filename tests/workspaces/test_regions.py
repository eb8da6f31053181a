"""Residency: each workspace's regional rows are in its region's database and no other."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.db import connections

from tests.factories import make_workspace
from workspaces.models import Workspace, WorkspaceSettings
from workspaces.regions import REGION_ALIASES, Region, UnscopedRegionalQuery, uuid7


def _settings_rows(alias: str) -> dict[str, str]:
    """Read the settings table of one database directly, bypassing the ORM and router."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT workspace_id, currency FROM tracking_workspacesettings")
        return {str(uuid.UUID(str(ws_id))): currency for ws_id, currency in cursor.fetchall()}


def test_regional_rows_live_only_in_their_region(owner):
    eu = make_workspace(owner, name="Berlin", region="eu")
    us = make_workspace(owner, name="Boston", region="us")
    WorkspaceSettings.objects.in_workspace(eu).update(currency="EUR")
    WorkspaceSettings.objects.in_workspace(us).update(currency="USD")

    rows = {alias: _settings_rows(alias) for alias in REGION_ALIASES}

    assert rows["eu"] == {str(eu.id): "EUR"}
    assert rows["us"] == {str(us.id): "USD"}
    assert rows["uk"] == {}
    assert rows["au"] == {}


def test_directory_holds_no_regional_tables_and_regions_no_directory_tables():
    directory_tables = connections["default"].introspection.table_names()
    assert "tracking_workspacesettings" not in directory_tables
    assert "workspaces_workspace" in directory_tables
    for alias in REGION_ALIASES:
        tables = connections[alias].introspection.table_names()
        assert "tracking_workspacesettings" in tables
        assert "workspaces_workspace" not in tables
        assert "workspaces_user" not in tables


def test_every_region_has_a_database_alias():
    assert set(REGION_ALIASES) == {"us", "eu", "uk", "au"}
    assert set(settings.DATABASES) == {"default", *REGION_ALIASES}
    assert Region.EU.label == "EU (Germany)"


def test_unscoped_regional_query_raises(workspace):
    with pytest.raises(UnscopedRegionalQuery):
        list(WorkspaceSettings.objects.all())
    with pytest.raises(UnscopedRegionalQuery):
        WorkspaceSettings.objects.filter(workspace_id=workspace.id).exists()


def test_unscoped_create_raises_and_saves_nothing(workspace):
    with pytest.raises(UnscopedRegionalQuery):
        WorkspaceSettings.objects.create(workspace_id=workspace.id)
    with pytest.raises(UnscopedRegionalQuery):
        WorkspaceSettings(workspace_id=workspace.id).save()
    assert _settings_rows("eu") == {str(workspace.id): "EUR"}


def test_scoped_query_sees_only_its_workspace(owner):
    first = make_workspace(owner, name="First", region="uk")
    second = make_workspace(owner, name="Second", region="uk")

    scoped = WorkspaceSettings.objects.in_workspace(first)

    assert [s.workspace_id for s in scoped] == [first.id]
    assert scoped.db == "uk"
    assert WorkspaceSettings.objects.in_workspace(second).get().workspace_id == second.id


def test_create_in_scope_fills_the_workspace_and_refuses_another(owner):
    workspace = make_workspace(owner, region="au")
    other = make_workspace(owner, region="au")
    WorkspaceSettings.objects.in_workspace(workspace).delete()

    created = WorkspaceSettings.objects.in_workspace(workspace).create(currency="AUD")

    assert created.workspace_id == workspace.id
    assert created._state.db == "au"
    with pytest.raises(ValueError):
        WorkspaceSettings.objects.in_workspace(workspace).create(workspace_id=other.id)


def test_loaded_row_saves_back_to_its_own_region(workspace):
    prefs = WorkspaceSettings.objects.for_workspace(workspace)
    prefs.currency = "GBP"
    prefs.save(update_fields=["currency"])
    assert _settings_rows("eu") == {str(workspace.id): "GBP"}


def test_interrupted_creation_completes_on_first_use(workspace):
    WorkspaceSettings.objects.in_workspace(workspace).delete()
    prefs = WorkspaceSettings.objects.for_workspace(workspace)
    assert prefs.workspace_id == workspace.id
    assert _settings_rows("eu") == {str(workspace.id): "EUR"}


def test_uuid7_is_time_ordered_and_version_7():
    ids = [uuid7() for _ in range(200)]
    assert all(u.version == 7 for u in ids)
    assert len(set(ids)) == 200
    assert [u.int >> 80 for u in ids] == sorted(u.int >> 80 for u in ids)


def test_workspace_ids_are_opaque_uuids(workspace):
    assert isinstance(workspace.id, uuid.UUID)
    assert Workspace.objects.get(pk=workspace.id).db_alias == "eu"


def test_files_are_stored_in_the_workspaces_region(owner, settings, tmp_path):
    from django.core.files.base import ContentFile

    from workspaces.regions import storage_for

    # Assigning STORAGES makes Django build the storages again (setting_changed).
    settings.STORAGES = settings.STORAGES | {
        f"region-{alias}": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / alias},
        }
        for alias in REGION_ALIASES
    }
    workspace = make_workspace(owner, region="uk")
    name = storage_for(workspace).save(f"{workspace.id}/proof.txt", ContentFile(b"hello"))
    assert (tmp_path / "uk" / name).read_bytes() == b"hello"
    assert not any((tmp_path / alias).exists() for alias in ("us", "eu", "au"))
