"""Writes on time entries that involve several rows or rules: rates, the timer."""

from __future__ import annotations

from decimal import Decimal

from workspaces.models import Workspace

from .models import MemberRate, Project, TimeEntry, WorkspaceSettings


def resolve_rate(workspace: Workspace, user_id: int, project: Project | None) -> Decimal | None:
    """The hourly rate that applies now: the project's, else the member's, else the workspace's."""
    if project is not None and project.hourly_rate is not None:
        return project.hourly_rate
    member_rate = (
        MemberRate.objects.in_workspace(workspace)
        .filter(user_id=user_id)
        .values_list("hourly_rate", flat=True)
        .first()
    )
    if member_rate is not None:
        return member_rate
    return WorkspaceSettings.objects.for_workspace(workspace).hourly_rate


def apply_project_rate_to_past_entries(workspace: Workspace, project: Project) -> int:
    """Give the project's entries its current rate (or the fallback if it has none)."""
    entries = TimeEntry.objects.in_workspace(workspace).filter(project=project)
    if project.hourly_rate is not None:
        return entries.update(hourly_rate=project.hourly_rate)
    changed = 0
    for user_id in entries.values_list("user_id", flat=True).distinct():
        rate = resolve_rate(workspace, user_id, None)
        changed += entries.filter(user_id=user_id).update(hourly_rate=rate)
    return changed


def apply_member_rate_to_past_entries(workspace: Workspace, user_id: int) -> int:
    """Give the member's entries without a project rate the member's current rate."""
    rate = resolve_rate(workspace, user_id, None)
    return (
        TimeEntry.objects.in_workspace(workspace)
        .filter(user_id=user_id)
        .exclude(project__hourly_rate__isnull=False)
        .update(hourly_rate=rate)
    )


def apply_workspace_rate_to_past_entries(workspace: Workspace) -> int:
    """Give entries covered by neither a project nor a member rate the workspace's rate."""
    rate = WorkspaceSettings.objects.for_workspace(workspace).hourly_rate
    members_with_rates = MemberRate.objects.in_workspace(workspace).values_list(
        "user_id", flat=True
    )
    return (
        TimeEntry.objects.in_workspace(workspace)
        .exclude(project__hourly_rate__isnull=False)
        .exclude(user_id__in=list(members_with_rates))
        .update(hourly_rate=rate)
    )
