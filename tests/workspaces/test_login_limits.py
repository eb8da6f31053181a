"""Login limits per account and per client address; the address behind trusted proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from clockify.client_ip import client_ip
from tests.factories import PASSWORD, make_user
from workspaces import adapters

LOGIN = reverse("account_login")
PROXY = "10.0.0.2"


def login(client, email: str, password: str = PASSWORD, forwarded_for: str = "") -> bool:
    """Try to sign in from behind PROXY; say whether it worked, signing out again."""
    extra = {"REMOTE_ADDR": PROXY}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    client.post(LOGIN, {"login": email, "password": password}, **extra)
    signed_in = "_auth_user_id" in client.session
    client.logout()
    return signed_in


def test_failures_against_one_account_never_block_another_accounts_right_password(client):
    make_user("a@example.com")
    for name in ("b", "c", "d"):
        make_user(f"{name}@example.com")
    for _ in range(11):
        login(client, "a@example.com", "wrong")
    for name in ("b", "c", "d"):
        assert login(client, f"{name}@example.com")


def test_failures_against_an_account_block_its_right_password(client):
    make_user("a@example.com")
    for _ in range(5):
        assert not login(client, "a@example.com", "wrong")
    assert not login(client, "a@example.com")


@pytest.fixture
def low_address_limit(monkeypatch):
    monkeypatch.setattr(adapters, "ADDRESS_FAILURE_LIMIT", 3)


def test_an_address_over_its_limit_is_refused_for_accounts_new_to_it(client, low_address_limit):
    make_user("regular@example.com")
    make_user("newcomer@example.com")
    assert login(client, "regular@example.com")
    for n in range(3):
        login(client, f"sprayed{n}@example.com", "Summer2026!")
    assert not login(client, "newcomer@example.com")
    # Someone who signed in from this address before still can: the sprayer locks no one out.
    assert login(client, "regular@example.com")


def test_with_one_trusted_proxy_the_limit_is_keyed_by_the_forwarded_address(
    client, settings, low_address_limit
):
    settings.TRUSTED_PROXY_COUNT = 1
    make_user("newcomer@example.com")
    for n in range(3):
        login(client, f"sprayed{n}@example.com", "wrong", forwarded_for="203.0.113.7")
    assert not login(client, "newcomer@example.com", forwarded_for="203.0.113.7")
    # The sprayer cannot shed its address by writing one of its own in front of it.
    assert not login(client, "newcomer@example.com", forwarded_for="1.2.3.4, 203.0.113.7")
    assert login(client, "newcomer@example.com", forwarded_for="198.51.100.9")


def test_without_trusted_proxies_the_forwarded_header_is_ignored(
    client, settings, low_address_limit
):
    settings.TRUSTED_PROXY_COUNT = 0
    make_user("newcomer@example.com")
    for n in range(3):
        login(client, f"sprayed{n}@example.com", "wrong", forwarded_for=f"203.0.113.{n}")
    assert not login(client, "newcomer@example.com", forwarded_for="198.51.100.9")


@pytest.mark.parametrize(
    ("count", "forwarded_for", "expected"),
    [
        (0, "203.0.113.7", PROXY),
        (1, "", PROXY),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        (2, "203.0.113.7, 10.0.0.1", "203.0.113.7"),
        (2, "10.0.0.1", PROXY),
        (1, "not-an-address", PROXY),
        (1, "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_client_ip(settings, count, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = count
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, headers=headers)
    assert client_ip(request) == expected


def test_active_sessions_show_the_forwarded_address(client, settings):
    from allauth.usersessions.models import UserSession

    settings.TRUSTED_PROXY_COUNT = 1
    user = make_user("a@example.com")
    client.post(
        LOGIN,
        {"login": user.email, "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert UserSession.objects.get(user=user).ip == "203.0.113.7"
