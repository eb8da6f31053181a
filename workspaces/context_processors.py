"""Template context for the header: the person's workspaces and the current one."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .outage import unreachable_regions


def workspaces(request: HttpRequest) -> dict[str, Any]:
    """Give every page the workspace switcher's list and the workspace in view (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = list(user.memberships.select_related("workspace").order_by("workspace__name"))
    current = getattr(request, "workspace", None)
    if current is None:
        wanted = user.active_workspace_id
        current = next((m.workspace for m in memberships if m.workspace_id == wanted), None)
    return {
        "switcher_memberships": memberships,
        "current_workspace": current,
        # Only what this request found: probing every region on every page would make each
        # page wait out the connect timeout of a region that is down.
        "unavailable_regions": unreachable_regions(),
    }
