"""The CSV export endpoint: who may export what, how it starts, its limits and its file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from reports import export
from reports.csv_format import ExportFormat
from reports.views.export import MAX_CONCURRENT, ExportSlot, file_name
from tests.factories import PASSWORD, make_project, make_tag, make_user
from tracking.models import TimeEntry
from workspaces.models import User, Workspace

HEADER = b'"Project","Client","Description","Task","User","Group","Email","Tags","Billable",'
NOW = datetime(2026, 3, 18, 12, tzinfo=UTC)


def entry(workspace: Workspace, user: User, start: datetime, minutes: int = 60, **fields):
    return TimeEntry.objects.in_workspace(workspace).create(
        user_id=user.pk, start=start, end=start + timedelta(minutes=minutes), **fields
    )


def url(workspace: Workspace) -> str:
    return reverse("reports:export", args=[workspace.id])


def login(client: Client, user: User) -> Client:
    client.login(email=user.email, password=PASSWORD)
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def entries(workspace, owner, member):
    project = make_project(workspace, "Website", hourly_rate=Decimal("80.00"))
    tagged = entry(workspace, owner, NOW - timedelta(days=1), description="Owner's work")
    tagged.set_tags(workspace, [make_tag(workspace, "review")])
    entry(
        workspace,
        member,
        NOW - timedelta(days=2),
        description="Member's work",
        project=project,
        hourly_rate=project.hourly_rate,
    )
    return project


@time_machine.travel(NOW, tick=False)
def test_member_exports_own_entries(client, workspace, member, entries):
    response = login(client, member).post(url(workspace), {"preset": "all"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="Time_Report_Detailed_03_16_2026-03_16_2026.csv"'
    )
    data = body(response)
    assert data.startswith(HEADER)
    assert b"Member's work" in data and b"Owner's work" not in data
    assert data.count(b"\r\n") == 2


@time_machine.travel(NOW, tick=False)
def test_member_cannot_ask_for_others(client, workspace, owner, member, entries):
    response = login(client, member).post(url(workspace), {"preset": "all", "members": owner.pk})
    assert response.status_code == 400
    assert b"own time" in response.content


@time_machine.travel(NOW, tick=False)
def test_admin_exports_everyone(client, workspace, owner, member, entries):
    response = login(client, owner).post(url(workspace), {"preset": "all"})
    assert response.status_code == 200
    lines = body(response).split(b"\r\n")
    assert b"Owner's work" in lines[1] and b'"review"' in lines[1]
    assert b"Member's work" in lines[2] and b'"member@example.com"' in lines[2]
    assert b'"Website"' in lines[2] and b'"80.00"' in lines[2]


def test_people_who_left_keep_their_name(client, workspace, owner, entries):
    gone = make_user("gone@example.com", name="Gone Person")
    entry(workspace, gone, NOW - timedelta(days=3), description="Before leaving")
    data = body(login(client, owner).post(url(workspace), {"preset": "all"}))
    assert b'"Gone Person","","gone@example.com"' in data


def test_login_required(client, workspace):
    response = client.post(url(workspace), {"preset": "all"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_another_workspace_is_404(client, workspace, outsider):
    response = login(client, outsider).post(url(workspace), {"preset": "all"})
    assert response.status_code == 404


def test_wrong_method(client, workspace, owner):
    login(client, owner)
    assert client.put(url(workspace)).status_code == 405
    assert client.delete(url(workspace)).status_code == 405


def test_post_needs_csrf_token(workspace, owner):
    client = login(Client(enforce_csrf_checks=True), owner)
    assert client.post(url(workspace), {"preset": "all"}).status_code == 403


@pytest.mark.parametrize("site", [None, "cross-site", "same-site", "none"])
def test_get_from_elsewhere_is_refused(client, workspace, owner, site):
    headers = {"Sec-Fetch-Site": site} if site else {}
    response = login(client, owner).get(url(workspace), {"preset": "all"}, headers=headers)
    assert response.status_code == 403
    assert b"Export button" in response.content


def test_get_from_our_pages_starts_it(client, workspace, owner, entries):
    response = login(client, owner).get(
        url(workspace), {"preset": "all"}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert response.status_code == 200
    assert body(response).startswith(HEADER)


@pytest.mark.parametrize(
    "filters",
    [
        {"preset": "custom", "start": "2026-03-10", "end": "2026-03-01"},
        {"preset": "custom", "start": "not a date", "end": "2026-03-01"},
        {"preset": "forever"},
        {"sort": "nonsense"},
        {"projects": "00000000-0000-0000-0000-000000000000"},
    ],
)
def test_bad_filters_are_400(client, workspace, owner, filters):
    response = login(client, owner).post(url(workspace), filters)
    assert response.status_code == 400
    assert cache.get(f"reports:export:{workspace.id}:0") is None  # no slot kept


def test_project_of_another_workspace_is_400(client, workspace, owner, outsider):
    foreign = make_project(outsider.memberships.get().workspace, "Theirs")
    response = login(client, owner).post(url(workspace), {"projects": str(foreign.id)})
    assert response.status_code == 400


def test_third_concurrent_export_is_429(client, workspace, owner, entries):
    login(client, owner)
    running = [client.post(url(workspace), {"preset": "all"}) for _ in range(MAX_CONCURRENT)]
    assert [r.status_code for r in running] == [200] * MAX_CONCURRENT
    refused = client.post(url(workspace), {"preset": "all"})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    assert b"Try again" in refused.content
    body(running[0])  # finishing one frees its slot
    assert client.post(url(workspace), {"preset": "all"}).status_code == 200


def test_slots_are_per_workspace(client, workspace, owner, outsider):
    for _ in range(MAX_CONCURRENT):
        assert ExportSlot.take(workspace) is not None
    assert ExportSlot.take(workspace) is None
    assert ExportSlot.take(outsider.memberships.get().workspace) is not None


# Real transactions: closing a response ends its request, which closes connections left in
# a transaction, as the test's own would be.
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_closing_the_download_frees_the_slot(client, workspace, owner, entries):
    login(client, owner)
    for started in range(MAX_CONCURRENT + 2):
        response = client.post(url(workspace), {"preset": "all"})
        assert response.status_code == 200
        if started:  # the first is closed before its first byte
            next(iter(response.streaming_content))
        response.close()  # what the server does when the client goes away
    assert TimeEntry.objects.in_workspace(workspace).count() == 2  # the connection still works
    assert all(ExportSlot.take(workspace) for _ in range(MAX_CONCURRENT))


def test_a_database_failure_mid_stream_aborts(client, workspace, owner, entries, monkeypatch):
    real = export.detailed_csv

    def failing(*args, **kwargs):
        chunks = real(*args, **kwargs)
        yield next(chunks)
        raise export.ExportAborted("The database stopped answering.")

    monkeypatch.setattr("reports.views.export.detailed_csv", failing)
    response = login(client, owner).post(url(workspace), {"preset": "all"})
    stream = iter(response.streaming_content)
    assert next(stream).startswith(HEADER)
    with pytest.raises(export.ExportAborted):
        next(stream)
    assert ExportSlot.take(workspace) is not None  # the slot was given back


@time_machine.travel(NOW, tick=False)
def test_file_name_follows_the_range(client, workspace, owner, entries):
    login(client, owner)
    names = {
        "this_month": "Time_Report_Detailed_03_01_2026-03_31_2026.csv",
        "all": "Time_Report_Detailed_03_16_2026-03_17_2026.csv",
    }
    for preset, name in names.items():
        response = client.post(url(workspace), {"preset": preset})
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
        body(response)
    response = client.post(url(workspace), {"preset": "all", "description": "nothing like it"})
    assert "Time_Report_Detailed_03_18_2026-03_18_2026.csv" in response["Content-Disposition"]


def test_file_name_pattern():
    first, last = datetime(2026, 1, 5).date(), datetime(2026, 12, 31).date()
    assert file_name(first, last) == "Time_Report_Detailed_01_05_2026-12_31_2026.csv"


@time_machine.travel(NOW, tick=False)
def test_export_button_posts_the_filters(client, workspace, owner, entries):
    page = reverse("reports:detailed", args=[workspace.id])
    response = login(client, owner).get(page, {"preset": "all", "billable": "yes", "page": "2"})
    html = response.content.decode()
    assert f'action="{url(workspace)}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<input type="hidden" name="preset" value="all">' in html
    assert '<input type="hidden" name="billable" value="yes">' in html
    assert 'name="page"' not in html.split(url(workspace))[1].split("</form>")[0]
    assert reverse("reports:import", args=[workspace.id]) in html


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_database_error_on_the_python_path_aborts(workspace, monkeypatch):
    def failing(*args: object):
        yield '"x"\r\n'
        raise DatabaseError("the database went away")

    monkeypatch.setattr(export, "_python_lines", failing)
    entries = TimeEntry.objects.in_workspace(workspace)
    with pytest.raises(export.ExportAborted):
        b"".join(export._python_csv(entries, ExportFormat(), {}))
    assert entries.count() == 0  # the region still answers
