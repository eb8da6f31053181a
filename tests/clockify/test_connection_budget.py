"""gunicorn's workers, each with bounded pools, stay under PostgreSQL's max_connections."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from clockify import capacity

CLIENTS = 64
REQUESTS_EACH = 20

pytestmark = [
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="connection pools are PostgreSQL's: run with DATABASE_URL set (CI does)",
    ),
]


def _url(alias: str) -> str:
    # The test databases, as the server under test must use them.
    database = connections[alias].settings_dict
    user = database["USER"] or ""
    return f"postgres://{user}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


def _server_connections() -> tuple[int, int]:
    with connections["default"].cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
        )
        return limit, cursor.fetchone()[0]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(port: int, limit: int) -> subprocess.Popen:
    env = os.environ.copy()
    env["DATABASE_URL"] = _url("default")
    for alias in ("us", "eu", "uk", "au"):
        env[f"DATABASE_URL_{alias.upper()}"] = _url(alias)
    env["DATABASE_MAX_CONNECTIONS"] = str(limit)
    root = Path(settings.BASE_DIR)
    command = [sys.executable, "-m", "gunicorn", "clockify.wsgi:application"]
    command += ["--config", str(root / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen([*command, "--log-level", "warning"], cwd=root, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return server
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    server.kill()
    raise AssertionError("gunicorn did not answer /healthz within 30 s")


def _client(port: int, statuses: Counter, lock: threading.Lock) -> None:
    for n in range(REQUESTS_EACH):
        # /healthz touches all five databases; the login page only the directory.
        path = "/healthz" if n % 2 == 0 else "/accounts/login/"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:
                status = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0  # refused or timed out: as bad as a 5xx
        with lock:
            statuses[status] += 1


def test_64_clients_against_gunicorn_get_no_5xx_and_stay_under_max_connections():
    limit, before = _server_connections()
    port = _free_port()
    server = _start(port, limit)
    statuses: Counter = Counter()
    lock = threading.Lock()
    peak = 0
    try:
        clients = [
            threading.Thread(target=_client, args=(port, statuses, lock)) for _ in range(CLIENTS)
        ]
        for client in clients:
            client.start()
        while any(client.is_alive() for client in clients):
            peak = max(peak, _server_connections()[1])
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert statuses == {200: CLIENTS * REQUESTS_EACH}, statuses
    budget = capacity.web_workers() * 5 * capacity.pool_size(limit, reserved=10, databases=5)
    assert peak - before <= budget < limit - 10, (peak - before, budget, limit)
