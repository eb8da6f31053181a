from django.urls import path

from .views import export, imports, pages

app_name = "reports"

W = "w/<uuid:workspace_id>/reports/"

urlpatterns = [
    # --- Pages ---
    path(W + "detailed/", pages.detailed, name="detailed"),
    path(W + "detailed/<uuid:entry_id>/edit/", pages.edit_entry, name="edit_entry"),
    path(W + "detailed/<uuid:entry_id>/delete/", pages.delete_entry, name="delete_entry"),
    path(W + "summary/", pages.summary, name="summary"),
    # --- Export and import ---
    path(W + "detailed/export.csv", export.export_csv, name="export"),
    path(W + "import/", imports.import_csv, name="import"),
    path(W + "import/preview/", imports.import_preview, name="import_preview"),
    path(W + "import/confirm/", imports.import_confirm, name="import_confirm"),
    path(W + "import/cancel/", imports.import_cancel, name="import_cancel"),
]
