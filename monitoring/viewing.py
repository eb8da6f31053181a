"""Who may look at which captures, and the record of every look at someone else's.

A member sees their own screenshots and location samples; the workspace's admins and owner
see everyone's. Each time someone other than the member is shown a member's screenshot (its
image, full size or thumbnail) or an entry's location samples, a `CaptureView` is recorded in
the workspace's region, and the member sees the list on their own captures page. Repeated
looks at the same capture by the same person within VIEW_WINDOW count once, so a page that
reloads its thumbnails does not flood the list. Each recorded look also goes into the
workspace's audit log (workspaces/audit.py), in the same transaction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from tracking.models import TimeEntry
from workspaces import audit
from workspaces.models import Membership, User

from .models import CaptureView, LocationSample, Screenshot, Switch

VIEW_WINDOW = timedelta(hours=1)


def subject_for(membership: Membership, member_id: int | None) -> User:
    """The person whose captures the requester may look at: themselves, or for an admin,
    any member of the workspace. Another workspace's person is a 404; a member asking for
    someone else's captures is a 403."""
    if member_id is None or member_id == membership.user_id:
        return membership.user
    if not membership.is_admin:
        raise PermissionDenied("Only the workspace's admins can see other members' captures.")
    other = (
        Membership.objects.select_related("user")
        .filter(workspace_id=membership.workspace_id, user_id=member_id)
        .first()
    )
    if other is None:
        raise Http404("No such member.")
    return other.user


def screenshot_for(membership: Membership, screenshot_id: UUID) -> Screenshot:
    """A screenshot the requester may see: their own, or anyone's for an admin; else 404."""
    return _visible(membership, Screenshot.objects, screenshot_id, "No such screenshot.")


def entry_for(membership: Membership, entry_id: UUID) -> TimeEntry:
    """An entry whose location samples the requester may see; else 404."""
    return _visible(membership, TimeEntry.objects, entry_id, "No such entry.")


def _visible(membership: Membership, manager: Any, pk: UUID, missing: str) -> Any:
    rows = manager.in_workspace(membership.workspace)
    if not membership.is_admin:
        rows = rows.filter(user_id=membership.user_id)
    try:
        return rows.get(pk=pk)
    except (rows.model.DoesNotExist, ValidationError):
        raise Http404(missing) from None


def record_screenshot_view(membership: Membership, screenshot: Screenshot) -> None:
    """Note that someone other than its member was shown this screenshot."""
    _record(membership, screenshot.user_id, Switch.SCREENSHOTS, screenshot=screenshot)


def record_location_view(membership: Membership, entry: TimeEntry) -> None:
    """Note that someone other than its member was shown this entry's location samples."""
    _record(membership, entry.user_id, Switch.LOCATION, entry=entry)


def _record(
    membership: Membership, subject_id: int, switch: str, **what: TimeEntry | Screenshot
) -> None:
    """The member's list of looks, and the workspace's audit log, in one transaction."""
    if subject_id == membership.user_id:
        return
    workspace = membership.workspace
    views = CaptureView.objects.in_workspace(workspace)
    recent = views.filter(
        viewer_id=membership.user_id, viewed_at__gte=timezone.now() - VIEW_WINDOW, **what
    )
    if recent.exists():
        return
    with transaction.atomic(using=workspace.db_alias):
        views.create(viewer_id=membership.user_id, subject_id=subject_id, switch=switch, **what)
        kind = audit.Kind.SCREENSHOT_VIEWED if "screenshot" in what else audit.Kind.LOCATION_VIEWED
        looked_at = {name: str(row.pk) for name, row in what.items()}
        audit.record(
            workspace, kind, actor_id=membership.user_id, subject_id=subject_id, **looked_at
        )


@dataclass
class PlotPoint:
    sample: LocationSample
    x: float
    y: float


@dataclass
class Plot:
    """Samples placed in an SVG box, north up, drawn on the server (no map script)."""

    width: int
    height: int
    points: list[PlotPoint]

    @property
    def path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def plot(samples: list[LocationSample], width: int = 480, height: int = 320) -> Plot | None:
    """Project the samples onto a box (equirectangular, longitudes shrunk by the cosine of
    the middle latitude, which is right for the few kilometres a working day spans)."""
    if not samples:
        return None
    middle = math.radians(sum(s.latitude for s in samples) / len(samples))
    xs = [s.longitude * math.cos(middle) for s in samples]
    ys = [s.latitude for s in samples]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1e-6  # one place: a dot in the middle
    margin = 24
    scale = min(width, height) - 2 * margin
    left = (width - (max(xs) - min(xs)) / span * scale) / 2
    top = (height - (max(ys) - min(ys)) / span * scale) / 2
    points = [
        PlotPoint(s, left + (x - min(xs)) / span * scale, top + (max(ys) - y) / span * scale)
        for s, x, y in zip(samples, xs, ys, strict=True)
    ]
    return Plot(width, height, points)
