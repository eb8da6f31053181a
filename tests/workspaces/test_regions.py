"""Residency: each workspace's regional rows and files are in its region and no other."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.request import urlopen

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections
from storages.backends.s3 import S3Storage

from tests.factories import make_workspace
from tests.files import files_in
from workspaces.models import Workspace, WorkspaceSettings
from workspaces.regions import (
    REGION_ALIASES,
    Region,
    UnscopedRegionalQuery,
    storage_for,
    uuid7,
)


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


def _backed_by(alias: str) -> tuple[str, str]:
    """Where a region's storage keeps files: its bucket when S3_BUCKET_<REGION> is set (CI's
    server run), else its folder; checked against the environment, not taken from it."""
    storage = storages[f"region-{alias}"]
    bucket = os.environ.get(f"S3_BUCKET_{alias.upper()}")
    if bucket:
        assert isinstance(storage, S3Storage)
        assert storage.bucket_name == bucket
        return ("bucket", bucket)
    under_ci = os.environ.get("CI", "").lower() == "true"
    if under_ci and os.environ.get("DATABASE_URL"):
        pytest.fail("CI's server run must set S3_BUCKET_*, or no test reaches S3.")
    assert isinstance(storage, FileSystemStorage)
    assert Path(storage.location).name == alias
    return ("folder", storage.location)


def test_a_us_workspaces_file_is_in_the_us_storage_and_nowhere_else(owner):
    places = {alias: _backed_by(alias) for alias in REGION_ALIASES}
    assert len(set(places.values())) == len(REGION_ALIASES), places
    workspace = make_workspace(owner, region="us")
    storage = storage_for(workspace)
    assert storage is storages["region-us"]

    name = storage.save(f"{workspace.id}/proof.txt", ContentFile(b"hello"))

    assert name == f"{workspace.id}/proof.txt"
    assert files_in(storages["region-us"]) == [name]
    with storages["region-us"].open(name) as file:
        assert file.read() == b"hello"
    for alias in ("eu", "uk", "au"):
        assert files_in(storages[f"region-{alias}"]) == [], alias
    assert not storages["default"].exists(name)
    # A second file under the same name never replaces the first.
    assert storage.save(name, ContentFile(b"again")) != name
    if places["us"][0] == "bucket":
        # A link to the file is signed, and the server honours it.
        url = storage.url(name)
        assert "X-Amz-Signature=" in url and "X-Amz-Expires=" in url
        with urlopen(url, timeout=10) as response:
            assert response.read() == b"hello"
