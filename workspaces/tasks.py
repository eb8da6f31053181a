"""Background work of the directory: the invitation email, and the audit log's retention."""

from __future__ import annotations

from datetime import datetime
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from . import audit
from .models import Invitation
from .services import on_every_workspace
from .validators import single_line

# Worth trying again later: the mail server refused for now, timed out or was unreachable
# (ConnectionError and TimeoutError are OSErrors).
MAIL_ERRORS = (SMTPException, OSError)


# How every email task retries: a random wait below 30 s, then below 1, 2, 4 and 8 minutes.
# Acknowledged when done, so a worker that dies mid-send leaves the message to another; safe
# because each email task sends idempotently.
EMAIL_TASK = {
    "autoretry_for": MAIL_ERRORS,
    "max_retries": 5,
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "acks_late": True,
}


@shared_task(**EMAIL_TASK)
def send_invitation_email(invitation_id: str) -> bool:
    """Email a pending invitation unless it was sent already; return whether this run sent it."""
    # The row stays locked from the check to the commit of sent_at, so two deliveries of the
    # task never both send. A mail server that accepts the message and a commit that then
    # fails would send it again on retry: the one duplicate left, and a harmless one. (On
    # SQLite the lock is the directory's write lock, held for one SMTP exchange, which has
    # a timeout.)
    with transaction.atomic(using="default"):
        invitation = (
            Invitation.objects.select_for_update()
            .pending()
            .filter(pk=invitation_id, sent_at__isnull=True)
            .first()
        )
        if invitation is None:  # revoked (deleted), accepted, expired or sent already
            return False
        inviter = invitation.invited_by
        workspace = invitation.workspace
        if inviter is None:
            subject = f"You are invited to {workspace.name}"
        else:
            subject = f"{inviter.display_name} invited you to {workspace.name}"
        context = {
            "invitation": invitation,
            "inviter": inviter,
            "link": settings.SITE_URL + invitation.get_absolute_url(),
        }
        send_mail(
            # Names are one line since they are validated, but older rows may not be.
            subject=single_line(subject),
            message=render_to_string("emails/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
    return True


@shared_task(acks_late=True)
def purge_audit_log() -> int:
    """Celery beat, daily: delete audit events older than AUDIT_RETENTION_DAYS, everywhere."""
    return purge_audit_log_now()


def purge_audit_log_now(now: datetime | None = None) -> int:
    """Purge every reachable workspace's log; a region that is down waits for the next run."""
    now = now or timezone.now()
    purged = on_every_workspace(lambda ws: audit.purge(ws, now), what="Audit log purge")
    return sum(purged)
