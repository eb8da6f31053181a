"""Idle detection: what happens to time the person was away while their timer ran.

A client (the tracker page, the browser extension, a desktop app) notices that the person
has been idle for longer than their threshold and asks them what to do; the answer comes
here, the one place its rules live, whichever client sends it:

- The idle time belongs to the entry of theirs that was running when the idleness began
  (started at or before the idle start, not ended before it). Entries started after the
  idle start are never touched: something or someone started them, so that was work.
- **Keep**: nothing changes.
- **Discard idle time**: that entry ends when the idleness began. If it had been stopped
  elsewhere meanwhile (during the idle time or after), its end moves back to the idle start
  all the same. If it started when the idleness began, nothing of it was worked: it is
  deleted.
- **Discard and continue**: as Discard, then a new entry with the same details starts when
  the person came back (the idle end), unless the entry had been stopped elsewhere (they
  meant to stop) or another timer runs now (they started one): then nothing starts.
- No entry was running at the idle start: the answer is recorded and nothing changes.
- **Answered twice** (the dialog sent again, or two tabs or clients that each noticed the
  same absence): an answer whose idle time overlaps one the person answered before changes
  nothing and returns that earlier answer. Answers are serialized on the person's entry,
  so two tabs answering at once apply once.

Only while the person has idle detection on (`User.idle_detection`): otherwise HelperOff,
and nothing is stored. The idle period is kept for the person alone, for their helpers'
retention.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from workspaces.models import User, Workspace

from .. import rules
from ..models import TimeEntry
from ..services import EntryDetails, TimerError, start_timer
from .models import IdleAction, IdlePeriod

# A client's clock may run this far ahead of ours.
CLOCK_SKEW = timedelta(minutes=1)
# The shortest idle time worth an answer: the smallest threshold a person can choose.
SHORTEST = timedelta(minutes=1)


class IdleRefused(Exception):
    """An answer that cannot be applied; `status` is the HTTP answer for it."""

    status = 400


class HelperOff(IdleRefused):
    """The person has not turned the helper on: nothing is recorded."""

    status = 403


class InvalidIdle(IdleRefused):
    """The idle period's times cannot be right."""


@dataclass
class IdleAnswer:
    """What an answer did: the idle period, entries changed or started, entries deleted."""

    period: IdlePeriod
    changed: list[TimeEntry] = field(default_factory=list)
    deleted: list[UUID] = field(default_factory=list)
    repeated: bool = False  # answered before: this answer changed nothing


def idle_off_message() -> str:
    return "Idle detection is off in your profile: turn it on to send idle periods."


def answer_idle(
    workspace: Workspace,
    user: User,
    start: datetime,
    end: datetime,
    action: str,
    *,
    now: datetime | None = None,
) -> IdleAnswer:
    """Apply the person's answer about an idle period (see the module for the rules)."""
    if not user.idle_detection:
        raise HelperOff(idle_off_message())
    now = now or timezone.now()
    action = IdleAction(action)
    start, end = _checked(start, end, now)
    with transaction.atomic(using=workspace.db_alias):
        entry = _entry_at(workspace, user.pk, start)
        earlier = (
            IdlePeriod.objects.in_workspace(workspace)
            .filter(user_id=user.pk, start__lt=end, end__gt=start)
            .order_by("start")
            .first()
        )
        if earlier is not None:
            return IdleAnswer(earlier, repeated=True)
        answer = _apply(workspace, user.pk, entry, start, end, action)
        answer.period = IdlePeriod.objects.in_workspace(workspace).create(
            user_id=user.pk,
            start=start,
            end=end,
            action=action,
            entry=None if answer.deleted else entry,
            continued=answer.period.continued,
            outcome=answer.period.outcome,
        )
    return answer


def _checked(start: datetime, end: datetime, now: datetime) -> tuple[datetime, datetime]:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise InvalidIdle("start and end need a time zone.")
    if end <= start:
        raise InvalidIdle("end must be after start.")
    if end - start < SHORTEST:
        raise InvalidIdle("An idle period lasts at least a minute.")
    if end > now + CLOCK_SKEW:
        raise InvalidIdle("end is in the future.")
    if start < rules.EARLIEST_START or end - start > rules.MAX_DURATION:
        raise InvalidIdle("start is too far in the past.")
    # Kept to the second: the start cut to its second, and the length, so that an absence
    # of exactly five minutes measured from 10:05:14.9 stays five minutes long.
    length = timedelta(seconds=int((end - start).total_seconds()))
    start = start.replace(microsecond=0)
    return start, start + length


def _entry_at(workspace: Workspace, user_id: int, moment: datetime) -> TimeEntry | None:
    """The person's entry running at `moment`, locked: two answers apply one after the other."""
    entries = (
        TimeEntry.objects.in_workspace(workspace)
        .of_user(user_id)
        .filter(Q(end__isnull=True) | Q(end__gt=moment), start__lte=moment)
        .order_by("-start")
        .select_for_update()
    )
    return entries.first()


def _apply(
    workspace: Workspace,
    user_id: int,
    entry: TimeEntry | None,
    start: datetime,
    end: datetime,
    action: IdleAction,
) -> IdleAnswer:
    answer = IdleAnswer(IdlePeriod())
    if entry is None:
        answer.period.outcome = "No timer was running when you went idle: nothing changed."
        return answer
    if action == IdleAction.KEEP:
        answer.period.outcome = "The idle time was kept in the entry."
        return answer
    was_running = entry.end is None
    details = EntryDetails.of(entry)  # read before the entry changes, or goes with its tags
    if entry.start >= start:
        answer.deleted.append(entry.pk)
        entry.delete()
        answer.period.outcome = "The entry was all idle time: it was deleted."
    else:
        entry.stop(start)
        answer.changed.append(entry)
        answer.period.outcome = "The entry now ends when you went idle."
    if action == IdleAction.DISCARD_AND_CONTINUE:
        _continue(workspace, user_id, details, min(end, timezone.now()), was_running, answer)
    return answer


def _continue(
    workspace: Workspace,
    user_id: int,
    details: EntryDetails,
    at: datetime,
    was_running: bool,
    answer: IdleAnswer,
) -> None:
    if not was_running:
        answer.period.outcome += " It had been stopped elsewhere, so no new entry started."
        return
    if TimeEntry.objects.in_workspace(workspace).of_user(user_id).running().exists():
        answer.period.outcome += " Another timer runs now, so no new entry started."
        return
    try:
        continued = start_timer(workspace, user_id, details, at=at)
    except (TimerError, rules.EntryTimeError) as refused:  # a timer started this instant
        raise InvalidIdle(str(refused)) from None
    answer.period.continued = continued
    answer.changed.append(continued)
    answer.period.outcome += " A new entry with the same details started when you came back."
