"""A workspace that is being moved to another region is read-only until the move is done.

`move_workspace` (workspaces/moving.py) marks the workspace in the directory before it copies
anything. A request that reaches the workspace (`workspaces.access.get_membership`, which
every page and API call of a workspace goes through) then has its region guarded: any SQL
that would change that region's data raises `WorkspaceMoving`, answered with a 503 that says
the workspace is moving (RegionOutageMiddleware for pages, clockify.api for the API). Reads,
reports and exports work as usual, and so does a report asked for with POST.

The guard sits on the region's connection (every region runs on a backend of ours,
workspaces/backends/), below every path that writes: forms, services, the import, the API
and raw SQL alike, so no view has to remember it. The directory (names, members, invitations)
stays writable: a move copies only the region's rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from .regions import Region

if TYPE_CHECKING:
    from .models import Workspace

# Clients are told to come back after this many seconds.
RETRY_AFTER_SECONDS = 60

# Per request: the region aliases whose data this request may only read, each with the
# region its workspace is moving to. None outside a request (commands and tasks).
_read_only: ContextVar[dict[str, str] | None] = ContextVar("read_only_regions", default=None)

_CHANGES = frozenset(
    {"INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "CREATE", "DROP", "ALTER", "TRUNCATE"}
)
_FIRST_WORD = re.compile(r"\s*(\w+)")
_CHANGE_IN_WITH = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_COPY_IN = re.compile(r"\bFROM\s+STDIN\b", re.IGNORECASE)


class WorkspaceMoving(Exception):
    """A request tried to change the data of a workspace that is being moved."""

    def __init__(self, target: str) -> None:
        self.target = Region(target)
        super().__init__(
            f"This workspace is moving to the {self.target.label} region. You can read "
            "everything; changes are paused until the move is done, usually in a few minutes."
        )


@contextmanager
def guarding_writes() -> Iterator[None]:
    """The scope of one request: regions marked read-only within it are forgotten after."""
    token = _read_only.set({})
    try:
        yield
    finally:
        _read_only.reset(token)


def refuse_writes_if_moving(workspace: Workspace) -> None:
    """If the workspace is being moved, let this request only read its region."""
    guarded = _read_only.get()
    if guarded is not None and workspace.moving_to:
        guarded[workspace.db_alias] = workspace.moving_to


def changes_data(sql: str) -> bool:
    """Tell whether a statement writes (SELECT ... FOR UPDATE and COPY ... TO only read)."""
    first = _FIRST_WORD.match(sql)
    word = first.group(1).upper() if first else ""
    if word == "WITH":
        return bool(_CHANGE_IN_WITH.search(sql))
    if word == "COPY":
        return bool(_COPY_IN.search(sql))
    return word in _CHANGES


def refuse_writes_while_moving(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """An execute wrapper on every region connection (see the module's docstring)."""
    guarded = _read_only.get()
    if guarded:
        target = guarded.get(context["connection"].alias)
        if target and changes_data(sql):
            raise WorkspaceMoving(target)
    return execute(sql, params, many, context)
