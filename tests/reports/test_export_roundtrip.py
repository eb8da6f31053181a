"""Export a workspace, import the file into an empty one, export again: the same bytes.

Runs on whichever database the regions use: the Python path on SQLite, COPY on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reports.csv_format import ExportFormat
from reports.export import Person, detailed_csv
from reports.importing import apply_import, plan_import
from tests.factories import add_member, make_workspace
from tests.reports.test_csv_roundtrip import CHANGES, EPOCH, TRICKY, formats
from tracking.models import Client, Project, Tag, Task, TimeEntry
from workspaces.models import Membership, Role
from workspaces.validators import validate_single_line


def one_line(text: str) -> bool:
    try:
        validate_single_line(text)
    except ValidationError:
        return False
    return True


# Letters only in one case each, so that no two names differ by case alone (names are unique
# regardless of case, and SQLite folds only ASCII).
ALPHABET = st.sampled_from([*"aZ09 ", *TRICKY])
# Names are one line, as every form and the import require; descriptions need not be.
ONE_LINE = st.sampled_from([*"aZ09 ", *filter(one_line, TRICKY)])
name = st.text(ONE_LINE, min_size=1, max_size=10)
prefixed = st.builds(str.__add__, st.sampled_from(["", "=", "-", "+", "@", "'="]), name)
description = (
    st.text(ALPHABET, max_size=20)
    | prefixed
    | st.builds(str.__add__, st.just("\t"), st.text(ALPHABET, max_size=10))
)
tag_name = name.filter(lambda text: ", " not in text)


def unique(strategy: st.SearchStrategy, size: int) -> st.SearchStrategy:
    return st.lists(strategy, min_size=1, max_size=size, unique_by=str.lower)


@st.composite
def workspaces(draw: st.DrawFn) -> tuple[ExportFormat, dict]:
    fmt = draw(formats)
    step = 1 if fmt.seconds else 60
    catalog = {
        "clients": draw(unique(prefixed, 2)),
        "projects": draw(unique(prefixed, 3)),
        "tasks": draw(unique(name, 2)),
        "tags": draw(unique(tag_name, 4)),
    }
    entries = []
    for _ in range(draw(st.integers(1, 6))):
        near_change = st.builds(
            lambda change, offset: change + timedelta(seconds=offset * step),
            st.sampled_from(CHANGES),
            st.integers(-3 * 3600 // step, 3 * 3600 // step),
        )
        # 2000 to 2025: entries start at most a year ahead (tracking.rules).
        anywhere = st.integers(0, 25 * 365 * 86400 // step).map(
            lambda n: EPOCH + timedelta(seconds=n * step)
        )
        start = draw(near_change | anywhere)
        end = start + timedelta(seconds=draw(st.integers(1, 60 * 3600 // step)) * step)
        local_start, local_end = start.astimezone(fmt.zone), end.astimezone(fmt.zone)
        # Wholly inside a repeated hour, a row reads back an hour early (the file has no
        # offsets): the same text, but it may sort differently. csv_roundtrip covers it.
        assume(not (local_start.fold and local_end.fold))
        project = draw(st.none() | st.integers(0, len(catalog["projects"]) - 1))
        entries.append(
            {
                "start": start,
                "end": end,
                "description": draw(description),
                "project": project,
                "client": draw(st.none() | st.integers(0, len(catalog["clients"]) - 1)),
                "task": draw(st.none() | st.integers(0, len(catalog["tasks"]) - 1)),
                "tags": draw(st.lists(st.integers(0, len(catalog["tags"]) - 1), unique=True)),
                "billable": draw(st.booleans()),
                "rate": draw(st.none() | st.decimals(0, 1000, places=2)),
                "member": draw(st.booleans()),
            }
        )
    return fmt, {"catalog": catalog, "entries": entries}


def build(workspace, data: dict, people: list) -> None:
    catalog = data["catalog"]
    clients = [Client.objects.in_workspace(workspace).create(name=n) for n in catalog["clients"]]
    tags = [Tag.objects.in_workspace(workspace).create(name=n) for n in catalog["tags"]]
    projects: dict = {}
    tasks: dict = {}
    for item in data["entries"]:
        project = task = None
        if item["project"] is not None:
            client = clients[item["client"]] if item["client"] is not None else None
            key = (item["project"], client.id if client else None)
            if key not in projects:
                projects[key] = Project.objects.in_workspace(workspace).create(
                    name=catalog["projects"][item["project"]], client=client
                )
            project = projects[key]
            if item["task"] is not None:
                task_key = (item["task"], project.id)
                if task_key not in tasks:
                    tasks[task_key] = Task.objects.in_workspace(workspace).create(
                        project=project, name=catalog["tasks"][item["task"]]
                    )
                task = tasks[task_key]
        entry = TimeEntry.objects.in_workspace(workspace).create(
            user_id=people[item["member"]].pk,
            description=item["description"],
            project=project,
            task=task,
            billable=item["billable"],
            start=item["start"],
            end=item["end"],
            hourly_rate=item["rate"] if item["rate"] is None else Decimal(item["rate"]),
        )
        entry.set_tags(workspace, [tags[i] for i in item["tags"]])


def export_bytes(workspace, fmt: ExportFormat, people: list) -> bytes:
    directory = {user.pk: Person(user.display_name, user.email) for user in people}
    entries = TimeEntry.objects.in_workspace(workspace).finished()
    return b"".join(detailed_csv(entries, fmt, directory))


@pytest.mark.django_db(databases="__all__")
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=workspaces())
def test_export_import_export(owner, member, case):
    fmt, data = case
    owner.time_zone = fmt.zone.key
    owner.save(update_fields=["time_zone"])
    people = [owner, member]
    source = make_workspace(owner, name="Source", region="eu")
    add_member(source, member)
    build(source, data, people)
    exported = export_bytes(source, fmt, people)

    target = make_workspace(owner, name="Target", region="eu")
    add_member(target, member, Role.MEMBER)
    membership = Membership.objects.select_related("user", "workspace").get(
        workspace=target, user=owner
    )
    plan = plan_import(target, membership, [exported])
    if plan.parsed.needs_day_first:
        day_first = fmt.date_pattern.startswith("%d")
        plan = plan_import(target, membership, [exported], day_first=day_first)
    assert plan.ok, plan.errors
    result = apply_import(target, plan, keep_file_rates=True)  # a restore
    assert result.created == len(data["entries"]) and result.skipped == 0

    assert export_bytes(target, fmt, people) == exported
    again = plan_import(
        target, membership, [exported], day_first=plan.parsed.date_pattern[1] == "d"
    )
    assert apply_import(target, again).created == 0  # a second import adds nothing
