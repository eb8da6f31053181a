from django.contrib import admin
from django.urls import include, path

from workspaces import views as workspace_views

from . import views
from .api import api

handler400 = views.bad_request

urlpatterns = [
    path("", workspace_views.index, name="index"),
    path("healthz", views.healthz, name="healthz"),
    path("api/", api.urls),
    # Ahead of allauth's own page at the same address: signing out the other sessions there
    # revokes the API keys too.
    path("accounts/sessions/", workspace_views.sessions),
    path("accounts/", include("allauth.urls")),
    path("privacy/", include("privacy.urls")),
    path("", include("workspaces.urls")),
    path("", include("tracking.urls")),
    path("", include("reports.urls")),
    path("", include("monitoring.urls")),
    path("admin/", admin.site.urls),
]
