from django.urls import path

from .views import pages

app_name = "reports"

W = "w/<uuid:workspace_id>/reports/"

urlpatterns = [
    # --- Pages ---
    path(W + "detailed/", pages.detailed, name="detailed"),
    path(W + "detailed/<uuid:entry_id>/edit/", pages.edit_entry, name="edit_entry"),
    path(W + "detailed/<uuid:entry_id>/delete/", pages.delete_entry, name="delete_entry"),
    path(W + "summary/", pages.summary, name="summary"),
    # --- Export and import ---
]
