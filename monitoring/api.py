"""API v1: the monitoring policy, read by desktop and mobile clients before they capture.

`GET /workspaces/{ws}/monitoring` (../shared/FORMATS.md section 4): any member may read it,
since every client must know whether to capture; another workspace is a 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from workspaces.api_fields import ERRORS, member_of

from .models import MonitoringPolicy
from .services import policy_of

router = Router(tags=["Monitoring"])


class ScreenshotsPolicyOut(Schema):
    enabled: bool
    intervalMinutes: int = Field(..., description="One capture at a random moment in each.")
    blur: bool = Field(..., description="Blur before upload (the server blurs otherwise).")


class LocationPolicyOut(Schema):
    enabled: bool


class MonitoringPolicyOut(Schema):
    screenshots: ScreenshotsPolicyOut
    location: LocationPolicyOut


def policy_json(policy: MonitoringPolicy) -> dict[str, Any]:
    return {
        "screenshots": {
            "enabled": policy.screenshots,
            "intervalMinutes": policy.screenshot_interval,
            "blur": policy.blur,
        },
        "location": {"enabled": policy.location},
    }


@router.get(
    "/workspaces/{workspaceId}/monitoring",
    response={200: MonitoringPolicyOut, **ERRORS},
    summary="What the workspace collects: capture nothing that is off",
)
def get_monitoring_policy(request: HttpRequest, workspaceId: str) -> dict[str, Any]:
    return policy_json(policy_of(member_of(request, workspaceId).workspace))
