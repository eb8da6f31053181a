from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.policy, name="policy"),
    path("analytics/", views.analytics, name="analytics"),
]
