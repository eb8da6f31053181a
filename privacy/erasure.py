"""Deleting an account and everything about its person, in every region and every storage.

What is "about a person" is declared where the data is: a regional model names the columns
holding the person a row is about (`person_fields`: the row goes) and those naming a person
who acted (`actor_fields`: the column is emptied, the row stays), and the files a row keeps
(`stored_files`). This module walks the region kernel's registry with those declarations,
so a regional model added later is found, counted and erased without anyone changing it.

Erasing runs in steps that can each be run again, by a task that retries with backoff
(tasks.erase_account), by a periodic sweep and by `manage.py resume_deletions`:

1. `request_deletion`: at once, in the directory. The account is deactivated and marked,
   its API keys revoked, its sessions ended, the pending invitations of the workspaces it
   owns withdrawn (nobody can join a workspace about to go).
2. `erase`: the workspaces the person owns (alone, by then) are deleted whole; in each
   region, the files of the rows about them, then those rows and the actor columns naming
   them; their archives; then the directory: invitations to their address, sessions, and the
   user row with what cascades from it (memberships, email addresses, two-factor secrets,
   API keys, session records); last, a second pass over the regions for what a request
   already running at step 1 wrote meanwhile. A region that is down stops the run with
   `RegionUnavailable` and the next run starts over; the account stays deactivated (and
   listed by `pending_deletions`) until the directory's part is done.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from uuid import UUID

from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.utils import timezone

from workspaces import audit
from workspaces.models import Invitation, Membership, Role, User, Workspace
from workspaces.outage import RegionUnavailable
from workspaces.regions import (
    DIRECTORY_ALIAS,
    REGION_ALIASES,
    RegionalModel,
    region_storage,
    regional_models,
    truncate_sqlite_log,
)
from workspaces.services import delete_workspace, revoke_api_keys

from . import archives

logger = logging.getLogger(__name__)

# Rows are erased in batches of this many keys, each in a transaction: memory stays flat
# however much a person tracked, and a retry continues where a failure stopped.
BATCH = 2000


class OwnsSharedWorkspaces(Exception):
    """The person owns workspaces that others belong to: ownership must move first."""

    def __init__(self, workspaces: list[Workspace]) -> None:
        self.workspaces = workspaces
        super().__init__("Transfer or delete the workspaces you own with other members first.")


def shared_workspaces_owned(user: User) -> list[Workspace]:
    """The workspaces `user` owns that have other members, which deleting them would take."""
    return list(_owned(user).filter(people__gt=1))


def owned_alone(user: User) -> list[Workspace]:
    """The workspaces `user` owns with nobody else in them: deleted with the account."""
    return list(_owned(user).filter(people=1))


def _owned(user: User) -> models.QuerySet[Workspace]:
    owned = Membership.objects.filter(user=user, role=Role.OWNER).values("workspace_id")
    workspaces = Workspace.objects.filter(pk__in=owned).order_by("name")
    return workspaces.annotate(people=models.Count("memberships"))


def person_models() -> list[type[RegionalModel]]:
    """The regional models holding rows about a person, in the order they are deleted."""
    return [model for model in regional_models(deleting=True) if model.person_fields]


def _about(model: type[RegionalModel], user_id: int) -> models.Q:
    return reduce(or_, (models.Q(**{name: user_id}) for name in model.person_fields))


@dataclass
class Held:
    """What one workspace's region holds about a person: (kind, count) rows."""

    workspace_id: UUID
    rows: list[tuple[str, int]] = field(default_factory=list)

    def count(self, model: type[RegionalModel]) -> int:
        """How many rows of `model` are about the person here."""
        label = str(model._meta.verbose_name_plural)
        return next((count for kind, count in self.rows if kind == label), 0)


def held_in_region(user_id: int, region: str) -> dict[UUID, Held]:
    """Count, per workspace of `region`, the rows about the person, kind by kind.

    Every workspace that holds something, including ones the person has left (their entries
    stay there until they delete them or their account). Rollups derived from other tables
    are not counted: they go with their sources. Raises RegionUnavailable.
    """
    held: dict[UUID, Held] = {}
    for model in reversed(person_models()):
        if model.derived_from:
            continue
        counts = (
            model.objects.across_region(region)
            .filter(_about(model, user_id))
            .values("workspace_id")
            .annotate(n=models.Count("id"))
            .order_by()
        )
        for row in counts:
            entry = held.setdefault(row["workspace_id"], Held(row["workspace_id"]))
            entry.rows.append((str(model._meta.verbose_name_plural), row["n"]))
    return held


def request_deletion(user: User) -> None:
    """Deactivate and mark the account, and shut every door into it, at once.

    Refuses (OwnsSharedWorkspaces) while the person owns a workspace with other members.
    The erasure itself runs after the commit (tasks.erase_account).
    """
    with transaction.atomic(using="default"):
        user = User.objects.select_for_update().get(pk=user.pk)
        if shared := shared_workspaces_owned(user):
            raise OwnsSharedWorkspaces(shared)
        if user.deletion_requested_at is None:
            user.deletion_requested_at = timezone.now()
        user.is_active = False
        user.save(update_fields=["deletion_requested_at", "is_active"])
        revoke_api_keys(user)
        Invitation.objects.filter(
            workspace__in=[workspace.pk for workspace in owned_alone(user)],
            accepted_at__isnull=True,
        ).delete()
        end_sessions(user)


def end_sessions(user: User) -> None:
    """End every session of the person: the ones allauth lists, and any other it missed."""
    for session in UserSession.objects.filter(user=user):
        session.end()
    # A session made before the session list existed is found by reading it: sessions are
    # few and short-lived (two weeks at most), and this runs once per account deletion.
    stale = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=stale).delete()


Report = Callable[[str], None]


def erase(user: User, report: Report = logger.info) -> None:
    """Erase everything about a person who asked for it, then the account (see the module).

    Idempotent; raises RegionUnavailable (or a storage's error) when a region cannot be
    reached, leaving the account deactivated and marked for the next run.
    """
    if user.deletion_requested_at is None:
        raise ValueError("Erasing an account that did not ask for it.")
    for workspace in owned_alone(user):
        delete_workspace(workspace)
        report(f"Deleted workspace {workspace.id} ({workspace.region_label}), which they owned")
    for region in REGION_ALIASES:
        held = held_in_region(user.pk, region)
        counts = erase_in_region(user.pk, region)
        if counts:
            report(f"Region {region}: " + ", ".join(f"{n:,} {kind}" for kind, n in counts.items()))
        _tell_the_logs(held)
    archives.delete_all(user)
    with transaction.atomic(using="default"):
        Invitation.objects.filter(email__iexact=user.email).delete()
        end_sessions(user)
        User.objects.filter(pk=user.pk).delete()
    report(f"Deleted account {user.pk}")
    # A request that was already running when the account was switched off may have
    # written after its region was erased; no new one can (sessions and keys are gone), so
    # a second pass over the regions catches those stragglers.
    for region in REGION_ALIASES:
        erase_in_region(user.pk, region)
    # On SQLite the deleted rows are overwritten in the files (secure_delete); their old
    # pages may still sit in the write-ahead logs until a checkpoint empties them.
    for alias in (DIRECTORY_ALIAS, *REGION_ALIASES):
        if not truncate_sqlite_log(alias):
            report(f"The {alias} database's log is in use: emptied at its next checkpoint")


def _tell_the_logs(held: dict[UUID, Held]) -> None:
    """Note in each workspace's audit log that a member's records went with their account,
    naming nobody: its admins see why entries are gone. Only where something was erased,
    so a run repeated after a failure adds no second event for the same records."""
    for workspace in Workspace.objects.filter(pk__in=list(held)):
        records = sum(count for _, count in held[workspace.pk].rows)
        audit.record(workspace, audit.Kind.ACCOUNT_DELETED, actor_id=None, records=records)


def erase_in_region(user_id: int, region: str) -> dict[str, int]:
    """Delete the rows about a person in one region (files first), and empty the columns
    naming them as an actor; return what was deleted or emptied, by kind."""
    done: dict[str, int] = defaultdict(int)
    for model in regional_models(deleting=True):
        kind = str(model._meta.verbose_name_plural)
        if model.person_fields:
            for batch in _batches(model, user_id, region):
                _delete_files(model, batch, region)
                with transaction.atomic(using=region):
                    model.objects.across_region(region).filter(pk__in=batch).delete()
                done[kind] += len(batch)
        for name in model.actor_fields:
            emptied = (
                model.objects.across_region(region).filter(**{name: user_id}).update(**{name: None})
            )
            if emptied:
                done[f"{kind} (name removed)"] += emptied
    return dict(done)


def _batches(model: type[RegionalModel], user_id: int, region: str) -> Iterator[list[UUID]]:
    rows = model.objects.across_region(region).filter(_about(model, user_id)).order_by("pk")
    after = None
    while True:
        page = rows.filter(pk__gt=after) if after is not None else rows
        batch = list(page.values_list("pk", flat=True)[:BATCH])
        if not batch:
            return
        yield batch
        after = batch[-1]


def _delete_files(model: type[RegionalModel], batch: list[UUID], region: str) -> None:
    if model.stored_files is RegionalModel.stored_files:
        return
    storage = region_storage(region)
    for row in model.objects.across_region(region).filter(pk__in=batch).iterator():
        for name in row.stored_files():
            storage.delete(name)  # a name already gone is no error: a retry passes again


def pending_deletions() -> list[User]:
    """Accounts whose deletion was asked for and has not finished: for the sweep and
    `manage.py resume_deletions`."""
    return list(User.objects.filter(deletion_requested_at__isnull=False).order_by("pk"))


__all__ = [
    "OwnsSharedWorkspaces",
    "RegionUnavailable",
    "erase",
    "held_in_region",
    "request_deletion",
]
