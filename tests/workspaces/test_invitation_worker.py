"""With REDIS_URL set (CI's second run), a real Celery worker delivers the invitation email."""

from __future__ import annotations

import faulthandler
import os
import re
import time
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connections
from django.urls import reverse
from kombu.exceptions import OperationalError

from clockify.celery import app
from workspaces.models import Invitation

# Every wait here is bounded: the worker's start, each poll and its shutdown. A start that
# never comes back (Celery's own wait has no timeout) ends the run with a traceback instead
# of hanging CI.
WATCHDOG_SECONDS = 120
DELIVERY_SECONDS = 20


def _redis_or_skip() -> None:
    under_ci = os.environ.get("CI", "").lower() == "true"
    url = os.environ.get("REDIS_URL")
    if not url:
        if under_ci and os.environ.get("DATABASE_URL"):
            pytest.fail("CI's server run must set REDIS_URL, or the worker test never runs.")
        pytest.skip("REDIS_URL not set: tasks run inline (the embedded default); CI sets it")
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=3)
    except OperationalError as error:
        message = f"Redis at {url} does not answer: {error}"
        if under_ci:
            pytest.fail(message + "; under CI the worker test must run.")
        pytest.skip(message)


def _close_connections(**kwargs: object) -> None:
    # The worker runs tasks in its own thread, whose database connections would otherwise
    # outlive the test and keep PostgreSQL from dropping the test databases.
    connections.close_all()


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    _redis_or_skip()
    monkeypatch.setitem(app.conf, "worker_hijack_root_logger", False)  # leave pytest's logging
    app.control.purge()  # messages left by an earlier run are not this test's
    task_postrun.connect(_close_connections, weak=False)
    faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=15, loglevel="WARNING"
        ):
            yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        task_postrun.disconnect(_close_connections)


@pytest.mark.broker
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_worker_on_redis_delivers_the_invitation_made_in_the_page(
    client, owner, workspace, worker
):
    assert app.conf.task_always_eager is False
    client.force_login(owner)
    url = reverse("workspaces:invite", args=[workspace.id])
    response = client.post(url, {"email": "new@example.com", "role": "member"})
    assert response.status_code == 302

    invitation = Invitation.objects.get(workspace=workspace)
    # The task sends, then commits sent_at: the commit is the end of its work.
    deadline = time.monotonic() + DELIVERY_SECONDS
    while invitation.sent_at is None and time.monotonic() < deadline:
        time.sleep(0.1)
        invitation.refresh_from_db()
    assert invitation.sent_at is not None
    (sent,) = mail.outbox
    assert sent.to == ["new@example.com"]
    # The link's signature holds the second it was made: read the token back, not the text.
    (token,) = re.findall(r"/invitations/([^/\s]+)/", sent.body)
    assert Invitation.id_from_token(token) == str(invitation.id)
