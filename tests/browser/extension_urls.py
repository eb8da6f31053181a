"""The site's URLs plus a TEMPORARY stand-in for POST /api/v1/workspaces/{ws}/activity.

The real activity endpoint is being written elsewhere; until it lands, the extension's test
(tests/browser/test_extension.py) runs against this, which keeps what it was sent in
`received` and answers as the contract (FORMATS.md section 4) says: 401 without a valid
key, 403 while the person's auto tracker is off, else 200 {"accepted", "duplicates"}.
Delete this module (and the test's `urls` mark) once the real endpoint exists.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from clockify.urls import urlpatterns as site
from workspaces.models import ApiKey

received: list[dict] = []  # every sample accepted, in order
seen: set[str] = set()
fail_next: list[int] = []  # statuses to answer instead, one per request (a server failing)


@csrf_exempt
def activity_stand_in(request: HttpRequest, workspace_id: str) -> JsonResponse:
    if request.method != "POST":
        return JsonResponse({"message": "Method not allowed.", "code": 405}, status=405)
    key = ApiKey.objects.authenticate(request.headers.get("X-Api-Key", ""))
    if key is None:
        return JsonResponse(
            {"message": "Full authentication is required.", "code": 401}, status=401
        )
    if not key.user.auto_tracker:
        return JsonResponse({"message": "The auto tracker is off.", "code": 403}, status=403)
    if fail_next:
        status = fail_next.pop(0)
        return JsonResponse({"message": "Failing on purpose.", "code": status}, status=status)
    samples = json.loads(request.body)["samples"]
    fresh = [s for s in samples if s["id"] not in seen]
    seen.update(s["id"] for s in fresh)
    received.extend({**s, "workspace": workspace_id} for s in fresh)
    return JsonResponse({"accepted": len(fresh), "duplicates": len(samples) - len(fresh)})


urlpatterns = [
    path("api/v1/workspaces/<str:workspace_id>/activity", activity_stand_in),
    *site,
]
