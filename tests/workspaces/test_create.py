"""Creating a workspace with a data region."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from workspaces.models import Membership, Role, Workspace, WorkspaceSettings

URL = reverse("workspaces:create")


def test_form_lists_every_region_with_the_default_chosen(client, owner, settings):
    settings.DEFAULT_REGION = "uk"
    client.force_login(owner)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for label in ["USA", "EU (Germany)", "UK", "Australia"]:
        assert label in html
    assert re.search(r'<input[^>]*value="uk"[^>]*checked', html)


def test_creates_workspace_in_chosen_region_with_creator_as_owner(client, owner):
    client.force_login(owner)
    response = client.post(URL, {"name": "  Research  ", "region": "au"}, follow=True)

    workspace = Workspace.objects.get(name="Research")
    assert workspace.region == "au"
    assert Membership.objects.get(workspace=workspace).role == Role.OWNER
    prefs = WorkspaceSettings.objects.in_workspace(workspace).get()
    assert prefs.currency == "AUD"  # the region's currency until an admin changes it
    owner.refresh_from_db()
    assert owner.active_workspace == workspace
    html = response.content.decode()
    assert "Its data is hosted in Australia." in html
    assert 'title="Data hosted in Australia"' in html


def test_login_required(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_wrong_method(client, owner):
    client.force_login(owner)
    assert client.put(URL).status_code == 405


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "region": "eu"}, "name", "Give the workspace a name."),
        ({"name": "   ", "region": "eu"}, "name", "Give the workspace a name."),
        ({"name": "x" * 101, "region": "eu"}, "name", "at most 100 characters"),
        ({"name": "Fine", "region": "mars"}, "region", "Choose one of the listed regions."),
        ({"name": "Fine"}, "region", "This field is required."),
    ],
)
def test_bad_input_gets_a_message_and_saves_nothing(client, owner, data, field, message):
    client.force_login(owner)
    response = client.post(URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert message in " ".join(response.context["form"].errors[field])
    assert not Workspace.objects.exists()
