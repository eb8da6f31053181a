"""Background work of the reports: removing import uploads nobody confirmed."""

from __future__ import annotations

import logging

from celery import shared_task

from workspaces.models import Workspace
from workspaces.outage import RegionUnavailable
from workspaces.regions import Region

from .importing import sweep_uploads

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def sweep_import_uploads() -> int:
    """Sweep every workspace's expired uploads and orphan files; return how many files went.

    Celery beat runs it every 15 minutes (CELERY_BEAT_SCHEDULE), so an upload nobody
    confirmed leaves its region within UPLOAD_TTL and a quarter of an hour even when nobody
    uploads there again. Idempotent: a second run finds nothing to remove. A region that
    cannot be reached is skipped, and swept on the next run.
    """
    removed = 0
    for region in Region.values:
        try:
            removed += _sweep_region(region)
        except RegionUnavailable:
            logger.warning("Import uploads of region %s not swept: it is unavailable", region)
    return removed


def _sweep_region(region: str) -> int:
    """Sweep the region's workspaces one by one, read from the directory in chunks."""
    workspaces = Workspace.objects.filter(region=region).order_by("id")
    return sum(sweep_uploads(workspace) for workspace in workspaces.iterator(chunk_size=500))
