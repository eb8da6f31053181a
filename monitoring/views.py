"""Monitoring pages: the admin panel, the explanation every member can read, the notices."""

from __future__ import annotations

from uuid import UUID

from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from workspaces.access import (
    get_membership,
    get_workspace_for_admin,
    get_workspace_for_member,
    signed_in_recently,
)
from workspaces.models import Workspace

from . import services
from .forms import form_for
from .models import Notice, PolicyChange, Switch

AUDIT_ROWS = 100  # the panel lists this many most recent changes
NOTICE_ROWS = 50  # the notices page lists this many most recent notices


@login_required
@require_GET
def panel(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """The switches with their options (read-only for members) and the audit, newest first."""
    workspace = get_workspace_for_member(request, workspace_id)
    return _render_panel(request, workspace)


def _render_panel(
    request: HttpRequest, workspace: Workspace, posted: Form | None = None
) -> HttpResponse:
    policy = services.policy_of(workspace)
    forms = {switch: form_for(switch, policy) for switch in Switch}
    if posted is not None:
        forms[posted.switch] = posted
    if not request.membership.is_admin:
        for form in forms.values():
            for field in form.fields.values():
                field.disabled = True
    changes = list(PolicyChange.objects.in_workspace(workspace)[:AUDIT_ROWS])
    names = services.display_names({change.actor_id for change in changes})
    context = {
        "workspace": workspace,
        "policy": policy,
        "screenshots_form": forms[Switch.SCREENSHOTS],
        "location_form": forms[Switch.LOCATION],
        "audit": [
            (change, names.get(change.actor_id, "A former member"), services.describe(change))
            for change in changes
        ],
        "audit_rows": AUDIT_ROWS,
    }
    status = 200 if posted is None else 400
    return render(request, "monitoring/panel.html", context, status=status)


@login_required
@require_POST
def change(request: HttpRequest, workspace_id: UUID, switch: str) -> HttpResponse:
    """Save one switch. Turning it on first asks for a recent login, then for a confirmation
    that shows what every member will be told; turning it off or changing options does not."""
    workspace = get_workspace_for_admin(request, workspace_id)
    try:
        switch = Switch(switch)
    except ValueError:
        raise Http404("No such switch.") from None
    form = form_for(switch, services.policy_of(workspace), request.POST)
    if not form.is_valid():
        return _render_panel(request, workspace, posted=form)
    if services.turns_on(workspace, switch, form.cleaned_data):
        if not signed_in_recently(request, within=services.RECENT_LOGIN_TO_ENABLE):
            # allauth keeps this POST, asks for the password or a code, then replays it here.
            raise ReauthenticationRequired
        if request.POST.get("confirmed") != "yes":
            return _render_confirmation(request, workspace, form)
    done = services.change_policy(workspace, request.membership, switch, form.cleaned_data)
    messages.success(request, _outcome(switch, done))
    return redirect("monitoring:panel", workspace.id)


def _render_confirmation(request: HttpRequest, workspace: Workspace, form: Form) -> HttpResponse:
    """The announcement exactly as members will get it, built by the function that sends it."""
    proposed = services.policy_of(workspace)
    services.with_changes(proposed, form.switch, form.cleaned_data)
    told = services.announcement(
        workspace, form.switch, proposed.options(form.switch), request.user.display_name
    )
    context = {"workspace": workspace, "form": form, "switch": form.switch, "told": told}
    return render(request, "monitoring/confirm.html", context)


def _outcome(switch: Switch, change: PolicyChange | None) -> str:
    # Names no workspace content: messages are kept in the directory's sessions.
    if change is None:
        return "Nothing changed."
    if change.turned is None:
        return f"{switch.label} options saved. Option changes are recorded but nobody is notified."
    state = "on" if change.turned else "off"
    return f"{switch.label} turned {state}. Every member has been notified and emailed."


@login_required
@require_GET
def explanation(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """What this workspace collects about its members, for every member to read."""
    workspace = get_workspace_for_member(request, workspace_id)
    policy = services.policy_of(workspace)
    names = services.display_names({policy.screenshots_changed_by, policy.location_changed_by})
    context = {
        "workspace": workspace,
        "policy": policy,
        "screenshots": services.switch_state(policy, Switch.SCREENSHOTS, names),
        "location": services.switch_state(policy, Switch.LOCATION, names),
        "interval_label": services.INTERVAL_LABELS[policy.screenshot_interval],
    }
    return render(request, "monitoring/explanation.html", context)


@login_required
@require_GET
def notices(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """The member's own notices of switch changes, unacknowledged ones marked, newest first."""
    workspace = get_workspace_for_member(request, workspace_id)
    rows = list(
        Notice.objects.in_workspace(workspace)
        .filter(user_id=request.user.pk)
        .select_related("change")[:NOTICE_ROWS]
    )
    names = services.display_names({notice.change.actor_id for notice in rows})
    items = [
        (
            notice,
            services.announcement(
                workspace,
                notice.change.switch,
                notice.change.after,
                names.get(notice.change.actor_id, "A former member"),
            ),
        )
        for notice in rows
    ]
    context = {
        "workspace": workspace,
        "items": items,
        "any_unread": any(notice.acknowledged_at is None for notice in rows),
    }
    return render(request, "monitoring/notices.html", context)


@login_required
@require_POST
def acknowledge(request: HttpRequest, workspace_id: UUID, notice_id: UUID) -> HttpResponse:
    """Acknowledge one of one's own notices; anyone else's is a 404, like a missing one."""
    workspace = get_membership(request, workspace_id).workspace
    mine = Notice.objects.in_workspace(workspace).filter(pk=notice_id, user_id=request.user.pk)
    if not mine.exists():
        raise Http404("No such notice.")
    mine.filter(acknowledged_at__isnull=True).update(acknowledged_at=timezone.now())
    messages.success(request, "Notice acknowledged.")
    return redirect("monitoring:notices", workspace.id)


@login_required
@require_POST
def acknowledge_all(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """Acknowledge every one of one's unacknowledged notices in this workspace."""
    workspace = get_membership(request, workspace_id).workspace
    count = (
        Notice.objects.in_workspace(workspace)
        .filter(user_id=request.user.pk)
        .unread()
        .update(acknowledged_at=timezone.now())
    )
    messages.success(request, f"{count} notice{'s' if count != 1 else ''} acknowledged.")
    return redirect("monitoring:notices", workspace.id)
