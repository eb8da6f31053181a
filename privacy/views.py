"""The privacy policy: what we store, where, and which cookies we set."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from workspaces.regions import Region

from .inventory import KINDS


@require_GET
def policy(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/policy.html", {"regions": Region.choices, "kinds": KINDS})
