"""Forms for workspaces, members and invitations; every limit is checked here."""

from __future__ import annotations

import zoneinfo
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django import forms
from django.conf import settings

from .audit import parse_cursor
from .models import (
    ApiKey,
    AuditKind,
    Invitation,
    Membership,
    Role,
    User,
    Workspace,
    WorkspaceSettings,
)
from .regions import Region
from .validators import validate_single_line

TIME_ZONES = zoneinfo.available_timezones() - {"Factory", "localtime"}


class WorkspaceNameField(forms.CharField):
    """A workspace name: 1 to 100 characters on one line after trimming."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            max_length=100,
            strip=True,
            validators=[validate_single_line],
            error_messages={"required": "Give the workspace a name."},
            **kwargs,
        )


class PersonNameField(forms.CharField):
    """A person's name as colleagues see it: up to 100 characters on one line, or none."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            max_length=100, required=False, strip=True, validators=[validate_single_line], **kwargs
        )


class WorkspaceCreateForm(forms.Form):
    name = WorkspaceNameField(label="Workspace name")
    region = forms.ChoiceField(
        label="Data region",
        choices=Region.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the listed regions."},
        help_text="All of this workspace's data is stored only in this region. "
        "It cannot be changed later without a support request.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].initial = settings.DEFAULT_REGION


class WorkspaceNameForm(forms.ModelForm):
    name = WorkspaceNameField(label="Workspace name")

    class Meta:
        model = Workspace
        fields = ["name"]


class AdminMfaForm(forms.ModelForm):
    """Require two-factor authentication of the workspace's admins and owner, or stop.

    Only someone with two-factor authentication may turn it on, so that nobody locks
    themselves out of their own admin rights by accident.
    """

    class Meta:
        model = Workspace
        fields = ["require_admin_mfa"]
        labels = {"require_admin_mfa": "Require two-factor authentication for admins"}
        help_texts = {
            "require_admin_mfa": "The owner and every admin need it to use admin pages and the "
            "API's admin operations. Turn it on after setting it up for yourself."
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_require_admin_mfa(self) -> bool:
        required = self.cleaned_data["require_admin_mfa"]
        if required and not self.instance.require_admin_mfa and not is_mfa_enabled(self.user):
            raise forms.ValidationError(
                "Set up two-factor authentication for yourself first (user menu, Two-factor "
                "authentication), so that you keep your admin rights once it is required."
            )
        return required


class WorkspaceSettingsForm(forms.ModelForm):
    apply_rate_to_past = forms.BooleanField(
        required=False,
        label="Apply the default rate to past entries too",
        help_text="Otherwise a new rate applies only to time tracked from now on.",
    )

    class Meta:
        model = WorkspaceSettings
        fields = ["currency", "duration_format", "hourly_rate", "members_can_manage_projects"]
        labels = {"hourly_rate": "Default hourly rate"}
        help_texts = {"hourly_rate": "Used when neither the project nor the member has a rate."}

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254)
    role = forms.ChoiceField(
        label="Role",
        choices=[(Role.MEMBER, Role.MEMBER.label), (Role.ADMIN, Role.ADMIN.label)],
        initial=Role.MEMBER,
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if Membership.objects.filter(workspace=self.workspace, user__email__iexact=email).exists():
            raise forms.ValidationError(f"{email} is already a member of this workspace.")
        pending = Invitation.objects.pending().filter(workspace=self.workspace, email__iexact=email)
        if pending.exists():
            raise forms.ValidationError(
                f"{email} has a pending invitation already; revoke it to send a new one."
            )
        return email


class RoleForm(forms.Form):
    """Change a member's role between admin and member; ownership moves by transfer only."""

    role = forms.ChoiceField(
        choices=[(Role.MEMBER, Role.MEMBER.label), (Role.ADMIN, Role.ADMIN.label)],
        error_messages={
            "invalid_choice": "Choose Admin or Member; to make someone the owner, "
            "transfer ownership."
        },
    )


class TransferForm(forms.Form):
    """Pick the member who becomes the owner."""

    membership = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        label="New owner",
        error_messages={"invalid_choice": "Choose a member of this workspace."},
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        field.queryset = (
            Membership.objects.filter(workspace=workspace)
            .exclude(role=Role.OWNER)
            .select_related("user")
        )
        field.label_from_instance = lambda m: f"{m.user.display_name} ({m.user.email})"


class DeleteWorkspaceForm(forms.Form):
    """Type the workspace's name to confirm that everything in it goes."""

    name = forms.CharField(label="The workspace's name", max_length=200)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if name != self.workspace.name:
            raise forms.ValidationError("Type the workspace's name exactly as it is shown.")
        return name


class ProfileForm(forms.ModelForm):
    """A person's name and how they want to see times: zone, week start, formats."""

    name = PersonNameField(label="Name", help_text="Shown to your colleagues and in reports.")
    time_zone = forms.ChoiceField(
        label="Time zone",
        error_messages={"invalid_choice": "Choose a time zone from the list."},
    )

    class Meta:
        model = User
        fields = ["name", "time_zone", "week_start", "date_format", "time_format"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(zone, zone) for zone in sorted(TIME_ZONES)]


MAX_ACTIVE_API_KEYS = 20


class ApiKeyForm(forms.Form):
    """Name a new API key; a person holds at most MAX_ACTIVE_API_KEYS active ones."""

    name = forms.CharField(
        label="Key name",
        max_length=100,
        strip=True,
        validators=[validate_single_line],
        error_messages={"required": "Give the key a name, such as the app or script using it."},
        help_text="To recognise it later, e.g. “Laptop timer” or “Invoicing script”.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # A cap on live keys limits the damage of a script that creates keys in a loop.
        if ApiKey.objects.filter(user=self.user).active().count() >= MAX_ACTIVE_API_KEYS:
            raise forms.ValidationError(
                f"You have {MAX_ACTIVE_API_KEYS} active keys, the most allowed. "
                "Revoke one you no longer use to create another."
            )
        return cleaned


class AuditFilterForm(forms.Form):
    """The audit log's filters (a person, a kind) and its position (a keyset cursor)."""

    person = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Person", help_text=None
    )
    kind = forms.ChoiceField(
        required=False, choices=[("", "Everything"), *AuditKind.choices], label="What"
    )
    before = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    after = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Everyone"), *people]
        self.fields["person"].error_messages["invalid_choice"] = (
            "Choose someone from the list: that person is not in this workspace's log."
        )
        self.fields["kind"].error_messages["invalid_choice"] = "Choose a kind from the list."

    def _position(self, name: str) -> Any:
        value = self.cleaned_data[name]
        if not value:
            return None
        try:
            return parse_cursor(value)
        except ValueError:
            raise forms.ValidationError(
                "This is not a page of this log; start again from the newest events."
            ) from None

    def clean_before(self) -> Any:
        return self._position("before")

    def clean_after(self) -> Any:
        return self._position("after")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("before") and cleaned.get("after"):
            raise forms.ValidationError("Ask for older or newer events, not both.")
        return cleaned
