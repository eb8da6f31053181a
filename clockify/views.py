"""Project-wide views: the health check, the 400 page."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_ok(alias: str) -> bool:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report the directory and every region database: 200 if all answer, else 503 naming them."""
    databases = {alias: "ok" if _database_ok(alias) else "down" for alias in settings.DATABASES}
    down = [alias for alias, state in databases.items() if state != "ok"]
    body = {"status": "down" if down else "ok", "databases": databases, "down": down}
    return JsonResponse(body, status=503 if down else 200)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page, saying why when our own code raised BadRequest with a reason."""
    reason = str(exception) if type(exception) is BadRequest else ""
    return render(request, "400.html", {"reason": reason}, status=400)
