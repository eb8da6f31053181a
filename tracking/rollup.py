"""Deferring tracking.EntryTotal's triggers for one transaction, then folding in one go.

The triggers (migration 0003) fold every statement's entries into EntryTotal at once,
locking the rows of the keys they touch until the transaction ends. A long transaction that
inserts many batches, an import, would hold those locks for minutes; it defers instead,
and folds what it inserted in one statement just before it commits. PostgreSQL only: on
SQLite there are no triggers and nothing to fold.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from workspaces.regions import regional_cursor

if TYPE_CHECKING:
    from workspaces.models import Workspace

KEY = "workspace_id, user_id, project_id, task_id, billable, hourly_rate"


def defer_entry_totals(workspace: Workspace) -> bool:
    """Stop the triggers for the rest of the current transaction; whether there are any."""
    with regional_cursor(workspace) as cursor:
        if cursor.db.vendor != "postgresql":
            return False
        if not cursor.db.in_atomic_block:
            raise RuntimeError("Deferring EntryTotal needs a transaction to end it.")
        cursor.execute("SET LOCAL clockify.defer_rollup = 'on'")
    return True


def fold_inserted(workspace: Workspace, low: uuid.UUID, high: uuid.UUID) -> None:
    """Fold the finished entries with ids from `low` to `high`, inserted while deferred,
    and let the triggers work again."""
    sql = f"""
        INSERT INTO tracking_entrytotal AS t (id, {KEY}, count, length)
        SELECT gen_random_uuid(), {KEY}, COUNT(*), SUM("end" - "start")
        FROM tracking_timeentry
        WHERE workspace_id = %s AND id BETWEEN %s AND %s AND "end" IS NOT NULL
        GROUP BY {KEY} ORDER BY {KEY}
        ON CONFLICT ({KEY}) DO UPDATE
        SET count = t.count + EXCLUDED.count, length = t.length + EXCLUDED.length
    """
    with regional_cursor(workspace) as cursor:
        cursor.execute(sql, [workspace.id, low, high])
        cursor.execute("SET LOCAL clockify.defer_rollup = 'off'")
