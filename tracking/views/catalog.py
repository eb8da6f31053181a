"""Pages for clients, projects, tasks, tags and member rates.

Everyone in a workspace reads these lists; changing them needs a catalog manager (admins,
or every member when the workspace allows it); member rates are changed by admins only.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracking.access import can_manage_catalog, get_in_workspace, require_catalog_manager
from tracking.forms_catalog import (
    CatalogFilterForm,
    ClientForm,
    MemberRateForm,
    NamedRowForm,
    ProjectForm,
    TagForm,
    TaskForm,
)
from tracking.models import (
    Client,
    MemberRate,
    Project,
    ProjectMember,
    Tag,
    Task,
    TaskStatus,
    TimeEntry,
)
from tracking.services import (
    apply_member_rate_to_past_entries,
    apply_project_rate_to_past_entries,
    delete_catalog_row,
    save_named_row,
)
from workspaces.access import get_membership_for_admin, get_workspace_for_member
from workspaces.models import Membership, Workspace, WorkspaceSettings

# --- Access and shared steps ---


def _for_member(request: HttpRequest, workspace_id: UUID) -> Workspace:
    """Return a workspace the requester belongs to (404 otherwise) and load its settings."""
    workspace = get_workspace_for_member(request, workspace_id)
    request.ws_settings = WorkspaceSettings.objects.for_workspace(workspace)
    return workspace


def _for_manager(request: HttpRequest, workspace_id: UUID) -> Workspace:
    """As `_for_member`, and 403 unless the requester may manage the catalog."""
    workspace = _for_member(request, workspace_id)
    require_catalog_manager(request.membership, request.ws_settings)
    return workspace


def _get_project(request: HttpRequest, workspace: Workspace, project_id: UUID) -> Project:
    """Load a project the requester may see; a private one they are not on is a 404 too."""
    project = get_in_workspace(Project, workspace, project_id)
    if project.is_public or request.membership.is_admin:
        return project
    visible = Project.objects.in_workspace(workspace).visible_to(request.user.pk, is_admin=False)
    if not visible.filter(pk=project.pk).exists():
        raise Http404("No such project.")
    return project


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "workspace": request.workspace,
        "ws_settings": request.ws_settings,
        "can_manage": can_manage_catalog(request.membership, request.ws_settings),
        **extra,
    }


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _rename(request: HttpRequest, form: NamedRowForm, *, title: str, back: str) -> HttpResponse:
    """Show a rename form; save a valid one and go back."""
    if form.is_bound and form.is_valid() and save_named_row(form):
        messages.success(request, f"{form.noun.capitalize()} renamed.")
        return redirect(back)
    context = _context(request, form=form, title=title, back=back)
    status = 400 if form.is_bound else 200
    return render(request, "tracking/catalog/rename.html", context, status=status)


def _set_archived(
    request: HttpRequest, row: Client | Project | Tag, archived: bool, list_name: str
) -> HttpResponse:
    """Archive or restore a row, then show the list where it now is, so its name is on screen."""
    row.archived = archived
    row.save(update_fields=["archived"])
    noun = row._meta.verbose_name.capitalize()
    if archived:
        messages.success(request, f"{noun} archived; it no longer appears in pickers.")
    else:
        messages.success(request, f"{noun} restored.")
    url = reverse(list_name, args=[row.workspace_id])
    return redirect(url + "?status=archived" if archived else url)


# --- Clients ---


@login_required
@require_GET
def clients(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """List the workspace's clients; managers add, rename, archive and delete them."""
    _for_member(request, workspace_id)
    return _render_clients(request)


def _render_clients(
    request: HttpRequest, form: ClientForm | None = None, status: int = 200, refusal: str = ""
) -> HttpResponse:
    workspace = request.workspace
    filters = CatalogFilterForm(request.GET)
    rows = Client.objects.in_workspace(workspace).annotate(project_count=Count("projects"))
    context = _context(
        request,
        clients=filters.apply(rows),
        filters=filters,
        form=form or ClientForm(workspace=workspace),
        refusal=refusal,
    )
    status = status if filters.is_valid() else 400
    return render(request, "tracking/catalog/clients.html", context, status=status)


@login_required
@require_POST
def client_create(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """Add a client."""
    workspace = _for_manager(request, workspace_id)
    form = ClientForm(request.POST, workspace=workspace)
    if not (form.is_valid() and save_named_row(form)):
        return _render_clients(request, form, status=400)
    messages.success(request, "Client added.")
    return redirect("tracking:clients", workspace.id)


@login_required
@require_http_methods(["GET", "POST"])
def client_edit(request: HttpRequest, workspace_id: UUID, client_id: UUID) -> HttpResponse:
    """Rename a client."""
    workspace = _for_manager(request, workspace_id)
    client = get_in_workspace(Client, workspace, client_id)
    form = ClientForm(_posted(request), workspace=workspace, instance=client)
    back = reverse("tracking:clients", args=[workspace.id])
    return _rename(request, form, title=f"Rename the client “{client.name}”", back=back)


@login_required
@require_POST
def client_archive(
    request: HttpRequest, workspace_id: UUID, client_id: UUID, archived: bool
) -> HttpResponse:
    """Archive a client, or restore it."""
    workspace = _for_manager(request, workspace_id)
    return _set_archived(
        request, get_in_workspace(Client, workspace, client_id), archived, "tracking:clients"
    )


@login_required
@require_POST
def client_delete(request: HttpRequest, workspace_id: UUID, client_id: UUID) -> HttpResponse:
    """Delete a client that has no projects."""
    workspace = _for_manager(request, workspace_id)
    client = get_in_workspace(Client, workspace, client_id)
    if not delete_catalog_row(workspace, client):
        refusal = (
            f"“{client.name}” has projects, so it cannot be deleted. Archive it instead: "
            "it leaves the pickers and its projects keep their history."
        )
        return _render_clients(request, status=400, refusal=refusal)
    messages.success(request, "Client deleted.")
    return redirect("tracking:clients", workspace.id)


# --- Projects ---


@login_required
@require_GET
def projects(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """List the projects the requester may see, with client, colour, billing and access."""
    workspace = _for_member(request, workspace_id)
    filters = CatalogFilterForm(request.GET)
    membership = request.membership
    rows = (
        Project.objects.in_workspace(workspace)
        .visible_to(membership.user_id, is_admin=membership.is_admin)
        .select_related("client")
    )
    context = _context(request, projects=filters.apply(rows), filters=filters)
    status = 200 if filters.is_valid() else 400
    return render(request, "tracking/catalog/projects.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """Create a project."""
    workspace = _for_manager(request, workspace_id)
    form = ProjectForm(_posted(request), membership=request.membership)
    if form.is_bound and form.is_valid() and (project := _save_project(request, form)):
        messages.success(request, "Project created.")
        return redirect("tracking:project", workspace.id, project.id)
    back = reverse("tracking:projects", args=[workspace.id])
    return _render_project_form(request, form, title="New project", back=back)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, workspace_id: UUID, project_id: UUID) -> HttpResponse:
    """Edit a project: name, client, colour, billing, rate and access."""
    workspace = _for_manager(request, workspace_id)
    project = _get_project(request, workspace, project_id)
    title = f"Edit the project “{project.name}”"
    form = ProjectForm(_posted(request), membership=request.membership, instance=project)
    if form.is_bound and form.is_valid() and _save_project(request, form):
        messages.success(request, "Project saved.")
        return redirect("tracking:project", workspace.id, project.id)
    back = reverse("tracking:project", args=[workspace.id, project.id])
    return _render_project_form(request, form, title=title, back=back)


def _save_project(request: HttpRequest, form: ProjectForm) -> Project | None:
    """Save a valid project form, and its rate on past entries if asked; None on a clash."""
    workspace = form.workspace
    changed = None
    try:
        with transaction.atomic(using=workspace.db_alias):
            project = form.save()
            if form.cleaned_data.get("apply_rate_to_past"):
                changed = apply_project_rate_to_past_entries(workspace, project)
    except IntegrityError:
        form.add_error("name", form.duplicate_message())
        return None
    if changed is not None:
        entries = f"{changed} past entr{'y' if changed == 1 else 'ies'}"
        messages.info(request, f"The project's rate now applies to {entries}.")
    return project


def _render_project_form(
    request: HttpRequest, form: ProjectForm, *, title: str, back: str
) -> HttpResponse:
    context = _context(request, form=form, title=title, back=back)
    status = 400 if form.is_bound else 200
    return render(request, "tracking/catalog/project_form.html", context, status=status)


@login_required
@require_GET
def project(request: HttpRequest, workspace_id: UUID, project_id: UUID) -> HttpResponse:
    """Show a project with its tasks and, if private, its members."""
    workspace = _for_member(request, workspace_id)
    return _render_project(request, _get_project(request, workspace, project_id))


def _render_project(
    request: HttpRequest,
    project: Project,
    task_form: TaskForm | None = None,
    status: int = 200,
    refusal: str = "",
) -> HttpResponse:
    workspace = request.workspace
    tasks = (
        Task.objects.in_workspace(workspace)
        .filter(project=project)
        .annotate(entry_count=Count("entries"))
        .order_by("status", Lower("name"))
    )
    members: list[Membership] = []
    if not project.is_public:
        on_project = set(
            ProjectMember.objects.in_workspace(workspace)
            .filter(project=project)
            .values_list("user_id", flat=True)
        )
        memberships = workspace.memberships.select_related("user")
        members = [m for m in memberships if m.user_id in on_project]
    context = _context(
        request,
        project=project,
        tasks=tasks,
        members=members,
        entry_count=TimeEntry.objects.in_workspace(workspace).filter(project=project).count(),
        task_form=task_form or TaskForm(workspace=workspace, project=project),
        refusal=refusal,
    )
    return render(request, "tracking/catalog/project.html", context, status=status)


@login_required
@require_POST
def project_archive(
    request: HttpRequest, workspace_id: UUID, project_id: UUID, archived: bool
) -> HttpResponse:
    """Archive a project, or restore it."""
    workspace = _for_manager(request, workspace_id)
    return _set_archived(
        request, _get_project(request, workspace, project_id), archived, "tracking:projects"
    )


@login_required
@require_POST
def project_delete(request: HttpRequest, workspace_id: UUID, project_id: UUID) -> HttpResponse:
    """Delete a project without time entries, with its tasks."""
    workspace = _for_manager(request, workspace_id)
    project = _get_project(request, workspace, project_id)
    if not delete_catalog_row(workspace, project):
        refusal = (
            f"“{project.name}” has time entries, so it cannot be deleted. Archive it instead: "
            "it leaves the pickers and its entries stay in reports."
        )
        return _render_project(request, project, status=400, refusal=refusal)
    messages.success(request, "Project deleted, with its tasks.")
    return redirect("tracking:projects", workspace.id)


# --- Tasks, always reached through their project ---


@login_required
@require_POST
def task_create(request: HttpRequest, workspace_id: UUID, project_id: UUID) -> HttpResponse:
    """Add a task to a project."""
    workspace = _for_manager(request, workspace_id)
    project = _get_project(request, workspace, project_id)
    form = TaskForm(request.POST, workspace=workspace, project=project)
    if not (form.is_valid() and save_named_row(form)):
        return _render_project(request, project, task_form=form, status=400)
    messages.success(request, "Task added.")
    return redirect("tracking:project", workspace.id, project.id)


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(
    request: HttpRequest, workspace_id: UUID, project_id: UUID, task_id: UUID
) -> HttpResponse:
    """Rename a task."""
    workspace = _for_manager(request, workspace_id)
    project = _get_project(request, workspace, project_id)
    task = get_in_workspace(Task, workspace, task_id, project=project)
    form = TaskForm(_posted(request), workspace=workspace, project=project, instance=task)
    back = reverse("tracking:project", args=[workspace.id, project.id])
    return _rename(request, form, title=f"Rename the task “{task.name}”", back=back)


@login_required
@require_POST
def task_status(
    request: HttpRequest, workspace_id: UUID, project_id: UUID, task_id: UUID, done: bool
) -> HttpResponse:
    """Mark a task done, or active again."""
    workspace = _for_manager(request, workspace_id)
    project = _get_project(request, workspace, project_id)
    task = get_in_workspace(Task, workspace, task_id, project=project)
    task.status = TaskStatus.DONE if done else TaskStatus.ACTIVE
    task.save(update_fields=["status"])
    messages.success(request, f"Task marked {task.get_status_display().lower()}.")
    return redirect("tracking:project", workspace.id, project.id)


@login_required
@require_POST
def task_delete(
    request: HttpRequest, workspace_id: UUID, project_id: UUID, task_id: UUID
) -> HttpResponse:
    """Delete a task; its entries stay, without the task."""
    workspace = _for_manager(request, workspace_id)
    project = _get_project(request, workspace, project_id)
    task = get_in_workspace(Task, workspace, task_id, project=project)
    # Entries keep their time and project; only the task is cleared (SET_NULL).
    delete_catalog_row(workspace, task)
    messages.success(request, "Task deleted.")
    return redirect("tracking:project", workspace.id, project.id)


# --- Tags ---


@login_required
@require_GET
def tags(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """List the workspace's tags; managers add, rename, archive and delete them."""
    _for_member(request, workspace_id)
    return _render_tags(request)


def _render_tags(
    request: HttpRequest, form: TagForm | None = None, status: int = 200
) -> HttpResponse:
    workspace = request.workspace
    filters = CatalogFilterForm(request.GET)
    rows = Tag.objects.in_workspace(workspace).annotate(entry_count=Count("entries"))
    context = _context(
        request,
        tags=filters.apply(rows),
        filters=filters,
        form=form or TagForm(workspace=workspace),
    )
    status = status if filters.is_valid() else 400
    return render(request, "tracking/catalog/tags.html", context, status=status)


@login_required
@require_POST
def tag_create(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """Add a tag."""
    workspace = _for_manager(request, workspace_id)
    form = TagForm(request.POST, workspace=workspace)
    if not (form.is_valid() and save_named_row(form)):
        return _render_tags(request, form, status=400)
    messages.success(request, "Tag added.")
    return redirect("tracking:tags", workspace.id)


@login_required
@require_http_methods(["GET", "POST"])
def tag_edit(request: HttpRequest, workspace_id: UUID, tag_id: UUID) -> HttpResponse:
    """Rename a tag."""
    workspace = _for_manager(request, workspace_id)
    tag = get_in_workspace(Tag, workspace, tag_id)
    form = TagForm(_posted(request), workspace=workspace, instance=tag)
    back = reverse("tracking:tags", args=[workspace.id])
    return _rename(request, form, title=f"Rename the tag “{tag.name}”", back=back)


@login_required
@require_POST
def tag_archive(
    request: HttpRequest, workspace_id: UUID, tag_id: UUID, archived: bool
) -> HttpResponse:
    """Archive a tag, or restore it."""
    workspace = _for_manager(request, workspace_id)
    return _set_archived(
        request, get_in_workspace(Tag, workspace, tag_id), archived, "tracking:tags"
    )


@login_required
@require_POST
def tag_delete(request: HttpRequest, workspace_id: UUID, tag_id: UUID) -> HttpResponse:
    """Delete a tag; its entries stay, without the tag."""
    workspace = _for_manager(request, workspace_id)
    tag = get_in_workspace(Tag, workspace, tag_id)
    # The tag leaves its entries; the entries themselves stay.
    delete_catalog_row(workspace, tag)
    messages.success(request, "Tag deleted.")
    return redirect("tracking:tags", workspace.id)


# --- Member rates ---


@login_required
@require_GET
def rates(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """List every member's hourly rate to admins, who change them here; a member sees their own."""
    _for_member(request, workspace_id)
    return _render_rates(request)


def _rate_form(
    membership: Membership, data: QueryDict | None = None, **kwargs: Any
) -> MemberRateForm:
    # One form per row: the prefix keeps the fields' names and ids apart.
    return MemberRateForm(data, prefix=f"m{membership.pk}", **kwargs)


def _render_rates(
    request: HttpRequest, invalid: MemberRateForm | None = None, status: int = 200
) -> HttpResponse:
    workspace = request.workspace
    member_rates = MemberRate.objects.in_workspace(workspace)
    memberships = workspace.memberships.select_related("user")
    if not request.membership.is_admin:
        # What a colleague earns is for the admins who set it; members see their own rate.
        member_rates = member_rates.filter(user_id=request.user.pk)
        memberships = memberships.filter(user_id=request.user.pk)
    stored = dict(member_rates.values_list("user_id", "hourly_rate"))
    rows = []
    for membership in memberships:
        rate = stored.get(membership.user_id)
        form = _rate_form(membership, initial={"hourly_rate": rate})
        if invalid is not None and invalid.prefix == form.prefix:
            form = invalid
        rows.append({"membership": membership, "rate": rate, "form": form})
    context = _context(request, rows=rows)
    return render(request, "tracking/catalog/rates.html", context, status=status)


@login_required
@require_POST
def rate_update(request: HttpRequest, workspace_id: UUID, membership_id: int) -> HttpResponse:
    """Set, change or clear a member's hourly rate."""
    target = get_membership_for_admin(request, workspace_id, membership_id)
    workspace = request.workspace
    request.ws_settings = WorkspaceSettings.objects.for_workspace(workspace)
    form = _rate_form(target, request.POST)
    if not form.is_valid():
        return _render_rates(request, invalid=form, status=400)
    rate = form.cleaned_data["hourly_rate"]
    name = target.user.display_name
    member_rates = MemberRate.objects.in_workspace(workspace)
    with transaction.atomic(using=workspace.db_alias):
        if rate is None:
            member_rates.filter(user_id=target.user_id).delete()
        else:
            # update_or_create retries the read if a concurrent save created the row first.
            member_rates.update_or_create(user_id=target.user_id, defaults={"hourly_rate": rate})
        if form.cleaned_data["apply_rate_to_past"]:
            changed = apply_member_rate_to_past_entries(workspace, target.user_id)
            entries = f"{changed} past entr{'y' if changed == 1 else 'ies'}"
            messages.info(request, f"{name}'s rate now applies to {entries}.")
    if rate is None:
        messages.success(request, f"{name} now bills at the workspace default rate.")
    else:
        # The amount is regional data: the rates page the redirect leads to shows it.
        messages.success(request, f"{name}'s hourly rate saved.")
    return redirect("tracking:rates", workspace.id)
