"""The Detailed report's CSV export: the current filters over the whole range, streamed."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from datetime import date
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Max, Min, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tracking.models import TimeEntry
from workspaces import audit
from workspaces.access import get_membership
from workspaces.models import User, Workspace, WorkspaceSettings

from ..csv_format import ExportFormat
from ..export import Person, detailed_csv
from ..forms import ReportFilterForm

MAX_CONCURRENT = 2
# A slot outlives a worker that died mid-export by at most this long; a running export
# renews its slot well before then.
SLOT_TTL = 600
SLOT_RENEW = 60
RETRY_AFTER = 30
REFUSED = "reports/export_refused.html"


class ExportSlot:
    """One of a workspace's few concurrent exports, held in the cache (Redis in production).

    Each slot is its own key rather than one shared counter: a worker killed mid-export
    leaves only its own slot behind, and that expires on its own after SLOT_TTL.
    """

    def __init__(self, key: str, token: str) -> None:
        self.key, self.token = key, token
        self.renewed = time.monotonic()

    @classmethod
    def take(cls, workspace: Workspace) -> ExportSlot | None:
        """Take a free slot of the workspace, or None when all are busy."""
        token = secrets.token_hex(8)
        for number in range(MAX_CONCURRENT):
            key = f"reports:export:{workspace.id}:{number}"
            if cache.add(key, token, SLOT_TTL):
                return cls(key, token)
        return None

    def renew(self) -> None:
        """Keep the slot while the export runs."""
        if time.monotonic() - self.renewed > SLOT_RENEW:
            cache.touch(self.key, SLOT_TTL)
            self.renewed = time.monotonic()

    def release(self) -> None:
        """Free the slot, unless it expired and someone else holds it now."""
        if cache.get(self.key) == self.token:
            cache.delete(self.key)


def _refused(request: HttpRequest, status: int, heading: str, message: str) -> HttpResponse:
    context = {"heading": heading, "message": message}
    return render(request, REFUSED, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def export_csv(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """Stream the Detailed CSV of the report's filters; members get their own entries."""
    membership = get_membership(request, workspace_id)
    workspace = membership.workspace
    # A GET starts an export only from our own pages: a link on another site must not
    # make a logged-in browser run one (a POST is covered by its CSRF token).
    if request.method == "GET" and request.headers.get("Sec-Fetch-Site") != "same-origin":
        return _refused(
            request,
            403,
            "Export not started",
            "Start the export with the Export button of the Detailed report.",
        )
    data = request.POST if request.method == "POST" else request.GET
    form = ReportFilterForm(data, workspace=workspace, membership=membership)
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[field].label if field in form.fields else 'Filters'}: {error}"
            for field, errors in form.errors.items()
            for error in errors
        )
        return _refused(request, 400, "The filters are not valid", problems)
    return stream_export(request, form) or _too_many(request)


def _too_many(request: HttpRequest) -> HttpResponse:
    response = _refused(
        request,
        429,
        "Too many exports",
        f"{MAX_CONCURRENT} exports of this workspace are running. Try again in a minute.",
    )
    response["Retry-After"] = str(RETRY_AFTER)
    return response


def stream_export(request: HttpRequest, form: ReportFilterForm) -> StreamingHttpResponse | None:
    """Stream the Detailed CSV of a valid filter form; None when no export slot is free.

    The export is in the workspace's audit log (unless the workspace is moving, when the
    region takes no writes and exports go on: audit.record_read).
    """
    workspace = form.workspace
    slot = ExportSlot.take(workspace)
    if slot is None:
        return None
    try:
        entries = form.entries()
        fmt = ExportFormat.for_member(
            request.user, WorkspaceSettings.objects.for_workspace(workspace)
        )
        people = _people(form, entries)
        first, last = _days(form, entries, fmt)
        name = file_name(first, last)
        stream = _Held(detailed_csv(entries, fmt, people), slot)
        audit.record_read(
            workspace,
            audit.Kind.REPORT_EXPORTED,
            actor_id=request.user.pk,
            format="csv",
            first=first.isoformat(),
            last=last.isoformat(),
            scope="workspace" if form.is_admin else "own",
        )
    except BaseException:
        slot.release()
        raise
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    # Proxies such as nginx would otherwise buffer the whole file before sending a byte.
    response["X-Accel-Buffering"] = "no"
    return response


def _people(form: ReportFilterForm, entries: QuerySet[TimeEntry]) -> dict[int, Person]:
    """Names and emails of everyone whose entries the export may hold, from the directory."""
    people = {pk: Person(user.display_name, user.email) for pk, user in form.people.items()}
    if form.is_admin:
        # People who left keep their entries; their rows still need a name and an email
        # (the import matches members by it).
        former = entries.exclude(user_id__in=list(people)).order_by()
        ids = list(former.values_list("user_id", flat=True).distinct())
        for user in User.objects.filter(pk__in=ids):
            people[user.pk] = Person(user.display_name, user.email)
    return people


class _Held:
    """The export's chunks, holding a slot until they end or the response is closed."""

    def __init__(self, chunks: Iterator[bytes], slot: ExportSlot) -> None:
        self.chunks, self.slot = chunks, slot

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.slot.renew()
            yield chunk
        self.slot.release()

    def close(self) -> None:
        """Called by the server when the response ends, also when the client went away."""
        # Closing the chunks cancels the query at once, rather than at garbage collection;
        # a response closed before its first chunk still gives its slot back.
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()
        self.slot.release()


def _days(form: ReportFilterForm, entries: object, fmt: ExportFormat) -> tuple[date, date]:
    """The range the file covers: the form's, or for all time the first to the last entry."""
    first, last = form.days()
    if first and last:
        return first, last
    bounds = entries.aggregate(first=Min("start"), last=Max("start"))
    if bounds["first"] is None:
        today = timezone.now().astimezone(fmt.zone).date()
        return first or today, last or today
    return (
        first or bounds["first"].astimezone(fmt.zone).date(),
        last or bounds["last"].astimezone(fmt.zone).date(),
    )


def file_name(first: date, last: date) -> str:
    """Clockify's name for the file: Time_Report_Detailed_MM_DD_YYYY-MM_DD_YYYY.csv."""
    return f"Time_Report_Detailed_{first:%m_%d_%Y}-{last:%m_%d_%Y}.csv"
