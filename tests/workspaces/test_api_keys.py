"""The API keys page: list, create (the secret shown once), revoke."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, sign_in
from workspaces.models import ApiKey, User
from workspaces.views import NEW_API_KEY_SESSION_KEY

URL = reverse("workspaces:api_keys")


def revoke_url(key: ApiKey) -> str:
    return reverse("workspaces:revoke_api_key", args=[key.pk])


def secret_on(html: str) -> str | None:
    match = re.search(r'value="(ck_[^"]+)"', html)
    return match and match.group(1)


def issue_keys(user: User, count: int) -> list[ApiKey]:
    return [ApiKey.objects.issue(user, f"Key {n}")[0] for n in range(count)]


# --- create ---


def test_creating_a_key_shows_its_secret_once(client, owner):
    sign_in(client, owner)
    response = client.post(URL, {"name": "  Laptop timer  "})
    assert response.status_code == 302
    assert response.url == URL
    key = ApiKey.objects.get(user=owner)
    assert key.name == "Laptop timer"

    html = client.get(URL).content.decode()
    secret = secret_on(html)
    assert secret and secret.startswith(key.prefix)
    assert "will not be shown again" in html
    assert "X-Api-Key" in html and "/api/v1/" in html
    assert NEW_API_KEY_SESSION_KEY not in client.session

    again = client.get(URL).content.decode()
    assert secret not in again
    assert secret_on(again) is None
    assert f"{key.prefix}…" in again


def test_the_secret_is_kept_only_as_a_hash(client, owner):
    sign_in(client, owner)
    response = client.post(URL, {"name": "Script"})
    messages = [m.message for m in get_messages(response.wsgi_request)]
    secret = secret_on(client.get(URL).content.decode())
    assert secret not in response.url and not any(secret in m for m in messages)
    row = ApiKey.objects.filter(user=owner).values().get()
    assert all(secret not in str(value) for value in row.values())
    assert row["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()


def test_a_new_key_authenticates_and_notes_its_use(client, owner):
    sign_in(client, owner)
    client.post(URL, {"name": "Script"})
    secret = secret_on(client.get(URL).content.decode())
    key = ApiKey.objects.authenticate(secret)
    assert key is not None and key.user == owner
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert "Never" not in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the key a name"),
        ("   ", "Give the key a name"),
        ("n" * 101, "at most 100 characters"),
    ],
)
def test_bad_name(client, owner, name, message):
    sign_in(client, owner)
    response = client.post(URL, {"name": name})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiKey.objects.exists()


def test_at_most_twenty_active_keys(client, owner):
    keys = issue_keys(owner, 20)
    sign_in(client, owner)
    response = client.post(URL, {"name": "One too many"})
    assert response.status_code == 400
    assert "You have 20 active keys, the most allowed." in response.content.decode()
    assert ApiKey.objects.count() == 20

    # Revoked keys do not count toward the limit.
    keys[0].revoke()
    assert client.post(URL, {"name": "Replacement"}).status_code == 302
    assert ApiKey.objects.active().count() == 20


# --- list ---


def test_lists_only_ones_own_keys_with_their_state(client, owner, outsider):
    used, revoked, fresh = issue_keys(owner, 3)
    ApiKey.objects.filter(pk=used.pk).update(last_used_at=used.created_at)
    revoked.revoke()
    other, _ = ApiKey.objects.issue(outsider, "Oscar's script")
    client.force_login(owner)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert all(f"{k.prefix}…" in html for k in (used, revoked, fresh))
    assert other.prefix not in html and "Oscar" not in html
    assert html.count("Never") == 2
    assert html.count('class="badge done">Active') == 2
    assert "Revoked " in html
    assert html.count(">Yes, revoke<") == 2
    assert "2 of 20 active keys" in html


def test_list_runs_the_same_queries_for_one_or_fifteen_keys(client, owner, all_queries):
    issue_keys(owner, 1)
    client.force_login(owner)
    client.get(URL)
    with all_queries() as one:
        client.get(URL)
    issue_keys(owner, 14)
    with all_queries() as fifteen:
        response = client.get(URL)
    assert response.content.decode().count(">Yes, revoke<") == 15
    assert one.by_alias() == fifteen.by_alias()


# --- revoke ---


def test_revoking_stops_the_key(client, owner):
    key, secret = ApiKey.objects.issue(owner, "Script")
    client.force_login(owner)
    response = client.post(revoke_url(key))
    assert response.status_code == 302 and response.url == URL
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert ApiKey.objects.authenticate(secret) is None
    html = client.get(URL).content.decode()
    assert "Script" in html and ">Yes, revoke<" not in html


def test_revoking_twice_keeps_the_first_time(client, owner):
    key, _ = ApiKey.objects.issue(owner, "Script")
    key.revoke()
    client.force_login(owner)
    assert client.post(revoke_url(key)).status_code == 302
    assert ApiKey.objects.get(pk=key.pk).revoked_at == key.revoked_at


def test_cannot_revoke_someone_elses_key(client, owner, outsider):
    key, secret = ApiKey.objects.issue(outsider, "Oscar's script")
    client.force_login(owner)
    assert client.post(revoke_url(key)).status_code == 404
    assert (
        client.post(reverse("workspaces:revoke_api_key", args=[key.pk + 1000])).status_code == 404
    )
    key.refresh_from_db()
    assert key.revoked_at is None
    assert ApiKey.objects.authenticate(secret) == key


# --- a recent sign-in ---

REAUTHENTICATE = reverse("account_reauthenticate")


def test_an_old_sign_in_asks_for_the_password_then_creates_the_key(client, owner):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, owner)
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert client.get(URL).status_code == 200  # reading needs no password
        response = client.post(URL, {"name": "Laptop timer"})
        assert response.status_code == 302
        assert response.url == f"{REAUTHENTICATE}?next={quote(URL, safe='')}"
        assert not ApiKey.objects.exists()

        assert "Confirm" in client.get(response.url).content.decode()
        wrong = client.post(response.url, {"password": "wrong"})
        assert wrong.status_code == 200
        assert not ApiKey.objects.exists()
        done = client.post(response.url, {"password": PASSWORD})
        assert done.status_code == 302
        assert ApiKey.objects.get(user=owner).name == "Laptop timer"
        assert secret_on(client.get(URL).content.decode())

        # The password just given counts as a recent sign-in for the next 15 minutes.
        assert client.post(URL, {"name": "Second"}).status_code == 302
    with time_machine.travel(start + timedelta(minutes=32), tick=False):
        assert client.post(URL, {"name": "Third"}).url.startswith(REAUTHENTICATE)
    assert ApiKey.objects.filter(user=owner).count() == 2


def test_a_sign_in_within_fifteen_minutes_is_recent_enough(client, owner):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, owner)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert client.post(URL, {"name": "Laptop timer"}).status_code == 302
    assert ApiKey.objects.filter(user=owner).count() == 1


def test_a_session_that_noted_no_sign_in_asks_for_the_password(client, owner):
    client.force_login(owner)  # as a session from before this rule would be
    response = client.post(URL, {"name": "Laptop timer"})
    assert response.url.startswith(REAUTHENTICATE)
    assert not ApiKey.objects.exists()


# --- access and methods ---


def test_login_required(client, owner):
    key, _ = ApiKey.objects.issue(owner, "Script")
    for response in (
        client.get(URL),
        client.post(URL, {"name": "Sneaky"}),
        client.post(revoke_url(key)),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert ApiKey.objects.count() == 1
    assert ApiKey.objects.get().revoked_at is None


def test_wrong_methods(client, owner):
    key, _ = ApiKey.objects.issue(owner, "Script")
    client.force_login(owner)
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405
    assert client.get(revoke_url(key)).status_code == 405
    key.refresh_from_db()
    assert key.revoked_at is None


def test_linked_from_the_user_menu_and_the_profile(client, owner):
    client.force_login(owner)
    html = client.get(reverse("workspaces:profile")).content.decode()
    assert html.count(f'href="{URL}"') == 2
