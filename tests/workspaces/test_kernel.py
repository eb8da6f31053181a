"""The region kernel: regional by declaration, one door in, a registry of a workspace's data."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connections, router
from django.utils import timezone

from tests.factories import make_project, make_tag, make_workspace
from tracking.models import EntryTotal, Tag, TimeEntry, TimeEntryTag
from workspaces.models import WorkspaceSettings
from workspaces.regions import (
    REGION_ALIASES,
    RegionalModel,
    UnscopedRegionalQuery,
    regional_cursor,
    regional_models,
    storage_for,
    workspace_prefixes,
)

ROOT = Path(__file__).resolve().parents[2]
KERNEL = Path("workspaces/regions.py")
# Code that may pick a database by alias, and why.
BY_ALIAS = {
    # The health check probes every database by name; it reads no workspace's data.
    Path("clockify/views.py"),
    # The benchmarks count every database's queries and compare with psql's own COPY.
    Path("tracking/management/commands/bench_pages.py"),
    Path("reports/management/commands/bench_export.py"),
    Path("reports/management/commands/bench_import.py"),
}
BY_HAND = re.compile(r"\.using\(|connections\[|\.db_manager\(")


def _routed_to_a_region(model: type) -> bool:
    return any(router.allow_migrate_model(alias, model) for alias in REGION_ALIASES)


def _entry(workspace, **fields) -> TimeEntry:
    start = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    return TimeEntry.objects.in_workspace(workspace).create(
        user_id=1, start=start, end=start + timedelta(hours=1), **fields
    )


# --- Regional by declaration ---


def test_every_model_in_a_region_is_a_regional_model_with_a_workspace_id():
    for model in apps.get_models(include_auto_created=True):
        if not _routed_to_a_region(model):
            continue
        assert issubclass(model, RegionalModel), f"{model._meta.label} is not a RegionalModel"
        field = model._meta.get_field("workspace_id")
        assert field.concrete, f"{model._meta.label}.workspace_id is not a column"


def test_no_directory_model_points_at_a_regional_one():
    # Catches a join table Django would make for a regional many-to-many field without an
    # explicit RegionalModel through: it would be routed to the directory.
    for model in apps.get_models(include_auto_created=True):
        if _routed_to_a_region(model):
            continue
        for field in model._meta.get_fields(include_hidden=True):
            if field.is_relation and field.concrete and field.related_model is not None:
                assert not issubclass(field.related_model, RegionalModel), (
                    f"{model._meta.label}.{field.name} reaches a regional model from the directory"
                )


def test_regional_models_migrate_to_every_region_and_nowhere_else():
    for model in apps.get_models(include_auto_created=True):
        regional = issubclass(model, RegionalModel)
        assert router.allow_migrate_model("default", model) is not regional
        for alias in REGION_ALIASES:
            assert router.allow_migrate_model(alias, model) is regional, model._meta.label


def test_migrations_make_directory_tables_in_default_and_regional_tables_in_each_region():
    models = apps.get_models(include_auto_created=True)
    regional = {m._meta.db_table for m in models if issubclass(m, RegionalModel)}
    directory = {m._meta.db_table for m in models if not issubclass(m, RegionalModel)}

    assert set(connections["default"].introspection.table_names()) == directory | {
        "django_migrations"
    }
    assert set(connections["eu"].introspection.table_names()) == regional | {"django_migrations"}
    assert {"workspaces_workspace", "workspaces_user", "auth_group"} <= directory
    assert {"tracking_timeentry", "tracking_timeentrytag", "tracking_tag"} <= regional


def test_entry_tags_are_links_with_the_entrys_workspace(workspace):
    bug, idea = make_tag(workspace, "bug"), make_tag(workspace, "idea")
    entry = _entry(workspace)

    entry.set_tags(workspace, [bug, idea])
    entry.set_tags(workspace, [idea])

    links = TimeEntryTag.objects.in_workspace(workspace)
    assert [(link.entry_id, link.tag_id) for link in links] == [(entry.id, idea.id)]
    assert {link.workspace_id for link in links} == {workspace.id}
    assert list(entry.tags.all()) == [idea]


def test_an_entry_is_tagged_only_in_its_own_workspace(owner, workspace):
    other = make_workspace(owner, region="eu")
    entry = _entry(workspace)
    with pytest.raises(ValueError):
        entry.set_tags(other, [make_tag(other)])
    assert not TimeEntryTag.objects.in_workspace(workspace).exists()


def test_djangos_own_tag_writes_refuse_for_lack_of_a_workspace(workspace):
    entry = _entry(workspace)
    with pytest.raises(UnscopedRegionalQuery):
        entry.tags.set([make_tag(workspace)])


# --- One door ---


def test_using_on_a_regional_queryset_refuses(workspace):
    with pytest.raises(UnscopedRegionalQuery):
        TimeEntry.objects.using("eu")
    with pytest.raises(UnscopedRegionalQuery):
        Tag.objects.filter(workspace_id=workspace.id).using("eu")
    with pytest.raises(UnscopedRegionalQuery):
        WorkspaceSettings.objects.in_workspace(workspace).using("us")


def test_the_workspace_scope_and_a_loaded_rows_relatives_still_work(workspace):
    project = make_project(workspace)
    entry = _entry(workspace, project=project)
    entry.set_tags(workspace, [make_tag(workspace, "bug")])

    scoped = TimeEntry.objects.in_workspace(workspace)
    assert scoped.db == "eu"
    assert [e.pk for e in project.entries.all()] == [entry.pk]
    assert [t.name for t in scoped.prefetch_related("tags").get().tags.all()] == ["bug"]
    assert scoped.filter(pk=entry.pk).using("eu").get() == entry  # the database it has


def test_regional_cursor_is_a_cursor_of_the_workspaces_region(owner):
    workspace = make_workspace(owner, region="uk")
    with regional_cursor(workspace) as cursor:
        cursor.execute(
            "SELECT currency FROM tracking_workspacesettings WHERE workspace_id = %s",
            [workspace.id.hex],  # 32 hex digits: how SQLite keeps it, and PostgreSQL reads it
        )
        assert cursor.fetchall() == [("GBP",)]
        assert cursor.db.alias == "uk"


def test_no_feature_code_picks_a_database_by_hand():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {".venv", "tests", "var"} or "migrations" in relative.parts:
            continue
        if relative == KERNEL or relative in BY_ALIAS:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if BY_HAND.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == [], "use in_workspace() or regional_cursor():\n" + "\n".join(offenders)


# --- The registry of a workspace's data ---


def test_regional_models_lists_every_regional_model_parents_first():
    listed = regional_models()
    declared = [
        m for m in apps.get_models(include_auto_created=True) if issubclass(m, RegionalModel)
    ]

    assert sorted(listed, key=str) == sorted(declared, key=str)
    assert len(listed) == len(set(listed))
    position = {model: index for index, model in enumerate(listed)}
    for model in listed:
        for field in model._meta.concrete_fields:
            parent = field.related_model
            if field.is_relation and parent is not model:
                assert position[parent] < position[model], f"{parent} after {model}"
    assert position[TimeEntry] < position[TimeEntryTag] and position[Tag] < position[TimeEntryTag]
    assert position[TimeEntry] < position[EntryTotal]  # the triggers derive it from entries


def test_regional_models_lists_children_first_for_deleting():
    listed = regional_models(deleting=True)
    assert sorted(listed, key=str) == sorted(regional_models(), key=str)
    position = {model: index for index, model in enumerate(listed)}
    for model in listed:
        for field in model._meta.concrete_fields:
            parent = field.related_model
            if field.is_relation and parent is not model:
                assert position[model] < position[parent], f"{model} after {parent}"
    assert position[TimeEntry] < position[EntryTotal]


def test_a_workspaces_files_are_under_its_id_in_its_region_storage(owner):
    workspace = make_workspace(owner, region="au")
    assert workspace_prefixes(workspace) == [(storage_for(workspace), f"{workspace.id}/")]
