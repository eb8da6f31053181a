"""Template context for the header: the monitoring indicator and the notices bell."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .services import HeaderState


def monitoring(request: HttpRequest) -> dict[str, Any]:
    """On a page of a workspace, what its header says about monitoring; elsewhere nothing.

    Read lazily, on the header's first use: a partial (htmx) render that does not show the
    header costs no query.
    """
    workspace = getattr(request, "workspace", None)
    user = getattr(request, "user", None)
    if workspace is None or user is None or not user.is_authenticated:
        return {}
    return {"monitoring_header": HeaderState(workspace, user.pk)}
