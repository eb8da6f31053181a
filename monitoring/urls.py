from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("w/<uuid:workspace_id>/settings/monitoring/", views.panel, name="panel"),
    path("w/<uuid:workspace_id>/settings/monitoring/<str:switch>/", views.change, name="change"),
    path("w/<uuid:workspace_id>/monitoring/", views.explanation, name="explanation"),
    path("w/<uuid:workspace_id>/notices/", views.notices, name="notices"),
    path(
        "w/<uuid:workspace_id>/notices/acknowledge-all/",
        views.acknowledge_all,
        name="acknowledge_all",
    ),
    path(
        "w/<uuid:workspace_id>/notices/<uuid:notice_id>/acknowledge/",
        views.acknowledge,
        name="acknowledge",
    ),
]
