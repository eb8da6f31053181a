"""GET /api/v1/workspaces/{ws}/monitoring: the policy clients read before they capture."""

from __future__ import annotations

from monitoring import services
from monitoring.models import Switch
from workspaces.models import ApiKey, Membership, Role, User, Workspace


def url(workspace: Workspace) -> str:
    return f"/api/v1/workspaces/{workspace.id}/monitoring"


def get(client, user: User, path: str):
    _key, secret = ApiKey.objects.issue(user, "Desktop app")
    return client.get(path, headers={"X-Api-Key": secret})


def test_a_new_workspace_collects_nothing(client, member, workspace):
    answer = get(client, member, url(workspace))
    assert answer.status_code == 200
    assert answer.json() == {
        "screenshots": {"enabled": False, "intervalMinutes": 5, "blur": True},
        "location": {"enabled": False},
    }


def test_any_member_reads_the_current_policy(client, member, workspace):
    owner = Membership.objects.get(workspace=workspace, role=Role.OWNER)
    services.change_policy(
        workspace,
        owner,
        Switch.SCREENSHOTS,
        {
            "screenshots": True,
            "screenshot_interval": 15,
            "blur": False,
            "screenshot_retention_days": 30,
        },
    )
    services.change_policy(
        workspace, owner, Switch.LOCATION, {"location": True, "location_retention_days": 3}
    )
    answer = get(client, member, url(workspace))
    assert answer.status_code == 200
    # Exactly these keys: retention and who changed it are the server's business.
    assert answer.json() == {
        "screenshots": {"enabled": True, "intervalMinutes": 15, "blur": False},
        "location": {"enabled": True},
    }


def test_another_workspace_or_a_bad_id_is_a_404(client, outsider, workspace):
    answer = get(client, outsider, url(workspace))
    assert answer.status_code == 404
    assert answer.json() == {"message": "Not found.", "code": 404}
    assert get(client, outsider, "/api/v1/workspaces/not-an-id/monitoring").status_code == 404


def test_a_key_is_required(client, workspace):
    answer = client.get(url(workspace))
    assert answer.status_code == 401
    assert answer.json()["code"] == 401
