"""Pages for workspaces: create, settings, members, invitations, switching."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ReauthenticationRequired
from allauth.usersessions.views import ListUserSessionsView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clockify.celery import Queued, queue_on_commit

from . import audit, services, signals
from .access import (
    get_invitation_for_admin,
    get_membership,
    get_membership_for_admin,
    get_workspace_for_admin,
    get_workspace_for_member,
    get_workspace_for_owner,
    recent_login_required,
    signed_in_recently,
)
from .forms import (
    MAX_ACTIVE_API_KEYS,
    AdminMfaForm,
    ApiKeyForm,
    AuditFilterForm,
    DeleteWorkspaceForm,
    InvitationForm,
    ProfileForm,
    RoleForm,
    TransferForm,
    WorkspaceCreateForm,
    WorkspaceNameForm,
    WorkspaceSettingsForm,
)
from .models import ApiKey, Invitation, Membership, WorkspaceSettings
from .tasks import send_invitation_email


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Send people to their active workspace, to creating one, or to log in."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    user = request.user
    workspace_id = user.active_workspace_id
    if workspace_id is None:
        first = user.memberships.order_by("workspace__name").first()
        if first is None:
            return redirect("workspaces:create")
        workspace_id = first.workspace_id
    return redirect("workspaces:home", workspace_id)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Edit one's name, time zone, week start and date and time formats."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("workspaces:profile")
    status = 400 if form.is_bound else 200
    return render(request, "workspaces/profile.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    form = WorkspaceCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workspace = services.create_workspace(
            request.user, form.cleaned_data["name"], form.cleaned_data["region"]
        )
        messages.success(
            request,
            f"Workspace “{workspace.name}” created. Its data is hosted in "
            f"{workspace.region_label}.",
        )
        return redirect("workspaces:home", workspace.id)
    status = 400 if form.is_bound else 200
    return render(request, "workspaces/create.html", {"form": form}, status=status)


@login_required
@require_GET
def home(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """Open a workspace: it becomes the active one, then its first page is shown."""
    workspace = get_workspace_for_member(request, workspace_id)
    if request.user.active_workspace_id != workspace.id:
        request.user.active_workspace = workspace
        request.user.save(update_fields=["active_workspace"])
    return redirect("tracking:tracker", workspace.id)


@login_required
@require_http_methods(["GET", "POST"])
def workspace_settings(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    if request.method == "POST":
        workspace = get_workspace_for_admin(request, workspace_id)
    else:
        workspace = get_workspace_for_member(request, workspace_id)
    regional = WorkspaceSettings.objects.for_workspace(workspace)
    data = request.POST if request.method == "POST" else None
    name_form = WorkspaceNameForm(data, instance=workspace, prefix="ws")
    settings_form = WorkspaceSettingsForm(data, instance=regional, prefix="prefs")
    if data is not None and name_form.is_valid() and settings_form.is_valid():
        # Nested so that a failed directory write also rolls back the regional one.
        with transaction.atomic(using=workspace.db_alias), transaction.atomic(using="default"):
            settings_form.save()
            name_form.save()
            if settings_form.cleaned_data["apply_rate_to_past"]:
                # tracking gives its entries the rate (see the signal).
                answers = signals.default_rate_applied_to_past.send(
                    sender=WorkspaceSettings, workspace=workspace
                )
                changed = sum(count for _receiver, count in answers)
                entries = f"{changed} past entr{'y' if changed == 1 else 'ies'}"
                messages.info(request, f"The default rate now applies to {entries}.")
        messages.success(request, "Workspace settings saved.")
        return redirect("workspaces:settings", workspace.id)
    status = 400 if data is not None else 200
    return _render_settings(request, name_form, settings_form, status=status)


@login_required
@require_POST
def admin_mfa(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """Turn on or off the rule that admins need two-factor authentication.

    Admins and the owner may change it (an admin without two-factor authentication, while it
    is required, is sent to set it up first, as on every admin page); turning it on needs
    one's own two-factor authentication (AdminMfaForm).
    """
    workspace = get_workspace_for_admin(request, workspace_id)
    form = AdminMfaForm(request.POST, instance=workspace, user=request.user, prefix="mfa")
    if not form.is_valid():
        return _render_settings(request, mfa_form=form, status=400)
    form.save()
    if workspace.require_admin_mfa:
        messages.success(request, "Admins now need two-factor authentication to use admin pages.")
    else:
        messages.success(request, "Admins no longer need two-factor authentication.")
    return redirect("workspaces:settings", workspace.id)


def _render_settings(
    request: HttpRequest,
    name_form: WorkspaceNameForm | None = None,
    settings_form: WorkspaceSettingsForm | None = None,
    mfa_form: AdminMfaForm | None = None,
    status: int = 200,
) -> HttpResponse:
    membership = request.membership
    workspace = membership.workspace
    if mfa_form is not None:
        workspace.refresh_from_db(fields=["require_admin_mfa"])  # the form changed it unsaved
    name_form = name_form or WorkspaceNameForm(instance=workspace, prefix="ws")
    settings_form = settings_form or WorkspaceSettingsForm(
        instance=WorkspaceSettings.objects.for_workspace(workspace), prefix="prefs"
    )
    mfa_form = mfa_form or AdminMfaForm(instance=workspace, user=request.user, prefix="mfa")
    if not membership.is_admin:
        for form in (name_form, settings_form, mfa_form):
            for field in form.fields.values():
                field.disabled = True
    context = {
        "workspace": workspace,
        "name_form": name_form,
        "settings_form": settings_form,
        "mfa_form": mfa_form,
        # Whom the rule sends to set it up: for the admins who decide on it.
        "admins_without_mfa": (
            workspace.memberships.admins().without_mfa().select_related("user")
            if membership.is_admin_role
            else []
        ),
        "support_email": settings.SUPPORT_EMAIL,
        "move_subject": f"Move workspace {workspace.id} to another region",
    }
    return render(request, "workspaces/settings.html", context, status=status)


@login_required
@require_GET
def members(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    get_membership(request, workspace_id)
    return _render_members(request)


def _render_members(
    request: HttpRequest,
    invite_form: InvitationForm | None = None,
    transfer_form: TransferForm | None = None,
    status: int = 200,
) -> HttpResponse:
    workspace = request.workspace
    is_admin = request.membership.is_admin
    context = {
        "workspace": workspace,
        "memberships": workspace.memberships.select_related("user").order_by("joined_at"),
        "invitations": workspace.invitations.pending() if is_admin else [],
        "invite_form": invite_form or InvitationForm(workspace=workspace),
        "transfer_form": transfer_form or TransferForm(workspace=workspace),
        "role_choices": RoleForm.base_fields["role"].choices,
    }
    return render(request, "workspaces/members.html", context, status=status)


@login_required
@require_POST
def invite(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    workspace = get_workspace_for_admin(request, workspace_id)
    form = InvitationForm(request.POST, workspace=workspace)
    if not form.is_valid():
        return _render_members(request, invite_form=form, status=400)
    with audit.changing(workspace):
        invitation = Invitation.objects.create(
            workspace=workspace,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=request.user,
        )
        audit.record(
            workspace,
            audit.Kind.INVITATION_SENT,
            actor_id=request.user.pk,
            role=invitation.role,
            invitation=str(invitation.pk),
        )
        queued = queue_on_commit(send_invitation_email, str(invitation.pk), using="default")
    _say_whether_sent(request, invitation, queued)
    return redirect("workspaces:members", workspace.id)


@login_required
@require_POST
def resend_invitation(
    request: HttpRequest, workspace_id: UUID, invitation_id: UUID
) -> HttpResponse:
    invitation = get_invitation_for_admin(request, workspace_id, invitation_id)
    if invitation.accepted_at is not None or invitation.is_expired:
        messages.error(request, f"The invitation to {invitation.email} is no longer pending.")
        return redirect("workspaces:members", workspace_id)
    with audit.changing(invitation.workspace):
        Invitation.objects.filter(pk=invitation.pk).update(sent_at=None)
        audit.record(
            invitation.workspace,
            audit.Kind.INVITATION_RESENT,
            actor_id=request.user.pk,
            role=invitation.role,
            invitation=str(invitation.pk),
        )
        queued = queue_on_commit(send_invitation_email, str(invitation.pk), using="default")
    _say_whether_sent(request, invitation, queued)
    return redirect("workspaces:members", workspace_id)


def _say_whether_sent(request: HttpRequest, invitation: Invitation, queued: Queued) -> None:
    if queued.ok is False:
        messages.warning(
            request,
            f"The invitation to {invitation.email} is saved, but its email could not go out"
            " just now. Use Resend under Pending invitations to try again.",
        )
    else:
        messages.success(request, f"Invitation sent to {invitation.email}.")


@login_required
@require_POST
def revoke_invitation(
    request: HttpRequest, workspace_id: UUID, invitation_id: UUID
) -> HttpResponse:
    invitation = get_invitation_for_admin(request, workspace_id, invitation_id)
    with audit.changing(invitation.workspace):
        audit.record(
            invitation.workspace,
            audit.Kind.INVITATION_REVOKED,
            actor_id=request.user.pk,
            role=invitation.role,
            invitation=str(invitation.pk),
        )
        invitation.delete()
    messages.success(request, f"Invitation to {invitation.email} revoked.")
    return redirect("workspaces:members", workspace_id)


@login_required
@require_POST
def change_role(request: HttpRequest, workspace_id: UUID, membership_id: int) -> HttpResponse:
    membership = get_membership_for_admin(request, workspace_id, membership_id)
    form = RoleForm(request.POST)
    if membership.is_owner:
        messages.error(request, "The owner's role changes only by transferring ownership.")
        return _render_members(request, status=400)
    if not form.is_valid():
        messages.error(request, form.errors["role"][0])
        return _render_members(request, status=400)
    services.change_role(membership, form.cleaned_data["role"], actor_id=request.user.pk)
    messages.success(
        request, f"{membership.user.display_name} is now {membership.get_role_display()}."
    )
    return redirect("workspaces:members", workspace_id)


@login_required
@require_POST
def remove_member(request: HttpRequest, workspace_id: UUID, membership_id: int) -> HttpResponse:
    membership = get_membership_for_admin(request, workspace_id, membership_id)
    if membership.is_owner:
        messages.error(request, "The owner cannot be removed; transfer ownership first.")
        return _render_members(request, status=400)
    if membership.pk == request.membership.pk:
        messages.error(request, "To remove yourself, leave the workspace.")
        return _render_members(request, status=400)
    services.leave_workspace(membership, actor_id=request.user.pk)
    messages.success(request, f"{membership.user.display_name} was removed from the workspace.")
    return redirect("workspaces:members", workspace_id)


@login_required
@require_POST
def transfer(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    workspace = get_workspace_for_owner(request, workspace_id)
    form = TransferForm(request.POST, workspace=workspace)
    if not form.is_valid():
        return _render_members(request, transfer_form=form, status=400)
    new_owner = form.cleaned_data["membership"]
    services.transfer_ownership(workspace, new_owner, actor_id=request.user.pk)
    messages.success(request, f"{new_owner.user.display_name} is now the owner; you are an admin.")
    return redirect("workspaces:members", workspace.id)


@login_required
@require_POST
def leave(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    membership = get_membership(request, workspace_id)
    if membership.is_owner:
        messages.error(request, "You own this workspace: transfer ownership before you leave.")
        return _render_members(request, status=400)
    membership.user = request.user
    services.leave_workspace(membership, actor_id=request.user.pk)
    messages.success(request, f"You left {membership.workspace.name}.")
    return redirect("index")


@login_required
@require_http_methods(["GET", "POST"])
def delete_workspace(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """Show what deleting the workspace removes; delete it once its name is typed.

    Only the owner (anyone else gets the 403 before any password prompt); the password (or
    a two-factor code) is asked again when the last sign-in is not recent. Everything goes
    at once, in the region and in the directory (services.delete_workspace).
    """
    workspace = get_workspace_for_owner(request, workspace_id)
    if request.method == "POST" and not signed_in_recently(request):
        raise ReauthenticationRequired  # allauth asks for the password, then replays the POST
    form = DeleteWorkspaceForm(request.POST or None, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        name = workspace.name
        services.delete_workspace(workspace)
        messages.success(request, f"{name} and everything in it were deleted.")
        return redirect("index")
    context = {
        "workspace": workspace,
        "form": form,
        "holding": services.holdings(workspace),
        "members": workspace.memberships.count(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "workspaces/delete.html", context, status=status)


@login_required
@require_GET
def audit_log(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """The workspace's audit log for its admins: filter by person and kind, 50 a page."""
    workspace = get_workspace_for_admin(request, workspace_id)
    people = audit.people(workspace)
    form = AuditFilterForm(request.GET, people=people)
    context: dict[str, Any] = {
        "workspace": workspace,
        "form": form,
        "page": None,
        "retention_days": settings.AUDIT_RETENTION_DAYS,
    }
    if not form.is_valid():
        return render(request, "workspaces/audit.html", context, status=400)
    data = form.cleaned_data
    context["page"] = audit.log_page(
        workspace,
        person=data["person"],
        kind=data["kind"] or None,
        before=data["before"],
        after=data["after"],
        names=dict(people),
    )
    context["filtered"] = bool(data["person"] or data["kind"])
    context["paged"] = bool(data["before"] or data["after"])
    return render(request, "workspaces/audit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Show an invitation and let the invited person accept it."""
    try:
        invitation_id = Invitation.id_from_token(token)
        invitation = Invitation.objects.select_related("workspace", "invited_by").get(
            pk=invitation_id
        )
    except (signing.BadSignature, Invitation.DoesNotExist, ValueError):
        return _invitation_problem(request, "This invitation link is not valid.", 404)
    if invitation.accepted_at is not None:
        return _invitation_problem(request, "This invitation has been used already.", 410)
    if invitation.is_expired:
        return _invitation_problem(request, "This invitation has expired. Ask for a new one.", 410)
    email_ok = EmailAddress.objects.filter(
        user=request.user, email__iexact=invitation.email, verified=True
    ).exists()
    if not email_ok:
        return _invitation_problem(
            request,
            f"This invitation is for {invitation.email}, and you are signed in as "
            f"{request.user.email}. Sign in with that address (verified) to accept it.",
            403,
        )
    already = Membership.objects.filter(workspace=invitation.workspace, user=request.user)
    if already.exists():
        messages.info(request, f"You are already a member of {invitation.workspace.name}.")
        return redirect("workspaces:home", invitation.workspace_id)
    if request.method == "POST":
        try:
            services.accept_invitation(invitation, request.user)
        except (services.InvitationUsed, IntegrityError):
            return _invitation_problem(request, "This invitation has been used already.", 410)
        messages.success(request, f"Welcome to {invitation.workspace.name}.")
        return redirect("workspaces:home", invitation.workspace_id)
    return render(request, "workspaces/invitation.html", {"invitation": invitation})


def _invitation_problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(
        request, "workspaces/invitation_problem.html", {"message": message}, status=status
    )


class SessionsView(ListUserSessionsView):
    """allauth's list of active sessions, where signing out the others revokes API keys too."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["active_api_keys"] = self.request.user.api_keys.active().count()
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        revoked = services.revoke_api_keys(self.request.user)
        if revoked:
            keys = f"{revoked} API key{'' if revoked == 1 else 's'}"
            messages.info(self.request, f"{keys} revoked: create a new one where you need it.")
        return response


sessions = SessionsView.as_view()


# The new key's secret waits here for the one page view that shows it.
NEW_API_KEY_SESSION_KEY = "workspaces.new_api_key"


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@recent_login_required  # a stolen session must not mint a key that outlives it
def api_keys(request: HttpRequest) -> HttpResponse:
    """List one's API keys and create a named one, whose secret the next page shows once."""
    data = request.POST if request.method == "POST" else None
    form = ApiKeyForm(data, user=request.user)
    if data is not None and form.is_valid():
        key, secret = ApiKey.objects.issue(request.user, form.cleaned_data["name"])
        # The session carries the secret, never the URL or the flash message: both can end
        # up in logs, history or referrers.
        request.session[NEW_API_KEY_SESSION_KEY] = secret
        messages.success(request, f"API key “{key.name}” created.")
        return redirect("workspaces:api_keys")
    new_secret = request.session.pop(NEW_API_KEY_SESSION_KEY, None) if data is None else None
    keys = list(request.user.api_keys.all())
    context = {
        "form": form,
        "keys": keys,
        "active_count": sum(key.revoked_at is None for key in keys),
        "max_active": MAX_ACTIVE_API_KEYS,
        "new_secret": new_secret,
        "api_base_url": f"{settings.SITE_URL}/api/v1/",
    }
    status = 400 if data is not None else 200
    return render(request, "workspaces/api_keys.html", context, status=status)


@login_required
@require_POST
def revoke_api_key(request: HttpRequest, key_id: int) -> HttpResponse:
    """Revoke one of one's API keys: it stops working at once and stays listed."""
    # Another person's key is a 404, the same answer as a missing one.
    key = get_object_or_404(ApiKey, pk=key_id, user_id=request.user.pk)
    if key.revoked_at is not None:
        messages.info(request, f"API key “{key.name}” was already revoked.")
        return redirect("workspaces:api_keys")
    key.revoke()
    messages.success(request, f"API key “{key.name}” revoked; requests using it are refused.")
    return redirect("workspaces:api_keys")
