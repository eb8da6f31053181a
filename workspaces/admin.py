from django import forms
from django.contrib import admin

from .forms import PersonNameField, WorkspaceNameField
from .models import Invitation, Membership, User, Workspace


class UserAdminForm(forms.ModelForm):
    """The admin's user form, with the name rules of the profile page."""

    name = PersonNameField()

    class Meta:
        model = User
        fields = ["name"]  # the admin passes its own list; this form adds the name rules


class WorkspaceAdminForm(forms.ModelForm):
    """The admin's workspace form, with the name rules of the settings page."""

    name = WorkspaceNameField()

    class Meta:
        model = Workspace
        fields = ["name"]  # the admin passes its own list; this form adds the name rules


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = UserAdminForm
    list_display = ["email", "name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "name"]
    exclude = ["password"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    form = WorkspaceAdminForm
    list_display = ["name", "region", "created_at"]
    list_filter = ["region"]
    search_fields = ["name"]
    # The region is fixed: moving a workspace is the move_workspace support command.
    readonly_fields = ["region"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "workspace", "role", "created_at", "accepted_at"]
