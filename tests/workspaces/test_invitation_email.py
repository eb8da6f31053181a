"""The invitation email is a task: queued after the commit, retried, sent once, resendable."""

from __future__ import annotations

import socket
import time
from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clockify.celery import app, queue_on_commit
from tests.factories import invitation_link_in
from workspaces.models import Invitation, Role, Workspace
from workspaces.tasks import send_invitation_email

NEW = {"email": "new@example.com", "role": "member"}


def url(name: str, workspace: Workspace, *args: object) -> str:
    return reverse(f"workspaces:{name}", args=[workspace.id, *args])


def invite(workspace: Workspace, **fields: object) -> Invitation:
    return Invitation.objects.create(workspace=workspace, email="new@example.com", **fields)


def messages_on(client, workspace: Workspace) -> str:
    return client.get(url("members", workspace)).content.decode()


@pytest.fixture
def mail_fails(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The mail server drops the connection on the first `failures[0]` sends; counts attempts."""
    state = [1, 0]  # failures to come, attempts made
    send = EmailBackend.send_messages

    def flaky(self: EmailBackend, messages: list) -> int:
        state[1] += 1
        if state[0] > 0:
            state[0] -= 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    return state


# --- inline (no broker): after the commit, once ---


def test_inviting_mails_once_after_the_commit(
    client, owner, workspace, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url("invite", workspace), NEW)
        assert mail.outbox == []  # not before the invitation is committed
    assert response.status_code == 302
    assert len(callbacks) == 1
    invitation = Invitation.objects.get(workspace=workspace)
    (sent,) = mail.outbox
    assert sent.to == ["new@example.com"]
    assert sent.subject == "Olivia Owner invited you to Owner's Team"
    assert invitation_link_in(sent.body) == (settings.SITE_URL, str(invitation.pk))
    assert invitation.sent_at is not None
    assert "Invitation sent to new@example.com." in messages_on(client, workspace)


def test_a_rolled_back_invitation_mails_nothing(workspace, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(using="default"),
    ):
        invitation = invite(workspace)
        queue_on_commit(send_invitation_email, str(invitation.pk), using="default")
        raise RuntimeError("something after the invitation failed")
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_sending_twice_mails_once(workspace):
    invitation = invite(workspace)
    assert send_invitation_email(str(invitation.pk)) is True
    assert send_invitation_email(str(invitation.pk)) is False
    assert send_invitation_email.apply(args=[str(invitation.pk)]).get() is False
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("state", ["accepted", "expired", "revoked", "missing"])
def test_an_invitation_no_longer_pending_mails_nothing(workspace, state):
    invitation = invite(workspace)
    if state == "accepted":
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    elif state == "expired":
        old = timezone.now() - timedelta(days=7, seconds=1)
        Invitation.objects.filter(pk=invitation.pk).update(created_at=old)
    invitation_id = str(invitation.pk)
    if state == "revoked":
        invitation.delete()
    elif state == "missing":
        invitation_id = "0190d0c8-0000-7000-8000-000000000000"
    assert send_invitation_email(invitation_id) is False
    assert mail.outbox == []


def test_an_inviter_whose_account_is_gone_is_left_out_of_the_subject(workspace):
    Workspace.objects.filter(pk=workspace.pk).update(name="Team\nBcc: x@example.com")
    invitation = invite(workspace, invited_by=None)
    send_invitation_email(str(invitation.pk))
    (sent,) = mail.outbox
    assert sent.subject == "You are invited to Team Bcc: x@example.com"
    assert "You are invited to join the workspace" in sent.body


# --- retries ---


def test_the_task_retries_a_failing_mail_server_and_sends_once(workspace, mail_fails):
    invitation = invite(workspace)
    # throw=False: with failures propagating (the settings'), Celery would raise the retry.
    result = send_invitation_email.apply(args=[str(invitation.pk)], throw=False)
    assert result.get() is True
    assert mail_fails[1] == 2  # the failure, then the retry
    assert len(mail.outbox) == 1


def test_retries_are_bounded_with_backoff():
    task = send_invitation_email
    assert task.acks_late is True
    assert task.max_retries == 5
    assert task.autoretry_for and task.retry_backoff and task.retry_backoff_max == 600


def test_a_mail_server_failing_once_still_delivers_the_invitation(
    client, owner, workspace, mail_fails, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("invite", workspace), NEW)
    assert mail_fails[1] == 2
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_mail_server_that_stays_down_keeps_the_invitation_for_resend(
    client, owner, workspace, mail_fails
):
    # Real commits: the view reports what happened after its own commit.
    mail_fails[0] = 100
    client.force_login(owner)
    response = client.post(url("invite", workspace), NEW)
    assert response.status_code == 302
    assert mail_fails[1] == 2  # inline, one retry and no more: the request waits for it
    invitation = Invitation.objects.get(workspace=workspace)
    assert invitation.sent_at is None
    page = messages_on(client, workspace)
    assert "is saved, but its email could not go out just now. Use Resend" in page
    assert "email not sent yet" in page

    mail_fails[0] = 0
    response = client.post(url("resend_invitation", workspace, invitation.pk))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "Invitation sent to new@example.com." in messages_on(client, workspace)


# --- resend ---


def test_resend_mails_the_invitation_again(
    client, admin, workspace, django_capture_on_commit_callbacks
):
    invitation = invite(workspace, sent_at=timezone.now())
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("resend_invitation", workspace, invitation.pk))
    assert response.status_code == 302
    assert response["Location"] == url("members", workspace)
    assert len(mail.outbox) == 1


def test_resend_of_an_accepted_invitation_mails_nothing(client, owner, workspace):
    invitation = invite(workspace, accepted_at=timezone.now())
    client.force_login(owner)
    response = client.post(url("resend_invitation", workspace, invitation.pk), follow=True)
    assert "no longer pending" in response.content.decode()
    assert mail.outbox == []


def test_resend_needs_login_an_admin_of_the_workspace_and_a_post(
    client, member, outsider, owner, workspace
):
    invitation = invite(workspace)
    resend = url("resend_invitation", workspace, invitation.pk)
    assert client.post(resend)["Location"].startswith(reverse("account_login"))
    client.force_login(outsider)
    assert client.post(resend).status_code == 404
    client.force_login(member)
    assert client.post(resend).status_code == 403
    client.force_login(owner)
    assert client.get(resend).status_code == 405
    other = Invitation.objects.create(
        workspace=Workspace.objects.get(name="Elsewhere Inc"), email="x@example.com"
    )
    assert client.post(url("resend_invitation", workspace, other.pk)).status_code == 404
    assert mail.outbox == []


# --- a broker that is down ---


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """Publish for real, to a Redis address where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", f"redis://127.0.0.1:{port}/0")
    # The app keeps its connection and producer pools: drop them so the new URL is used.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)


@pytest.mark.broker
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_broker_that_is_down_answers_quickly_and_keeps_the_invitation(
    client, owner, workspace, broker_down
):
    client.force_login(owner)
    started = time.monotonic()
    response = client.post(url("invite", workspace), NEW)
    assert time.monotonic() - started < 5
    assert response.status_code == 302
    invitation = Invitation.objects.get(workspace=workspace, email="new@example.com")
    assert invitation.sent_at is None
    assert "Use Resend under Pending invitations" in messages_on(client, workspace)
    assert mail.outbox == []


def test_only_pending_invitations_show_whether_they_were_emailed(client, owner, workspace):
    invite(workspace, sent_at=timezone.now())
    Invitation.objects.create(workspace=workspace, email="later@example.com", role=Role.ADMIN)
    client.force_login(owner)
    page = messages_on(client, workspace)
    assert "emailed" in page and "email not sent yet" in page
    assert page.count(">Resend</button>") == 2
