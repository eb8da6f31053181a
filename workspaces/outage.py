"""A region that cannot be reached: told apart from other database errors, remembered per request.

Each region alias runs on a database backend of ours (workspaces/backends/) that turns a
failure to open the connection into `RegionUnavailable`, naming the region. Only that failure
is an outage: a query that fails on an open connection, and anything the directory raises,
stay ordinary errors. A page or API call that needs the region answers 503
(workspaces.middleware.RegionOutageMiddleware, clockify.api); lists that span regions read
each one through `region_guard` and mark the workspaces of one that is down.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import OperationalError

from .readonly import refuse_writes_while_moving
from .regions import Region

logger = logging.getLogger(__name__)

# Clients are told to come back after this many seconds.
RETRY_AFTER_SECONDS = 30

# The regions this request failed to reach. Each connection attempt waits up to the connect
# timeout, so a request tries a region once; None outside a request (commands, tasks).
_unreachable: ContextVar[set[str] | None] = ContextVar("unreachable_regions", default=None)


class RegionUnavailable(OperationalError):
    """A region's database could not be reached."""

    def __init__(self, alias: str) -> None:
        self.region = Region(alias)
        super().__init__(
            f"The {self.region.label} region is unavailable; your other workspaces work."
        )


def log_outage(exc: RegionUnavailable) -> None:
    """Note a request refused because its region is down (the cause names the driver's error)."""
    logger.warning("Region %s unavailable: %s", exc.region.value, exc.__cause__ or "tried already")


@contextmanager
def remembering_unreachable_regions() -> Iterator[None]:
    """Within this block, a region that failed to connect once is not tried again."""
    token = _unreachable.set(set())
    try:
        yield
    finally:
        _unreachable.reset(token)


def unreachable_regions() -> frozenset[str]:
    """The regions this request could not reach so far."""
    return frozenset(_unreachable.get() or ())


@contextmanager
def region_guard(unavailable: set[str]) -> Iterator[None]:
    """Read one region of a list that spans regions: if it is down, note it and go on."""
    try:
        yield
    except RegionUnavailable as exc:
        unavailable.add(exc.region.value)


class RegionConnectionMixin:
    """Raise RegionUnavailable when a region's connection cannot be opened, and refuse
    changes to the data of a workspace that is being moved (workspaces/readonly.py)."""

    alias: str
    Database: Any
    execute_wrappers: list

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.execute_wrappers.append(refuse_writes_while_moving)

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        if self.alias not in Region.values:  # e.g. Django's own connection to create databases
            return super().get_new_connection(conn_params)  # type: ignore[misc]
        failed = _unreachable.get()
        if failed is not None and self.alias in failed:
            raise RegionUnavailable(self.alias)
        try:
            return super().get_new_connection(conn_params)  # type: ignore[misc]
        except (self.Database.OperationalError, self.Database.InterfaceError) as exc:
            if failed is not None:
                failed.add(self.alias)
            raise RegionUnavailable(self.alias) from exc
