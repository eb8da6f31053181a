"""tracking.EntryTotal: PostgreSQL's triggers keep it equal to adding up the entries.

Every way entries change (create, bulk create, COPY, an update of one or many, a task's
deletion setting their task to none, delete) is followed by a comparison of the report's
totals for all time, read from EntryTotal, with the same totals added up from the entries,
under filters of every column EntryTotal keeps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext

from reports import importing
from reports.detailed import totals, totals_of
from reports.forms import NONE, ReportFilterForm
from tests.factories import make_client, make_project, make_task, make_workspace
from tracking.models import EntryTotal, TimeEntry
from workspaces.models import Membership, Role, User, Workspace

BASE = datetime(2025, 3, 30, 0, 30, tzinfo=UTC)

pytestmark = pytest.mark.skipif(
    "postgresql" not in {connections[alias].vendor for alias in ("eu",)},
    reason="EntryTotal is kept by PostgreSQL triggers: run with DATABASE_URL_EU set (CI does)",
)


def _form(workspace: Workspace, user: User, **data: Any) -> ReportFilterForm:
    membership = Membership.objects.get(workspace=workspace, user=user)
    form = ReportFilterForm({"preset": "all", **data}, workspace=workspace, membership=membership)
    assert form.is_valid(), form.errors
    return form


def _check(workspace: Workspace, owner: User, member: User, catalog: dict[str, Any]) -> None:
    """The rollup's totals equal the entries' totals under every filter it serves."""
    filters: list[dict[str, Any]] = [
        {},
        {"billable": "yes"},
        {"billable": "no"},
        {"members": [str(member.pk)]},
        {"projects": [str(catalog["project"].id)]},
        {"projects": [NONE]},
        {"clients": [str(catalog["client"].id)]},
        {"clients": [NONE, str(catalog["client"].id)]},
    ]
    if catalog["task"].id is not None:  # not deleted yet
        filters.append({"tasks": [str(catalog["task"].id)]})
    for data in filters:
        form = _form(workspace, owner, **data)
        assert totals_of(form) == totals(form.entries()), data
    own = _form(workspace, member)  # a member's report: their own time only
    assert totals_of(own) == totals(own.entries())


@pytest.fixture
def catalog(workspace: Workspace) -> dict[str, Any]:
    client = make_client(workspace, name="Acme")
    project = make_project(workspace, name="Site", client=client, hourly_rate=Decimal("80"))
    other = make_project(workspace, name="Internal")
    return {
        "client": client,
        "project": project,
        "other": other,
        "task": make_task(project, workspace, name="Design"),
    }


def test_totals_follow_every_kind_of_change(workspace, owner, member, catalog):
    entries = TimeEntry.objects.in_workspace(workspace)
    project, task = catalog["project"], catalog["task"]

    def entry(user: User, hours: float, **fields: Any) -> TimeEntry:
        start = BASE + timedelta(hours=hours)
        return TimeEntry(
            workspace_id=workspace.id,
            user_id=user.pk,
            start=start,
            end=start + timedelta(minutes=37, seconds=13, microseconds=250_000),
            **fields,
        )

    first = entry(owner, 0, project=project, task=task, billable=True)
    first.save(using=workspace.db_alias)
    entries.bulk_create(
        [
            entry(member, n, project=project if n % 2 else None, billable=n % 3 == 0)
            for n in range(1, 40)
        ]
        + [entry(owner, 50, hourly_rate=Decimal("12.50"), billable=True)]
    )
    running = entries.create(user_id=member.pk, start=BASE + timedelta(days=3))
    _check(workspace, owner, member, catalog)

    first.project = catalog["other"]
    first.task = None
    first.save(using=workspace.db_alias)
    running.end = running.start + timedelta(hours=30)  # a long one, across a DST change
    running.save()
    entries.filter(project=project).update(hourly_rate=Decimal("95.00"), billable=True)
    _check(workspace, owner, member, catalog)

    entries.filter(project=project).update(task=task)
    task.delete()  # the entries' task becomes none
    assert entries.filter(task__isnull=False).count() == 0
    _check(workspace, owner, member, catalog)

    entries.filter(user_id=member.pk, billable=False).delete()
    first.delete()
    _check(workspace, owner, member, catalog)
    entries.all().delete()
    assert totals_of(_form(workspace, owner)).count == 0
    assert set(EntryTotal.objects.in_workspace(workspace).values_list("count", flat=True)) <= {0}


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_copy_and_the_demo_seed_are_counted():
    call_command("seed_demo", "--entries", "400", "--region", "eu", stdout=StringIO())
    workspace = Workspace.objects.get(name="Demo Agency")
    owner = Membership.objects.get(workspace=workspace, role=Role.OWNER).user
    form = _form(workspace, owner)
    assert totals_of(form).count == 400
    assert totals_of(form) == totals(form.entries())


def test_all_time_reads_entry_totals_and_a_range_reads_entries(workspace, owner, member):
    TimeEntry.objects.in_workspace(workspace).create(
        user_id=owner.pk, start=BASE, end=BASE + timedelta(hours=1)
    )
    with CaptureQueriesContext(connections[workspace.db_alias]) as queries:
        totals_of(_form(workspace, owner))
        totals_of(_form(workspace, owner, preset="custom", start="2025-03-01", end="2025-03-31"))
        totals_of(_form(workspace, owner, description="x"))
    sums = [q["sql"] for q in queries if "SUM(" in q["sql"]]  # not the forms' choices
    tables = [("tracking_entrytotal" in sql, "tracking_timeentry" in sql) for sql in sums]
    assert tables == [(True, False), (False, True), (False, True)]


def test_another_workspace_is_not_counted(workspace, owner, member):
    elsewhere = make_workspace(owner, name="Elsewhere", region="eu")
    TimeEntry.objects.in_workspace(elsewhere).create(
        user_id=owner.pk, start=BASE, end=BASE + timedelta(hours=1)
    )
    assert totals_of(_form(workspace, owner)).count == 0
    assert totals_of(_form(elsewhere, owner)).count == 1


def test_an_import_folds_its_entries_once_at_its_end(workspace, owner, member, monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 2)  # several batches, each a statement
    header = "Project,Client,Description,Task,Email,Billable,Start Date,Start Time,End Date,"
    header += "End Time,Billable Rate (EUR)\n"
    rows = [
        f"Site,Acme,Row {n},,{person.email},{'Yes' if n % 2 else 'No'},2025-03-{n + 1:02d},"
        f"09:00:00,2025-03-{n + 1:02d},10:{n:02d}:00,{n}.50\n"
        for n, person in enumerate([owner, member] * 4)
    ]
    membership = Membership.objects.get(workspace=workspace, user=owner)
    plan = importing.plan_import(workspace, membership, header + "".join(rows))
    assert plan.ok, plan.errors
    assert importing.apply_import(workspace, plan).created == 8
    form = _form(workspace, owner)
    assert totals_of(form) == totals(form.entries())
    assert totals_of(form).count == 8
    # The triggers work again after it: a later change is folded as before.
    TimeEntry.objects.in_workspace(workspace).filter(user_id=member.pk).delete()
    assert totals_of(form) == totals(form.entries())
    assert totals_of(form).count == 4
