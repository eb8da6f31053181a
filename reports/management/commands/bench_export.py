"""Measure the CSV export over HTTP from gunicorn against psql's own COPY of the same rows."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.urls import reverse

from reports.csv_format import ExportFormat
from reports.export import Person, export_sql
from tracking.models import TimeEntry
from workspaces.models import Membership, User, WorkspaceSettings

SMALL = 10_000
READ = 256 * 1024


@dataclass
class Download:
    """One export fetched over HTTP."""

    rows: int
    seconds: float
    first_byte: float
    peak_rss: int  # bytes, the worker's high-water mark during the download


class Command(BaseCommand):
    help = "Export every demo entry over HTTP from gunicorn; compare with psql; print a table."

    def handle(self, *args: Any, **options: Any) -> None:
        owner = User.objects.filter(email="demo@example.com").first()
        if owner is None or owner.active_workspace is None:
            raise CommandError("Run seed_demo first.")
        workspace = owner.active_workspace
        if connections[workspace.db_alias].vendor != "postgresql":
            raise CommandError("The export benchmark needs the region on PostgreSQL.")
        entries = TimeEntry.objects.in_workspace(workspace).finished()
        total = entries.count()
        # The day from which on the newest SMALL entries start, in the owner's zone.
        cutoff = entries.order_by("-start").values_list("start", flat=True)[SMALL - 1]
        cookie = _session_cookie(owner)
        port = _free_port()
        server = _gunicorn(port)
        try:
            url = reverse("reports:export", args=[workspace.id])
            _fetch(port, url + "?preset=today", cookie, server.pid)  # warm up the worker
            since = cutoff.date() + timedelta(days=1)
            small_query = f"?preset=custom&start={since}&end=2100-12-31"
            small = _fetch(port, url + small_query, cookie, server.pid)
            full = _fetch(port, url + "?preset=all", cookie, server.pid)
        finally:
            server.terminate()
            server.wait(10)
        psql_seconds = _psql(workspace, owner, entries)
        if full.rows != total:
            raise CommandError(f"The export had {full.rows:,} rows, not {total:,}.")
        ours = full.rows / full.seconds
        theirs = total / psql_seconds
        memory = (full.peak_rss - small.peak_rss) / 2**20
        self.stdout.write(f"{total:,} entries; export over HTTP from gunicorn (gthread, 1 worker)")
        self.stdout.write(f"{'measure':<44}{'value':>16}{'target':>14}{'ok':>5}")
        rows = [
            ("psql COPY ... WITH CSV, rows/s", f"{theirs:,.0f}", "", ""),
            ("export over HTTP, rows/s", f"{ours:,.0f}", "", ""),
            ("export / psql throughput", f"{ours / theirs:.2f}", ">= 0.80", ours / theirs >= 0.8),
            (
                f"worker peak RSS, {total:,} minus {small.rows:,} rows",
                f"{memory:.1f} MB",
                "<= 16 MB",
                memory <= 16,
            ),
            (
                "time to first byte",
                f"{full.first_byte * 1000:.0f} ms",
                "<= 300 ms",
                full.first_byte <= 0.3,
            ),
        ]
        for name, value, target, ok in rows:
            mark = "" if target == "" else ("yes" if ok else "NO")
            self.stdout.write(f"{name:<44}{value:>16}{target:>14}{mark:>5}")


def _session_cookie(user: User) -> str:
    """Log the user in as a browser would end up: a session row and its cookie."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn(port: int) -> subprocess.Popen:
    """Start gunicorn with one gthread worker and wait until it answers."""
    root = Path(settings.BASE_DIR)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "clockify.wsgi:application",
            "--config",
            str(root / "gunicorn.conf.py"),
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=root,
        env=os.environ.copy(),
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return server
        except OSError:
            time.sleep(0.05)
    server.terminate()
    raise CommandError("gunicorn did not start.")


def _worker(master: int) -> int:
    """The pid of the master's one worker."""
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.05)
    raise CommandError("gunicorn has no worker.")


def _reset_peak(pid: int) -> None:
    # Writing 5 to clear_refs resets the high-water mark (VmHWM) to the current RSS.
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _peak(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise CommandError("No VmHWM in /proc.")


def _fetch(port: int, path: str, cookie: str, master: int) -> Download:
    """Download one export, counting its rows; the worker's peak memory is reset first."""
    worker = _worker(master)
    _reset_peak(worker)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.request(
        "GET",
        path,
        headers={"Cookie": cookie, "Sec-Fetch-Site": "same-origin", "Host": "127.0.0.1"},
    )
    response = connection.getresponse()
    if response.status != 200:
        raise CommandError(f"The export answered {response.status}: {response.read()[:300]!r}")
    first = response.read1(READ)
    first_byte = time.perf_counter() - started
    lines = first.count(b"\n")
    while chunk := response.read1(READ):
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    connection.close()
    # The demo's texts hold no line breaks: each one ends a row; the header is not one.
    return Download(lines - 1, seconds, first_byte, _peak(worker))


def _psql(workspace: Any, owner: User, entries: Any) -> float:
    """Seconds psql takes to COPY the same rows and columns as CSV to /dev/null."""
    people = {
        m.user_id: Person(m.user.display_name, m.user.email)
        for m in Membership.objects.filter(workspace=workspace).select_related("user")
    }
    fmt = ExportFormat.for_member(owner, WorkspaceSettings.objects.for_workspace(workspace))
    sql, params = export_sql(entries, fmt, people, lines=False)
    connection = connections[workspace.db_alias]
    with connection.cursor() as cursor:
        query = cursor.cursor.mogrify(sql, params)
    db = connection.settings_dict
    url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    command = [
        "psql",
        url,
        "-X",
        "-q",
        "-c",
        "SET jit = off",  # as the export does
        "-c",
        f"COPY ({query}) TO STDOUT WITH CSV",
    ]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        subprocess.run(command, stdout=sink, check=True, env=env)
    return time.perf_counter() - started
