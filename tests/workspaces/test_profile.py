"""The profile page: name, time zone, week start, date and time formats."""

from __future__ import annotations

import pytest
from django.urls import reverse

URL = reverse("workspaces:profile")
VALID = {
    "name": " Olive ",
    "time_zone": "Europe/Berlin",
    "week_start": "7",
    "date_format": "%d.%m.%Y",
    "time_format": "24",
}


def test_saves_preferences(client, owner):
    client.force_login(owner)
    assert client.get(URL).status_code == 200
    assert client.post(URL, VALID).status_code == 302
    owner.refresh_from_db()
    assert (owner.name, owner.time_zone, owner.week_start) == ("Olive", "Europe/Berlin", 7)
    assert (owner.date_format, owner.time_format) == ("%d.%m.%Y", "24")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "Choose a time zone from the list."),
        ({"week_start": "8"}, "Select a valid choice."),
        ({"date_format": "%s"}, "Select a valid choice."),
        ({"time_format": "36"}, "Select a valid choice."),
        ({"name": "n" * 101}, "at most 100 characters"),
    ],
)
def test_bad_input(client, owner, change, message):
    client.force_login(owner)
    response = client.post(URL, VALID | change)
    assert response.status_code == 400
    assert message in response.content.decode()
    owner.refresh_from_db()
    assert owner.time_zone == "UTC"


def test_login_required_and_method(client, owner):
    assert client.get(URL).status_code == 302
    client.force_login(owner)
    assert client.put(URL).status_code == 405
