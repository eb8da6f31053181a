"""Background work of monitoring: the emails that tell members a switch turned on or off, the
screenshot thumbnails, and retention."""

from __future__ import annotations

from celery import shared_task
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from workspaces.models import Membership, User, Workspace
from workspaces.regions import storage_for
from workspaces.tasks import EMAIL_TASK

from . import images
from .captures import purge_expired
from .models import Notice, Screenshot
from .services import announcement, display_names


@shared_task(**EMAIL_TASK)
def send_notice_email(workspace_id: str, notice_id: str) -> bool:
    """Email one member the notice of a switch change unless it went out already.

    Returns whether this run sent it. As with the invitation, the notice stays locked from
    the check to the commit of `emailed_at`, so two deliveries of the task send once; a mail
    server that took the message followed by a failed commit sends it again on retry.
    Nothing is sent to someone who has left the workspace since.
    """
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:  # deleted meanwhile
        return False
    with transaction.atomic(using=workspace.db_alias):
        notice = (
            Notice.objects.in_workspace(workspace)
            .select_for_update()
            .filter(pk=notice_id, emailed_at__isnull=True)
            .select_related("change")
            .first()
        )
        if notice is None:  # sent already
            return False
        member = Membership.objects.filter(workspace=workspace, user_id=notice.user_id)
        person = User.objects.filter(pk=notice.user_id, is_active=True).first()
        if person is None or not member.exists():
            return False
        change = notice.change
        actor = display_names({change.actor_id}).get(change.actor_id, "A former admin")
        told = announcement(workspace, change.switch, change.after, actor)
        send_mail(
            subject=told.email_subject,
            message=told.email_body,
            from_email=None,
            recipient_list=[person.email],
        )
        notice.emailed_at = timezone.now()
        notice.save(update_fields=["emailed_at"])
    return True


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
