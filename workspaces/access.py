"""The one place views load workspace objects, so that access rules cannot be forgotten.

Another workspace's object is a 404, the same answer as a missing one; a forbidden action
in your own workspace is a 403.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .models import Invitation, Membership, Workspace


def get_membership(request: HttpRequest, workspace_id: UUID) -> Membership:
    """Return the requester's membership of a workspace; 404 unless they belong to it."""
    try:
        membership = Membership.objects.select_related("workspace").get(
            workspace_id=workspace_id, user_id=request.user.pk
        )
    except Membership.DoesNotExist:
        raise Http404("No such workspace.") from None
    membership.user = request.user  # the same person: saves a query
    request.workspace = membership.workspace
    request.membership = membership
    return membership


def get_workspace_for_member(request: HttpRequest, workspace_id: UUID) -> Workspace:
    """Return a workspace the requester belongs to; 404 otherwise."""
    return get_membership(request, workspace_id).workspace


def get_workspace_for_admin(request: HttpRequest, workspace_id: UUID) -> Workspace:
    """Return a workspace the requester administers; 404 if not a member, 403 if not admin."""
    membership = get_membership(request, workspace_id)
    if not membership.is_admin:
        raise PermissionDenied("Only the workspace's admins can do this.")
    return membership.workspace


def get_workspace_for_owner(request: HttpRequest, workspace_id: UUID) -> Workspace:
    """Return a workspace the requester owns; 404 if not a member, 403 if not the owner."""
    membership = get_membership(request, workspace_id)
    if not membership.is_owner:
        raise PermissionDenied("Only the workspace's owner can do this.")
    return membership.workspace


def get_membership_for_admin(
    request: HttpRequest, workspace_id: UUID, membership_id: int
) -> Membership:
    """Return another member's membership for an admin to manage; 404/403 as above."""
    workspace = get_workspace_for_admin(request, workspace_id)
    try:
        return Membership.objects.select_related("user").get(pk=membership_id, workspace=workspace)
    except Membership.DoesNotExist:
        raise Http404("No such member.") from None


def get_invitation_for_admin(
    request: HttpRequest, workspace_id: UUID, invitation_id: UUID
) -> Invitation:
    """Return an invitation of a workspace the requester administers; 404/403 as above."""
    workspace = get_workspace_for_admin(request, workspace_id)
    try:
        return Invitation.objects.get(pk=invitation_id, workspace=workspace)
    except Invitation.DoesNotExist:
        raise Http404("No such invitation.") from None
