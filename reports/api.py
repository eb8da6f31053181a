"""Clockify's Reports API: the detailed report as JSON or a streamed CSV, and the summary.

The request bodies map onto the same ReportFilterForm as the pages and the export, so the
rules (members see their own time, ids of this workspace only) are the same everywhere.
"""

from __future__ import annotations

from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from ninja import Field, Router
from ninja.errors import HttpError

from tracking.api import entries_json
from workspaces.api_fields import ERRORS, ApiSchema, Instant, member_of
from workspaces.models import Membership

from .detailed import Totals, totals_of
from .forms import ReportFilterForm
from .summary import Group, SummaryFilterForm, summarize
from .views.export import stream_export

router = Router(tags=["Reports"])
SORTS = {
    "DATE": "date",
    "DURATION": "duration",
    "DESCRIPTION": "description",
    "USER": "member",
    "PROJECT": "project",
}
GROUPS = {
    "PROJECT": "project",
    "CLIENT": "client",
    "USER": "member",
    "TASK": "task",
    "TAG": "tag",
    "DATE": "date",
}
MAX_REPORT_PAGE_SIZE = 1000  # Clockify's limit for detailed report pages


class IdFilter(ApiSchema):
    ids: list[str] = Field(default_factory=list, max_length=1000)
    contains: str | None = None


class DetailedFilter(ApiSchema):
    page: int = Field(1, ge=1, le=1_000_000)
    pageSize: int = Field(50, ge=1, le=MAX_REPORT_PAGE_SIZE)
    sortColumn: Literal["DATE", "DURATION", "DESCRIPTION", "USER", "PROJECT"] | None = None


class SummaryFilter(ApiSchema):
    groups: list[Literal["PROJECT", "CLIENT", "USER", "TASK", "TAG", "DATE"]] = Field(
        default_factory=lambda: ["PROJECT"], min_length=1, max_length=2
    )


class ReportIn(ApiSchema):
    dateRangeStart: Instant
    dateRangeEnd: Instant
    sortOrder: Literal["ASCENDING", "DESCENDING"] | None = None
    users: IdFilter | None = None
    projects: IdFilter | None = None
    clients: IdFilter | None = None
    tasks: IdFilter | None = None
    tags: IdFilter | None = None
    billable: bool | None = None
    description: str | None = Field(None, max_length=3000)


class DetailedIn(ReportIn):
    detailedFilter: DetailedFilter = Field(default_factory=DetailedFilter)
    exportType: Literal["JSON", "CSV"] | None = "JSON"


class SummaryIn(ReportIn):
    summaryFilter: SummaryFilter = Field(default_factory=SummaryFilter)


def _form_data(membership: Membership, body: ReportIn) -> dict[str, Any]:
    """The report form's fields from a Reports API body; the range in the member's zone."""
    zone = ZoneInfo(membership.user.time_zone)
    data: dict[str, Any] = {
        "preset": "custom",
        "start": body.dateRangeStart.astimezone(zone).date().isoformat(),
        "end": body.dateRangeEnd.astimezone(zone).date().isoformat(),
        "order": "asc" if body.sortOrder == "ASCENDING" else "desc",
    }
    for name, field in (
        ("users", "members"),
        ("projects", "projects"),
        ("clients", "clients"),
        ("tasks", "tasks"),
        ("tags", "tags"),
    ):
        chosen = getattr(body, name)
        if chosen is not None and chosen.ids:
            data[field] = chosen.ids
    if body.billable is not None:
        data["billable"] = "yes" if body.billable else "no"
    if body.description:
        data["description"] = body.description
    return data


def _valid(form: ReportFilterForm) -> ReportFilterForm:
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise HttpError(400, errors[0] if field == "__all__" else f"{field}: {errors[0]}")
    return form


def _totals_json(report: Totals) -> list[dict[str, Any]]:
    return [
        {
            "totalTime": report.seconds,
            "totalBillableTime": report.billable_seconds,
            "entriesCount": report.count,
            "totalAmount": int(report.amount * 100),
        }
    ]


@router.post(
    "/workspaces/{workspaceId}/reports/detailed",
    response={200: dict[str, Any], **ERRORS},
    summary="Detailed report (JSON page or streamed CSV)",
    openapi_extra={"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}},
)
def detailed_report(request: HttpRequest, workspaceId: str, payload: DetailedIn) -> Any:
    membership = member_of(request, workspaceId)
    data = _form_data(membership, payload)
    data["sort"] = SORTS[payload.detailedFilter.sortColumn or "DATE"]
    form = _valid(ReportFilterForm(data, workspace=membership.workspace, membership=membership))
    if payload.exportType == "CSV":
        response = stream_export(request, form)
        if response is None:
            raise HttpError(429, "Two exports of this workspace are running; try again shortly.")
        return response
    entries = form.entries()
    size = payload.detailedFilter.pageSize
    offset = (payload.detailedFilter.page - 1) * size
    key = form.sort_expression()
    descending = data["order"] == "desc"
    ordering = [key.desc() if descending else key.asc(), "-id" if descending else "id"]
    page = list(
        entries.select_related("project__client").order_by(*ordering)[offset : offset + size]
    )
    rows = entries_json(page, membership.workspace)
    for row, entry in zip(rows, page, strict=True):
        person = form.people.get(entry.user_id)
        row["userName"] = person.display_name if person else ""
        row["userEmail"] = person.email if person else ""
        row["projectName"] = entry.project.name if entry.project_id else ""
        row["clientName"] = (
            entry.project.client.name if entry.project_id and entry.project.client_id else ""
        )
    return {"totals": _totals_json(totals_of(form)), "timeentries": rows}


def _group_json(group: Group) -> dict[str, Any]:
    return {
        "_id": "" if group.key is None else str(group.key),
        "name": group.label,
        "duration": group.seconds,
        "amount": int(group.amount * 100),
        "children": [_group_json(child) for child in group.children],
    }


@router.post(
    "/workspaces/{workspaceId}/reports/summary",
    response={200: dict[str, Any], **ERRORS},
    summary="Summary report",
)
def summary_report(request: HttpRequest, workspaceId: str, payload: SummaryIn) -> dict[str, Any]:
    membership = member_of(request, workspaceId)
    data = _form_data(membership, payload)
    groups = payload.summaryFilter.groups
    data["group"] = GROUPS[groups[0]]
    if len(groups) > 1:
        data["subgroup"] = GROUPS[groups[1]]
    form = _valid(SummaryFilterForm(data, workspace=membership.workspace, membership=membership))
    report_totals = totals_of(form)
    summary = summarize(form, report_totals, date_pattern=membership.user.date_format)
    return {
        "totals": _totals_json(report_totals),
        "groupOne": [_group_json(group) for group in summary.groups],
    }
