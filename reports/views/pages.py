"""The Detailed and Summary report pages, and editing or deleting entries from the report."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracking import services
from tracking.access import get_in_workspace
from tracking.forms import EditEntryForm
from tracking.models import TimeEntry
from workspaces.access import get_membership, get_workspace_for_admin
from workspaces.models import WorkspaceSettings

from ..detailed import Totals, detailed_page, totals_of
from ..forms import ReportFilterForm
from ..summary import SummaryFilterForm, summarize

DETAILED, SUMMARY, EDIT = "reports/detailed.html", "reports/summary.html", "reports/edit_entry.html"
ROW_MARK = UUID(int=0)  # stands for each row's id in a reversed URL


class BackForm(forms.Form):
    """The report's query string, so that edit and delete return to the same page."""

    back = forms.CharField(required=False, max_length=4000)

    def url(self, workspace_id: UUID) -> str:
        """The Detailed report with the same filters; only its own parameters, re-encoded."""
        query = QueryDict(self.cleaned_data.get("back", "") if self.is_valid() else "")
        base = reverse("reports:detailed", args=[workspace_id])
        return f"{base}?{query.urlencode()}" if query else base


def _page_context(request: HttpRequest, form: ReportFilterForm, **extra: Any) -> dict[str, Any]:
    return {
        "workspace": request.workspace,
        "membership": request.membership,
        "prefs": WorkspaceSettings.objects.for_workspace(request.workspace),
        "form": form,
        **extra,
    }


@login_required
@require_GET
def detailed(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    membership = get_membership(request, workspace_id)
    form = ReportFilterForm(request.GET, workspace=request.workspace, membership=membership)
    if not form.is_valid():
        return render(request, DETAILED, _page_context(request, form), status=400)
    report_totals = totals_of(form)
    page_count = -(-report_totals.count // form.cleaned_data["size"]) or 1
    if (form.cleaned_data.get("page") or 1) > page_count:
        form.add_error("page", f"The report has {page_count} page(s) of this size.")
        return render(request, DETAILED, _page_context(request, form), status=400)
    page = detailed_page(form, report_totals)
    back_param = urlencode({"back": request.GET.urlencode()})
    if membership.is_admin:
        _link_rows(page.entries, workspace_id, back_param)
    context = _page_context(request, form, page=page, summary=form.filter_summary())
    return render(request, DETAILED, context)


def _link_rows(entries: list[TimeEntry], workspace_id: UUID, back_param: str) -> None:
    # One reverse() per link name, not one per row: a page has up to 200 rows.
    for name in ("edit", "delete"):
        url = reverse(f"reports:{name}_entry", args=[workspace_id, ROW_MARK])
        head, tail = url.rsplit(str(ROW_MARK), 1)
        for entry in entries:
            setattr(entry, f"{name}_url", f"{head}{entry.id}{tail}?{back_param}")


@login_required
@require_GET
def summary(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    membership = get_membership(request, workspace_id)
    form = SummaryFilterForm(request.GET, workspace=request.workspace, membership=membership)
    if not form.is_valid():
        return render(request, SUMMARY, _page_context(request, form), status=400)
    report_totals: Totals = totals_of(form)
    report = summarize(form, report_totals, date_pattern=request.user.date_format)
    context = _page_context(
        request, form, totals=report_totals, report=report, summary=form.filter_summary()
    )
    return render(request, SUMMARY, context)


def _report_entry(request: HttpRequest, workspace_id: UUID, entry_id: UUID) -> TimeEntry:
    # Admins edit anyone's entry from the report; members get a 403, outsiders a 404.
    workspace = get_workspace_for_admin(request, workspace_id)
    return get_in_workspace(TimeEntry, workspace, entry_id, end__isnull=False)


@login_required
@require_http_methods(["GET", "POST"])
def edit_entry(request: HttpRequest, workspace_id: UUID, entry_id: UUID) -> HttpResponse:
    entry = _report_entry(request, workspace_id, entry_id)
    prefetch_related_objects([entry], "tags")
    back = BackForm(request.GET)
    form = EditEntryForm(
        request.POST or None,
        workspace=request.workspace,
        membership=request.membership,
        entry=entry,
    )
    tags = form.fields["tags"]
    # Checkboxes: the whole list of tags fits on this page, no script needed.
    tags.widget = forms.CheckboxSelectMultiple(choices=tags.choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.update_entry(request.workspace, entry, form.details(), data["start"], data["end"])
        messages.success(request, "Entry saved.")
        return redirect(back.url(workspace_id))
    context = {
        "workspace": request.workspace,
        "entry": entry,
        "edit_form": form,
        "back_url": back.url(workspace_id),
    }
    return render(request, EDIT, context, status=400 if form.is_bound else 200)


@login_required
@require_POST
def delete_entry(request: HttpRequest, workspace_id: UUID, entry_id: UUID) -> HttpResponse:
    entry = _report_entry(request, workspace_id, entry_id)
    services.delete_entry(request.workspace, entry, actor_id=request.user.pk)
    messages.success(request, "Entry deleted.")
    return redirect(BackForm(request.GET).url(workspace_id))
