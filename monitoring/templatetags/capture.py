"""The tracker's capture panel: shown while a timer runs, where an admin turned capture on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils import timezone

from tracking.models import TimeEntry

from ..models import MonitoringPolicy

register = template.Library()

# A timer this young counts as just started: the first location sample says START.
JUST_STARTED = timedelta(minutes=1)


@register.inclusion_tag("monitoring/capture_panel.html", takes_context=True)
def capture_panel(context: dict[str, Any], running: TimeEntry) -> dict[str, Any]:
    workspace = context["request"].workspace
    return {
        "workspace": workspace,
        "policy": MonitoringPolicy.objects.for_workspace(workspace),
        "started_recently": timezone.now() - running.start < JUST_STARTED,
    }
