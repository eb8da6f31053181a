"""The site's URLs, with the auto tracker's upload able to fail on purpose.

`POST /api/v1/workspaces/{ws}/activity` goes to the real endpoint, unless the test queued
a status in `fail_next`: then that status is answered once, as a server that is down
would, so the test can check that the extension keeps its records and sends them again.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, resolve
from django.views.decorators.csrf import csrf_exempt

from clockify.urls import urlpatterns as site

fail_next: list[int] = []  # statuses to answer instead, one per request


@csrf_exempt
def activity_or_failure(request: HttpRequest, workspace_id: str) -> HttpResponse:
    if fail_next:
        status = fail_next.pop(0)
        return JsonResponse({"message": "Failing on purpose.", "code": status}, status=status)
    real = resolve(request.path_info, urlconf="clockify.urls")
    return real.func(request, *real.args, **real.kwargs)


urlpatterns = [
    path("api/v1/workspaces/<str:workspace_id>/activity", activity_or_failure),
    *site,
]
