"""Accounts through django-allauth: sign-up with verification, login limits, 2FA, sessions."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.usersessions.models import UserSession
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, make_user
from workspaces.models import User

SIGNUP = reverse("account_signup")
LOGIN = reverse("account_login")


def signup(client, email="new@example.com", password="a-long-fine-password"):
    return client.post(SIGNUP, {"email": email, "password1": password, "password2": password})


def login(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def test_signup_sends_a_verification_link_that_logs_in(client):
    response = signup(client)
    assert response.status_code == 302
    assert User.objects.filter(email="new@example.com").exists()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    assert client.get("/").status_code == 302  # not logged in before verifying
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert client.get("/")["Location"] == reverse("workspaces:create")


def test_duplicate_email_is_refused(client, owner):
    response = signup(client, email="OWNER@example.com")
    assert response.status_code == 200
    assert "A user is already registered with this email address." in response.content.decode()
    assert User.objects.count() == 1


def test_weak_or_mismatched_passwords_are_refused(client):
    assert "too common" in signup(client, password="password").content.decode()
    response = client.post(
        SIGNUP,
        {
            "email": "a@example.com",
            "password1": "a-long-fine-password",
            "password2": "other-long-password",
        },
    )
    assert "You must type the same password each time." in response.content.decode()
    assert not User.objects.exists()


def test_unverified_account_cannot_log_in(client):
    make_user("late@example.com", verified=False)
    response = login(client, "late@example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_failed_logins_are_rate_limited(client, owner):
    for _ in range(5):
        assert (
            "The email address and/or password you specified are not correct."
            in login(client, owner.email, "wrong").content.decode()
        )
    response = login(client, owner.email)
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_mails_a_link(client, owner):
    response = client.post(reverse("account_reset_password"), {"email": owner.email})
    assert response.status_code == 302
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_sessions_list_and_sign_out_others(client, owner):
    other = client.__class__()
    login(other, owner.email)
    login(client, owner.email)
    page = client.get(reverse("usersessions_list"))
    assert page.status_code == 200
    assert UserSession.objects.filter(user=owner).count() == 2
    client.post(reverse("usersessions_list"))
    assert UserSession.objects.filter(user=owner).count() == 1
    assert other.get(reverse("workspaces:create")).status_code == 302  # signed out


def test_totp_two_factor_login(client, owner):
    login(client, owner.email)
    assert client.get(reverse("mfa_activate_totp")).status_code == 302  # confirm password first
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]

    def code() -> str:
        return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))

    response = client.post(reverse("mfa_activate_totp"), {"code": code()})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=owner, type="totp").exists()
    assert Authenticator.objects.filter(user=owner, type="recovery_codes").exists()

    client.logout()
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        response = login(client, owner.email)
        assert response["Location"] == reverse("mfa_authenticate")
        assert "_auth_user_id" not in client.session
        wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
        assert "Incorrect code." in wrong.content.decode()
        client.post(reverse("mfa_authenticate"), {"code": code()})
        assert client.session["_auth_user_id"] == str(owner.pk)


def test_account_pages_render_in_the_app_layout(client, owner):
    login(client, owner.email)
    for name in ["account_email", "account_change_password", "mfa_index", "usersessions_list"]:
        html = client.get(reverse(name)).content.decode()
        assert 'class="subnav"' in html, name
        assert "Olivia Owner" in html
