"""Loading regional objects for a request: scoped to the workspace, 404 for anyone else's."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from workspaces.models import Membership, Workspace, WorkspaceSettings
from workspaces.regions import RegionalModel


def get_in_workspace[M: RegionalModel](
    model: type[M], workspace: Workspace, pk: UUID | str, **filters: object
) -> M:
    """Return one row of `workspace`; a missing, malformed or other workspace's id is a 404."""
    try:
        return model.objects.in_workspace(workspace).get(pk=pk, **filters)
    except (model.DoesNotExist, ValueError, ValidationError):
        raise Http404(f"No such {model._meta.verbose_name}.") from None


def can_manage_catalog(membership: Membership, settings: WorkspaceSettings) -> bool:
    """Admins manage clients, projects, tasks and tags; members too if the workspace allows."""
    return membership.is_admin or settings.members_can_manage_projects


def require_catalog_manager(membership: Membership, settings: WorkspaceSettings) -> None:
    """Raise 403 unless the member may manage clients, projects, tasks and tags."""
    if not can_manage_catalog(membership, settings):
        raise PermissionDenied("Only admins can manage projects, clients, tasks and tags here.")
