"""Import a Detailed report CSV: upload, preview what it will do, confirm."""

from __future__ import annotations

from pathlib import Path
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
    _forget(request)
    upload = form.cleaned_data["file"]
    token = importing.store_upload(upload.chunks(), upload.name)
    # Planned once here and kept: showing the preview again reads no file.
    preview = _plan(membership, token, DayOrderForm())
    if preview.limit:
        importing.discard_upload(token)
        return _upload_page(request, membership, form, preview.limit, status=400)
    # Only an opaque token and the workspace: the session lives in the directory database.
    request.session[SESSION_KEY] = {"token": token, "workspace": str(membership.workspace_id)}
    return redirect("reports:import_preview", membership.workspace_id)


@login_required
@require_GET
def import_preview(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """Show what importing the uploaded file would do."""
    membership = get_membership(request, workspace_id)
    pending = _pending(request, membership)
    if pending is None:
        return _gone(request, membership)
    order = DayOrderForm(request.GET if "order" in request.GET else None)
    if order.is_bound and not order.is_valid():
        return _preview(request, membership, pending, order, status=400)
    return _preview(request, membership, pending, order)


@login_required
@require_POST
def import_confirm(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """Import the uploaded file, all or nothing."""
    membership = get_membership(request, workspace_id)
    pending = _pending(request, membership)
    if pending is None:
        return _gone(request, membership)
    order = DayOrderForm(request.POST if "order" in request.POST else None)
    if order.is_bound and not order.is_valid():
        return _preview(request, membership, pending, order, status=400)
    rates = ImportRatesForm(
        request.POST if "rates" in request.POST else None, membership=membership
    )
    if rates.is_bound and not rates.is_valid():
        return _preview(request, membership, pending, order, rates=rates, status=400)
    # Claimed for this request alone: a second click on Import finds no file waiting.
    try:
        claim = importing.claim_upload(pending["token"])
    except importing.UploadBusy:
        problem = "This file is being imported right now; its entries appear when it is done."
        return _upload_page(request, membership, ImportUploadForm(), problem, status=409)
    except (OSError, ValueError):  # swept away meanwhile
        return _gone(request, membership)
    try:
        return _import(request, membership, pending, order, rates, claim.path)
    finally:
        claim.release()  # for another try, unless it was imported


def _import(
    request: HttpRequest,
    membership: Membership,
    pending: dict[str, str],
    order: DayOrderForm,
    rates: ImportRatesForm,
    path: Path,
) -> HttpResponse:
    token = pending["token"]
    try:
        preview = _plan(membership, token, order, path=path)
    except OSError:  # swept away by another request meanwhile
        return _gone(request, membership)
    if not preview.ok:
        messages.error(request, "Nothing was imported: the file has problems.")
        return _preview(request, membership, pending, order, preview=preview, status=400)
    plan = importing.resume_import(membership.workspace, membership, path, preview)
    try:
        result = importing.apply_import(
            membership.workspace, plan, keep_file_rates=rates.keep_file_rates()
        )
    except OSError:  # swept away between the plan and its application
        return _gone(request, membership)
    except importing.ImportFailed as error:
        messages.error(request, str(error))
        return _preview(request, membership, pending, order, preview=preview, status=409)
    _forget(request)
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
    _forget(request)
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


def _pending(request: HttpRequest, membership: Membership) -> dict[str, str] | None:
    """The session's upload for this workspace, if it is still there and fresh."""
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict) or pending.get("workspace") != str(membership.workspace_id):
        return None
    age = importing.upload_age(pending.get("token", ""))
    if age is None or age > importing.UPLOAD_TTL:
        _forget(request)
        return None
    return pending


def _forget(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if isinstance(pending, dict):
        importing.discard_upload(pending.get("token", ""))


def _gone(request: HttpRequest, membership: Membership) -> HttpResponse:
    problem = "There is no uploaded file waiting (uploads expire after an hour); upload it again."
    return _upload_page(request, membership, ImportUploadForm(), problem, status=400)


def _plan(
    membership: Membership, token: str, order: DayOrderForm, *, path: Path | None = None
) -> importing.Preview:
    """The preview of the upload for the day order chosen: kept, or planned now and kept.

    `path` is where the file is while a confirm has claimed it. Raises OSError if the file
    is gone.
    """
    chosen = order.is_bound and order.is_valid()
    key = order.cleaned_data["order"] if chosen else "auto"
    preview = importing.load_preview(token, key)
    if preview is None:
        day_first = order.day_first() if chosen else None
        source = path or importing.upload_path(token)
        plan = importing.plan_import(membership.workspace, membership, source, day_first=day_first)
        preview = importing.preview_of(plan)
        importing.save_preview(token, key, preview)
    return preview


def _preview(
    request: HttpRequest,
    membership: Membership,
    pending: dict[str, str],
    order: DayOrderForm,
    *,
    preview: importing.Preview | None = None,
    rates: ImportRatesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if preview is None and not (order.is_bound and not order.is_valid()):
        try:
            preview = _plan(membership, pending["token"], order)
        except OSError:  # swept away by another request meanwhile
            return _gone(request, membership)
    if preview is not None and preview.limit:
        status = 400
    context = {
        "workspace": membership.workspace,
        "membership": membership,
        "file_name": importing.upload_name(pending["token"]),
        "plan": preview,
        "order": order,
        "rates": rates or ImportRatesForm(membership=membership),
        "zone": importing.member_zone(membership.user),
    }
    return render(request, PREVIEW_PAGE, context, status=status)
