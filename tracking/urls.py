from django.urls import path  # noqa: F401 (routes arrive with the views)

from .views import catalog, timesheet, tracker  # noqa: F401

app_name = "tracking"

W = "w/<uuid:workspace_id>/"

urlpatterns = [
    # --- Tracker and timesheet ---
    # --- Catalog: clients, projects, tasks, tags, member rates ---
]
