from django.urls import path  # noqa: F401 (both sections add paths)

app_name = "reports"

W = "w/<uuid:workspace_id>/reports/"

urlpatterns: list = [
    # --- Pages ---
    # --- Export and import ---
]
