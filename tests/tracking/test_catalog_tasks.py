"""Tasks on the project page: add, rename, mark done or active, delete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_project, make_task, make_workspace
from tracking import forms_catalog
from tracking.models import Project, ProjectMember, Task, TaskStatus, TimeEntry
from workspaces.models import Workspace, WorkspaceSettings


def url(name: str, workspace: Workspace, project: Project, *args: object) -> str:
    return reverse(f"tracking:{name}", args=[workspace.id, project.id, *args])


def task_names(workspace: Workspace, project: Project) -> list[str]:
    tasks = Task.objects.in_workspace(workspace).filter(project=project)
    return list(tasks.values_list("name", flat=True))


def let_members_manage(workspace: Workspace) -> None:
    WorkspaceSettings.objects.in_workspace(workspace).update(members_can_manage_projects=True)


# --- add ---


def test_add_a_task(client, owner, workspace):
    project = make_project(workspace)
    client.force_login(owner)
    response = client.post(url("task_create", workspace, project), {"name": " Design "})
    assert response.status_code == 302
    assert response["Location"] == url("project", workspace, project)
    task = Task.objects.in_workspace(workspace).get()
    assert (task.name, task.status, task.project_id) == ("Design", TaskStatus.ACTIVE, project.id)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the task a name."),
        ("t" * 1001, "at most 1000 characters"),
        ("DESIGN", "There is already a task named “Design” in this project."),
    ],
)
def test_bad_names_are_400_and_save_nothing(client, owner, workspace, name, message):
    project = make_project(workspace)
    make_task(project, workspace, "Design")
    client.force_login(owner)
    response = client.post(url("task_create", workspace, project), {"name": name})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert task_names(workspace, project) == ["Design"]


def test_the_same_name_is_fine_in_another_project(client, owner, workspace):
    make_task(make_project(workspace), workspace, "Design")
    project = make_project(workspace)
    client.force_login(owner)
    assert (
        client.post(url("task_create", workspace, project), {"name": "design"}).status_code == 302
    )


def test_a_duplicate_saved_meanwhile_is_a_form_error(client, owner, workspace, monkeypatch):
    project = make_project(workspace)
    make_task(project, workspace, "Design")
    monkeypatch.setattr(forms_catalog, "find_same_name", lambda *args: None)
    client.force_login(owner)
    response = client.post(url("task_create", workspace, project), {"name": "design"})
    assert response.status_code == 400
    assert "There is already a task named “design” in this project." in response.content.decode()
    assert task_names(workspace, project) == ["Design"]


def test_add_access(client, owner, member, outsider, workspace):
    project = make_project(workspace)
    elsewhere = make_project(make_workspace(owner, name="Other", region="us"))
    add = url("task_create", workspace, project)
    assert client.post(add, {"name": "A"}).status_code == 302
    client.force_login(outsider)
    assert client.post(add, {"name": "A"}).status_code == 404
    client.force_login(member)
    assert client.post(add, {"name": "A"}).status_code == 403
    client.force_login(owner)
    assert client.post(url("task_create", workspace, elsewhere), {"name": "A"}).status_code == 404
    assert client.get(add).status_code == 405
    assert task_names(workspace, project) == []
    let_members_manage(workspace)
    client.force_login(member)
    assert client.post(add, {"name": "A"}).status_code == 302
    assert task_names(workspace, project) == ["A"]


def test_a_private_project_they_are_not_on_is_404_for_a_managing_member(client, member, workspace):
    let_members_manage(workspace)
    hidden = make_project(workspace, is_public=False)
    mine = make_project(workspace, is_public=False)
    ProjectMember.objects.in_workspace(workspace).create(project=mine, user_id=member.pk)
    client.force_login(member)
    assert client.post(url("task_create", workspace, hidden), {"name": "A"}).status_code == 404
    assert client.post(url("task_create", workspace, mine), {"name": "A"}).status_code == 302


# --- rename, done, delete ---


def test_rename(client, owner, workspace):
    project = make_project(workspace)
    task = make_task(project, workspace, "Design")
    make_task(project, workspace, "Build")
    client.force_login(owner)
    edit = url("task_edit", workspace, project, task.id)
    assert 'value="Design"' in client.get(edit).content.decode()
    response = client.post(edit, {"name": "build"})
    assert response.status_code == 400
    assert "There is already a task named “Build” in this project." in response.content.decode()
    assert client.post(edit, {"name": "Visual design"}).status_code == 302
    assert sorted(task_names(workspace, project)) == ["Build", "Visual design"]


def test_mark_done_and_active(client, owner, workspace):
    project = make_project(workspace)
    task = make_task(project, workspace, "Design")
    client.force_login(owner)
    assert client.post(url("task_done", workspace, project, task.id)).status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert "Mark active" in client.get(url("project", workspace, project)).content.decode()
    assert client.post(url("task_active", workspace, project, task.id)).status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.ACTIVE


def test_delete_keeps_the_entries_without_the_task(client, owner, workspace):
    project = make_project(workspace)
    task = make_task(project, workspace, "Design")
    start = timezone.now() - timedelta(hours=2)
    entry = TimeEntry.objects.in_workspace(workspace).create(
        user_id=owner.pk, project=project, task=task, start=start, end=start + timedelta(hours=1)
    )
    client.force_login(owner)
    html = client.get(url("project", workspace, project)).content.decode()
    assert "Its entries keep their time and project, without a task." in html
    assert client.post(url("task_delete", workspace, project, task.id)).status_code == 302
    assert task_names(workspace, project) == []
    entry.refresh_from_db()
    assert (entry.task_id, entry.project_id) == (None, project.id)


@pytest.mark.parametrize("name", ["task_edit", "task_done", "task_active", "task_delete"])
def test_task_access(client, owner, member, outsider, workspace, name):
    project = make_project(workspace)
    task = make_task(project, workspace, "Design")
    other_project = make_project(workspace)
    other_ws = make_workspace(owner, name="Other", region="us")
    elsewhere = make_task(make_project(other_ws), other_ws)
    target = url(name, workspace, project, task.id)
    assert client.post(target, {"name": "X"}).status_code == 302
    client.force_login(outsider)
    assert client.post(target, {"name": "X"}).status_code == 404
    client.force_login(member)
    assert client.post(target, {"name": "X"}).status_code == 403
    client.force_login(owner)
    # The task must belong to the project in the URL, and that project to the workspace.
    assert client.post(url(name, workspace, other_project, task.id), {"name": "X"}).status_code == (
        404
    )
    assert client.post(url(name, workspace, project, elsewhere.id), {"name": "X"}).status_code == (
        404
    )
    assert client.put(target).status_code == 405
    task.refresh_from_db()
    assert (task.name, task.status) == ("Design", TaskStatus.ACTIVE)
