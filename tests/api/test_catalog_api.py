"""Clients, projects, tasks and tags through the API: CRUD, roles, other workspaces."""

from __future__ import annotations

import pytest

from tests.factories import make_workspace
from tracking.models import Client, Project, Tag, Task, TimeEntry
from workspaces.models import WorkspaceSettings


def ws(workspace, path=""):
    return f"/workspaces/{workspace.id}{path}"


def test_clients_crud(api_as, admin, workspace):
    api = api_as(admin)
    created = api.post(ws(workspace, "/clients"), {"name": "Acme", "note": None, "address": "x"})
    assert created.status_code == 201
    client_id = created.json()["id"]
    assert created.json() == {
        "id": client_id,
        "name": "Acme",
        "workspaceId": str(workspace.id),
        "archived": False,
    }
    assert [c["name"] for c in api.get(ws(workspace, "/clients")).json()] == ["Acme"]
    assert api.get(ws(workspace, f"/clients/{client_id}")).json()["name"] == "Acme"
    updated = api.put(
        ws(workspace, f"/clients/{client_id}"), {"name": "Acme Ltd", "archived": True}
    )
    assert updated.json()["name"] == "Acme Ltd" and updated.json()["archived"] is True
    assert api.get(ws(workspace, "/clients"), archived="false").json() == []
    assert api.delete(ws(workspace, f"/clients/{client_id}")).status_code == 200
    assert not Client.objects.in_workspace(workspace).exists()


def test_client_names_are_unique_ignoring_case(api_as, owner, workspace):
    api = api_as(owner)
    api.post(ws(workspace, "/clients"), {"name": "Acme"})
    response = api.post(ws(workspace, "/clients"), {"name": "ACME"})
    assert response.status_code == 400
    assert "already a client" in response.json()["message"]
    assert Client.objects.in_workspace(workspace).count() == 1


def test_client_with_projects_cannot_be_deleted(api_as, owner, workspace):
    client = Client.objects.in_workspace(workspace).create(name="Acme")
    Project.objects.in_workspace(workspace).create(name="Site", client=client)
    response = api_as(owner).delete(ws(workspace, f"/clients/{client.id}"))
    assert response.status_code == 400
    assert "archive it instead" in response.json()["message"]


def test_projects_crud_with_rate_in_cents(api_as, owner, workspace):
    client = Client.objects.in_workspace(workspace).create(name="Acme")
    api = api_as(owner)
    body = {
        "name": "Website",
        "clientId": str(client.id),
        "isPublic": False,
        "color": "#FF0000",
        "billable": True,
        "hourlyRate": {"amount": 12050},
        "note": None,
        "customFields": [],
    }
    created = api.post(ws(workspace, "/projects"), body)
    assert created.status_code == 201, created.content
    project = created.json()
    assert project["clientName"] == "Acme"
    assert project["public"] is False
    assert project["color"] == "#ff0000"
    assert project["hourlyRate"] == {"amount": 12050, "currency": "EUR"}
    changed = api.put(
        ws(workspace, f"/projects/{project['id']}"), {"name": "Web", "hourlyRate": None}
    )
    assert changed.json()["name"] == "Web"
    assert changed.json()["hourlyRate"] is None
    assert changed.json()["clientId"] == str(client.id)  # untouched fields stay
    assert api.put(ws(workspace, f"/projects/{project['id']}"), {"archived": True}).json()[
        "archived"
    ]
    assert api.delete(ws(workspace, f"/projects/{project['id']}")).status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "P", "color": "red"}, "color"),
        ({"name": "P", "hourlyRate": {"amount": -100}}, "hourlyRate"),
        ({"name": "P", "hourlyRate": {"amount": 10**40}}, "hourlyRate"),
        ({"name": ""}, "name"),
        ({"name": "P", "clientId": "not-an-id"}, ""),
        ({"name": "P", "billable": "maybe"}, "billable"),
    ],
)
def test_project_bad_input(api_as, owner, workspace, body, message):
    response = api_as(owner).post(ws(workspace, "/projects"), body)
    assert response.status_code in (400, 404)
    assert message in response.json()["message"]
    assert not Project.objects.in_workspace(workspace).exists()


def test_project_with_a_client_of_another_workspace(api_as, owner, outsider, workspace):
    elsewhere = make_workspace(outsider, region="au")
    foreign = Client.objects.in_workspace(elsewhere).create(name="Theirs")
    response = api_as(owner).post(
        ws(workspace, "/projects"), {"name": "P", "clientId": str(foreign.id)}
    )
    assert response.status_code == 400
    assert not Project.objects.in_workspace(workspace).exists()


def test_project_with_entries_cannot_be_deleted(api_as, owner, workspace):
    from datetime import UTC, datetime, timedelta

    project = Project.objects.in_workspace(workspace).create(name="Busy")
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    TimeEntry.objects.in_workspace(workspace).create(
        user_id=owner.pk, project=project, start=start, end=start + timedelta(hours=1)
    )
    response = api_as(owner).delete(ws(workspace, f"/projects/{project.id}"))
    assert response.status_code == 400
    assert Project.objects.in_workspace(workspace).filter(id=project.id).exists()


def test_tasks_crud(api_as, owner, workspace):
    project = Project.objects.in_workspace(workspace).create(name="Site")
    api = api_as(owner)
    base = ws(workspace, f"/projects/{project.id}/tasks")
    created = api.post(base, {"name": "Design", "assigneeIds": [], "estimate": None})
    assert created.status_code == 201
    task_id = created.json()["id"]
    assert created.json()["status"] == "ACTIVE"
    assert api.put(f"{base}/{task_id}", {"status": "DONE"}).json()["status"] == "DONE"
    assert api.put(f"{base}/{task_id}", {"status": "FINISHED"}).status_code == 400
    assert [t["name"] for t in api.get(base).json()] == ["Design"]
    other = Project.objects.in_workspace(workspace).create(name="Other")
    assert api.get(ws(workspace, f"/projects/{other.id}/tasks/{task_id}")).status_code == 404
    assert api.delete(f"{base}/{task_id}").status_code == 200
    assert not Task.objects.in_workspace(workspace).exists()


def test_tags_crud(api_as, owner, workspace):
    api = api_as(owner)
    tag = api.post(ws(workspace, "/tags"), {"name": "meeting"}).json()
    assert api.get(ws(workspace, "/tags"), name="meet").json()[0]["id"] == tag["id"]
    assert (
        api.put(ws(workspace, f"/tags/{tag['id']}"), {"name": "Meetings"}).json()["name"]
        == "Meetings"
    )
    assert api.delete(ws(workspace, f"/tags/{tag['id']}")).status_code == 200
    assert not Tag.objects.in_workspace(workspace).exists()


def test_members_read_but_only_admins_write_unless_allowed(api_as, member, workspace):
    Tag.objects.in_workspace(workspace).create(name="seen")
    api = api_as(member)
    assert api.get(ws(workspace, "/tags")).status_code == 200
    refused = api.post(ws(workspace, "/tags"), {"name": "new"})
    assert refused.status_code == 403
    assert refused.json() == {
        "message": "Only admins can manage clients, projects, tasks and tags here.",
        "code": 403,
    }
    assert api.post(ws(workspace, "/projects"), {"name": "P"}).status_code == 403
    WorkspaceSettings.objects.in_workspace(workspace).update(members_can_manage_projects=True)
    assert api.post(ws(workspace, "/tags"), {"name": "new"}).status_code == 201


def test_private_projects_are_hidden_from_other_members(api_as, member, workspace):
    secret = Project.objects.in_workspace(workspace).create(name="Secret", is_public=False)
    api = api_as(member)
    assert api.get(ws(workspace, "/projects")).json() == []
    assert api.get(ws(workspace, f"/projects/{secret.id}")).status_code == 404


@pytest.mark.parametrize("path", ["/clients", "/projects", "/tags"])
def test_another_workspace_is_404(api_as, owner, outsider, workspace, path):
    api = api_as(outsider)
    assert api.get(ws(workspace, path)).status_code == 404
    assert api.post(ws(workspace, path), {"name": "Intruder"}).status_code == 404


def test_another_workspaces_object_is_404(api_as, owner, outsider, workspace):
    tag = Tag.objects.in_workspace(workspace).create(name="mine")
    elsewhere = make_workspace(outsider, region="us")
    api = api_as(outsider)
    assert api.get(ws(elsewhere, f"/tags/{tag.id}")).status_code == 404
    assert api.put(ws(elsewhere, f"/tags/{tag.id}"), {"name": "taken"}).status_code == 404
    assert api.delete(ws(elsewhere, f"/tags/{tag.id}")).status_code == 404
    assert Tag.objects.in_workspace(workspace).get().name == "mine"


def test_paging_limits(api_as, owner, workspace):
    api = api_as(owner)
    for name in ["a", "b", "c"]:
        Tag.objects.in_workspace(workspace).create(name=name)
    assert [
        t["name"] for t in api.get(ws(workspace, "/tags"), page=2, **{"page-size": 2}).json()
    ] == ["c"]
    assert api.get(ws(workspace, "/tags"), **{"page-size": 0}).status_code == 400
    assert api.get(ws(workspace, "/tags"), **{"page-size": 100000}).status_code == 400
    assert api.get(ws(workspace, "/tags"), page=0).status_code == 400
