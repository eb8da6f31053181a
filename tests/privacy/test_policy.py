"""The privacy page is public and tells where data lives and which cookies are set."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape

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


def test_the_policy_names_every_kind_of_data_the_code_stores(client):
    from django.apps import apps

    from privacy.inventory import KINDS, NOT_ABOUT_PEOPLE

    named = {label for kind in KINDS for label in kind.models}
    stored = {model._meta.label for model in apps.get_models()}
    unnamed = stored - named - set(NOT_ABOUT_PEOPLE)
    assert unnamed == set(), f"name these in privacy/inventory.py: {sorted(unnamed)}"
    assert named <= stored, f"gone from the code: {sorted(named - stored)}"
    html = client.get(URL).content.decode()
    for kind in KINDS:
        assert escape(kind.what) in html and escape(kind.kept) in html


def test_the_policy_says_monitoring_is_off_until_an_admin_turns_it_on(client):
    html = client.get(URL).content.decode()
    assert "Screenshots and location are off in every workspace until one of its admins" in html


def test_the_policy_is_dated_and_says_how_to_get_and_delete_everything(client) -> None:
    page = client.get(reverse("privacy:policy")).content.decode()
    assert "Last changed" in page
    assert reverse("privacy:my_data") in page
    assert "Delete your account" in page and "Download everything" in page
