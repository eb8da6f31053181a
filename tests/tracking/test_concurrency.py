"""Concurrent timer starts never leave two running entries (PostgreSQL: real transactions)."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connections

from tracking import services
from tracking.models import TimeEntry

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def postgres_only():
    if connections["eu"].vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL (CI's second run)")


def test_concurrent_starts_leave_exactly_one_running(postgres_only, owner, workspace):
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def start(n: int) -> None:
        try:
            barrier.wait()
            services.start_timer(workspace, owner.pk, services.EntryDetails(description=f"#{n}"))
            outcomes.append("started")
        except services.TimerError:
            outcomes.append("refused")
        finally:
            close_old_connections()
            connections.close_all()

    threads = [threading.Thread(target=start, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    running = TimeEntry.objects.in_workspace(workspace).running()
    assert running.count() == 1
    assert len(outcomes) == 8
    assert "started" in outcomes
    for entry in TimeEntry.objects.in_workspace(workspace).finished():
        assert entry.end > entry.start


def test_the_database_refuses_a_second_running_entry(owner, workspace):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    services.start_timer(workspace, owner.pk, services.EntryDetails())
    with pytest.raises(IntegrityError), transaction.atomic(using="eu"):
        TimeEntry.objects.in_workspace(workspace).create(user_id=owner.pk, start=timezone.now())
    assert TimeEntry.objects.in_workspace(workspace).running().count() == 1
