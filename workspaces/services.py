"""Writes that span the directory and a region, or several directory rows at once."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import audit, signals
from .models import ApiKey, Invitation, Membership, Role, User, Workspace, WorkspaceSettings
from .moving import delete_workspace_data, walk
from .outage import RegionUnavailable
from .regions import Region, regional_models, workspace_prefixes

logger = logging.getLogger(__name__)


def create_workspace(owner: User, name: str, region: str) -> Workspace:
    """Create a workspace in a region with `owner` as its owner, and make it their active one.

    Idempotent and resumable across the two databases: the directory rows are written in one
    transaction first; the regional settings row is then created with get_or_create, and
    `WorkspaceSettings.objects.for_workspace` creates it again on first use if this second
    step was interrupted.
    """
    with transaction.atomic(using="default"):
        workspace = Workspace.objects.create(name=name, region=region)
        Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
        owner.active_workspace = workspace
        owner.save(update_fields=["active_workspace"])
    WorkspaceSettings.objects.for_workspace(workspace)
    return workspace


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Make `user` a member with the invited role and mark the invitation used (audited)."""
    workspace = invitation.workspace
    with audit.changing(workspace):
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise InvitationUsed
        membership, _ = Membership.objects.get_or_create(
            workspace_id=invitation.workspace_id, user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        user.active_workspace_id = invitation.workspace_id
        user.save(update_fields=["active_workspace"])
        audit.record(
            workspace,
            audit.Kind.INVITATION_ACCEPTED,
            actor_id=user.pk,
            role=membership.role,
            invitation=str(invitation.pk),
        )
    return membership


class InvitationUsed(Exception):
    """The invitation was accepted already."""


def transfer_ownership(workspace: Workspace, new_owner: Membership, *, actor_id: int) -> None:
    """Make another member the owner; the previous owner becomes an admin (audited)."""
    with audit.changing(workspace):
        Membership.objects.filter(workspace=workspace, role=Role.OWNER).update(role=Role.ADMIN)
        Membership.objects.filter(pk=new_owner.pk).update(role=Role.OWNER)
        audit.record(
            workspace,
            audit.Kind.OWNERSHIP_TRANSFERRED,
            actor_id=actor_id,
            subject_id=new_owner.user_id,
            before=new_owner.role,
        )


def change_role(membership: Membership, role: str, *, actor_id: int) -> None:
    """Give a member (not the owner) another role (audited)."""
    before = membership.role
    if before == role:
        return
    with audit.changing(membership.workspace):
        membership.role = role
        membership.save(update_fields=["role"])
        audit.record(
            membership.workspace,
            audit.Kind.ROLE_CHANGED,
            actor_id=actor_id,
            subject_id=membership.user_id,
            before=before,
            after=role,
        )


def leave_workspace(membership: Membership, *, actor_id: int) -> None:
    """Remove a member who is not the owner; move their active workspace elsewhere.

    `actor_id` is the member themselves when they leave, an admin when they are removed;
    the log says which. Their private-project places go too (tracking receives
    `signals.member_removed`), so rejoining later grants nothing silently. The regional
    delete runs after the directory commit and is idempotent: repeating it is safe.
    """
    user = membership.user
    workspace = membership.workspace
    with audit.changing(workspace):
        membership.delete()
        if actor_id == user.pk:
            audit.record(workspace, audit.Kind.MEMBER_LEFT, actor_id=actor_id, role=membership.role)
        else:
            audit.record(
                workspace,
                audit.Kind.MEMBER_REMOVED,
                actor_id=actor_id,
                subject_id=user.pk,
                role=membership.role,
            )
        if user.active_workspace_id == workspace.id:
            user.active_workspace = (
                Workspace.objects.filter(memberships__user=user).order_by("name").first()
            )
            user.save(update_fields=["active_workspace"])
    signals.member_removed.send(sender=Membership, workspace=workspace, user_id=user.pk)


def revoke_api_keys(user: User) -> int:
    """Revoke every API key of `user`: their sign-ins are being reset, keys included."""
    # A key is a sign-in that never expires: whoever changes or resets a password, or signs
    # out other sessions, because someone else may be in must shut that door too.
    return ApiKey.objects.filter(user=user).revoke()


@dataclass(frozen=True)
class Holding:
    """What a workspace holds in its region: rows by kind, and files."""

    rows: list[tuple[str, int]]
    files: int


def holdings(workspace: Workspace) -> Holding:
    """Count a workspace's data through the region kernel's registry, to say what a deletion
    removes. Tables the database derives from others (rollups) are not listed."""
    rows = []
    for model in regional_models():
        if model.derived_from or not (count := model.objects.in_workspace(workspace).count()):
            continue
        meta = model._meta
        rows.append((str(meta.verbose_name if count == 1 else meta.verbose_name_plural), count))
    files = sum(
        len(list(walk(storage, prefix))) for storage, prefix in workspace_prefixes(workspace)
    )
    return Holding(rows, files)


def delete_workspace(workspace: Workspace) -> None:
    """Delete a workspace and everything it holds, in its region and then in the directory.

    The region's rows go in one transaction (through the registry, so a regional model added
    later is deleted too), then its files; the directory's row last, with its memberships,
    invitations and keys' workspace. A failure midway (a region that is down) leaves the
    workspace listed, and deleting it again finishes the job: every step is idempotent.
    """
    delete_workspace_data(workspace, report=lambda line: None)
    Workspace.objects.filter(pk=workspace.pk).delete()


def on_every_workspace[T](
    work: Callable[[Workspace], T], *, what: str, regions: Iterable[str] = Region.values
) -> list[T]:
    """Run `work` on every workspace, region by region, read from the directory in chunks.

    For periodic work (sweeps, retention): a region that cannot be reached is skipped and
    logged, and done on the next run; the work must therefore be idempotent.
    """
    done: list[T] = []
    for region in regions:
        try:
            workspaces = Workspace.objects.filter(region=region).order_by("id")
            done.extend(work(workspace) for workspace in workspaces.iterator(chunk_size=500))
        except RegionUnavailable:
            logger.warning("%s of region %s skipped: it is unavailable", what, region)
    return done
