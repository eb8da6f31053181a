"""API v1 for clients, projects, tasks, tags and time entries, in Clockify's shapes.

PUT updates only the fields a request sends (so a client that sends just `name` keeps
the rest); `null` clears an optional field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, prefetch_related_objects
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from workspaces.api_fields import (
    ERRORS,
    MAX_PAGE_SIZE,
    ApiSchema,
    Instant,
    Rate,
    RateIn,
    cents_to_decimal,
    instant,
    iso_duration,
    member_of,
    money,
    page_slice,
    parse_id,
    utc,
)
from workspaces.models import Membership, Workspace, WorkspaceSettings

from . import rules, services
from .access import can_manage_catalog, get_in_workspace
from .forms import EntryDetailsForm
from .forms_catalog import PRIVATE, PUBLIC, ClientForm, NamedRowForm, ProjectForm, TagForm, TaskForm
from .models import (
    Client,
    Project,
    ProjectMember,
    Tag,
    Task,
    TaskStatus,
    TimeEntry,
)
from .timesheet import row_key

router = Router(tags=["Tracking"])
WS = "/workspaces/{workspaceId}"


class Paging(ApiSchema):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, alias="page-size")


class CatalogFilter(Paging):
    name: str | None = Field(None, max_length=250)
    archived: bool | None = None


# --- helpers ---


def _first_error(form: Any) -> str:
    field, errors = next(iter(form.errors.items()))
    return errors[0] if field == "__all__" else f"{field}: {errors[0]}"


def _manager(request: HttpRequest, workspace_id: str) -> Membership:
    membership = member_of(request, workspace_id)
    prefs = WorkspaceSettings.objects.for_workspace(membership.workspace)
    if not can_manage_catalog(membership, prefs):
        raise PermissionDenied("Only admins can manage clients, projects, tasks and tags here.")
    return membership


def _save(form: NamedRowForm) -> Any:
    if not form.is_valid():
        raise HttpError(400, _first_error(form))
    if not services.save_named_row(form):
        raise HttpError(400, _first_error(form))
    return form


def _delete(workspace: Workspace, row: Any, refusal: str) -> None:
    if not services.delete_catalog_row(workspace, row):
        raise HttpError(400, refusal)


def _filtered(rows: QuerySet, query: CatalogFilter) -> list[Any]:
    if query.name:
        rows = rows.filter(name__icontains=query.name)
    if query.archived is not None:
        rows = rows.filter(archived=query.archived)
    return list(rows.order_by("name", "id")[page_slice(query.page, query.page_size)])


# --- clients and tags: a name and an archived flag ---


class NamedOut(Schema):
    id: str
    name: str
    workspaceId: str
    archived: bool


class NamedIn(ApiSchema):
    name: str = Field(..., min_length=1)


class NamedUpdate(ApiSchema):
    name: str | None = None
    archived: bool | None = None


def _named_json(row: Client | Tag) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "workspaceId": str(row.workspace_id),
        "archived": row.archived,
    }


def _update_named(form_class: type, workspace: Workspace, row: Any, payload: NamedUpdate) -> Any:
    changes = payload.dict(exclude_unset=True)
    if changes.get("name") is not None:
        _save(form_class({"name": changes["name"]}, workspace=workspace, instance=row))
    if changes.get("archived") is not None:
        row.archived = changes["archived"]
        row.save(update_fields=["archived"])
    return row


@router.get(WS + "/clients", response={200: list[NamedOut], **ERRORS}, summary="Clients")
def list_clients(request: HttpRequest, workspaceId: str, query: Query[CatalogFilter]) -> list:
    workspace = member_of(request, workspaceId).workspace
    return [_named_json(c) for c in _filtered(Client.objects.in_workspace(workspace), query)]


@router.post(WS + "/clients", response={201: NamedOut, **ERRORS}, summary="Add a client")
def create_client(request: HttpRequest, workspaceId: str, payload: NamedIn) -> Status:
    workspace = _manager(request, workspaceId).workspace
    form = _save(ClientForm({"name": payload.name}, workspace=workspace))
    client = Client.objects.in_workspace(workspace).get(name=form.cleaned_data["name"])
    return Status(201, _named_json(client))


@router.get(WS + "/clients/{clientId}", response={200: NamedOut, **ERRORS}, summary="A client")
def get_client(request: HttpRequest, workspaceId: str, clientId: str) -> dict:
    workspace = member_of(request, workspaceId).workspace
    return _named_json(get_in_workspace(Client, workspace, parse_id(clientId)))


@router.put(WS + "/clients/{clientId}", response={200: NamedOut, **ERRORS}, summary="Update")
def update_client(
    request: HttpRequest, workspaceId: str, clientId: str, payload: NamedUpdate
) -> dict:
    workspace = _manager(request, workspaceId).workspace
    client = get_in_workspace(Client, workspace, parse_id(clientId))
    return _named_json(_update_named(ClientForm, workspace, client, payload))


@router.delete(WS + "/clients/{clientId}", response={200: NamedOut, **ERRORS}, summary="Delete")
def delete_client(request: HttpRequest, workspaceId: str, clientId: str) -> dict:
    workspace = _manager(request, workspaceId).workspace
    client = get_in_workspace(Client, workspace, parse_id(clientId))
    _delete(workspace, client, "The client has projects: archive it instead.")
    return _named_json(client)


@router.get(WS + "/tags", response={200: list[NamedOut], **ERRORS}, summary="Tags")
def list_tags(request: HttpRequest, workspaceId: str, query: Query[CatalogFilter]) -> list:
    workspace = member_of(request, workspaceId).workspace
    return [_named_json(t) for t in _filtered(Tag.objects.in_workspace(workspace), query)]


@router.post(WS + "/tags", response={201: NamedOut, **ERRORS}, summary="Add a tag")
def create_tag(request: HttpRequest, workspaceId: str, payload: NamedIn) -> Status:
    workspace = _manager(request, workspaceId).workspace
    form = _save(TagForm({"name": payload.name}, workspace=workspace))
    tag = Tag.objects.in_workspace(workspace).get(name=form.cleaned_data["name"])
    return Status(201, _named_json(tag))


@router.get(WS + "/tags/{tagId}", response={200: NamedOut, **ERRORS}, summary="A tag")
def get_tag(request: HttpRequest, workspaceId: str, tagId: str) -> dict:
    workspace = member_of(request, workspaceId).workspace
    return _named_json(get_in_workspace(Tag, workspace, parse_id(tagId)))


@router.put(WS + "/tags/{tagId}", response={200: NamedOut, **ERRORS}, summary="Update a tag")
def update_tag(request: HttpRequest, workspaceId: str, tagId: str, payload: NamedUpdate) -> dict:
    workspace = _manager(request, workspaceId).workspace
    tag = get_in_workspace(Tag, workspace, parse_id(tagId))
    return _named_json(_update_named(TagForm, workspace, tag, payload))


@router.delete(WS + "/tags/{tagId}", response={200: NamedOut, **ERRORS}, summary="Delete a tag")
def delete_tag(request: HttpRequest, workspaceId: str, tagId: str) -> dict:
    workspace = _manager(request, workspaceId).workspace
    tag = get_in_workspace(Tag, workspace, parse_id(tagId))
    _delete(workspace, tag, "The tag could not be deleted.")
    return _named_json(tag)


# --- projects ---


class ProjectOut(Schema):
    id: str
    name: str
    clientId: str | None
    clientName: str
    workspaceId: str
    billable: bool
    color: str
    archived: bool
    hourlyRate: Rate | None
    public: bool


class ProjectIn(ApiSchema):
    name: str = Field(..., min_length=1)
    clientId: str | None = None
    isPublic: bool | None = None
    color: str | None = None
    billable: bool | None = None
    hourlyRate: RateIn | None = None


class ProjectUpdate(ApiSchema):
    name: str | None = None
    clientId: str | None = None
    isPublic: bool | None = None
    color: str | None = None
    billable: bool | None = None
    hourlyRate: RateIn | None = None
    archived: bool | None = None


def _project_json(project: Project, currency: str) -> dict[str, Any]:
    return {
        "id": str(project.id),
        "name": project.name,
        "clientId": str(project.client_id) if project.client_id else None,
        "clientName": project.client.name if project.client_id else "",
        "workspaceId": str(project.workspace_id),
        "billable": project.billable,
        "color": project.color,
        "archived": project.archived,
        "hourlyRate": money(project.hourly_rate, currency),
        "public": project.is_public,
    }


def _currency(workspace: Workspace) -> str:
    return WorkspaceSettings.objects.for_workspace(workspace).currency


def _visible_projects(membership: Membership) -> QuerySet:
    projects = Project.objects.in_workspace(membership.workspace).select_related("client")
    return projects.visible_to(membership.user_id, is_admin=membership.is_admin)


def _project(membership: Membership, project_id: str) -> Project:
    return get_in_workspace(
        Project,
        membership.workspace,
        parse_id(project_id),
        id__in=_visible_projects(membership).values("id"),
    )


def _member_ids(workspace: Workspace) -> list[int]:
    return list(workspace.memberships.values_list("user_id", flat=True))


def _project_form(
    membership: Membership, data: dict[str, Any], project: Project | None
) -> ProjectForm:
    current = {
        "name": project.name if project else "",
        "client": project.client_id if project else None,
        "color": project.color if project else Project._meta.get_field("color").default,
        "billable": project.billable if project else True,
        "hourly_rate": project.hourly_rate if project else None,
        "visibility": PUBLIC if project is None or project.is_public else PRIVATE,
        "members": list(
            ProjectMember.objects.in_workspace(membership.workspace)
            .filter(project=project, user_id__in=_member_ids(membership.workspace))
            .values_list("user_id", flat=True)
        )
        if project
        else [],
    }
    if "name" in data and data["name"] is not None:
        current["name"] = data["name"]
    if "clientId" in data:
        current["client"] = str(parse_id(data["clientId"])) if data["clientId"] else None
    if data.get("isPublic") is not None:
        current["visibility"] = PUBLIC if data["isPublic"] else PRIVATE
    if data.get("color") is not None:
        current["color"] = data["color"]
    if data.get("billable") is not None:
        current["billable"] = data["billable"]
    if "hourlyRate" in data:
        rate = data["hourlyRate"]
        current["hourly_rate"] = cents_to_decimal(rate.get("amount")) if rate else None
    return ProjectForm(current, membership=membership, instance=project)


@router.get(WS + "/projects", response={200: list[ProjectOut], **ERRORS}, summary="Projects")
def list_projects(request: HttpRequest, workspaceId: str, query: Query[CatalogFilter]) -> list:
    membership = member_of(request, workspaceId)
    currency = _currency(membership.workspace)
    return [_project_json(p, currency) for p in _filtered(_visible_projects(membership), query)]


@router.post(WS + "/projects", response={201: ProjectOut, **ERRORS}, summary="Add a project")
def create_project(request: HttpRequest, workspaceId: str, payload: ProjectIn) -> Status:
    membership = _manager(request, workspaceId)
    form = _save(_project_form(membership, payload.dict(exclude_unset=True), None))
    project = (
        Project.objects.in_workspace(membership.workspace)
        .select_related("client")
        .get(name=form.cleaned_data["name"], client=form.cleaned_data["client"])
    )
    return Status(201, _project_json(project, _currency(membership.workspace)))


@router.get(WS + "/projects/{projectId}", response={200: ProjectOut, **ERRORS}, summary="A project")
def get_project(request: HttpRequest, workspaceId: str, projectId: str) -> dict:
    membership = member_of(request, workspaceId)
    return _project_json(_project(membership, projectId), _currency(membership.workspace))


@router.put(WS + "/projects/{projectId}", response={200: ProjectOut, **ERRORS}, summary="Update")
def update_project(
    request: HttpRequest, workspaceId: str, projectId: str, payload: ProjectUpdate
) -> dict:
    membership = _manager(request, workspaceId)
    project = _project(membership, projectId)
    changes = payload.dict(exclude_unset=True)
    fields = set(changes) - {"archived"}
    if fields:
        _save(_project_form(membership, changes, project))
    if changes.get("archived") is not None:
        project.archived = changes["archived"]
        project.save(update_fields=["archived"])
    project = _project(membership, projectId)
    return _project_json(project, _currency(membership.workspace))


@router.delete(WS + "/projects/{projectId}", response={200: ProjectOut, **ERRORS}, summary="Delete")
def delete_project(request: HttpRequest, workspaceId: str, projectId: str) -> dict:
    membership = _manager(request, workspaceId)
    project = _project(membership, projectId)
    _delete(membership.workspace, project, "The project has time entries: archive it instead.")
    return _project_json(project, _currency(membership.workspace))


# --- tasks ---


class TaskOut(Schema):
    id: str
    name: str
    projectId: str
    status: str


class TaskIn(ApiSchema):
    name: str = Field(..., min_length=1)
    status: TaskStatus | None = None


class TaskUpdate(ApiSchema):
    name: str | None = None
    status: TaskStatus | None = None


def _task_json(task: Task) -> dict[str, Any]:
    return {
        "id": str(task.id),
        "name": task.name,
        "projectId": str(task.project_id),
        "status": task.status,
    }


def _task(membership: Membership, project: Project, task_id: str) -> Task:
    return get_in_workspace(Task, membership.workspace, parse_id(task_id), project=project)


@router.get(
    WS + "/projects/{projectId}/tasks", response={200: list[TaskOut], **ERRORS}, summary="Tasks"
)
def list_tasks(
    request: HttpRequest, workspaceId: str, projectId: str, query: Query[Paging]
) -> list:
    membership = member_of(request, workspaceId)
    project = _project(membership, projectId)
    tasks = Task.objects.in_workspace(membership.workspace).filter(project=project)
    return [
        _task_json(t) for t in tasks.order_by("name", "id")[page_slice(query.page, query.page_size)]
    ]


@router.post(
    WS + "/projects/{projectId}/tasks", response={201: TaskOut, **ERRORS}, summary="Add a task"
)
def create_task(request: HttpRequest, workspaceId: str, projectId: str, payload: TaskIn) -> Status:
    membership = _manager(request, workspaceId)
    project = _project(membership, projectId)
    form = _save(TaskForm({"name": payload.name}, workspace=membership.workspace, project=project))
    task = Task.objects.in_workspace(membership.workspace).get(
        project=project, name=form.cleaned_data["name"]
    )
    if payload.status is not None and payload.status != task.status:
        task.status = payload.status
        task.save(update_fields=["status"])
    return Status(201, _task_json(task))


@router.get(
    WS + "/projects/{projectId}/tasks/{taskId}", response={200: TaskOut, **ERRORS}, summary="A task"
)
def get_task(request: HttpRequest, workspaceId: str, projectId: str, taskId: str) -> dict:
    membership = member_of(request, workspaceId)
    return _task_json(_task(membership, _project(membership, projectId), taskId))


@router.put(
    WS + "/projects/{projectId}/tasks/{taskId}",
    response={200: TaskOut, **ERRORS},
    summary="Update a task",
)
def update_task(
    request: HttpRequest, workspaceId: str, projectId: str, taskId: str, payload: TaskUpdate
) -> dict:
    membership = _manager(request, workspaceId)
    project = _project(membership, projectId)
    task = _task(membership, project, taskId)
    if payload.name is not None:
        _save(
            TaskForm(
                {"name": payload.name},
                workspace=membership.workspace,
                project=project,
                instance=task,
            )
        )
    if payload.status is not None:
        task.status = payload.status
        task.save(update_fields=["status"])
    return _task_json(task)


@router.delete(
    WS + "/projects/{projectId}/tasks/{taskId}",
    response={200: TaskOut, **ERRORS},
    summary="Delete a task",
)
def delete_task(request: HttpRequest, workspaceId: str, projectId: str, taskId: str) -> dict:
    membership = _manager(request, workspaceId)
    task = _task(membership, _project(membership, projectId), taskId)
    _delete(membership.workspace, task, "The task could not be deleted.")
    return _task_json(task)


# --- time entries ---


class IntervalOut(Schema):
    start: str
    end: str | None
    duration: str | None


class EntryOut(Schema):
    id: str
    description: str
    tagIds: list[str]
    userId: str
    billable: bool
    taskId: str | None
    projectId: str | None
    workspaceId: str
    timeInterval: IntervalOut
    hourlyRate: Rate | None
    isLocked: bool
    type: str
    customFieldValues: list[dict[str, Any]]


class EntryIn(ApiSchema):
    start: Instant
    end: Instant | None = None
    description: str | None = None
    projectId: str | None = None
    taskId: str | None = None
    tagIds: list[str] | None = None
    billable: bool | None = None


class EntryUpdate(ApiSchema):
    start: Instant | None = None
    end: Instant | None = None
    description: str | None = None
    projectId: str | None = None
    taskId: str | None = None
    tagIds: list[str] | None = None
    billable: bool | None = None


class StopIn(ApiSchema):
    end: Instant


class EntryFilter(Paging):
    start: Instant | None = None
    end: Instant | None = None
    description: str | None = Field(None, max_length=3000)
    project: str | None = None
    in_progress: bool | None = Field(None, alias="in-progress")


def _entry_json(entry: TimeEntry, currency: str) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "description": entry.description,
        "tagIds": [str(tag.id) for tag in entry.tags.all()],
        "userId": str(entry.user_id),
        "billable": entry.billable,
        "taskId": str(entry.task_id) if entry.task_id else None,
        "projectId": str(entry.project_id) if entry.project_id else None,
        "workspaceId": str(entry.workspace_id),
        "timeInterval": {
            "start": instant(entry.start),
            "end": instant(entry.end),
            "duration": iso_duration(entry.end - entry.start) if entry.end else None,
        },
        "hourlyRate": money(entry.hourly_rate, currency),
        "isLocked": False,
        "type": "REGULAR",
        "customFieldValues": [],
    }


def entries_json(entries: list[TimeEntry], workspace: Workspace) -> list[dict[str, Any]]:
    """Time entries in Clockify's JSON shape (tags prefetched in one query)."""
    prefetch_related_objects(entries, "tags")
    currency = _currency(workspace)
    return [_entry_json(entry, currency) for entry in entries]


def _check_times(start: datetime, end: datetime | None, *, capped: bool = True) -> None:
    """Apply tracking.rules, the one rule of every entry path, as a 400 naming the field."""
    try:
        rules.check_entry_times(start, end, capped=capped)
    except rules.EntryTimeError as error:
        message = error.message[0].lower() + error.message[1:]
        raise HttpError(400, f"{error.field}: {message}") from None


def _details(
    membership: Membership, data: dict[str, Any], entry: TimeEntry | None
) -> services.EntryDetails:
    """Validate what an entry is about with the tracker's own form."""
    project_id = data.get(
        "projectId", str(entry.project_id) if entry and entry.project_id else None
    )
    if "taskId" in data:
        task_id = data["taskId"]
    elif "projectId" in data:
        # A new project without a task: the old task goes unless it belongs to that project.
        keep = entry and entry.task_id and str(entry.project_id) == str(project_id)
        task_id = str(entry.task_id) if keep else None
    else:
        task_id = str(entry.task_id) if entry and entry.task_id else None
    key = row_key(project_id, task_id)
    if "tagIds" in data:
        tags = data["tagIds"] or []
    else:
        tags = [str(t.id) for t in entry.tags.all()] if entry else []
    billable = data.get("billable", entry.billable if entry else None)
    form = EntryDetailsForm(
        {
            "description": data.get("description", entry.description if entry else "") or "",
            "project_task": key,
            "tags": tags,
            "billable": "" if billable is None else ("yes" if billable else "no"),
        },
        workspace=membership.workspace,
        membership=membership,
        entry=entry,
    )
    if not form.is_valid():
        raise HttpError(400, _first_error(form))
    details = form.details()
    if task_id and project_id and details.project and str(details.project.id) != str(project_id):
        raise HttpError(400, "taskId: the task belongs to another project.")
    return details


def _entry(request: HttpRequest, membership: Membership, entry_id: str) -> TimeEntry:
    entry = get_in_workspace(TimeEntry, membership.workspace, parse_id(entry_id))
    if entry.user_id != request.user.pk and not membership.is_admin:
        raise PermissionDenied("Only admins can see or change other members' time entries.")
    return entry


def _user_in(membership: Membership, request: HttpRequest, user_id: str) -> int:
    """The member whose entries a path names: yourself, or anyone if you are an admin."""
    try:
        target = int(user_id)
    except ValueError:
        raise HttpError(404, "Not found.") from None
    if not 0 < target < 2**63:
        raise HttpError(404, "Not found.")
    if not Membership.objects.filter(workspace=membership.workspace, user_id=target).exists():
        raise HttpError(404, "Not found.")
    if target != request.user.pk and not membership.is_admin:
        raise PermissionDenied("Only admins can see or change other members' time entries.")
    return target


def _add_entry(
    request: HttpRequest, membership: Membership, user_id: int, payload: EntryIn
) -> TimeEntry:
    data = payload.dict(exclude_unset=True)
    start = utc(payload.start)
    end = utc(payload.end) if payload.end else None
    _check_times(start, end)
    details = _details(membership, data, None)
    workspace = membership.workspace
    if end is not None:
        return services.create_entry(workspace, user_id, details, start, end)
    if start > timezone.now():
        raise HttpError(400, "start: a timer cannot start in the future; send an end too.")
    try:
        return services.start_timer(workspace, user_id, details, at=start)
    except services.TimerError as error:
        raise HttpError(400, f"start: {error} A running timer starts after this start.") from None


@router.post(
    WS + "/time-entries", response={201: EntryOut, **ERRORS}, summary="Add time or start a timer"
)
def create_entry(request: HttpRequest, workspaceId: str, payload: EntryIn) -> Status:
    membership = member_of(request, workspaceId)
    entry = _add_entry(request, membership, request.user.pk, payload)
    return Status(201, entries_json([entry], membership.workspace)[0])


@router.post(
    WS + "/user/{userId}/time-entries",
    response={201: EntryOut, **ERRORS},
    summary="Add time for a member",
)
def create_entry_for(
    request: HttpRequest, workspaceId: str, userId: str, payload: EntryIn
) -> Status:
    membership = member_of(request, workspaceId)
    entry = _add_entry(request, membership, _user_in(membership, request, userId), payload)
    return Status(201, entries_json([entry], membership.workspace)[0])


@router.get(
    WS + "/time-entries/status/in-progress",
    response={200: list[EntryOut], **ERRORS},
    summary="Running timers",
)
def running_entries(request: HttpRequest, workspaceId: str, query: Query[Paging]) -> list:
    membership = member_of(request, workspaceId)
    entries = TimeEntry.objects.in_workspace(membership.workspace).running()
    if not membership.is_admin:
        entries = entries.of_user(request.user.pk)
    page = list(entries.order_by("-start", "-id")[page_slice(query.page, query.page_size)])
    return entries_json(page, membership.workspace)


@router.get(
    WS + "/time-entries/{entryId}", response={200: EntryOut, **ERRORS}, summary="A time entry"
)
def get_entry(request: HttpRequest, workspaceId: str, entryId: str) -> dict:
    membership = member_of(request, workspaceId)
    return entries_json([_entry(request, membership, entryId)], membership.workspace)[0]


@router.put(
    WS + "/time-entries/{entryId}",
    response={200: EntryOut, **ERRORS},
    summary="Update a time entry",
)
def update_entry(
    request: HttpRequest, workspaceId: str, entryId: str, payload: EntryUpdate
) -> dict:
    membership = member_of(request, workspaceId)
    entry = _entry(request, membership, entryId)
    data = payload.dict(exclude_unset=True)
    start = utc(data["start"]) if data.get("start") else entry.start
    end = (utc(data["end"]) if data["end"] else None) if "end" in data else entry.end
    _check_times(start, end)
    details = _details(membership, data, entry)
    if end is None and entry.end is not None:
        others = (
            TimeEntry.objects.in_workspace(membership.workspace).of_user(entry.user_id).running()
        )
        if others.exists():
            raise HttpError(400, "end: another timer is running; stop it first.")
    services.update_entry(membership.workspace, entry, details, start, end)
    return entries_json([entry], membership.workspace)[0]


@router.delete(
    WS + "/time-entries/{entryId}", response={204: None, **ERRORS}, summary="Delete a time entry"
)
def delete_entry(request: HttpRequest, workspaceId: str, entryId: str) -> Status:
    membership = member_of(request, workspaceId)
    entry = _entry(request, membership, entryId)
    services.delete_entry(membership.workspace, entry, actor_id=request.user.pk)
    return Status(204, None)


@router.get(
    WS + "/user/{userId}/time-entries",
    response={200: list[EntryOut], **ERRORS},
    summary="A member's time entries",
)
def list_entries(
    request: HttpRequest, workspaceId: str, userId: str, query: Query[EntryFilter]
) -> list:
    membership = member_of(request, workspaceId)
    user_id = _user_in(membership, request, userId)
    entries = TimeEntry.objects.in_workspace(membership.workspace).of_user(user_id)
    if query.start is not None:
        entries = entries.filter(start__gte=utc(query.start))
    if query.end is not None:
        entries = entries.filter(start__lte=utc(query.end))
    if query.description:
        entries = entries.filter(description__icontains=query.description)
    if query.project:
        entries = entries.filter(project_id=parse_id(query.project))
    if query.in_progress is not None:
        entries = entries.filter(end__isnull=query.in_progress)
    page = list(entries.order_by("-start", "-id")[page_slice(query.page, query.page_size)])
    return entries_json(page, membership.workspace)


@router.patch(
    WS + "/user/{userId}/time-entries",
    response={200: EntryOut, **ERRORS},
    summary="Stop the running timer",
)
def stop_timer(request: HttpRequest, workspaceId: str, userId: str, payload: StopIn) -> dict:
    membership = member_of(request, workspaceId)
    user_id = _user_in(membership, request, userId)
    end = utc(payload.end)
    running = (
        TimeEntry.objects.in_workspace(membership.workspace).of_user(user_id).running().first()
    )
    if running is None:
        raise HttpError(404, "No timer is running.")
    _check_times(running.start, end, capped=False)
    try:
        entry = services.stop_timer(
            membership.workspace, user_id, at=end, expected_running=running.id
        )
    except services.TimerError as error:
        raise HttpError(404, str(error)) from None
    return entries_json([entry], membership.workspace)[0]
