"""The owner deletes a workspace: everything it holds goes, in its region and the directory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_project, make_tag, make_workspace, sign_in
from tests.files import files_in
from tracking.models import TimeEntry
from tracking.services import EntryDetails, create_entry
from workspaces.models import Invitation, Membership, Workspace
from workspaces.outage import RegionUnavailable
from workspaces.regions import regional_models, storage_for


def fill(workspace, owner, marker: str) -> None:
    project = make_project(workspace, f"{marker} project")
    tag = make_tag(workspace, f"{marker} tag")
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    for n in range(3):
        details = EntryDetails(f"{marker} {n}", project, None, [tag])
        moment = start + timedelta(days=n)
        create_entry(workspace, owner.pk, details, moment, moment + timedelta(hours=1))
    storage_for(workspace).save(f"{workspace.id}/imports/{marker}.csv", ContentFile(b"a,b\n"))


def held(workspace) -> int:
    """Rows of the workspace in every regional table, plus its files."""
    rows = sum(m.objects.in_workspace(workspace).count() for m in regional_models())
    return rows + len(files_in(storage_for(workspace), f"{workspace.id}/"))


def url(workspace) -> str:
    return reverse("workspaces:delete", args=[workspace.id])


def test_the_owner_sees_what_goes_then_deletes_everything(client, owner, workspace, member):
    fill(workspace, owner, "Doomed")
    neighbour = make_workspace(owner, name="Stays", region=workspace.region)
    fill(neighbour, owner, "Kept")
    Invitation.objects.create(workspace=workspace, email="new@example.com", invited_by=owner)
    kept = held(neighbour)
    sign_in(client, owner)

    page = client.get(url(workspace)).content.decode()
    assert "Delete Owner&#x27;s Team?" in page
    assert "3 time entries" in page and "1 file (uploads and captures)" in page
    assert "2 members lose access" in page

    with TestCase.captureOnCommitCallbacks(using=workspace.db_alias, execute=True):
        response = client.post(url(workspace), {"name": "Owner's Team"})
    assert response.status_code == 302 and response["Location"] == reverse("index")
    assert not Workspace.objects.filter(pk=workspace.pk).exists()
    assert not Membership.objects.filter(workspace_id=workspace.pk).exists()
    assert not Invitation.objects.filter(workspace_id=workspace.pk).exists()
    assert held(workspace) == 0
    assert held(neighbour) == kept
    member.refresh_from_db()  # their account stays
    assert member.is_active


def test_the_name_must_be_typed_exactly(client, owner, workspace):
    fill(workspace, owner, "Safe")
    before = held(workspace)
    sign_in(client, owner)
    for typed in ("", "owner's team", "Other"):
        response = client.post(url(workspace), {"name": typed})
        assert response.status_code == 400
    assert "Type the workspace&#x27;s name exactly" in response.content.decode()
    assert Workspace.objects.filter(pk=workspace.pk).exists()
    assert held(workspace) == before


def test_only_the_owner_may_delete(client, owner, workspace, admin, member, outsider):
    for person in (admin, member):
        client.force_login(person)
        assert client.get(url(workspace)).status_code == 403
        assert client.post(url(workspace), {"name": "Owner's Team"}).status_code == 403
    client.force_login(outsider)
    assert client.get(url(workspace)).status_code == 404
    assert client.post(url(workspace), {"name": "Owner's Team"}).status_code == 404
    assert Workspace.objects.filter(pk=workspace.pk).exists()


def test_an_old_sign_in_asks_for_the_password_first(client, owner, workspace):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, owner)
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = client.post(url(workspace), {"name": "Owner's Team"})
        assert response.url.startswith(reverse("account_reauthenticate"))
    assert Workspace.objects.filter(pk=workspace.pk).exists()


def test_a_region_that_fails_midway_leaves_the_workspace_to_delete_again(
    client, owner, workspace, monkeypatch
):
    from workspaces import services

    fill(workspace, owner, "Retry")
    delete_data = services.delete_workspace_data

    def region_down(*args, **kwargs):
        raise RegionUnavailable(workspace.region)

    monkeypatch.setattr(services, "delete_workspace_data", region_down)
    sign_in(client, owner)
    response = client.post(url(workspace), {"name": "Owner's Team"})
    assert response.status_code == 503
    assert Workspace.objects.filter(pk=workspace.pk).exists()
    assert TimeEntry.objects.in_workspace(workspace).count() == 3

    monkeypatch.setattr(services, "delete_workspace_data", delete_data)
    assert client.post(url(workspace), {"name": "Owner's Team"}).status_code == 302
    assert held(workspace) == 0


def test_the_settings_page_offers_it_to_the_owner_only(client, owner, workspace, admin):
    settings_url = reverse("workspaces:settings", args=[workspace.id])
    client.force_login(admin)
    assert url(workspace) not in client.get(settings_url).content.decode()
    client.logout()
    sign_in(client, owner)
    assert url(workspace) in client.get(settings_url).content.decode()
