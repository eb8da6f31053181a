"""Every path that writes an entry, driven with arbitrary dates: a 4xx, or an entry that
the rule allows and every report renders (hypothesis)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.factories import make_project
from tracking import rules, services
from tracking.models import TimeEntry
from workspaces.models import ApiKey, User, Workspace

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
PATHS = [
    "tracker_add",
    "tracker_edit",
    "timesheet",
    "api_post",
    "api_put",
    "report_edit",
    "import",
]
ZONES = ["UTC", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago"]
# Edges of the rule next to arbitrary moments from year 1 to 9999.
EDGES = [
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC),
    NOW,
    NOW + rules.LATEST_AHEAD,
    NOW + rules.LATEST_AHEAD + timedelta(seconds=1),
    datetime(2100, 12, 31, 23, 0, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 0, tzinfo=UTC),
]
MOMENTS = st.one_of(
    st.sampled_from(EDGES),
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ),
    st.datetimes(
        min_value=datetime(1969, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
    ),
)
LENGTHS = st.one_of(
    st.sampled_from([timedelta(0), timedelta(hours=999), timedelta(hours=999, seconds=1)]),
    st.timedeltas(min_value=timedelta(hours=-2), max_value=timedelta(hours=1200)),
    st.none(),  # a running timer, where the path has one
)


def _local(moment: datetime, zone: str) -> tuple[str, str]:
    # The wall clock a person would type; a moment with no wall time there is typed in UTC.
    try:
        local = moment.astimezone(ZoneInfo(zone))
    except OverflowError:
        local = moment
    return local.date().isoformat(), local.strftime("%H:%M:%S")


def _form(start: datetime, length: timedelta | None, zone: str) -> dict[str, str]:
    day, at = _local(start, zone)
    data = {"description": "typed", "day": day, "start_time": at, "end_time": "", "duration": ""}
    if length is not None:
        data["duration"] = f"{int(length.total_seconds()) // 60}m"
    return data


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _write(client: Client, key: str, workspace: Workspace, user: User, path: str, start, length):
    """Send one write through `path`; its response."""
    end = None if length is None else start + length if _fits(start, length) else None
    ws = workspace.id
    old = services.create_entry(
        workspace, user.pk, services.EntryDetails(), NOW - timedelta(hours=3), NOW
    )
    api = {"content_type": "application/json", "headers": {"X-Api-Key": key}}
    if path == "tracker_add":
        return client.post(
            reverse("tracking:add_entry", args=[ws]), _form(start, length, user.time_zone)
        )
    if path == "tracker_edit":
        url = reverse("tracking:edit_entry", args=[ws, old.id])
        return client.post(url, _form(start, length, user.time_zone))
    if path == "report_edit":
        url = reverse("reports:edit_entry", args=[ws, old.id])
        return client.post(url, _form(start, length, user.time_zone))
    if path == "timesheet":
        day, _ = _local(start, user.time_zone)
        project = make_project(workspace)
        value = "" if length is None else f"{int(length.total_seconds()) // 60}m"
        data = {"project_task": f"p:{project.id}", "day": day, "value": value or "0"}
        return client.post(reverse("tracking:timesheet_cell", args=[ws]), data)
    if path == "import":
        return _import(client, workspace, user, start, end)
    body = json.dumps({"start": _iso(start), "end": _iso(end), "description": "api"})
    if path == "api_post":
        return client.post(f"/api/v1/workspaces/{ws}/time-entries", body, **api)
    return client.put(f"/api/v1/workspaces/{ws}/time-entries/{old.id}", body, **api)


def _import(client: Client, workspace: Workspace, user: User, start, end):
    """Upload a one-row Detailed CSV and confirm it; the confirm's response (or the upload's)."""
    start_day, start_time = _local(start, user.time_zone)
    end_day, end_time = _local(end, user.time_zone) if end else (start_day, start_time)
    row = ["", "", "imported", "", "", "", user.email, "", "No"]
    row += [_us(start_day), start_time, _us(end_day), end_time, "", ""]
    header = "Project,Client,Description,Task,User,Group,Email,Tags,Billable,Start Date,"
    header += "Start Time,End Date,End Time,Duration (h),Duration (decimal)\r\n"
    content = header + ",".join(f'"{cell}"' for cell in row) + "\r\n"
    file = SimpleUploadedFile("backup.csv", content.encode(), content_type="text/csv")
    uploaded = client.post(reverse("reports:import", args=[workspace.id]), {"file": file})
    if uploaded.status_code != 302:
        return uploaded
    return client.post(reverse("reports:import_confirm", args=[workspace.id]))


def _us(day: str) -> str:
    # The file's dates in Clockify's default MM/DD/YYYY; years below 1000 keep their digits.
    year, month, dom = day.split("-")
    return f"{month}/{dom}/{year}"


def _fits(start: datetime, length: timedelta) -> bool:
    try:
        start + length
    except OverflowError:
        return False
    return True


def _reports_render(client: Client, workspace: Workspace) -> None:
    detailed = reverse("reports:detailed", args=[workspace.id])
    for query in ({"preset": "all"}, {"preset": "all", "order": "asc"}):
        assert client.get(detailed, query).status_code == 200
    summary = reverse("reports:summary", args=[workspace.id])
    for group in ("date", "project", "member"):
        assert client.get(summary, {"preset": "all", "group": group}).status_code == 200
    export = client.post(reverse("reports:export", args=[workspace.id]), {"preset": "all"})
    assert export.status_code == 200
    b"".join(export.streaming_content)
    assert client.get(reverse("tracking:tracker", args=[workspace.id])).status_code == 200


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(path=st.sampled_from(PATHS), zone=st.sampled_from(ZONES), start=MOMENTS, length=LENGTHS)
def test_every_entry_path_refuses_or_stores_an_entry_reports_render(
    client: Client, owner: User, workspace: Workspace, path, zone, start, length
) -> None:
    owner.time_zone = zone
    owner.save(update_fields=["time_zone"])
    client.force_login(owner)
    key = ApiKey.objects.issue(owner, "paths")[1]
    with time_machine.travel(NOW, tick=False):
        response = _write(client, key, workspace, owner, path, start, length)
        assert response.status_code < 500, (path, response.status_code)
        event(f"{path}: {'refused' if response.status_code >= 400 else 'stored'}")
        stored = list(TimeEntry.objects.in_workspace(workspace))
        for entry in stored:
            # Stored entries obey the rule (a timer's own start may not be in the future).
            rules.check_entry_times(entry.start, entry.end)
        _reports_render(client, workspace)
    TimeEntry.objects.in_workspace(workspace).delete()
