"""The workspace settings page: name (directory) and preferences (region database)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workspaces.models import Workspace, WorkspaceSettings


def url(workspace: Workspace) -> str:
    return reverse("workspaces:settings", args=[workspace.id])


VALID = {"ws-name": "Renamed", "prefs-currency": "eur", "prefs-duration_format": "compact"}


def test_shows_the_region_and_how_to_ask_for_a_move(client, member, workspace):
    client.force_login(member)
    response = client.get(url(workspace))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Data hosted in EU (Germany)" in html
    assert "Moving to another region" in html and str(workspace.id) in html
    assert "Only the workspace's admins can change these settings." in html
    assert "disabled" in html


def test_admin_saves_name_in_directory_and_preferences_in_region(client, admin, workspace):
    client.force_login(admin)
    response = client.post(url(workspace), VALID)
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.name == "Renamed"
    prefs = WorkspaceSettings.objects.in_workspace(workspace).get()
    assert (prefs.currency, prefs.duration_format) == ("EUR", "compact")


def test_page_queries_the_directory_and_its_region_only(client, owner, workspace, all_queries):
    client.force_login(owner)
    client.get(url(workspace))
    with all_queries() as queries:
        assert client.get(url(workspace)).status_code == 200
    # Session and user (4, allauth's session tracking included), membership, switcher, the
    # admins without two-factor authentication (shown to admins); one regional read, and the
    # header's monitoring state (indicator and bell, one query).
    assert queries.by_alias() == {"default": 10, "eu": 2}


def test_login_required(client, workspace):
    response = client.get(url(workspace))
    assert response.status_code == 302


def test_other_workspace_is_404(client, outsider, workspace):
    client.force_login(outsider)
    assert client.get(url(workspace)).status_code == 404
    assert client.post(url(workspace), VALID).status_code == 404
    workspace.refresh_from_db()
    assert workspace.name == "Owner's Team"


def test_member_cannot_change_settings(client, member, workspace):
    client.force_login(member)
    assert client.post(url(workspace), VALID).status_code == 403
    workspace.refresh_from_db()
    assert workspace.name == "Owner's Team"


def test_wrong_method(client, owner, workspace):
    client.force_login(owner)
    assert client.delete(url(workspace)).status_code == 405


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ws-name": ""}, "Give the workspace a name."),
        ({"ws-name": "n" * 101}, "at most 100 characters"),
        ({"prefs-currency": "EURO"}, "at most 3 characters"),
        ({"prefs-currency": "E1"}, "three-letter ISO 4217 code"),
        ({"prefs-duration_format": "hours"}, "Select a valid choice."),
    ],
)
def test_bad_input_shows_message_and_saves_nothing(client, owner, workspace, change, message):
    client.force_login(owner)
    response = client.post(url(workspace), VALID | change)
    assert response.status_code == 400
    assert message in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.name == "Owner's Team"
    prefs = WorkspaceSettings.objects.in_workspace(workspace).get()
    assert (prefs.currency, prefs.duration_format) == ("EUR", "full")


def test_an_empty_post_is_a_400_that_saves_nothing(client, owner, workspace):
    client.force_login(owner)
    response = client.post(url(workspace), {})
    assert response.status_code == 400
    assert "Give the workspace a name." in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.name == "Owner's Team"
