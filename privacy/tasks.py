"""Background work of the privacy app: erasing accounts, building archives, the sweep that
finishes whatever a failure interrupted, and the retention of the page view counts."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string

from clockify.celery import queue_on_commit
from workspaces.models import User
from workspaces.tasks import EMAIL_TASK

from . import archives, erasure
from .models import Archive, PageViews

logger = logging.getLogger(__name__)

# Erasing and building are idempotent from the start, whatever stopped them (a region's
# database or storage that is down, a worker that died): try again with a growing wait of
# up to an hour, then the hourly sweep takes over. The account stays deactivated meanwhile.
RESUMABLE_TASK = {
    "autoretry_for": (Exception,),
    "max_retries": 8,
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "acks_late": True,
}


@shared_task(**RESUMABLE_TASK)
def erase_account(user_id: int) -> bool:
    """Erase everything about a person who asked for it, then email them; False if done already."""
    user = User.objects.filter(pk=user_id, deletion_requested_at__isnull=False).first()
    if user is None:  # finished by an earlier delivery, the sweep or the command
        return False
    address = user.email
    erasure.erase(user)
    # The address is kept nowhere now but in this message to the broker, until it is sent.
    queue_on_commit(send_deletion_email, address, using="default")
    return True


@shared_task(**EMAIL_TASK)
def send_deletion_email(address: str) -> None:
    """Tell the person their account and its data are gone."""
    send_mail(
        subject="Your account has been deleted",
        message=render_to_string("emails/account_deleted.txt", {"address": address}),
        from_email=None,
        recipient_list=[address],
    )


@shared_task(**RESUMABLE_TASK)
def build_archive(archive_id: str) -> bool:
    """Build one region's archive; False if it is gone or built already."""
    archive = Archive.objects.select_related("user").filter(pk=archive_id).first()
    if archive is None or archive.status != Archive.Status.BUILDING:
        return False
    archives.build(archive)
    return True


@shared_task
def sweep() -> dict[str, int]:
    """Hourly: finish interrupted account deletions and delete expired archives."""
    finished = 0
    for user in erasure.pending_deletions():
        try:
            erase_account(user.pk)
            finished += 1
        except Exception:  # one account that cannot finish yet must not stop the others
            logger.warning("The deletion of account %s did not finish", user.pk, exc_info=True)
    return {"deletions": finished, "archives": archives.delete(archives.expired())}


@shared_task(acks_late=True)
def purge_old_page_views() -> int:
    """Celery beat, daily: delete page view counts older than 400 days; return how many."""
    return PageViews.objects.purge_older_than()
