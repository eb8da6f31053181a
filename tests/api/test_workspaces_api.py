"""GET /user, GET and POST /workspaces (with region), GET /workspaces/{ws}/users."""

from __future__ import annotations

import pytest

from workspaces.models import Membership, Role, Workspace, WorkspaceSettings


def test_user(api_as, owner, workspace):
    body = api_as(owner).get("/user").json()
    assert body["email"] == "owner@example.com"
    assert body["name"] == "Olivia Owner"
    assert body["activeWorkspace"] == str(workspace.id)
    assert body["settings"] == {
        "timeZone": "UTC",
        "weekStart": "MONDAY",
        "dateFormat": "MM/DD/YYYY",
        "timeFormat": "HOUR12",
    }


def test_workspaces_lists_mine_with_region_and_rate(api_as, owner, workspace, outsider):
    WorkspaceSettings.objects.in_workspace(workspace).update(hourly_rate="42.50")
    body = api_as(owner).get("/workspaces").json()
    assert [w["name"] for w in body] == ["Owner's Team"]
    (mine,) = body
    assert mine["id"] == str(workspace.id)
    assert mine["region"] == "eu"
    assert mine["hourlyRate"] == {"amount": 4250, "currency": "EUR"}
    assert mine["workspaceSettings"]["durationFormat"] == "FULL"
    assert mine["memberships"][0]["role"] == "OWNER"


def test_create_workspace_in_a_region(api_as, owner):
    response = api_as(owner).post(
        "/workspaces", {"name": "Sydney", "region": "au", "imageUrl": None}
    )
    assert response.status_code == 201
    body = response.json()
    workspace = Workspace.objects.get(id=body["id"])
    assert (workspace.name, workspace.region, body["region"]) == ("Sydney", "au", "au")
    assert Membership.objects.get(workspace=workspace).role == Role.OWNER
    assert body["hourlyRate"] is None


def test_create_workspace_defaults_to_the_server_region(api_as, owner, settings):
    settings.DEFAULT_REGION = "uk"
    body = api_as(owner).post("/workspaces", {"name": "Default"}).json()
    assert body["region"] == "uk"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "Mars", "region": "mars"}, "region"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"region": "eu"}, "name"),
        ({"name": 12, "region": "eu"}, "name"),
        ([], ""),
    ],
)
def test_create_workspace_bad_input(api_as, owner, body, message):
    response = api_as(owner).post("/workspaces", body)
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert response.json()["code"] == 400
    assert not Workspace.objects.exists()


def test_users_of_a_workspace(api_as, owner, member, workspace, outsider):
    body = api_as(member).get(f"/workspaces/{workspace.id}/users").json()
    assert [u["email"] for u in body] == ["owner@example.com", "member@example.com"]
    assert body[0]["status"] == "ACTIVE"
    assert api_as(outsider).get(f"/workspaces/{workspace.id}/users").status_code == 404
    assert api_as(outsider).get("/workspaces/not-an-id/users").status_code == 404


def test_workspace_endpoints_need_a_key(api_as, workspace):
    anonymous = api_as(None)
    assert anonymous.get("/workspaces").status_code == 401
    assert anonymous.post("/workspaces", {"name": "X"}).status_code == 401
    assert anonymous.get(f"/workspaces/{workspace.id}/users").status_code == 401
