"""The privacy policy; each person's own data: what is stored about them, a download of all
of it, and the deletion of their account with everything about them; and, for the server's
staff, the anonymous page view counts."""

from __future__ import annotations

import json
from uuid import UUID

from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clockify.celery import queue_on_commit
from workspaces.access import signed_in_recently
from workspaces.regions import Region, region_storage

from . import archives, erasure
from .analytics import traffic
from .forms import DEFAULT_RANGE, AnalyticsRangeForm, DeleteAccountForm
from .inventory import KINDS, POLICY_DATE
from .models import Archive
from .tasks import build_archive, erase_account
from .yourdata import your_data


@require_GET
def policy(request: HttpRequest) -> HttpResponse:
    context = {"regions": Region.choices, "kinds": KINDS, "policy_date": POLICY_DATE}
    return render(request, "privacy/policy.html", context)


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything stored about the person, per workspace and region, from the live state."""
    context = {
        "data": your_data(request.user),
        "archives": Archive.objects.filter(user=request.user),
        "now": timezone.now(),
    }
    return render(request, "privacy/my_data.html", context)


@login_required
@require_GET
def profile_json(request: HttpRequest) -> HttpResponse:
    """The directory's part of the person's data, downloaded as JSON."""
    body = json.dumps(archives.profile_json(request.user), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-profile.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def request_archives(request: HttpRequest) -> HttpResponse:
    """Queue one archive per region that holds something about the person."""
    data = your_data(request.user)
    if data.unavailable:
        messages.warning(
            request,
            f"The {', '.join(data.unavailable)} region cannot be reached now: ask again later "
            "for its archive.",
        )
    regions = data.regions
    if not regions:
        if not data.unavailable:
            messages.info(
                request, "Nothing is stored about you in any workspace: no archive to build."
            )
        return redirect("privacy:my_data")
    with transaction.atomic(using="default"):
        queued = archives.request_archives(request.user, regions)
        for archive in queued:
            queue_on_commit(build_archive, str(archive.pk), using="default")
    if queued:
        messages.success(
            request,
            "Your archive is being built, one file per region. Download links appear below "
            f"when they are ready; they work for {archives.ARCHIVE_DAYS} days.",
        )
    else:
        messages.info(request, "Your archive is being built already.")
    return redirect("privacy:my_data")


@login_required
@require_GET
def download_archive(request: HttpRequest, archive_id: UUID) -> HttpResponse:
    """Send one of the person's own archives while its link is valid; anyone else's is a 404."""
    archive = Archive.objects.filter(pk=archive_id, user=request.user).first()
    if archive is None or archive.status != Archive.Status.READY:
        raise Http404("No such archive.")
    if archive.expires_at <= timezone.now():
        return render(request, "privacy/archive_expired.html", status=410)
    response = FileResponse(
        region_storage(archive.region).open(archive.storage_name),
        as_attachment=True,
        filename=archive.file_name,
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    """Show what deleting the account removes; delete it once the email address is typed.

    The password (or a two-factor code) is asked again when the last sign-in is not recent.
    A person who owns a workspace with other members must transfer or delete it first.
    """
    user = request.user
    if request.method == "POST" and not signed_in_recently(request):
        raise ReauthenticationRequired  # allauth asks for the password, then replays the POST
    form = DeleteAccountForm(request.POST or None, user=user)
    shared = erasure.shared_workspaces_owned(user)
    if request.method == "POST" and form.is_valid() and not shared:
        try:
            with transaction.atomic(using="default"):
                erasure.request_deletion(user)
                queue_on_commit(erase_account, user.pk, using="default")
        except erasure.OwnsSharedWorkspaces as refused:  # someone joined meanwhile
            shared = refused.workspaces
        else:
            logout(request)
            return redirect("privacy:account_deleted")
    context = {
        "form": form,
        "shared": shared,
        "owned_alone": erasure.owned_alone(user),
        "data": your_data(user),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "privacy/delete_account.html", context, status=status)


@require_GET
def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/account_deleted.html")


@never_cache
@require_GET
def analytics(request: HttpRequest) -> HttpResponse:
    """Show staff the page views per route and per day of the last 7, 30 or 90 days.

    Anyone else, signed in or not, gets the 404 of a page that does not exist: no redirect
    to the login page that would tell the page is there.
    """
    if not (request.user.is_authenticated and request.user.is_staff):
        raise Http404
    form = AnalyticsRangeForm(request.GET or {"days": DEFAULT_RANGE})
    days = form.cleaned_data["days"] if form.is_valid() else DEFAULT_RANGE
    context = {"form": form, "traffic": traffic(days, timezone.now().date()), "days": days}
    status = 200 if form.is_valid() else 400
    return render(request, "privacy/analytics.html", context, status=status)
