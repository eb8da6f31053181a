"""The Detailed report page: filters, totals, day subtotals, keyset pages, edit and delete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from reports.forms import encode_cursor
from tests.factories import (
    make_client,
    make_project,
    make_tag,
    make_task,
    make_user,
    make_workspace,
)
from tracking.models import TimeEntry
from workspaces.models import User, Workspace

BASE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _url(workspace: Workspace, name: str = "reports:detailed", *args: Any) -> str:
    return reverse(name, args=[workspace.id, *args])


def _entry(
    workspace: Workspace, user: User, start: datetime, minutes: int, **fields: Any
) -> TimeEntry:
    return TimeEntry.objects.in_workspace(workspace).create(
        user_id=user.pk, start=start, end=start + timedelta(minutes=minutes), **fields
    )


def _login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _ids(response: Any) -> set:
    return {entry.id for entry in response.context["page"].entries}


def test_admin_sees_everyones_entries_with_totals(
    client: Client, workspace: Workspace, owner: User, member: User
) -> None:
    project = make_project(workspace, name="Website", hourly_rate=Decimal("50"))
    mine = _entry(workspace, owner, BASE, 60, project=project, billable=True, hourly_rate=50)
    theirs = _entry(workspace, member, BASE + timedelta(hours=2), 30, description="Review")
    response = _login(client, owner).get(_url(workspace), {"preset": "all"})
    assert response.status_code == 200
    assert _ids(response) == {mine.id, theirs.id}
    totals = response.context["page"].totals
    assert (totals.count, totals.seconds, totals.billable_seconds) == (2, 5400, 3600)
    assert totals.amount == Decimal("50.00")
    html = response.content.decode()
    assert "Review" in html and "Max Member" in html and "Website" in html
    assert " style=" not in html


def test_member_sees_only_their_own_entries(
    client: Client, workspace: Workspace, owner: User, member: User
) -> None:
    _entry(workspace, owner, BASE, 60, description="Owner's secret")
    own = _entry(workspace, member, BASE, 30)
    response = _login(client, member).get(_url(workspace), {"preset": "all"})
    assert response.status_code == 200
    assert _ids(response) == {own.id}
    assert "Owner&#x27;s secret" not in response.content.decode()
    assert f"/reports/detailed/{own.id}/edit/" not in response.content.decode()


def test_login_required(client: Client, workspace: Workspace) -> None:
    response = client.get(_url(workspace))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_another_workspace_is_404(client: Client, workspace: Workspace, outsider: User) -> None:
    assert _login(client, outsider).get(_url(workspace)).status_code == 404


def test_wrong_method_is_405(client: Client, workspace: Workspace, owner: User) -> None:
    assert _login(client, owner).post(_url(workspace)).status_code == 405


def test_member_asking_for_someone_else_is_a_form_error(
    client: Client, workspace: Workspace, owner: User, member: User
) -> None:
    _entry(workspace, owner, BASE, 60, description="Owner's time")
    response = _login(client, member).get(
        _url(workspace), {"preset": "all", "members": [str(owner.pk)]}
    )
    assert response.status_code == 400
    assert "only see their own time" in response.content.decode()
    assert "Owner&#x27;s time" not in response.content.decode()


@pytest.mark.parametrize("field", ["projects", "clients", "tags", "tasks"])
def test_ids_of_another_workspace_are_form_errors(
    client: Client, workspace: Workspace, owner: User, field: str
) -> None:
    stranger = make_user()
    elsewhere = make_workspace(stranger, name="Elsewhere", region="eu")
    foreign = {
        "projects": lambda: make_project(elsewhere),
        "clients": lambda: make_client(elsewhere),
        "tags": lambda: make_tag(elsewhere),
        "tasks": lambda: make_task(make_project(elsewhere), elsewhere),
    }[field]()
    _entry(elsewhere, stranger, BASE, 60, description="Foreign row")
    response = _login(client, owner).get(
        _url(workspace), {"preset": "all", field: [str(foreign.id)]}
    )
    assert response.status_code == 400
    assert "of this workspace only" in response.content.decode()
    assert "Foreign row" not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"preset": "custom", "start": "2026-03-10", "end": "2026-03-01"},
        {"preset": "custom", "start": "2026-02-30", "end": "2026-03-01"},
        {"start": "yesterday-ish"},
        {"preset": "custom", "start": "0001-01-01", "end": "2026-03-01"},
        {"preset": "forever"},
        {"page": str(10**9)},
        {"page": "7", "after": "x"},
        {"sort": "price"},
        {"order": "sideways"},
        {"size": "1000"},
        {"billable": "maybe"},
        {"members": ["not-a-number"]},
        {"after": "bm90LWEtY3Vyc29y"},
        {"after": "a", "before": "b"},
    ],
)
def test_bad_filters_are_400(
    client: Client, workspace: Workspace, owner: User, query: dict
) -> None:
    response = _login(client, owner).get(_url(workspace), query)
    assert response.status_code == 400
    assert "field-error" in response.content.decode() or "alert error" in response.content.decode()


def test_a_page_beyond_the_report_is_400(client: Client, workspace: Workspace, owner: User) -> None:
    first = _entry(workspace, owner, BASE, 60)
    query = {"preset": "all", "page": "3", "after": encode_cursor(first.start, first.id)}
    assert _login(client, owner).get(_url(workspace), query).status_code == 400


def test_filters_select_the_right_entries(
    client: Client, workspace: Workspace, owner: User
) -> None:
    acme = make_client(workspace, "Acme")
    website = make_project(workspace, "Website", client=acme)
    task = make_task(website, workspace, "Design")
    bug = make_tag(workspace, "bug")
    tagged = _entry(workspace, owner, BASE, 10, project=website, task=task, description="Fix login")
    tagged.set_tags(workspace, [bug])
    loose = _entry(workspace, owner, BASE + timedelta(hours=1), 10, billable=True)
    _login(client, owner)

    def ids(**query: Any) -> set:
        response = client.get(_url(workspace), {"preset": "all", **query})
        assert response.status_code == 200
        return _ids(response)

    assert ids(projects=["none"]) == {loose.id}
    assert ids(projects=[str(website.id)]) == {tagged.id}
    assert ids(clients=[str(acme.id)]) == {tagged.id}
    assert ids(clients=["none"]) == {loose.id}
    assert ids(tasks=[str(task.id)]) == {tagged.id}
    assert ids(tags=[str(bug.id)]) == {tagged.id}
    assert ids(billable="yes") == {loose.id}
    assert ids(billable="no") == {tagged.id}
    assert ids(description="LOGIN") == {tagged.id}
    assert ids(members=[str(owner.pk)]) == {tagged.id, loose.id}


@time_machine.travel(datetime(2026, 3, 31, 12, 0, tzinfo=UTC), tick=False)
def test_day_subtotals_across_midnight_and_a_dst_change(
    client: Client, workspace: Workspace, owner: User
) -> None:
    owner.time_zone = "Europe/Berlin"
    owner.save()
    # Berlin springs forward on 2026-03-29: 01:30 to 03:30 local time is one real hour.
    dst = _entry(
        workspace,
        owner,
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        60,
        billable=True,
        hourly_rate=Decimal("36"),
    )
    # 23:00 local on the 27th until 01:00 on the 28th counts on the day it started.
    late = _entry(workspace, owner, datetime(2026, 3, 27, 22, 0, tzinfo=UTC), 120)
    same_day = _entry(workspace, owner, datetime(2026, 3, 27, 8, 0, tzinfo=UTC), 45)
    # 00:30 local on the 30th is still the 29th in UTC: it belongs to the 30th here.
    early = _entry(workspace, owner, datetime(2026, 3, 29, 22, 30, tzinfo=UTC), 15)
    response = _login(client, owner).get(_url(workspace), {"preset": "this_month", "size": "50"})
    assert response.status_code == 200
    days = {
        day.day.isoformat(): (day.seconds, [e.id for e in day.entries])
        for day in response.context["page"].days
    }
    assert days == {
        "2026-03-30": (900, [early.id]),
        "2026-03-29": (3600, [dst.id]),
        "2026-03-27": (9900, [late.id, same_day.id]),
    }
    totals = response.context["page"].totals
    assert (totals.seconds, totals.billable_seconds, totals.amount) == (
        14_400,
        3600,
        Decimal("36.00"),
    )
    # This week (Monday 30th) in Berlin holds only the early entry.
    week = client.get(_url(workspace), {"preset": "this_week"})
    assert _ids(week) == {early.id}


def test_day_subtotals_count_the_whole_day_beyond_the_page(
    client: Client, workspace: Workspace, owner: User
) -> None:
    for minute in range(60):
        _entry(workspace, owner, BASE + timedelta(minutes=minute * 2), 1)
    response = _login(client, owner).get(_url(workspace), {"preset": "all", "size": "50"})
    (day,) = response.context["page"].days
    assert len(day.entries) == 50
    assert day.seconds == 3600


def _walk(client: Client, url: str, query: dict) -> tuple[list, list]:
    """Follow Next from the first page, then Previous from the last page."""
    forward, response = [], client.get(url, query)
    while True:
        assert response.status_code == 200
        page = response.context["page"]
        forward.extend(page.entries)
        if not page.next:
            break
        response = client.get(url, {**query, "after": page.next, "page": page.number + 1})
    backward, response = [], client.get(url, {**query, "last": "1"})
    while True:
        assert response.status_code == 200
        page = response.context["page"]
        backward[:0] = page.entries
        if not page.previous:
            break
        response = client.get(url, {**query, "before": page.previous, "page": page.number - 1})
    return [e.id for e in forward], [e.id for e in backward]


@pytest.mark.parametrize("sort", ["date", "duration", "description", "member", "project"])
@pytest.mark.parametrize("order", ["desc", "asc"])
def test_keyset_pages_cover_every_entry_once(
    client: Client,
    workspace: Workspace,
    owner: User,
    member: User,
    admin: User,
    sort: str,
    order: str,
) -> None:
    projects = [None, make_project(workspace, "Alpha"), make_project(workspace, "beta")]
    people = [owner, member, admin]
    for n in range(123):
        # Many equal sort values (same start, length, text) so the id must break ties.
        _entry(
            workspace,
            people[n % 3],
            BASE + timedelta(hours=n // 4),
            5 * (n % 4 + 1),
            description=f"task {n % 5}",
            project=projects[n % 3],
        )
    _login(client, owner)
    forward, backward = _walk(
        client, _url(workspace), {"preset": "all", "sort": sort, "order": order}
    )
    assert len(forward) == len(set(forward)) == 123
    assert forward == backward


def test_same_queries_for_few_and_many_entries_and_first_and_last_page(
    client: Client, workspace: Workspace, owner: User, member: User, all_queries: Any
) -> None:
    project, tag = make_project(workspace), make_tag(workspace)

    def add(count: int) -> None:
        for n in range(count):
            start = BASE - timedelta(hours=n, minutes=count)
            entry = _entry(workspace, (owner, member)[n % 2], start, 20, project=project)
            entry.set_tags(workspace, [tag])

    _login(client, owner)
    counts = []
    for count in (3, 257):
        add(count)
        for query in ({"preset": "all"}, {"preset": "all", "last": "1"}):
            client.get(_url(workspace), query)  # warm the session
            with all_queries() as queries:
                assert client.get(_url(workspace), query).status_code == 200
            counts.append(len(queries))
    assert len(set(counts)) == 1, counts
    # Directory: session, user, its activity (5 with the savepoints), membership, members,
    # the switcher. Region: projects, clients, tasks, tags, totals, rows, their tags,
    # day subtotals, settings, and the header's monitoring state (indicator and bell).
    assert counts[0] == 20, counts


@time_machine.travel(datetime(2026, 3, 31, 12, 0, tzinfo=UTC), tick=False)
def test_rows_show_tags_links_and_a_next_day_end_in_the_viewers_zone(
    client: Client, workspace: Workspace, owner: User
) -> None:
    owner.time_zone = "Europe/Berlin"  # UTC+2 since March 29
    owner.save()
    # 23:30 to 00:30 in Berlin, one UTC day; 01:30 to 02:30 in Berlin, across UTC midnight.
    late = _entry(workspace, owner, datetime(2026, 3, 30, 21, 30, tzinfo=UTC), 60)
    early = _entry(workspace, owner, datetime(2026, 3, 30, 23, 30, tzinfo=UTC), 60)
    late.set_tags(workspace, [make_tag(workspace, "beta"), make_tag(workspace, "Alpha")])
    response = _login(client, owner).get(_url(workspace), {"preset": "all"})
    html = response.content.decode()
    rows = {
        entry.id: html.split(f'<tr id="entry-{entry.id}">')[1].split("</tr>")[0]
        for entry in (late, early)
    }
    assert "(+1 day)" in rows[late.id] and "(+1 day)" not in rows[early.id]
    assert '<span class="tag">Alpha</span><span class="tag">beta</span>' in rows[late.id]
    assert 'class="tag"' not in rows[early.id]
    for entry in (late, early):
        edit = _url(workspace, "reports:edit_entry", entry.id) + "?back=preset%3Dall"
        delete = _url(workspace, "reports:delete_entry", entry.id) + "?back=preset%3Dall"
        assert f'href="{edit}"' in rows[entry.id]
        assert f'action="{delete}"' in rows[entry.id]


def test_admin_edits_an_entry_from_the_report(
    client: Client, workspace: Workspace, owner: User, member: User
) -> None:
    owner.time_zone = "UTC"
    owner.save()
    entry = _entry(workspace, member, BASE, 60, description="Old")
    url = _url(workspace, "reports:edit_entry", entry.id) + "?back=preset%3Dall%26sort%3Dduration"
    _login(client, owner)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "description": "New",
            "day": "2026-03-02",
            "start_time": "09:00",
            "duration": "2:00",
            "billable": "no",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/reports/detailed/?preset=all&sort=duration")
    entry.refresh_from_db()
    assert (entry.description, entry.end - entry.start, entry.user_id) == (
        "New",
        timedelta(hours=2),
        member.pk,
    )


def test_edit_with_bad_input_is_400_and_saves_nothing(
    client: Client, workspace: Workspace, owner: User, member: User
) -> None:
    entry = _entry(workspace, member, BASE, 60, description="Old")
    url = _url(workspace, "reports:edit_entry", entry.id)
    response = _login(client, owner).post(
        url, {"description": "New", "day": "2026-03-02", "start_time": "09:00", "end_time": "09:00"}
    )
    assert response.status_code == 400
    entry.refresh_from_db()
    assert entry.description == "Old"


def test_back_never_leaves_the_report(client: Client, workspace: Workspace, owner: User) -> None:
    entry = _entry(workspace, owner, BASE, 60)
    url = _url(workspace, "reports:delete_entry", entry.id) + "?back=https://evil.example/"
    response = _login(client, owner).post(url)
    assert response["Location"].startswith(_url(workspace) + "?")


def test_admin_deletes_an_entry_from_the_report(
    client: Client, workspace: Workspace, admin: User, member: User
) -> None:
    entry = _entry(workspace, member, BASE, 60)
    url = _url(workspace, "reports:delete_entry", entry.id)
    _login(client, admin)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not TimeEntry.objects.in_workspace(workspace).filter(id=entry.id).exists()


@pytest.mark.parametrize("name", ["reports:edit_entry", "reports:delete_entry"])
def test_members_and_outsiders_cannot_edit_or_delete(
    client: Client, workspace: Workspace, owner: User, member: User, outsider: User, name: str
) -> None:
    own = _entry(workspace, member, BASE, 60)
    url = _url(workspace, name, own.id)
    assert _login(client, member).post(url).status_code == 403
    assert _login(client, outsider).post(url).status_code == 404
    elsewhere = make_workspace(owner, name="Second", region="us")
    foreign = _entry(elsewhere, owner, BASE, 60)
    assert _login(client, owner).post(_url(workspace, name, foreign.id)).status_code == 404
    assert TimeEntry.objects.in_workspace(workspace).filter(id=own.id).exists()
