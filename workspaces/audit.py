"""A workspace's audit log: what was done in it, by whom, about whom; kept in its region.

Every path that changes a role, a membership, an invitation, the owner or a monitoring
switch, looks at someone's captures, deletes a screenshot or someone else's time, exports
a report, confirms an import, deletes entries in bulk or moves the workspace calls `record`
(or `record_read` for a read that a region move must not stop), inside the transaction of
the change where there is one. A change of the directory is wrapped in `changing(ws)`, so
the change and its event commit together.

Rows name people by directory user id only; `ShownEvent` puts names on them when they are
shown (the admins' log page and each person's "your data" page render events the same way,
through `templates/workspaces/_audit_event.html`), and a person whose account is gone is
"a deleted account". Events are kept for `settings.AUDIT_RETENTION_DAYS` (`purge`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import AuditEvent, AuditKind, Membership, Role, User, Workspace
from .readonly import WorkspaceMoving
from .regions import DIRECTORY_ALIAS, Region

Kind = AuditKind
PAGE_SIZE = 50
DELETED_ACCOUNT = "a deleted account"
# Who moves a workspace between regions: the server's operators, not a member.
OPERATOR = "support"

logger = logging.getLogger(__name__)


def record(
    workspace: Workspace,
    kind: str,
    *,
    actor_id: int | None,
    subject_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an event to the workspace's log, in its region (and in the caller's transaction)."""
    if any("email" in key.lower() for key in detail):
        raise ValueError("Audit events name people by their user id, never by email.")
    return AuditEvent.objects.in_workspace(workspace).create(
        kind=Kind(kind), actor_id=actor_id, subject_id=subject_id, detail=detail
    )


def record_read(
    workspace: Workspace,
    kind: str,
    *,
    actor_id: int | None,
    subject_id: int | None = None,
    **detail: Any,
) -> AuditEvent | None:
    """Record a read that goes on while the workspace moves to another region (an export).

    During a move the region takes no writes (workspaces/readonly.py) and reads must keep
    working, so such a read is logged here and not recorded: the only gap in the log, for
    the few minutes an operator's move takes.
    """
    try:
        with transaction.atomic(using=workspace.db_alias):
            return record(workspace, kind, actor_id=actor_id, subject_id=subject_id, **detail)
    except WorkspaceMoving:
        logger.warning("%s in workspace %s not audited: it is moving", kind, workspace.id)
        return None


@contextmanager
def changing(workspace: Workspace) -> Iterator[None]:
    """Transactions for a directory change and its event: both commit, or neither does.

    The region's transaction holds the directory's, so a failed directory write rolls the
    event back, and an event the region refuses (down, or the workspace moving) rolls the
    change back. Only a crash between the two commits could keep the event without the
    change.
    """
    with transaction.atomic(using=workspace.db_alias), transaction.atomic(using=DIRECTORY_ALIAS):
        yield


# --- reading the log ---


@dataclass(frozen=True)
class ShownEvent:
    """An event with the names of its people, ready to show."""

    event: AuditEvent
    actor: str
    subject: str | None
    what: str

    @property
    def when(self) -> datetime:
        return self.event.created_at

    @property
    def kind_label(self) -> str:
        return self.event.get_kind_display()

    @property
    def sentence(self) -> str:
        """The event in words: 'Ada changed the role of Max from Member to Admin.'"""
        text = f"{self.actor} {self.what}."
        return text[0].upper() + text[1:]


def display_names(user_ids: Iterable[int | None]) -> dict[int, str]:
    """Names of people by id, from the directory (one query); deleted people are missing."""
    wanted = {pk for pk in user_ids if pk is not None}
    if not wanted:
        return {}
    return {user.pk: user.display_name for user in User.objects.filter(pk__in=wanted)}


def shown(events: list[AuditEvent], names: dict[int, str] | None = None) -> list[ShownEvent]:
    """Put names on events: from `names` where given, the rest from the directory."""
    names = dict(names or {})
    missing = {pk for e in events for pk in (e.actor_id, e.subject_id)} - set(names)
    names.update(display_names(missing))

    def name(pk: int | None) -> str:
        return DELETED_ACCOUNT if pk is None else names.get(pk, DELETED_ACCOUNT)

    result = []
    for event in events:
        if event.kind == Kind.REGION_MOVED and event.actor_id is None:
            actor = OPERATOR
        elif event.kind == Kind.ACCOUNT_DELETED:  # nobody is named: the person is gone
            actor = "someone"
        else:
            actor = name(event.actor_id)
        subject = name(event.subject_id) if _has_subject(event) else None
        result.append(ShownEvent(event, actor, subject, _what(event, subject or "")))
    return result


def _has_subject(event: AuditEvent) -> bool:
    return event.subject_id is not None or event.kind in SUBJECT_KINDS


# The kinds that are about someone: their subject is shown even when the account is gone.
SUBJECT_KINDS = frozenset(
    {
        Kind.SCREENSHOT_VIEWED,
        Kind.LOCATION_VIEWED,
        Kind.SCREENSHOT_DELETED,
        Kind.ROLE_CHANGED,
        Kind.MEMBER_REMOVED,
        Kind.OWNERSHIP_TRANSFERRED,
        Kind.ENTRY_DELETED,
    }
)


def _role(value: object) -> str:
    try:
        return Role(value).label
    except ValueError:
        return str(value)


def _region(value: object) -> str:
    try:
        return Region(value).label
    except ValueError:
        return str(value)


def _count(number: object, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _what(event: AuditEvent, subject: str) -> str:
    """What the actor did, in words (the sentence without its actor)."""
    detail = event.detail or {}
    match event.kind:
        case Kind.MONITORING_CHANGED:
            switch = str(detail.get("switch", "monitoring"))
            was = bool((detail.get("before") or {}).get("enabled"))
            now = bool((detail.get("after") or {}).get("enabled"))
            if was != now:
                return f"turned {switch} {'on' if now else 'off'}"
            return f"changed the {switch} options"
        case Kind.SCREENSHOT_VIEWED:
            return f"viewed a screenshot of {subject}"
        case Kind.LOCATION_VIEWED:
            return f"viewed the locations of {subject} during a time entry"
        case Kind.SCREENSHOT_DELETED:
            removed = int(detail.get("seconds_removed") or 0)
            if removed:
                minutes = max(round(removed / 60), 1)
                taken = _count(minutes, "minute", "minutes")
                return f"deleted a screenshot of {subject}, taking {taken} off its entry"
            return f"deleted a screenshot of {subject}"
        case Kind.ROLE_CHANGED:
            before, after = _role(detail.get("before")), _role(detail.get("after"))
            return f"changed the role of {subject} from {before} to {after}"
        case Kind.MEMBER_REMOVED:
            return f"removed {subject} from the workspace"
        case Kind.MEMBER_LEFT:
            return "left the workspace"
        case Kind.INVITATION_SENT:
            return f"invited someone to join as {_role(detail.get('role'))}"
        case Kind.INVITATION_RESENT:
            return f"sent an invitation to join as {_role(detail.get('role'))} again"
        case Kind.INVITATION_REVOKED:
            return f"revoked an invitation to join as {_role(detail.get('role'))}"
        case Kind.INVITATION_ACCEPTED:
            return f"accepted an invitation and joined as {_role(detail.get('role'))}"
        case Kind.OWNERSHIP_TRANSFERRED:
            return f"transferred the workspace's ownership to {subject}"
        case Kind.REPORT_EXPORTED:
            first, last = detail.get("first"), detail.get("last")
            span = f" ({first} to {last})" if first and last else ""
            return f"exported the Detailed report as CSV{span}"
        case Kind.IMPORT_CONFIRMED:
            name = detail.get("file_name")
            what = f"imported {name}" if name else "imported a CSV file"
            added = _count(detail.get("created", 0), "entry", "entries")
            return f"{what}: {added} added, {detail.get('skipped', 0)} already there"
        case Kind.ENTRIES_DELETED:
            return f"deleted {_count(detail.get('count', 0), 'time entry', 'time entries')}"
        case Kind.ENTRY_DELETED:
            return f"deleted a time entry of {subject}"
        case Kind.REGION_MOVED:
            source, target = _region(detail.get("from")), _region(detail.get("to"))
            return f"moved the workspace's data from {source} to {target}"
        case Kind.ACCOUNT_DELETED:
            erased = _count(detail.get("records", 0), "record", "records")
            return f"deleted their account, and with it the {erased} about them here"
    return str(event.get_kind_display()).lower()


def events_about(workspace: Workspace, user_id: int, limit: int = PAGE_SIZE) -> list[ShownEvent]:
    """The events a person did or that were about them, newest first (for 'your data')."""
    events = (
        AuditEvent.objects.in_workspace(workspace)
        .filter(Q(subject_id=user_id) | Q(actor_id=user_id))
        .order_by("-created_at", "-id")[:limit]
    )
    return shown(list(events))


def people(workspace: Workspace) -> list[tuple[int, str]]:
    """Everyone the log can be filtered by: the members, then others it names, by name."""
    found = {
        m.user_id: m.user.display_name
        for m in Membership.objects.filter(workspace=workspace).select_related("user")
    }
    named = (
        AuditEvent.objects.in_workspace(workspace)
        .order_by()
        .values_list("actor_id", "subject_id")
        .distinct()
    )
    others = {pk for pair in named for pk in pair if pk is not None} - set(found)
    found.update(display_names(others))
    return sorted(found.items(), key=lambda item: (item[1].casefold(), item[0]))


# --- pages of the log: keyset, newest first ---

Position = tuple[datetime, uuid.UUID]


def cursor_of(event: AuditEvent) -> str:
    """Where a page ends, for the address ('Older' and 'Newer' links)."""
    return f"{event.created_at.astimezone(UTC).isoformat()}_{event.id}"


def parse_cursor(cursor: str) -> Position:
    """Read a cursor `cursor_of` wrote; ValueError for anything else."""
    moment_text, _, pk = cursor.partition("_")
    moment = datetime.fromisoformat(moment_text)
    if timezone.is_naive(moment):
        raise ValueError("A cursor's time has a time zone.")
    try:
        return moment.astimezone(UTC), uuid.UUID(pk)
    except OverflowError:
        raise ValueError("A cursor's time is out of range.") from None


@dataclass(frozen=True)
class LogPage:
    """One page of the log, and the cursors of the pages either side (None at an end)."""

    events: list[ShownEvent]
    older: str | None
    newer: str | None


def log_page(
    workspace: Workspace,
    *,
    person: int | None = None,
    kind: str | None = None,
    before: Position | None = None,
    after: Position | None = None,
    size: int = PAGE_SIZE,
    names: dict[int, str] | None = None,
) -> LogPage:
    """A page of the log, newest first: the newest, or the one before or after a cursor."""
    events = AuditEvent.objects.in_workspace(workspace)
    if person is not None:
        events = events.filter(Q(actor_id=person) | Q(subject_id=person))
    if kind:
        events = events.filter(kind=kind)
    if after is not None:
        moment, pk = after
        newer = Q(created_at__gt=moment) | Q(created_at=moment, id__gt=pk)
        rows = list(events.filter(newer).order_by("created_at", "id")[: size + 1])
        more = len(rows) > size
        rows = rows[:size][::-1]
        return LogPage(
            shown(rows, names),
            older=cursor_of(rows[-1]) if rows else None,
            newer=cursor_of(rows[0]) if rows and more else None,
        )
    if before is not None:
        moment, pk = before
        events = events.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=pk))
    rows = list(events.order_by("-created_at", "-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return LogPage(
        shown(rows, names),
        older=cursor_of(rows[-1]) if rows and more else None,
        newer=cursor_of(rows[0]) if rows and before is not None else None,
    )


# --- retention ---


def purge(workspace: Workspace, now: datetime | None = None) -> int:
    """Delete the workspace's events older than AUDIT_RETENTION_DAYS; return how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    events = AuditEvent.objects.in_workspace(workspace).filter(created_at__lt=cutoff)
    return events.delete()[1].get(AuditEvent._meta.label, 0)
