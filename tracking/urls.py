from django.urls import path

from .helpers import pages as helper_pages
from .helpers import views as helper_views
from .helpers import web as helper_web
from .views import catalog, timesheet, tracker

app_name = "tracking"

W = "w/<uuid:workspace_id>/"

urlpatterns = [
    # --- The person's own helpers (idle detection, auto tracker) ---
    path("profile/helpers/", helper_views.helper_settings, name="helper_settings"),
    path("profile/helpers/delete/", helper_views.delete_helper_data, name="delete_helper_data"),
    # --- Tracker and timesheet ---
    path(W + "tracker/", tracker.tracker, name="tracker"),
    path(W + "timer/start/", tracker.start, name="start"),
    path(W + "timer/stop/", tracker.stop, name="stop"),
    path(W + "entries/new/", tracker.add_entry, name="add_entry"),
    path(W + "entries/delete/", tracker.bulk_delete, name="bulk_delete"),
    path(W + "entries/<uuid:entry_id>/edit/", tracker.edit_entry, name="edit_entry"),
    path(W + "entries/<uuid:entry_id>/continue/", tracker.continue_entry, name="continue_entry"),
    path(W + "entries/<uuid:entry_id>/duplicate/", tracker.duplicate_entry, name="duplicate_entry"),
    path(W + "entries/<uuid:entry_id>/delete/", tracker.delete_entry, name="delete_entry"),
    path(W + "timesheet/", timesheet.timesheet, name="timesheet"),
    path(W + "timesheet/cell/", timesheet.set_cell, name="timesheet_cell"),
    # --- Catalog: clients, projects, tasks, tags, member rates ---
    path(W + "clients/", catalog.clients, name="clients"),
    path(W + "clients/new/", catalog.client_create, name="client_create"),
    path(W + "clients/<uuid:client_id>/edit/", catalog.client_edit, name="client_edit"),
    path(
        W + "clients/<uuid:client_id>/archive/",
        catalog.client_archive,
        {"archived": True},
        name="client_archive",
    ),
    path(
        W + "clients/<uuid:client_id>/restore/",
        catalog.client_archive,
        {"archived": False},
        name="client_restore",
    ),
    path(W + "clients/<uuid:client_id>/delete/", catalog.client_delete, name="client_delete"),
    path(W + "projects/", catalog.projects, name="projects"),
    path(W + "projects/new/", catalog.project_create, name="project_create"),
    path(W + "projects/<uuid:project_id>/", catalog.project, name="project"),
    path(W + "projects/<uuid:project_id>/edit/", catalog.project_edit, name="project_edit"),
    path(
        W + "projects/<uuid:project_id>/archive/",
        catalog.project_archive,
        {"archived": True},
        name="project_archive",
    ),
    path(
        W + "projects/<uuid:project_id>/restore/",
        catalog.project_archive,
        {"archived": False},
        name="project_restore",
    ),
    path(W + "projects/<uuid:project_id>/delete/", catalog.project_delete, name="project_delete"),
    path(W + "projects/<uuid:project_id>/tasks/new/", catalog.task_create, name="task_create"),
    path(
        W + "projects/<uuid:project_id>/tasks/<uuid:task_id>/edit/",
        catalog.task_edit,
        name="task_edit",
    ),
    path(
        W + "projects/<uuid:project_id>/tasks/<uuid:task_id>/done/",
        catalog.task_status,
        {"done": True},
        name="task_done",
    ),
    path(
        W + "projects/<uuid:project_id>/tasks/<uuid:task_id>/active/",
        catalog.task_status,
        {"done": False},
        name="task_active",
    ),
    path(
        W + "projects/<uuid:project_id>/tasks/<uuid:task_id>/delete/",
        catalog.task_delete,
        name="task_delete",
    ),
    path(W + "tags/", catalog.tags, name="tags"),
    path(W + "tags/new/", catalog.tag_create, name="tag_create"),
    path(W + "tags/<uuid:tag_id>/edit/", catalog.tag_edit, name="tag_edit"),
    path(
        W + "tags/<uuid:tag_id>/archive/",
        catalog.tag_archive,
        {"archived": True},
        name="tag_archive",
    ),
    path(
        W + "tags/<uuid:tag_id>/restore/",
        catalog.tag_archive,
        {"archived": False},
        name="tag_restore",
    ),
    path(W + "tags/<uuid:tag_id>/delete/", catalog.tag_delete, name="tag_delete"),
    path(W + "rates/", catalog.rates, name="rates"),
    path(W + "rates/<int:membership_id>/", catalog.rate_update, name="rate_update"),
    # --- The person's own auto tracker records ---
    path(W + "auto-tracker/", helper_pages.auto_tracker, name="auto_tracker"),
    path(W + "auto-tracker/entry/", helper_pages.create_entry, name="auto_tracker_entry"),
    path(W + "auto-tracker/add/", helper_pages.add_to_entry, name="auto_tracker_add"),
    path(W + "auto-tracker/delete/", helper_pages.delete_records, name="auto_tracker_delete"),
    # --- The tracker page's idle dialog ---
    path(W + "idle/", helper_web.answer_idle, name="answer_idle"),
]
