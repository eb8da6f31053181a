"""Migration 0004 turns the old entry/tag join table into TimeEntryTag rows, keeping every link."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("tracking", "0003_entry_rollup")]
AFTER = [("tracking", "0004_entry_tag_links")]


def _migrate(alias: str, target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connections[alias])
    executor.loader.build_graph()
    executor.migrate(target)


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_existing_links_keep_their_entry_and_tag_and_get_the_entrys_workspace():
    alias = "uk"
    workspace, other = uuid.uuid4(), uuid.uuid4()
    _migrate(alias, BEFORE)
    try:
        executor = MigrationExecutor(connections[alias])
        old = executor.loader.project_state(BEFORE[0]).apps
        Tag, TimeEntry = old.get_model("tracking", "Tag"), old.get_model("tracking", "TimeEntry")
        start, end = datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 1, 5, 10, tzinfo=UTC)
        tags = [
            Tag.objects.using(alias).create(workspace_id=ws, name=name)
            for ws, name in ((workspace, "bug"), (workspace, "idea"), (other, "bug"))
        ]
        entries = [
            TimeEntry.objects.using(alias).create(workspace_id=ws, user_id=1, start=start, end=end)
            for ws in (workspace, other)
        ]
        # Straight into the old join table: historical models are not routed to a region.
        with connections[alias].cursor() as cursor:
            cursor.executemany(
                "INSERT INTO tracking_timeentry_tags (timeentry_id, tag_id) VALUES (%s, %s)",
                [
                    (entries[0].id.hex, tags[0].id.hex),
                    (entries[0].id.hex, tags[1].id.hex),
                    (entries[1].id.hex, tags[2].id.hex),
                ],
            )

        _migrate(alias, AFTER)

        new = MigrationExecutor(connections[alias]).loader.project_state(AFTER[0]).apps
        links = new.get_model("tracking", "TimeEntryTag").objects.using(alias)
        assert sorted((k.entry_id, k.tag_id, k.workspace_id) for k in links) == sorted(
            [
                (entries[0].id, tags[0].id, workspace),
                (entries[0].id, tags[1].id, workspace),
                (entries[1].id, tags[2].id, other),
            ]
        )
    finally:
        # Every app's leaf, not only tracking's: going back to 0003 also unapplied the apps
        # that depend on tracking 0004 (monitoring), which later tests expect migrated.
        _migrate(alias, executor.loader.graph.leaf_nodes())
