"""A new password, or signing out the other sessions, revokes every API key of the person."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, sign_in
from workspaces.models import ApiKey

NEW_PASSWORD = "another-long-fine-password"


def api_status(client: Client, secret: str) -> int:
    return client.get("/api/v1/user", headers={"X-Api-Key": secret}).status_code


def test_changing_the_password_revokes_the_keys(client, owner, outsider):
    _, secret = ApiKey.objects.issue(owner, "Laptop")
    _, theirs = ApiKey.objects.issue(outsider, "Theirs")
    assert api_status(client, secret) == 200
    sign_in(client, owner)
    assert (
        "also revokes your API keys"
        in client.get(reverse("account_change_password")).content.decode()
    )

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert api_status(client, secret) == 401
    assert ApiKey.objects.get(user=owner).revoked_at is not None
    assert api_status(client, theirs) == 200  # only the person's own keys


def test_a_refused_password_change_keeps_the_keys(client, owner):
    _, secret = ApiKey.objects.issue(owner, "Laptop")
    sign_in(client, owner)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert api_status(client, secret) == 200


def test_resetting_the_password_revokes_the_keys(client, owner):
    _, secret = ApiKey.objects.issue(owner, "Laptop")
    client.post(reverse("account_reset_password"), {"email": owner.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    form_url = client.get(link.group(1))["Location"]
    assert "also revokes your API keys" in client.get(form_url).content.decode()

    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert api_status(client, secret) == 401


def test_signing_out_other_sessions_revokes_the_keys(client, owner):
    _, secret = ApiKey.objects.issue(owner, "Laptop")
    other = Client()
    sign_in(other, owner)
    sign_in(client, owner)
    page = client.get(reverse("usersessions_list")).content.decode()
    assert "Signing out your other sessions also revokes your API keys (1 active)" in page
    assert "Sign out other sessions and revoke API keys" in page

    response = client.post(reverse("usersessions_list"), follow=True)

    assert api_status(client, secret) == 401
    assert "1 API key revoked" in response.content.decode()
    assert other.get(reverse("workspaces:create")).status_code == 302  # signed out
    assert client.get(reverse("workspaces:create")).status_code == 200  # still signed in


def test_with_one_session_the_button_still_revokes_the_keys(client, owner):
    _, secret = ApiKey.objects.issue(owner, "Laptop")
    sign_in(client, owner)
    page = client.get(reverse("usersessions_list")).content.decode()
    assert f'action="{reverse("usersessions_list")}"' in page
    client.post(reverse("usersessions_list"))
    assert api_status(client, secret) == 401


def test_the_api_keys_page_says_what_revokes_them(client, owner):
    client.force_login(owner)
    html = client.get(reverse("workspaces:api_keys")).content.decode()
    assert "Changing or resetting your password" in html
    assert "revokes every key" in html


def test_signing_out_others_needs_a_login(client, owner):
    _, secret = ApiKey.objects.issue(owner, "Laptop")
    response = client.post(reverse("usersessions_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert api_status(client, secret) == 200
