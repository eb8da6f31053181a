"""Names are one line on every path that names something: pages, API, admin, commands."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import make_client, make_project, make_tag, make_task, make_user, sign_in
from tracking.models import Client, Project, Tag, Task
from workspaces.models import ApiKey, User, Workspace
from workspaces.validators import single_line

BAD = "Name\r\nBcc: x@example.com"
REFUSAL = "Use one line without line breaks or control characters."


def _names(workspace: Workspace) -> list[str]:
    rows = [Client, Project, Task, Tag]
    return sorted(
        name
        for model in rows
        for name in model.objects.in_workspace(workspace).values_list("name", flat=True)
    )


def _api(client, user: User, method: str, path: str, body: dict) -> tuple[int, dict]:
    key = ApiKey.objects.issue(user, "tests")[1]
    call = getattr(client, method)
    response = call(
        "/api/v1" + path,
        json.dumps(body),
        content_type="application/json",
        headers={"X-Api-Key": key},
    )
    return response.status_code, response.json()


# --- workspaces and people (directory) ---


def test_creating_a_workspace_refuses_a_line_break(client, owner):
    client.force_login(owner)
    response = client.post(reverse("workspaces:create"), {"name": BAD, "region": "eu"})
    assert response.status_code == 400
    assert REFUSAL in response.content.decode()
    assert not Workspace.objects.exists()


def test_renaming_a_workspace_refuses_a_line_break(client, owner, workspace):
    client.force_login(owner)
    data = {"ws-name": BAD, "prefs-currency": "EUR", "prefs-duration_format": "full"}
    response = client.post(reverse("workspaces:settings", args=[workspace.id]), data)
    assert response.status_code == 400
    assert REFUSAL in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.name == "Owner's Team"


def test_the_api_refuses_a_workspace_name_with_a_line_break(client, owner):
    status, body = _api(client, owner, "post", "/workspaces", {"name": BAD, "region": "eu"})
    assert (status, body) == (400, {"message": f"name: {REFUSAL}", "code": 400})
    assert not Workspace.objects.exists()


def test_the_profile_refuses_a_name_with_a_line_break(client, owner):
    client.force_login(owner)
    data = {
        "name": BAD,
        "time_zone": "UTC",
        "week_start": "1",
        "date_format": "%Y-%m-%d",
        "time_format": "24",
    }
    response = client.post(reverse("workspaces:profile"), data)
    assert response.status_code == 400
    assert REFUSAL in response.content.decode()
    owner.refresh_from_db()
    assert owner.name == "Olivia Owner"


def test_an_api_key_name_is_one_line(client, owner):
    sign_in(client, owner)
    response = client.post(reverse("workspaces:api_keys"), {"name": BAD})
    assert response.status_code == 400
    assert REFUSAL in response.content.decode()
    with pytest.raises(CommandError, match="line breaks"):
        call_command("create_api_key", owner.email, name=BAD)
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("model", [Workspace, User])
def test_the_admin_refuses_names_with_a_line_break(owner, workspace, model):
    request = RequestFactory().get("/")
    request.user = make_user(name="Staff")
    row = workspace if model is Workspace else owner
    form_class = admin.site._registry[model].get_form(request, obj=row)
    form = form_class({"name": BAD}, instance=row)
    assert not form.is_valid()
    assert form.errors["name"] == [REFUSAL]


def test_an_invitation_from_a_workspace_named_over_two_lines_is_sent_on_one(
    client, owner, workspace, django_capture_on_commit_callbacks
):
    # Saved before names were checked, or by hand in the database.
    Workspace.objects.filter(pk=workspace.pk).update(name="Team\r\nBcc: x@example.com")
    client.force_login(owner)
    url = reverse("workspaces:invite", args=[workspace.id])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "new@example.com", "role": "member"})
    assert response.status_code == 302
    (sent,) = mail.outbox
    assert sent.subject == "Olivia Owner invited you to Team Bcc: x@example.com"
    assert sent.recipients() == ["new@example.com"]


def test_single_line_turns_breaks_and_controls_into_spaces():
    assert single_line("a\r\nb\tc\u2028d\x00e") == "a b c d e"
    assert single_line("  plain  ") == "plain"


# --- clients, projects, tasks and tags (region) ---


def _page_paths(workspace: Workspace) -> list[tuple[str, dict]]:
    """Each page that names a catalog row, with the rest of a valid form."""
    project = make_project(workspace, name="Website")
    task = make_task(project, workspace, name="Design")
    client = make_client(workspace, name="Acme")
    tag = make_tag(workspace, name="meeting")
    project_form = {"color": "#123abc", "visibility": "public"}
    ws = workspace.id
    return [
        (reverse("tracking:client_create", args=[ws]), {}),
        (reverse("tracking:client_edit", args=[ws, client.id]), {}),
        (reverse("tracking:project_create", args=[ws]), project_form),
        (reverse("tracking:project_edit", args=[ws, project.id]), project_form),
        (reverse("tracking:task_create", args=[ws, project.id]), {}),
        (reverse("tracking:task_edit", args=[ws, project.id, task.id]), {}),
        (reverse("tracking:tag_create", args=[ws]), {}),
        (reverse("tracking:tag_edit", args=[ws, tag.id]), {}),
    ]


def test_catalog_pages_refuse_names_with_a_line_break(client, owner, workspace):
    client.force_login(owner)
    for url, data in _page_paths(workspace):
        before = _names(workspace)
        response = client.post(url, data | {"name": BAD})
        assert response.status_code == 400, url
        assert REFUSAL in response.content.decode(), url
        assert _names(workspace) == before, url


def test_the_catalog_api_refuses_names_with_a_line_break(client, owner, workspace):
    project = make_project(workspace, name="Website")
    task = make_task(project, workspace, name="Design")
    client_row = make_client(workspace, name="Acme")
    tag = make_tag(workspace, name="meeting")
    ws = f"/workspaces/{workspace.id}"
    calls = [
        ("post", f"{ws}/clients"),
        ("put", f"{ws}/clients/{client_row.id}"),
        ("post", f"{ws}/projects"),
        ("put", f"{ws}/projects/{project.id}"),
        ("post", f"{ws}/projects/{project.id}/tasks"),
        ("put", f"{ws}/projects/{project.id}/tasks/{task.id}"),
        ("post", f"{ws}/tags"),
        ("put", f"{ws}/tags/{tag.id}"),
    ]
    before = _names(workspace)
    for method, path in calls:
        status, body = _api(client, owner, method, path, {"name": BAD})
        assert (status, body) == (400, {"message": f"name: {REFUSAL}", "code": 400}), path
    assert _names(workspace) == before
