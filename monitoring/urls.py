from django.urls import path

from . import pages, views, web_capture

app_name = "monitoring"

W = "w/<uuid:workspace_id>/"

urlpatterns = [
    # The policy: the admin panel, the explanation, the notices.
    path(W + "settings/monitoring/", views.panel, name="panel"),
    path(W + "settings/monitoring/<str:switch>/", views.change, name="change"),
    path(W + "monitoring/", views.explanation, name="explanation"),
    path(W + "notices/", views.notices, name="notices"),
    path(W + "notices/acknowledge-all/", views.acknowledge_all, name="acknowledge_all"),
    path(W + "notices/<uuid:notice_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    # The captures: looking at them, and the tracker page's uploads.
    path(W + "monitoring/captures/", pages.captures, name="captures"),
    path(
        W + "monitoring/screenshots/<uuid:screenshot_id>/image/",
        pages.screenshot_image,
        name="screenshot_image",
    ),
    path(
        W + "monitoring/screenshots/<uuid:screenshot_id>/thumbnail/",
        pages.screenshot_thumbnail,
        name="screenshot_thumbnail",
    ),
    path(
        W + "monitoring/screenshots/<uuid:screenshot_id>/delete/",
        pages.delete_screenshot,
        name="delete_screenshot",
    ),
    path(
        W + "monitoring/locations/<uuid:entry_id>/", pages.entry_locations, name="entry_locations"
    ),
    path(W + "monitoring/screenshots/upload/", web_capture.web_screenshot, name="web_screenshot"),
    path(W + "monitoring/locations/upload/", web_capture.web_locations, name="web_locations"),
    path(W + "monitoring/not-shared/", web_capture.web_not_shared, name="web_not_shared"),
]
