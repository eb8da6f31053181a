"""API v1: the key's user, their workspaces (with region), and a workspace's members."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from . import services
from .api_fields import ERRORS, ApiSchema, Rate, member_of, money
from .forms import WorkspaceCreateForm
from .models import DateFormat, Membership, User, Weekday, Workspace, WorkspaceSettings
from .outage import region_guard
from .regions import Region

router = Router(tags=["Workspaces and users"])
WEEKDAYS = {day.value: day.name for day in Weekday}
DATE_FORMATS = {choice.value: choice.label for choice in DateFormat}


class UserSettingsOut(Schema):
    timeZone: str
    weekStart: str
    dateFormat: str
    timeFormat: str


class UserOut(Schema):
    id: str
    email: str
    name: str
    status: str
    activeWorkspace: str | None
    defaultWorkspace: str | None
    settings: UserSettingsOut


class MemberOut(Schema):
    id: str
    email: str
    name: str
    status: str


class MembershipOut(Schema):
    userId: str
    targetId: str
    membershipType: str
    membershipStatus: str
    role: str


class WorkspaceSettingsOut(Schema):
    durationFormat: str
    onlyAdminsCreateProject: bool
    onlyAdminsCreateTag: bool


class WorkspaceOut(Schema):
    id: str
    name: str
    hourlyRate: Rate | None
    region: str
    status: str = Field(
        ...,
        description="ACTIVE, or UNAVAILABLE while its region cannot be reached: then "
        "hourlyRate and workspaceSettings are null.",
    )
    memberships: list[MembershipOut]
    workspaceSettings: WorkspaceSettingsOut | None


class WorkspaceIn(ApiSchema):
    name: str = Field(..., description="1 to 100 characters.")
    region: str | None = Field(None, description="us, eu, uk or au; the server default if omitted.")


def user_json(user: User) -> dict[str, Any]:
    workspace_id = str(user.active_workspace_id) if user.active_workspace_id else None
    return {
        "id": str(user.pk),
        "email": user.email,
        "name": user.display_name,
        "status": "ACTIVE" if user.is_active else "INACTIVE",
        "activeWorkspace": workspace_id,
        "defaultWorkspace": workspace_id,
        "settings": {
            "timeZone": user.time_zone,
            "weekStart": WEEKDAYS[user.week_start],
            "dateFormat": DATE_FORMATS[user.date_format],
            "timeFormat": "HOUR24" if user.time_format == "24" else "HOUR12",
        },
    }


def workspace_json(
    workspace: Workspace, prefs: WorkspaceSettings | None, memberships: list[Membership]
) -> dict[str, Any]:
    """A workspace as Clockify shows it; without prefs (its region is down), marked so."""
    return {
        "id": str(workspace.id),
        "name": workspace.name,
        "hourlyRate": money(prefs.hourly_rate, prefs.currency) if prefs else None,
        "region": workspace.region,
        "status": "ACTIVE" if prefs else "UNAVAILABLE",
        "memberships": [
            {
                "userId": str(m.user_id),
                "targetId": str(workspace.id),
                "membershipType": "WORKSPACE",
                "membershipStatus": "ACTIVE",
                "role": m.role.upper(),
            }
            for m in memberships
        ],
        "workspaceSettings": _settings_json(prefs) if prefs else None,
    }


def _settings_json(prefs: WorkspaceSettings) -> dict[str, Any]:
    only_admins = not prefs.members_can_manage_projects
    return {
        "durationFormat": prefs.duration_format.upper(),
        "onlyAdminsCreateProject": only_admins,
        "onlyAdminsCreateTag": only_admins,
    }


@router.get("/user", response={200: UserOut, **ERRORS}, summary="The key's user")
def current_user(request: HttpRequest) -> dict[str, Any]:
    return user_json(request.user)


@router.get("/workspaces", response={200: list[WorkspaceOut], **ERRORS}, summary="My workspaces")
def list_workspaces(request: HttpRequest) -> list[dict[str, Any]]:
    own = list(
        Membership.objects.filter(user=request.user)
        .select_related("workspace")
        .order_by("workspace__name")
    )
    workspaces = [m.workspace for m in own]
    prefs = _settings_by_workspace(workspaces)
    mine = {m.workspace_id: [m] for m in own}
    return [workspace_json(w, prefs.get(w.id), mine[w.id]) for w in workspaces]


def _settings_by_workspace(workspaces: list[Workspace]) -> dict[Any, WorkspaceSettings]:
    """Each workspace's settings: one query per region, created where missing.

    A region that cannot be reached leaves its workspaces out, so that the list still answers
    for every other region.
    """
    found: dict[Any, WorkspaceSettings] = {}
    unavailable: set[str] = set()
    for region in Region.values:
        group = [w for w in workspaces if w.region == region]
        with region_guard(unavailable):
            if group:
                for prefs in WorkspaceSettings.objects.in_workspaces(group):
                    found[prefs.workspace_id] = prefs
    for workspace in workspaces:
        if workspace.id not in found and workspace.region not in unavailable:
            found[workspace.id] = WorkspaceSettings.objects.for_workspace(workspace)
    return found


@router.post("/workspaces", response={201: WorkspaceOut, **ERRORS}, summary="Create a workspace")
def create_workspace(request: HttpRequest, payload: WorkspaceIn) -> Status:
    form = WorkspaceCreateForm(
        {"name": payload.name, "region": (payload.region or settings.DEFAULT_REGION).lower()}
    )
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise HttpError(400, f"{field}: {errors[0]}")
    workspace = services.create_workspace(
        request.user, form.cleaned_data["name"], form.cleaned_data["region"]
    )
    memberships = list(workspace.memberships.all())
    prefs = WorkspaceSettings.objects.for_workspace(workspace)
    return Status(201, workspace_json(workspace, prefs, memberships))


@router.get(
    "/workspaces/{workspaceId}/users",
    response={200: list[MemberOut], **ERRORS},
    summary="Members of a workspace",
)
def list_members(request: HttpRequest, workspaceId: str) -> list[dict[str, Any]]:
    workspace = member_of(request, workspaceId).workspace
    members = workspace.memberships.select_related("user").order_by("joined_at")
    return [
        {
            "id": str(m.user_id),
            "email": m.user.email,
            "name": m.user.display_name,
            "status": "ACTIVE" if m.user.is_active else "INACTIVE",
        }
        for m in members
    ]
