"""Import a Detailed report CSV: upload, preview what it will do, confirm."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clockify.body_limit import accepts_large_body
from workspaces.access import get_membership
from workspaces.models import Membership

from .. import importing
from ..forms_import import DayOrderForm, ImportRatesForm, ImportUploadForm
from ..models import ImportUpload

UPLOAD_PAGE = "reports/import.html"
PREVIEW_PAGE = "reports/import_preview.html"
SESSION_KEY = "reports_import"
# Multipart framing around a file of MAX_UPLOAD bytes stays well within this.
BODY_SLACK = 1024 * 1024


@accepts_large_body(importing.MAX_UPLOAD + BODY_SLACK)
@login_required
@require_http_methods(["GET", "POST"])
def import_csv(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """Show the upload form; take a file and keep it for the preview."""
    membership = get_membership(request, workspace_id)
    if request.method == "GET":
        return _upload_page(request, membership, ImportUploadForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, membership, form, status=400)
    _forget(request, membership)
    file = form.cleaned_data["file"]
    # Planned from the request's own copy (in memory, or its temporary file while the request
    # lasts) before anything is kept: a file past a limit leaves nothing behind. Planned once
    # and kept with the upload: showing the preview again reads no file.
    plan = importing.plan_import(membership.workspace, membership, file)
    preview = importing.preview_of(plan)
    if preview.limit:
        return _upload_page(request, membership, form, preview.limit, status=400)
    upload = importing.store_upload(membership, file, preview)
    # Only an opaque id and the workspace: the session lives in the directory database.
    request.session[SESSION_KEY] = {
        "upload": str(upload.id),
        "workspace": str(membership.workspace_id),
    }
    return redirect("reports:import_preview", membership.workspace_id)


@login_required
@require_GET
def import_preview(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """Show what importing the uploaded file would do."""
    membership = get_membership(request, workspace_id)
    upload = _pending(request, membership)
    if upload is None:
        return _gone(request, membership)
    order = DayOrderForm(request.GET if "order" in request.GET else None)
    if order.is_bound and not order.is_valid():
        return _preview(request, membership, upload, order, status=400)
    return _preview(request, membership, upload, order)


@login_required
@require_POST
def import_confirm(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """Import the uploaded file, all or nothing."""
    membership = get_membership(request, workspace_id)
    upload = _pending(request, membership)
    if upload is None:
        return _gone(request, membership)
    order = DayOrderForm(request.POST if "order" in request.POST else None)
    if order.is_bound and not order.is_valid():
        return _preview(request, membership, upload, order, status=400)
    rates = ImportRatesForm(
        request.POST if "rates" in request.POST else None, membership=membership
    )
    if rates.is_bound and not rates.is_valid():
        return _preview(request, membership, upload, order, rates=rates, status=400)
    return _import(request, membership, upload, order, rates)


def _import(
    request: HttpRequest,
    membership: Membership,
    upload: ImportUpload,
    order: DayOrderForm,
    rates: ImportRatesForm,
) -> HttpResponse:
    try:
        preview = _plan(membership, upload, order)
    except importing.UploadGone:
        return _vanished(request, membership)
    if not preview.ok:
        messages.error(request, "Nothing was imported: the file has problems.")
        return _preview(request, membership, upload, order, preview=preview, status=400)
    try:
        result = importing.import_upload(
            membership, upload, preview, keep_file_rates=rates.keep_file_rates()
        )
    except importing.UploadGone:  # imported by another click, or removed, meanwhile
        return _vanished(request, membership)
    except importing.UploadBusy:
        problem = "This file is being imported right now; its entries appear when it is done."
        return _upload_page(request, membership, ImportUploadForm(), problem, status=409)
    except importing.ImportFailed as error:  # the upload waits for another try
        messages.error(request, str(error))
        return _preview(request, membership, upload, order, preview=preview, status=409)
    request.session.pop(SESSION_KEY, None)  # the import consumed the upload
    messages.success(
        request,
        f"Imported {result.created} entries; {result.skipped} were already here and skipped.",
    )
    return redirect(reverse("reports:detailed", args=[membership.workspace_id]) + "?preset=all")


@login_required
@require_POST
def import_cancel(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """Drop the uploaded file without importing it."""
    membership = get_membership(request, workspace_id)
    _forget(request, membership)
    return redirect("reports:import", membership.workspace_id)


def _upload_page(
    request: HttpRequest,
    membership: Membership,
    form: ImportUploadForm,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "workspace": membership.workspace,
        "membership": membership,
        "form": form,
        "problem": problem,
    }
    return render(request, UPLOAD_PAGE, context, status=status)


def _pending(request: HttpRequest, membership: Membership) -> ImportUpload | None:
    """The session's upload for this workspace, if it is still waiting for this member."""
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict) or pending.get("workspace") != str(membership.workspace_id):
        return None
    upload = importing.waiting_upload(membership, pending.get("upload"))
    if upload is None:
        request.session.pop(SESSION_KEY, None)
    return upload


def _forget(request: HttpRequest, membership: Membership) -> None:
    """Drop the session's upload, and remove it if it waits in this workspace.

    One left waiting in another workspace is removed there when it expires.
    """
    pending = request.session.pop(SESSION_KEY, None)
    if isinstance(pending, dict) and pending.get("workspace") == str(membership.workspace_id):
        importing.discard_upload(membership, pending.get("upload"))


def _gone(request: HttpRequest, membership: Membership) -> HttpResponse:
    problem = "There is no uploaded file waiting (uploads expire after an hour); upload it again."
    return _upload_page(request, membership, ImportUploadForm(), problem, status=400)


def _vanished(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The upload went while this request used it (imported, or its file is missing)."""
    _forget(request, membership)
    return _gone(request, membership)


def _plan(membership: Membership, upload: ImportUpload, order: DayOrderForm) -> importing.Preview:
    """The preview of the upload for the day order chosen: kept, or planned now and kept.

    Raises UploadGone if its file is missing.
    """
    chosen = order.is_bound and order.is_valid()
    key = order.cleaned_data["order"] if chosen else importing.AUTO
    preview = importing.kept_preview(upload, key)
    if preview is None:
        day_first = order.day_first() if chosen else None
        workspace = membership.workspace
        with importing.open_upload(workspace, upload) as file:
            plan = importing.plan_import(workspace, membership, file, day_first=day_first)
        preview = importing.preview_of(plan)
        importing.keep_preview(workspace, upload, key, preview)
    return preview


def _preview(
    request: HttpRequest,
    membership: Membership,
    upload: ImportUpload,
    order: DayOrderForm,
    *,
    preview: importing.Preview | None = None,
    rates: ImportRatesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if preview is None and not (order.is_bound and not order.is_valid()):
        try:
            preview = _plan(membership, upload, order)
        except importing.UploadGone:
            return _vanished(request, membership)
    if preview is not None and preview.limit:
        status = 400
    context = {
        "workspace": membership.workspace,
        "membership": membership,
        "upload": upload,
        "plan": preview,
        "order": order,
        "rates": rates or ImportRatesForm(membership=membership),
        "zone": importing.member_zone(membership.user),
    }
    return render(request, PREVIEW_PAGE, context, status=status)
