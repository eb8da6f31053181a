"""The one place views load workspace objects, so that access rules cannot be forgotten.

Another workspace's object is a 404, the same answer as a missing one; a forbidden action
in your own workspace is a 403.

A workspace may require two-factor authentication for its admins (`require_admin_mfa`).
Every page and API operation of a workspace finds the requester's membership through
`get_membership`, which notes when an admin or the owner has no authenticator yet; such a
membership counts as a member's (`Membership.is_admin` is false), so the tracker, their own
entries and reports keep working as for a member, and every admin right is refused. The
refusal says why: `get_workspace_for_admin` and `get_workspace_for_owner` raise
`AdminMfaRequired`, and any other 403 such an admin meets (an admin-only branch of a page
members use too) is read the same way by `refused_for_missing_mfa`; the pages send them to
set up two-factor authentication (workspaces.middleware) and the API answers 403 with the
reason (clockify.api).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from uuid import UUID

from allauth.account.authentication import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .models import Invitation, Membership, Workspace
from .readonly import refuse_writes_if_moving

ADMIN_MFA_REQUIRED = (
    "This workspace requires two-factor authentication for its admins. Set it up to use "
    "the workspace's admin pages; until then you can track time as a member."
)
# The API's answer: its callers are scripts and apps, so it says where to set it up.
ADMIN_MFA_REQUIRED_API = (
    "This workspace requires two-factor authentication for its admins: set it up in the web "
    "app (user menu > Two-factor authentication) to use the API's admin operations."
)


class AdminMfaRequired(PermissionDenied):
    """An admin of a workspace that requires two-factor authentication has none yet."""

    def __init__(self, message: str = ADMIN_MFA_REQUIRED) -> None:
        super().__init__(message)


class OwnerOnly(PermissionDenied):
    """An action only the owner may take; an admin setting up 2FA would not change that."""


def get_membership(request: HttpRequest, workspace_id: UUID) -> Membership:
    """Return the requester's membership of a workspace; 404 unless they belong to it.

    An admin or owner without two-factor authentication in a workspace that requires it
    gets a membership marked `lacks_required_mfa`, which counts as a member's.
    """
    try:
        membership = Membership.objects.select_related("workspace").get(
            workspace_id=workspace_id, user_id=request.user.pk
        )
    except Membership.DoesNotExist:
        raise Http404("No such workspace.") from None
    membership.user = request.user  # the same person: saves a query
    if membership.workspace.require_admin_mfa and membership.is_admin_role:
        membership.lacks_required_mfa = not is_mfa_enabled(request.user)
    refuse_writes_if_moving(membership.workspace)
    request.workspace = membership.workspace
    request.membership = membership
    return membership


def get_workspace_for_member(request: HttpRequest, workspace_id: UUID) -> Workspace:
    """Return a workspace the requester belongs to; 404 otherwise."""
    return get_membership(request, workspace_id).workspace


def get_workspace_for_admin(request: HttpRequest, workspace_id: UUID) -> Workspace:
    """Return a workspace the requester administers; 404 if not a member, 403 if not admin."""
    membership = get_membership(request, workspace_id)
    if membership.lacks_required_mfa:
        raise AdminMfaRequired
    if not membership.is_admin:
        raise PermissionDenied("Only the workspace's admins can do this.")
    return membership.workspace


def get_workspace_for_owner(request: HttpRequest, workspace_id: UUID) -> Workspace:
    """Return a workspace the requester owns; 404 if not a member, 403 if not the owner."""
    membership = get_membership(request, workspace_id)
    if not membership.is_owner:
        raise OwnerOnly("Only the workspace's owner can do this.")
    if membership.lacks_required_mfa:
        raise AdminMfaRequired
    return membership.workspace


def refused_for_missing_mfa(request: HttpRequest, exception: Exception) -> bool:
    """Whether a 403 is owed to the two-factor rule: an admin who set it up would pass.

    True for `AdminMfaRequired`, and for any other refusal of an admin (or owner) whom
    `get_membership` found without the required two-factor authentication, since that
    membership counts as a member's; not for what only the owner may do.
    """
    if isinstance(exception, AdminMfaRequired):
        return True
    if not isinstance(exception, PermissionDenied) or isinstance(exception, OwnerOnly):
        return False
    membership = getattr(request, "membership", None)
    return bool(getattr(membership, "lacks_required_mfa", False))


def get_membership_for_admin(
    request: HttpRequest, workspace_id: UUID, membership_id: int
) -> Membership:
    """Return another member's membership for an admin to manage; 404/403 as above."""
    workspace = get_workspace_for_admin(request, workspace_id)
    try:
        membership = Membership.objects.select_related("user").get(
            pk=membership_id, workspace=workspace
        )
    except Membership.DoesNotExist:
        raise Http404("No such member.") from None
    membership.workspace = workspace  # the one just checked: saves a query
    return membership


def get_invitation_for_admin(
    request: HttpRequest, workspace_id: UUID, invitation_id: UUID
) -> Invitation:
    """Return an invitation of a workspace the requester administers; 404/403 as above."""
    workspace = get_workspace_for_admin(request, workspace_id)
    try:
        invitation = Invitation.objects.get(pk=invitation_id, workspace=workspace)
    except Invitation.DoesNotExist:
        raise Http404("No such invitation.") from None
    invitation.workspace = workspace  # the one just checked: saves a query
    return invitation


# A sign-in older than this asks for the password again before a sensitive change.
RECENT_LOGIN = timedelta(minutes=15)


def signed_in_recently(request: HttpRequest, within: timedelta = RECENT_LOGIN) -> bool:
    """Whether this session's last sign-in or re-authentication is within `within`.

    RECENT_LOGIN by default; an action may ask for a shorter window (turning monitoring on
    asks for 10 minutes).
    """
    # allauth notes each password, code or 2FA step of the session with its time; a session
    # without one (older than this rule, or made by other means) counts as not recent.
    times = [
        record["at"]
        for record in get_authentication_records(request, request.user)
        if isinstance(record.get("at"), int | float)
    ]
    return bool(times) and time.time() - max(times) < within.total_seconds()


def recent_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ask for the password again before a POST when the last sign-in is not recent."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and not signed_in_recently(request):
            # allauth's middleware keeps the POST, asks for the password, then replays it.
            raise ReauthenticationRequired
        return view(request, *args, **kwargs)

    return wrapped
