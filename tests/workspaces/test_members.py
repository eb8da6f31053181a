"""The members page: list, invite, revoke, change roles, remove, transfer, leave."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import add_member, invitation_link_in, make_user
from workspaces.models import Invitation, Membership, Role, Workspace


def url(name: str, workspace: Workspace, *args: object) -> str:
    return reverse(f"workspaces:{name}", args=[workspace.id, *args])


def role_of(workspace: Workspace, user) -> str:
    return Membership.objects.get(workspace=workspace, user=user).role


# --- list ---


def test_members_see_the_list_without_admin_controls(client, member, workspace):
    client.force_login(member)
    response = client.get(url("members", workspace))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Olivia Owner" in html and "Max Member" in html
    assert "Send invitation" not in html
    assert "Leave Owner" in html


def test_admins_see_invite_form_and_pending_invitations(client, owner, workspace):
    Invitation.objects.create(workspace=workspace, email="new@example.com", invited_by=owner)
    client.force_login(owner)
    html = client.get(url("members", workspace)).content.decode()
    assert "Send invitation" in html
    assert "new@example.com" in html
    assert "Transfer ownership" in html


def test_list_runs_the_same_queries_for_few_or_many_members(
    client, owner, member, workspace, all_queries
):
    Invitation.objects.create(workspace=workspace, email="first@example.org")
    client.force_login(owner)
    client.get(url("members", workspace))
    with all_queries() as few:
        client.get(url("members", workspace))
    for _ in range(15):
        add_member(workspace)
        Invitation.objects.create(workspace=workspace, email=f"{_}@example.org")
    with all_queries() as many:
        client.get(url("members", workspace))
    assert few.by_alias() == many.by_alias()


def test_members_page_login_required_and_404_elsewhere(client, outsider, workspace):
    assert client.get(url("members", workspace)).status_code == 302
    client.force_login(outsider)
    assert client.get(url("members", workspace)).status_code == 404


def test_members_page_wrong_method(client, owner, workspace):
    client.force_login(owner)
    assert client.post(url("members", workspace)).status_code == 405


# --- invite ---


def test_admin_invites_by_email(client, admin, workspace, django_capture_on_commit_callbacks):
    client.force_login(admin)
    data = {"email": "New@Example.com", "role": "admin"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("invite", workspace), data)
    assert response.status_code == 302
    invitation = Invitation.objects.get(workspace=workspace)
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "new@example.com",
        "admin",
        admin,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.com"]
    assert invitation_link_in(message.body)[1] == str(invitation.pk)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "member@example.com", "role": "member"}, "already a member"),
        ({"email": "MEMBER@example.com", "role": "member"}, "already a member"),
        ({"email": "not-an-email", "role": "member"}, "Enter a valid email address."),
        ({"email": "", "role": "member"}, "This field is required."),
        ({"email": "x@example.com", "role": "owner"}, "Select a valid choice."),
        ({"email": f"{'x' * 250}@example.com", "role": "member"}, "at most 254 characters"),
    ],
)
def test_invite_bad_input(client, owner, member, workspace, data, message):
    client.force_login(owner)
    response = client.post(url("invite", workspace), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_invite_twice_while_pending_is_refused(client, owner, workspace):
    client.force_login(owner)
    client.post(url("invite", workspace), {"email": "new@example.com", "role": "member"})
    response = client.post(url("invite", workspace), {"email": "new@example.com", "role": "member"})
    assert response.status_code == 400
    assert "pending invitation already" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_member_cannot_invite(client, member, workspace):
    client.force_login(member)
    response = client.post(url("invite", workspace), {"email": "new@example.com", "role": "member"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_invite_other_workspace_is_404_and_wrong_method_405(client, outsider, owner, workspace):
    client.force_login(outsider)
    data = {"email": "new@example.com", "role": "member"}
    assert client.post(url("invite", workspace), data).status_code == 404
    client.force_login(owner)
    assert client.get(url("invite", workspace)).status_code == 405
    assert not Invitation.objects.exists()


def test_revoke_invitation(client, owner, member, outsider, workspace):
    invitation = Invitation.objects.create(workspace=workspace, email="new@example.com")
    revoke = url("revoke_invitation", workspace, invitation.id)
    client.force_login(outsider)
    assert client.post(revoke).status_code == 404
    client.force_login(member)
    assert client.post(revoke).status_code == 403
    client.force_login(owner)
    assert client.get(revoke).status_code == 405
    assert client.post(revoke).status_code == 302
    assert not Invitation.objects.exists()
    assert client.post(revoke).status_code == 404


# --- roles ---


def test_admin_changes_a_members_role(client, admin, member, workspace):
    membership = Membership.objects.get(user=member)
    client.force_login(admin)
    response = client.post(url("change_role", workspace, membership.pk), {"role": "admin"})
    assert response.status_code == 302
    assert role_of(workspace, member) == Role.ADMIN


def test_member_cannot_change_roles(client, member, admin, workspace):
    target = Membership.objects.get(user=admin)
    client.force_login(member)
    assert (
        client.post(url("change_role", workspace, target.pk), {"role": "member"}).status_code == 403
    )
    assert role_of(workspace, admin) == Role.ADMIN


@pytest.mark.parametrize(
    ("role", "message"),
    [("owner", "transfer ownership"), ("boss", "Choose Admin or Member"), ("", "required")],
)
def test_change_role_bad_value(client, owner, member, workspace, role, message):
    membership = Membership.objects.get(user=member)
    client.force_login(owner)
    response = client.post(url("change_role", workspace, membership.pk), {"role": role})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert role_of(workspace, member) == Role.MEMBER


def test_owner_cannot_be_demoted(client, admin, owner, workspace):
    membership = Membership.objects.get(user=owner, workspace=workspace)
    client.force_login(admin)
    response = client.post(url("change_role", workspace, membership.pk), {"role": "member"})
    assert response.status_code == 400
    assert "transferring ownership" in response.content.decode()
    assert role_of(workspace, owner) == Role.OWNER


def test_change_role_of_another_workspaces_member_is_404(client, owner, outsider, workspace):
    foreign = Membership.objects.get(user=outsider)
    client.force_login(owner)
    response = client.post(url("change_role", workspace, foreign.pk), {"role": "admin"})
    assert response.status_code == 404
    assert foreign.role == Membership.objects.get(pk=foreign.pk).role == Role.OWNER
    assert client.get(url("change_role", workspace, foreign.pk)).status_code == 405


# --- remove ---


def test_admin_removes_a_member(client, admin, member, workspace):
    membership = Membership.objects.get(user=member)
    client.force_login(admin)
    assert client.post(url("remove_member", workspace, membership.pk)).status_code == 302
    assert not Membership.objects.filter(user=member).exists()
    member.refresh_from_db()
    assert member.active_workspace is None


def test_removing_the_owner_is_refused(client, admin, owner, workspace):
    membership = Membership.objects.get(user=owner, workspace=workspace)
    client.force_login(admin)
    response = client.post(url("remove_member", workspace, membership.pk))
    assert response.status_code == 400
    assert "The owner cannot be removed" in response.content.decode()
    assert role_of(workspace, owner) == Role.OWNER


def test_remove_needs_admin_and_own_workspace(client, member, admin, outsider, workspace):
    target = Membership.objects.get(user=admin)
    client.force_login(member)
    assert client.post(url("remove_member", workspace, target.pk)).status_code == 403
    client.force_login(outsider)
    assert client.post(url("remove_member", workspace, target.pk)).status_code == 404
    assert Membership.objects.filter(pk=target.pk).exists()


# --- transfer ---


def test_owner_transfers_ownership(client, owner, member, workspace):
    membership = Membership.objects.get(user=member)
    client.force_login(owner)
    response = client.post(url("transfer", workspace), {"membership": membership.pk})
    assert response.status_code == 302
    assert role_of(workspace, member) == Role.OWNER
    assert role_of(workspace, owner) == Role.ADMIN
    assert Membership.objects.filter(workspace=workspace, role=Role.OWNER).count() == 1


def test_only_the_owner_transfers(client, admin, member, outsider, workspace):
    target = Membership.objects.get(user=member).pk
    client.force_login(admin)
    assert client.post(url("transfer", workspace), {"membership": target}).status_code == 403
    client.force_login(outsider)
    assert client.post(url("transfer", workspace), {"membership": target}).status_code == 404
    assert role_of(workspace, member) == Role.MEMBER


@pytest.mark.parametrize("pick", ["foreign", "self", "garbage", "missing"])
def test_transfer_bad_choice(client, owner, outsider, workspace, pick):
    choices = {
        "foreign": Membership.objects.get(user=outsider).pk,
        "self": Membership.objects.get(user=owner).pk,
        "garbage": "abc",
        "missing": "",
    }
    client.force_login(owner)
    response = client.post(url("transfer", workspace), {"membership": choices[pick]})
    assert response.status_code == 400
    assert role_of(workspace, owner) == Role.OWNER
    assert client.get(url("transfer", workspace)).status_code == 405


# --- leave ---


def test_member_leaves(client, member, workspace):
    client.force_login(member)
    response = client.post(url("leave", workspace))
    assert response.status_code == 302
    assert not Membership.objects.filter(user=member).exists()


def test_leaving_moves_the_active_workspace_elsewhere(client, owner, workspace):
    other_owner = make_user()
    from tests.factories import make_workspace

    other = make_workspace(other_owner, name="Other")
    add_member(other, owner)
    owner.active_workspace = other
    owner.save()
    client.force_login(owner)
    client.post(url("leave", other))
    owner.refresh_from_db()
    assert owner.active_workspace == workspace


def test_owner_cannot_leave(client, owner, workspace):
    client.force_login(owner)
    response = client.post(url("leave", workspace))
    assert response.status_code == 400
    assert "transfer ownership before you leave" in response.content.decode()
    assert role_of(workspace, owner) == Role.OWNER


def test_leave_login_404_405(client, outsider, member, workspace):
    assert client.post(url("leave", workspace)).status_code == 302
    assert Membership.objects.filter(user=member).exists()
    client.force_login(outsider)
    assert client.post(url("leave", workspace)).status_code == 404
    client.force_login(member)
    assert client.get(url("leave", workspace)).status_code == 405
    assert Membership.objects.filter(user=member).exists()
