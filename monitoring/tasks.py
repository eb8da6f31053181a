"""Background work of monitoring: the email that tells a member a switch turned on or off."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from workspaces.models import Membership, User, Workspace
from workspaces.tasks import MAIL_ERRORS

from .models import Notice
from .services import announcement, display_names


@shared_task(
    autoretry_for=MAIL_ERRORS,
    max_retries=5,
    retry_backoff=30,  # a random wait below 30 s, then below 1, 2, 4, 8 minutes
    retry_backoff_max=600,
    retry_jitter=True,
    # Acknowledged when done, so a worker that dies mid-send leaves it to another; safe
    # because sending is idempotent (below).
    acks_late=True,
)
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
