"""Retention of the helpers' records: each person's own `helper_retention_days`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from tests.factories import make_user
from tracking.helpers.models import ActivityRecord, IdleAction, IdlePeriod
from tracking.helpers.retention import purge_expired_helper_data
from tracking.tasks import purge_helper_data

NOW = datetime(2026, 11, 25, 15, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def activity(workspace, user_id: int, days_ago: float, n: int) -> ActivityRecord:
    start = NOW - timedelta(days=days_ago)
    return ActivityRecord.objects.in_workspace(workspace).create(
        user_id=user_id, client_id=f"r-{n}", app="Code", start=start, end=start
    )


def idle(workspace, user_id: int, days_ago: float) -> IdlePeriod:
    start = NOW - timedelta(days=days_ago)
    return IdlePeriod.objects.in_workspace(workspace).create(
        user_id=user_id, start=start, end=start + timedelta(minutes=10), action=IdleAction.KEEP
    )


def left(model, workspace) -> set:
    return set(model.objects.in_workspace(workspace).values_list("id", flat=True))


def test_each_persons_records_go_after_their_own_retention(workspace, owner, member):
    member.helper_retention_days = 7
    member.save(update_fields=["helper_retention_days"])
    kept = {activity(workspace, member.pk, 6, 1).id, activity(workspace, owner.pk, 44, 2).id}
    activity(workspace, member.pk, 8, 3)
    activity(workspace, owner.pk, 46, 4)
    kept_idle = {idle(workspace, member.pk, 6).id, idle(workspace, owner.pk, 44).id}
    idle(workspace, member.pk, 8)
    idle(workspace, owner.pk, 46)
    purged = purge_expired_helper_data()
    assert (purged.activity, purged.idle_periods) == (2, 2)
    assert left(ActivityRecord, workspace) == kept
    assert left(IdlePeriod, workspace) == kept_idle
    again = purge_expired_helper_data()
    assert (again.activity, again.idle_periods) == (0, 0)


def test_every_region_is_purged(workspace, outsider):
    other = outsider.memberships.get().workspace
    activity(workspace, outsider.pk, 50, 1)
    activity(other, outsider.pk, 50, 2)
    assert purge_expired_helper_data().activity == 2
    assert left(ActivityRecord, other) == set()


def test_the_records_of_someone_gone_from_the_directory_go_whole(workspace):
    gone = make_user()
    gone_id = gone.pk
    activity(workspace, gone_id, 1, 1)
    idle(workspace, gone_id, 1)
    gone.delete()
    purged = purge_expired_helper_data()
    assert (purged.activity, purged.idle_periods) == (1, 1)


def test_the_task_and_the_command_purge(workspace, member, capsys):
    activity(workspace, member.pk, 50, 1)
    assert purge_helper_data.delay().get() == {"activity": 1, "idle_periods": 0}
    activity(workspace, member.pk, 50, 2)
    call_command("purge_helper_data")
    assert "Purged 1 auto tracker record(s) and 0 idle period(s)." in capsys.readouterr().out


def test_beat_runs_the_purge_hourly():
    schedule = settings.CELERY_BEAT_SCHEDULE["purge-helper-data"]
    assert schedule == {"task": "tracking.tasks.purge_helper_data", "schedule": 3600}
