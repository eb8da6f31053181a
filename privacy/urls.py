from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.policy, name="policy"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/profile.json", views.profile_json, name="profile_json"),
    path("my-data/archives/", views.request_archives, name="request_archives"),
    path("my-data/archives/<uuid:archive_id>/", views.download_archive, name="download_archive"),
    path("delete-account/", views.delete_account, name="delete_account"),
    path("account-deleted/", views.account_deleted, name="account_deleted"),
    path("analytics/", views.analytics, name="analytics"),
]
