"""Concurrent timer starts never leave two running entries (real transactions, real files)."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connections
from django.test import Client
from django.urls import reverse

from tracking import services
from tracking.models import TimeEntry

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def test_concurrent_starts_leave_exactly_one_running(owner, workspace):
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


def test_twenty_parallel_starts_through_the_tracker_answer_no_500(owner, workspace):
    # On SQLite a transaction that reads before it writes could not wait for the write lock:
    # without BEGIN IMMEDIATE half of these answered 500 "database is locked".
    clients = [Client(raise_request_exception=False) for _ in range(20)]
    for client in clients:
        client.force_login(owner)
    url = reverse("tracking:start", args=[workspace.id])
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def start(client: Client, n: int) -> None:
        try:
            barrier.wait()
            statuses.append(client.post(url, {"description": f"#{n}", "running": ""}).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start, args=(c, n)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(set(statuses)) == [302, 409], statuses
    assert statuses.count(302) == 1
    assert TimeEntry.objects.in_workspace(workspace).running().count() == 1
