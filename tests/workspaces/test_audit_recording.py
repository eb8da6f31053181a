"""Every path that the audit log covers records one event: its kind, actor, subject, detail."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from monitoring import services as monitoring_services
from monitoring.models import LocationSample
from tests.factories import add_member, make_user
from tests.monitoring.test_viewing import entry_of, screenshot_of
from tracking.models import TimeEntry
from workspaces import audit, moving, services
from workspaces.models import ApiKey, AuditEvent, Invitation, Membership, Role, Workspace

START = datetime(2026, 3, 16, 9, tzinfo=UTC)


def events(workspace: Workspace) -> list[AuditEvent]:
    return list(AuditEvent.objects.in_workspace(workspace).order_by("created_at", "id"))


def only_event(workspace: Workspace) -> AuditEvent:
    (event,) = events(workspace)
    row = json.dumps(event.detail)
    assert "@" not in row, "an audit row holds no email"
    return event


def membership_of(workspace: Workspace, user) -> Membership:
    return Membership.objects.get(workspace=workspace, user=user)


def export_headers() -> dict[str, str]:
    return {"Sec-Fetch-Site": "same-origin"}


def key_of(user) -> dict[str, str]:
    return {"X-Api-Key": ApiKey.objects.issue(user, "tests")[1]}


def api_delete(client, user, workspace: Workspace, entry: TimeEntry):
    url = f"/api/v1/workspaces/{workspace.id}/time-entries/{entry.id}"
    return client.delete(url, headers=key_of(user))


# --- members, roles, ownership ---


def test_changing_a_role_is_recorded(client, workspace, admin, member):
    client.force_login(admin)
    url = reverse(
        "workspaces:change_role", args=[workspace.id, membership_of(workspace, member).pk]
    )
    assert client.post(url, {"role": "admin"}).status_code == 302
    event = only_event(workspace)
    assert (event.kind, event.actor_id, event.subject_id) == ("role_changed", admin.pk, member.pk)
    assert event.detail == {"before": "member", "after": "admin"}


def test_saving_the_same_role_records_nothing(client, workspace, owner, member):
    client.force_login(owner)
    url = reverse(
        "workspaces:change_role", args=[workspace.id, membership_of(workspace, member).pk]
    )
    assert client.post(url, {"role": "member"}).status_code == 302
    assert events(workspace) == []


def test_removing_a_member_is_recorded(client, workspace, owner, member):
    client.force_login(owner)
    url = reverse(
        "workspaces:remove_member", args=[workspace.id, membership_of(workspace, member).pk]
    )
    assert client.post(url).status_code == 302
    event = only_event(workspace)
    assert (event.kind, event.actor_id, event.subject_id) == ("member_removed", owner.pk, member.pk)
    assert event.detail == {"role": "member"}


def test_leaving_is_recorded_as_the_members_own_act(client, workspace, member):
    client.force_login(member)
    assert client.post(reverse("workspaces:leave", args=[workspace.id])).status_code == 302
    event = only_event(workspace)
    assert (event.kind, event.actor_id, event.subject_id) == ("member_left", member.pk, None)


def test_transferring_ownership_is_recorded(client, workspace, owner, member):
    client.force_login(owner)
    data = {"membership": membership_of(workspace, member).pk}
    assert client.post(reverse("workspaces:transfer", args=[workspace.id]), data).status_code == 302
    event = only_event(workspace)
    assert (event.kind, event.actor_id, event.subject_id) == (
        "ownership_transferred",
        owner.pk,
        member.pk,
    )
    assert event.detail == {"before": "member"}


# --- invitations ---


def invite(client, workspace: Workspace, email: str = "new@example.com") -> Invitation:
    url = reverse("workspaces:invite", args=[workspace.id])
    assert client.post(url, {"email": email, "role": "admin"}).status_code == 302
    return Invitation.objects.get(workspace=workspace, email=email)


def test_sending_an_invitation_is_recorded_without_the_email(client, workspace, owner):
    client.force_login(owner)
    invitation = invite(client, workspace)
    event = only_event(workspace)
    assert (event.kind, event.actor_id, event.subject_id) == ("invitation_sent", owner.pk, None)
    assert event.detail == {"role": "admin", "invitation": str(invitation.pk)}


def test_resending_an_invitation_is_recorded(client, workspace, owner):
    client.force_login(owner)
    invitation = invite(client, workspace)
    url = reverse("workspaces:resend_invitation", args=[workspace.id, invitation.pk])
    assert client.post(url).status_code == 302
    event = events(workspace)[-1]
    assert (event.kind, event.actor_id) == ("invitation_resent", owner.pk)
    assert event.detail == {"role": "admin", "invitation": str(invitation.pk)}


def test_revoking_an_invitation_is_recorded(client, workspace, owner):
    client.force_login(owner)
    invitation = invite(client, workspace)
    url = reverse("workspaces:revoke_invitation", args=[workspace.id, invitation.pk])
    assert client.post(url).status_code == 302
    event = events(workspace)[-1]
    assert (event.kind, event.actor_id) == ("invitation_revoked", owner.pk)
    assert event.detail == {"role": "admin", "invitation": str(invitation.pk)}
    assert not Invitation.objects.filter(pk=invitation.pk).exists()


def test_accepting_an_invitation_is_recorded(client, workspace, owner):
    client.force_login(owner)
    invitation = invite(client, workspace)
    newcomer = make_user("new@example.com")
    client.force_login(newcomer)
    assert client.post(invitation.get_absolute_url()).status_code == 302
    event = events(workspace)[-1]
    assert (event.kind, event.actor_id, event.subject_id) == (
        "invitation_accepted",
        newcomer.pk,
        None,
    )
    assert event.detail == {"role": "admin", "invitation": str(invitation.pk)}


# --- monitoring ---


def test_changing_a_monitoring_switch_is_recorded_with_the_policy_change(workspace, owner):
    cleaned = {"location": True, "location_retention_days": 7}
    monitoring_services.change_policy(
        workspace, membership_of(workspace, owner), "location", cleaned
    )
    event = only_event(workspace)
    assert (event.kind, event.actor_id, event.subject_id) == ("monitoring_changed", owner.pk, None)
    assert event.detail == {
        "switch": "location",
        "before": {"enabled": False, "retention_days": 7},
        "after": {"enabled": True, "retention_days": 7},
    }
    assert audit.shown([event])[0].sentence == "Olivia Owner turned location on."


def test_an_admins_look_at_a_screenshot_is_recorded_once_an_hour(client, workspace, admin, member):
    shot = screenshot_of(workspace, entry_of(workspace, member))
    client.force_login(admin)
    url = reverse("monitoring:screenshot_image", args=[workspace.id, shot.id])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    event = only_event(workspace)
    assert (event.kind, event.actor_id, event.subject_id) == (
        "screenshot_viewed",
        admin.pk,
        member.pk,
    )
    assert event.detail == {"screenshot": str(shot.id)}


def test_a_members_look_at_their_own_screenshot_is_not_recorded(client, workspace, member):
    shot = screenshot_of(workspace, entry_of(workspace, member))
    client.force_login(member)
    url = reverse("monitoring:screenshot_image", args=[workspace.id, shot.id])
    assert client.get(url).status_code == 200
    assert events(workspace) == []


def test_an_admins_look_at_locations_is_recorded(client, workspace, admin, member):
    entry = entry_of(workspace, member)
    LocationSample.objects.in_workspace(workspace).create(
        user_id=member.pk,
        entry=entry,
        client_id="one",
        latitude=52.5,
        longitude=13.4,
        accuracy=10,
        recorded_at=entry.start,
        kind="START",
    )
    client.force_login(admin)
    url = reverse("monitoring:entry_locations", args=[workspace.id, entry.id])
    assert client.get(url).status_code == 200
    event = only_event(workspace)
    assert (event.kind, event.actor_id, event.subject_id) == (
        "location_viewed",
        admin.pk,
        member.pk,
    )
    assert event.detail == {"entry": str(entry.id)}


def test_deleting_a_screenshot_is_recorded(client, workspace, admin, member):
    shot = screenshot_of(workspace, entry_of(workspace, member))
    client.force_login(admin)
    url = reverse("monitoring:delete_screenshot", args=[workspace.id, shot.id])
    assert client.post(url).status_code == 302
    event = only_event(workspace)
    assert (event.kind, event.actor_id, event.subject_id) == (
        "screenshot_deleted",
        admin.pk,
        member.pk,
    )
    assert event.detail == {
        "screenshot": str(shot.id),
        "entry": str(shot.entry_id),
        "seconds_removed": 0,
    }


# --- reports ---


def test_exporting_the_detailed_report_is_recorded(client, workspace, owner):
    entry_of(workspace, owner)
    client.force_login(owner)
    url = reverse("reports:export", args=[workspace.id]) + "?preset=all"
    response = client.get(url, headers=export_headers())
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = only_event(workspace)
    assert (event.kind, event.actor_id, event.subject_id) == ("report_exported", owner.pk, None)
    assert event.detail == {
        "format": "csv",
        "first": "2026-03-16",
        "last": "2026-03-16",
        "scope": "workspace",
    }


def test_exporting_through_the_reports_api_is_recorded(client, workspace, member):
    entry_of(workspace, member)
    body = {
        "dateRangeStart": "2026-03-01T00:00:00Z",
        "dateRangeEnd": "2026-03-31T23:59:59Z",
        "exportType": "CSV",
    }
    response = client.post(
        f"/api/reports/v1/workspaces/{workspace.id}/reports/detailed",
        body,
        content_type="application/json",
        headers=key_of(member),
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = only_event(workspace)
    assert (event.kind, event.actor_id) == ("report_exported", member.pk)
    assert event.detail["scope"] == "own"
    assert (event.detail["first"], event.detail["last"]) == ("2026-03-01", "2026-03-31")


def test_confirming_an_import_is_recorded_with_the_file_name(client, workspace, owner):
    entry_of(workspace, owner, "Original")
    client.force_login(owner)
    url = reverse("reports:export", args=[workspace.id]) + "?preset=all"
    exported = b"".join(client.get(url, headers=export_headers()).streaming_content)
    AuditEvent.objects.in_workspace(workspace).delete()
    restored = exported.replace(b"Original", b"Restored")
    file = SimpleUploadedFile("backup.csv", restored, content_type="text/csv")
    assert (
        client.post(reverse("reports:import", args=[workspace.id]), {"file": file}).status_code
        == 302
    )
    with TestCase.captureOnCommitCallbacks(using=workspace.db_alias, execute=True):
        confirmed = client.post(reverse("reports:import_confirm", args=[workspace.id]))
    assert confirmed.status_code == 302
    event = only_event(workspace)
    assert (event.kind, event.actor_id) == ("import_confirmed", owner.pk)
    assert event.detail == {"file_name": "backup.csv", "created": 1, "skipped": 0}


# --- deletions ---


def test_deleting_entries_in_bulk_is_recorded(client, workspace, member):
    ids = [str(entry_of(workspace, member, f"Entry {n}").id) for n in range(3)]
    client.force_login(member)
    url = reverse("tracking:bulk_delete", args=[workspace.id])
    assert client.post(url, {"entries": ids, "confirm": "yes"}).status_code == 302
    event = only_event(workspace)
    assert (event.kind, event.actor_id, event.subject_id) == ("entries_deleted", member.pk, None)
    assert event.detail == {"count": 3}


def test_an_admin_deleting_someones_entry_in_the_report_is_recorded(
    client, workspace, admin, member
):
    entry = entry_of(workspace, member)
    client.force_login(admin)
    url = reverse("reports:delete_entry", args=[workspace.id, entry.id])
    assert client.post(url).status_code == 302
    event = only_event(workspace)
    assert (event.kind, event.actor_id, event.subject_id) == ("entry_deleted", admin.pk, member.pk)
    assert event.detail == {"entry": str(entry.id), "start": START.isoformat()}


def test_an_admin_deleting_someones_entry_through_the_api_is_recorded(
    client, workspace, admin, member
):
    entry = entry_of(workspace, member)
    response = api_delete(client, admin, workspace, entry)
    assert response.status_code == 204
    event = only_event(workspace)
    assert (event.kind, event.actor_id, event.subject_id) == ("entry_deleted", admin.pk, member.pk)


def test_deleting_ones_own_entry_is_not_an_audit_event(client, workspace, member):
    entry = entry_of(workspace, member)
    response = api_delete(client, member, workspace, entry)
    assert response.status_code == 204
    assert events(workspace) == []
    assert not TimeEntry.objects.in_workspace(workspace).exists()


# --- region moves ---


def test_a_move_is_recorded_in_the_target_region_after_the_switch(workspace, owner):
    entry_of(workspace, owner)
    call_command("move_workspace", str(workspace.id), "uk", "--settle", "0", stdout=StringIO())
    workspace.refresh_from_db()
    event = only_event(workspace)
    assert workspace.region == "uk" and event._state.db == "uk"
    assert (event.kind, event.actor_id, event.subject_id) == ("region_moved", None, None)
    assert event.detail == {"from": "eu", "to": "uk"}
    assert audit.shown([event])[0].sentence == (
        "Support moved the workspace's data from EU (Germany) to UK."
    )


# --- while a workspace moves: changes wait with their event, reads go on ---


@pytest.fixture
def marked(workspace: Workspace) -> Workspace:
    moving._mark(workspace, "uk")
    return workspace


def test_while_it_moves_a_role_change_waits_with_its_event(client, marked, owner, member):
    client.force_login(owner)
    membership = membership_of(marked, member)
    url = reverse("workspaces:change_role", args=[marked.id, membership.pk])
    response = client.post(url, {"role": "admin"})
    assert response.status_code == 503
    assert "changes are paused" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER
    assert events(marked) == []


def test_while_it_moves_an_export_still_runs_unrecorded(client, marked, owner):
    entry_of(marked, owner)
    client.force_login(owner)
    url = reverse("reports:export", args=[marked.id]) + "?preset=all"
    response = client.get(url, headers=export_headers())
    assert response.status_code == 200
    assert b"Design" in b"".join(response.streaming_content)
    assert events(marked) == []


def test_a_directory_change_that_fails_leaves_no_event(workspace, owner, member, monkeypatch):
    membership = membership_of(workspace, member)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the directory broke mid-save")

    monkeypatch.setattr(Membership, "save", broken)
    with pytest.raises(RuntimeError):
        services.change_role(membership, Role.ADMIN, actor_id=owner.pk)
    assert events(workspace) == []


def test_an_event_names_people_only_by_id(workspace, owner):
    with pytest.raises(ValueError, match="never by email"):
        audit.record(workspace, audit.Kind.INVITATION_SENT, actor_id=owner.pk, email="x@y.z")


def test_another_member_added_later_sees_only_what_concerns_them(workspace, owner, member):
    other = add_member(workspace, make_user(name="Other")).user
    base = datetime(2026, 3, 16, 9, tzinfo=UTC)
    rows = AuditEvent.objects.in_workspace(workspace)
    rows.create(
        kind="role_changed",
        actor_id=owner.pk,
        subject_id=member.pk,
        created_at=base,
        detail={"before": "member", "after": "admin"},
    )
    rows.create(kind="member_left", actor_id=member.pk, created_at=base + timedelta(hours=1))
    rows.create(
        kind="role_changed",
        actor_id=owner.pk,
        subject_id=other.pk,
        created_at=base,
        detail={"before": "member", "after": "admin"},
    )
    about = audit.events_about(workspace, member.pk, limit=10)
    assert [shown.sentence for shown in about] == [
        "Max Member left the workspace.",
        "Olivia Owner changed the role of Max Member from Member to Admin.",
    ]
    assert len(audit.events_about(workspace, member.pk, limit=1)) == 1
