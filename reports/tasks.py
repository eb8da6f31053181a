"""Background work of the reports: removing import uploads nobody confirmed."""

from __future__ import annotations

from celery import shared_task

from workspaces.services import on_every_workspace

from .importing import sweep_uploads


@shared_task(acks_late=True)
def sweep_import_uploads() -> int:
    """Sweep every workspace's expired uploads and orphan files; return how many files went.

    Celery beat runs it every 15 minutes (CELERY_BEAT_SCHEDULE), so an upload nobody
    confirmed leaves its region within UPLOAD_TTL and a quarter of an hour even when nobody
    uploads there again. Idempotent: a second run finds nothing to remove. A region that
    cannot be reached is skipped, and swept on the next run.
    """
    return sum(on_every_workspace(sweep_uploads, what="Sweeping import uploads"))
