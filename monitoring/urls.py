from django.urls import path

from . import pages, web_capture

app_name = "monitoring"

W = "w/<uuid:workspace_id>/monitoring/"

urlpatterns = [
    path(W + "captures/", pages.captures, name="captures"),
    path(
        W + "screenshots/<uuid:screenshot_id>/image/",
        pages.screenshot_image,
        name="screenshot_image",
    ),
    path(
        W + "screenshots/<uuid:screenshot_id>/thumbnail/",
        pages.screenshot_thumbnail,
        name="screenshot_thumbnail",
    ),
    path(W + "locations/<uuid:entry_id>/", pages.entry_locations, name="entry_locations"),
    path(W + "screenshots/upload/", web_capture.web_screenshot, name="web_screenshot"),
    path(W + "locations/upload/", web_capture.web_locations, name="web_locations"),
]
