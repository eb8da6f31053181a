from django.urls import path

from . import views

app_name = "workspaces"

urlpatterns = [
    path("workspaces/new/", views.create, name="create"),
    path("profile/", views.profile, name="profile"),
    path("profile/api-keys/", views.api_keys, name="api_keys"),
    path("profile/api-keys/<int:key_id>/revoke/", views.revoke_api_key, name="revoke_api_key"),
    path("w/<uuid:workspace_id>/", views.home, name="home"),
    path("w/<uuid:workspace_id>/settings/", views.workspace_settings, name="settings"),
    path("w/<uuid:workspace_id>/settings/delete/", views.delete_workspace, name="delete"),
    path("w/<uuid:workspace_id>/settings/audit/", views.audit_log, name="audit"),
    path("w/<uuid:workspace_id>/settings/two-factor/", views.admin_mfa, name="admin_mfa"),
    path("w/<uuid:workspace_id>/members/", views.members, name="members"),
    path("w/<uuid:workspace_id>/members/invite/", views.invite, name="invite"),
    path(
        "w/<uuid:workspace_id>/members/<int:membership_id>/role/",
        views.change_role,
        name="change_role",
    ),
    path(
        "w/<uuid:workspace_id>/members/<int:membership_id>/remove/",
        views.remove_member,
        name="remove_member",
    ),
    path(
        "w/<uuid:workspace_id>/invitations/<uuid:invitation_id>/revoke/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
    path(
        "w/<uuid:workspace_id>/invitations/<uuid:invitation_id>/resend/",
        views.resend_invitation,
        name="resend_invitation",
    ),
    path("w/<uuid:workspace_id>/transfer/", views.transfer, name="transfer"),
    path("w/<uuid:workspace_id>/leave/", views.leave, name="leave"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
