"""Background work of monitoring: the screenshot thumbnails, and retention."""

from __future__ import annotations

from celery import shared_task
from django.core.files.base import ContentFile

from workspaces.models import Workspace
from workspaces.regions import storage_for

from . import images
from .captures import purge_expired
from .models import Screenshot


@shared_task(acks_late=True)
def make_thumbnail(workspace_id: str, screenshot_id: str) -> bool:
    """Make a screenshot's thumbnail unless it has one; return whether this run made it.

    Idempotent: a screenshot with `has_thumbnail` is left alone; a thumbnail file left by a
    run that died before noting it is replaced, not duplicated (the storage would give a
    second file a name of its own); a screenshot deleted meanwhile loses the new file again.
    """
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return False
    shots = Screenshot.objects.in_workspace(workspace).filter(pk=screenshot_id)
    shot = shots.first()
    if shot is None or shot.has_thumbnail:
        return False
    storage = storage_for(workspace)
    try:
        with storage.open(shot.storage_name, "rb") as file:
            data = images.thumbnail(file)
    except (FileNotFoundError, images.ImageRefused):
        return False  # deleted meanwhile, or not ours to read: nothing to show a thumbnail of
    if storage.exists(shot.thumbnail_name):
        storage.delete(shot.thumbnail_name)
    storage.save(shot.thumbnail_name, ContentFile(data))
    if not shots.filter(has_thumbnail=False).update(has_thumbnail=True):
        if not shots.exists():
            storage.delete(shot.thumbnail_name)
        return False
    return True


@shared_task(acks_late=True)
def purge_expired_captures() -> dict[str, int]:
    """Celery beat, hourly: delete the captures past their workspace's retention."""
    purged = purge_expired()
    return {"screenshots": purged.screenshots, "locations": purged.locations}
