"""The Summary report page: groups, percentages, amounts and the SVG charts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import make_client, make_project, make_tag, make_user, make_workspace
from tracking.models import TimeEntry
from workspaces.models import User, Workspace

BASE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _url(workspace: Workspace) -> str:
    return reverse("reports:summary", args=[workspace.id])


def _entry(
    workspace: Workspace, user: User, start: datetime, minutes: int, **fields: Any
) -> TimeEntry:
    return TimeEntry.objects.in_workspace(workspace).create(
        user_id=user.pk, start=start, end=start + timedelta(minutes=minutes), **fields
    )


def _groups(response: Any) -> list[tuple]:
    return [
        (g.label, g.seconds, g.amount, g.percent, [(c.label, c.seconds) for c in g.children])
        for g in response.context["report"].groups
    ]


def test_groups_by_project_then_member_with_amounts_and_shares(
    client: Client, workspace: Workspace, owner: User, member: User
) -> None:
    website = make_project(workspace, "Website", client=make_client(workspace, "Acme"))
    _entry(workspace, owner, BASE, 90, project=website, billable=True, hourly_rate=Decimal("40"))
    _entry(workspace, member, BASE, 30, project=website)
    _entry(workspace, member, BASE + timedelta(days=1), 120)
    client.force_login(owner)
    response = client.get(
        _url(workspace), {"preset": "all", "group": "project", "subgroup": "member"}
    )
    assert response.status_code == 200
    assert _groups(response) == [
        ("Website", 7200, Decimal("60.00"), 50.0, [("Olivia Owner", 5400), ("Max Member", 1800)]),
        ("Without project", 7200, Decimal("0.00"), 50.0, [("Max Member", 7200)]),
    ]
    html = response.content.decode()
    assert "<svg" in html and "<title>" in html and " style=" not in html and "<style" not in html


@pytest.mark.parametrize("group", ["project", "client", "member", "task", "tag", "date"])
def test_every_grouping_adds_up(
    client: Client, workspace: Workspace, owner: User, group: str
) -> None:
    tag = make_tag(workspace, "deep work")
    entry = _entry(workspace, owner, BASE, 60, project=make_project(workspace))
    entry.set_tags(workspace, [tag])
    _entry(workspace, owner, BASE + timedelta(days=3), 30)
    client.force_login(owner)
    response = client.get(_url(workspace), {"preset": "all", "group": group})
    assert response.status_code == 200
    assert sum(g.seconds for g in response.context["report"].groups) == 5400


def test_member_sees_only_their_own_time(
    client: Client, workspace: Workspace, owner: User, member: User
) -> None:
    _entry(workspace, owner, BASE, 60)
    _entry(workspace, member, BASE, 30)
    client.force_login(member)
    response = client.get(_url(workspace), {"preset": "all", "group": "member"})
    assert _groups(response) == [("Max Member", 1800, Decimal("0.00"), 100.0, [])]
    bad = client.get(_url(workspace), {"preset": "all", "members": [str(owner.pk)]})
    assert bad.status_code == 400


def test_login_required_404_405(client: Client, workspace: Workspace, outsider: User) -> None:
    assert client.get(_url(workspace)).status_code == 302
    client.force_login(outsider)
    assert client.get(_url(workspace)).status_code == 404
    assert client.post(_url(workspace)).status_code == 405


@pytest.mark.parametrize(
    "query",
    [
        {"group": "colour"},
        {"group": "project", "subgroup": "project"},
        {"preset": "custom", "start": "2026-03-10", "end": "2026-03-01"},
        {"projects": ["00000000-0000-0000-0000-000000000000"]},
    ],
)
def test_bad_input_is_400(client: Client, workspace: Workspace, owner: User, query: dict) -> None:
    client.force_login(owner)
    assert client.get(_url(workspace), query).status_code == 400


def test_another_workspaces_tag_is_400_and_shows_nothing_of_it(
    client: Client, workspace: Workspace, owner: User
) -> None:
    stranger = make_user()
    elsewhere = make_workspace(stranger, name="Elsewhere", region="eu")
    foreign = make_tag(elsewhere, "foreign-tag")
    client.force_login(owner)
    response = client.get(_url(workspace), {"preset": "all", "tags": [str(foreign.id)]})
    assert response.status_code == 400
    assert "foreign-tag" not in response.content.decode()


@time_machine.travel(datetime(2026, 3, 31, 12, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize(
    ("query", "bucket", "bars"),
    [
        ({"preset": "this_month"}, "day", 31),
        ({"preset": "this_year"}, "week", 53),
        ({"preset": "custom", "start": "2024-01-01", "end": "2026-03-31"}, "month", 27),
        ({"preset": "all"}, "year", 8),
    ],
)
def test_long_ranges_switch_to_weeks_months_and_years(
    client: Client, workspace: Workspace, owner: User, query: dict, bucket: str, bars: int
) -> None:
    _entry(workspace, owner, datetime(2019, 6, 1, 9, tzinfo=UTC), 60)
    _entry(workspace, owner, datetime(2026, 3, 30, 9, tzinfo=UTC), 90)
    client.force_login(owner)
    response = client.get(_url(workspace), query)
    report = response.context["report"]
    assert (report.bucket, len(report.bars)) == (bucket, bars)
    assert max(bar.seconds for bar in report.bars) == 5400
    assert re.search(r"<title>[^<]*: 1\.50 h</title>", response.content.decode())


def test_same_queries_for_few_and_many_entries(
    client: Client, workspace: Workspace, owner: User, member: User, all_queries: Any
) -> None:
    projects = [make_project(workspace), make_project(workspace)]
    client.force_login(owner)
    counts = []
    for count in (2, 120):
        for n in range(count):
            _entry(
                workspace,
                (owner, member)[n % 2],
                BASE - timedelta(hours=n * 5),
                20,
                project=projects[n % 2],
            )
        query = {"preset": "all", "group": "project", "subgroup": "date"}
        client.get(_url(workspace), query)
        with all_queries() as queries:
            assert client.get(_url(workspace), query).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_long_tables_end_in_a_row_that_adds_up_the_rest(
    client: Client, workspace: Workspace, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reports.summary.MAX_GROUPS", 3)
    for day in range(5):
        _entry(workspace, owner, BASE + timedelta(days=day), 10 * (day + 1))
    client.force_login(owner)
    response = client.get(_url(workspace), {"preset": "all", "group": "date"})
    groups = response.context["report"].groups
    assert [g.label for g in groups] == ["03/06/2026", "03/05/2026", "3 more"]
    assert [g.seconds for g in groups] == [3000, 2400, 3600]
