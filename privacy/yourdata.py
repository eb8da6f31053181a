"""The "your data" page, built from the live state of the directory and every region."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from monitoring.models import CaptureView, MonitoringPolicy, Switch
from monitoring.services import SwitchState, display_names, switch_state
from workspaces import audit
from workspaces.audit import ShownEvent
from workspaces.models import Membership, User, Workspace
from workspaces.outage import region_guard
from workspaces.regions import REGION_ALIASES, Region

from .erasure import Held, held_in_region

# Looks at the person's captures listed per workspace (the captures page lists them all),
# and the audit log's events about them (all of them are in their archive).
VIEWS_SHOWN = 20
EVENTS_SHOWN = 20


@dataclass
class WorkspaceData:
    """One workspace as the page shows it."""

    workspace: Workspace
    membership: Membership | None  # None: the person left, their records stay
    held: Held
    screenshots: SwitchState | None = None
    location: SwitchState | None = None
    views: list[dict[str, Any]] = field(default_factory=list)
    events: list[ShownEvent] = field(default_factory=list)  # the audit log's, about them


@dataclass
class YourData:
    workspaces: list[WorkspaceData]
    unavailable: list[str]  # labels of the regions that could not be reached

    @property
    def regions(self) -> list[str]:
        """The regions holding something about the person, for the archives."""
        return sorted({data.workspace.region for data in self.workspaces if data.held.rows})


def your_data(user: User) -> YourData:
    """Everything the page shows; a region that is down is listed as such, the rest shown."""
    memberships = {
        m.workspace_id: m for m in Membership.objects.filter(user=user).select_related("workspace")
    }
    unavailable: set[str] = set()
    held: dict[UUID, Held] = {}
    for region in REGION_ALIASES:
        with region_guard(unavailable):
            held.update(held_in_region(user.pk, region))
    workspaces = {m.workspace_id: m.workspace for m in memberships.values()}
    # Workspaces the person left still hold their records (as the directory says which).
    workspaces.update(
        {w.pk: w for w in Workspace.objects.filter(pk__in=set(held) - set(workspaces))}
    )
    rows = []
    for workspace in sorted(workspaces.values(), key=lambda w: (w.name.lower(), str(w.pk))):
        data = WorkspaceData(
            workspace,
            memberships.get(workspace.pk),
            held.get(workspace.pk, Held(workspace.pk)),
        )
        if workspace.region not in unavailable:
            with region_guard(unavailable):
                _monitoring(data, user)
                data.events = audit.events_about(workspace, user.pk, limit=EVENTS_SHOWN)
        rows.append(data)
    labels = [Region(region).label for region in REGION_ALIASES if region in unavailable]
    return YourData(rows, labels)


def _monitoring(data: WorkspaceData, user: User) -> None:
    workspace = data.workspace
    policy = MonitoringPolicy.objects.in_workspace(workspace).first()
    views = list(
        CaptureView.objects.in_workspace(workspace)
        .filter(subject_id=user.pk)
        .order_by("-viewed_at", "-id")[:VIEWS_SHOWN]
    )
    ids = {view.viewer_id for view in views}
    if policy is not None:
        ids |= {policy.screenshots_changed_by, policy.location_changed_by}
    names = display_names(ids - {None})
    if policy is not None:
        data.screenshots = switch_state(policy, Switch.SCREENSHOTS, names)
        data.location = switch_state(policy, Switch.LOCATION, names)
    data.views = [
        {"view": view, "viewer": names.get(view.viewer_id, "A former member")} for view in views
    ]
