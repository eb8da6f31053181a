"""The privacy page is public and tells where data lives and which cookies are set."""

from __future__ import annotations

from django.urls import reverse

URL = reverse("privacy:policy")


def test_public_page_names_every_region_and_the_cookies(client):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    for label in ["USA", "EU (Germany)", "UK", "Australia"]:
        assert f"<li>{label}</li>" in html
    assert "only for signing in" in html
    assert not response.cookies


def test_logged_in_page_shows_the_header(client, owner, workspace):
    client.force_login(owner)
    assert 'class="region-badge"' in client.get(URL).content.decode()


def test_wrong_method(client):
    assert client.post(URL).status_code == 405
