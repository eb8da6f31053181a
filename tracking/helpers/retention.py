"""Letting the helpers' records expire: each person keeps theirs `helper_retention_days`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from workspaces.models import User, Workspace
from workspaces.regions import Region
from workspaces.services import on_every_workspace

from .models import ActivityRecord, IdlePeriod


@dataclass
class HelpersPurged:
    activity: int = 0
    idle_periods: int = 0


def purge_workspace(workspace: Workspace, now: datetime) -> HelpersPurged:
    """Delete the workspace's auto tracker records and idle periods that started before
    their person's retention; those of someone no longer in the directory go whole."""
    records = ActivityRecord.objects.in_workspace(workspace)
    idle = IdlePeriod.objects.in_workspace(workspace)
    people = set(records.values_list("user_id", flat=True).distinct())
    people |= set(idle.values_list("user_id", flat=True).distinct())
    retention = dict(User.objects.filter(pk__in=people).values_list("pk", "helper_retention_days"))
    purged = HelpersPurged()
    for user_id in sorted(people):
        days = retention.get(user_id)
        # A person erased from the directory keeps nothing here (their erasure may have been
        # interrupted; this finishes that part of it).
        cutoff = now if days is None else now - timedelta(days=days)
        purged.activity += (
            records.filter(user_id=user_id, start__lt=cutoff)
            .delete()[1]
            .get(ActivityRecord._meta.label, 0)
        )
        purged.idle_periods += (
            idle.filter(user_id=user_id, start__lt=cutoff)
            .delete()[1]
            .get(IdlePeriod._meta.label, 0)
        )
    return purged


def purge_expired_helper_data(
    now: datetime | None = None, regions: Iterable[str] = Region.values
) -> HelpersPurged:
    """Purge every workspace of every region; a region that is down is skipped until next time.

    Idempotent: a second run finds nothing past its retention.
    """
    now = now or timezone.now()
    total = HelpersPurged()
    purges = on_every_workspace(
        lambda workspace: purge_workspace(workspace, now),
        what="Purging helper data",
        regions=regions,
    )
    for purged in purges:
        total.activity += purged.activity
        total.idle_periods += purged.idle_periods
    return total
