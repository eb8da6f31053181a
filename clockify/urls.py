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
    path("accounts/", include("allauth.urls")),
    path("privacy/", include("privacy.urls")),
    path("", include("workspaces.urls")),
    path("", include("tracking.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]
