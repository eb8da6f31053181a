from django.contrib import admin

from .models import Invitation, Membership, User, Workspace


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "name"]
    exclude = ["password"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "created_at"]
    list_filter = ["region"]
    search_fields = ["name"]
    # The region is fixed: moving a workspace is the move_workspace support command.
    readonly_fields = ["region"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "workspace", "role", "created_at", "accepted_at"]
