"""Accepting an invitation: signed, expiring, single-use, for the invited email only."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_user
from workspaces.models import Invitation, Membership, Role


def invite(workspace, email="new@example.com", role=Role.MEMBER) -> Invitation:
    return Invitation.objects.create(workspace=workspace, email=email, role=role)


def test_invited_person_sees_and_accepts(client, workspace):
    invitation = invite(workspace, role=Role.ADMIN)
    person = make_user("new@example.com")
    client.force_login(person)

    page = client.get(invitation.get_absolute_url())
    assert page.status_code == 200
    assert "Join Owner&#x27;s Team" in page.content.decode()
    assert "EU (Germany)" in page.content.decode()

    response = client.post(invitation.get_absolute_url())
    assert response.status_code == 302
    membership = Membership.objects.get(workspace=workspace, user=person)
    assert membership.role == Role.ADMIN
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    person.refresh_from_db()
    assert person.active_workspace == workspace


def test_email_match_ignores_case(client, workspace):
    invitation = invite(workspace, email="New@Example.com")
    client.force_login(make_user("new@example.com"))
    assert client.post(invitation.get_absolute_url()).status_code == 302


def test_anonymous_is_sent_to_log_in_first(client, workspace):
    url = invite(workspace).get_absolute_url()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_forged_token_is_404(client, workspace):
    invitation = invite(workspace)
    client.force_login(make_user("new@example.com"))
    for token in [invitation.token + "x", "nonsense", invitation.token.replace(":", ";", 1)]:
        response = client.post(reverse("workspaces:invitation", args=[token]))
        assert response.status_code == 404
        assert "not valid" in response.content.decode()
    assert not Membership.objects.filter(user__email="new@example.com").exists()


def test_signed_id_of_a_deleted_invitation_is_404(client, workspace):
    invitation = invite(workspace)
    url = invitation.get_absolute_url()
    invitation.delete()
    client.force_login(make_user("new@example.com"))
    assert client.get(url).status_code == 404


def test_expired_invitation_is_refused(client, workspace):
    invitation = invite(workspace)
    client.force_login(make_user("new@example.com"))
    with time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)):
        response = client.post(invitation.get_absolute_url())
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Membership.objects.filter(user__email="new@example.com").exists()


def test_used_invitation_is_refused(client, workspace):
    invitation = invite(workspace)
    first = make_user("new@example.com")
    client.force_login(first)
    client.post(invitation.get_absolute_url())
    Membership.objects.filter(user=first).delete()

    response = client.post(invitation.get_absolute_url())
    assert response.status_code == 410
    assert "used already" in response.content.decode()
    assert not Membership.objects.filter(user=first).exists()


def test_someone_else_cannot_accept(client, outsider, workspace):
    invitation = invite(workspace)
    client.force_login(outsider)
    response = client.post(invitation.get_absolute_url())
    assert response.status_code == 403
    assert "This invitation is for new@example.com" in response.content.decode()
    assert not Membership.objects.filter(workspace=workspace, user=outsider).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_unverified_email_cannot_accept(client, workspace):
    invitation = invite(workspace)
    client.force_login(make_user("new@example.com", verified=False))
    assert client.post(invitation.get_absolute_url()).status_code == 403
    assert Membership.objects.filter(workspace=workspace).count() == 1


def test_existing_member_is_told_and_nothing_changes(client, member, workspace):
    invitation = invite(workspace, email="member@example.com", role=Role.ADMIN)
    client.force_login(member)
    response = client.post(invitation.get_absolute_url(), follow=True)
    assert "already a member" in response.content.decode()
    assert Membership.objects.get(user=member).role == Role.MEMBER


def test_wrong_method(client, workspace):
    invitation = invite(workspace)
    client.force_login(make_user("new@example.com"))
    assert client.put(invitation.get_absolute_url()).status_code == 405
