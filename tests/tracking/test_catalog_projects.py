"""The projects pages: list, create, edit (rates, access), the project page, archive, delete."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_client, make_project, make_task, make_workspace
from tracking import forms_catalog
from tracking.models import (
    MemberRate,
    Project,
    ProjectMember,
    Task,
    TimeEntry,
)
from workspaces.models import User, Workspace, WorkspaceSettings


def url(name: str, workspace: Workspace, *args: object) -> str:
    return reverse(f"tracking:{name}", args=[workspace.id, *args])


def projects_of(workspace: Workspace) -> list[Project]:
    return list(Project.objects.in_workspace(workspace))


def members_of(workspace: Workspace, project: Project) -> set[int]:
    rows = ProjectMember.objects.in_workspace(workspace).filter(project=project)
    return set(rows.values_list("user_id", flat=True))


def let_members_manage(workspace: Workspace) -> None:
    WorkspaceSettings.objects.in_workspace(workspace).update(members_can_manage_projects=True)


def make_entry(workspace: Workspace, user: User, project: Project, rate: str | None) -> TimeEntry:
    start = timezone.now() - timedelta(hours=3)
    return TimeEntry.objects.in_workspace(workspace).create(
        user_id=user.pk,
        project=project,
        billable=True,
        start=start,
        end=start + timedelta(hours=1),
        hourly_rate=None if rate is None else Decimal(rate),
    )


VALID = {"name": "Website", "color": "#E0457B", "billable": "on", "visibility": "public"}


# --- list ---


def test_list_shows_client_colour_billing_rate_and_access(client, member, workspace):
    acme = make_client(workspace, "Acme")
    make_project(workspace, "Website", client=acme, color="#e0457b", hourly_rate=Decimal("80"))
    make_project(workspace, "Internal", billable=False)
    make_project(workspace, "Old", archived=True)
    client.force_login(member)
    response = client.get(url("projects", workspace))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Website" in html and "Acme" in html and "Internal" in html and "Old" not in html
    assert '<rect width="12" height="12" rx="3" fill="#e0457b"/>' in html
    assert "80.00 EUR" in html
    assert "style=" not in html
    assert "New project" not in html


def test_private_projects_show_to_admins_and_their_members_only(client, admin, member, workspace):
    secret = make_project(workspace, "Secret", is_public=False)
    shared = make_project(workspace, "Shared Private", is_public=False)
    ProjectMember.objects.in_workspace(workspace).create(project=shared, user_id=member.pk)
    client.force_login(member)
    html = client.get(url("projects", workspace)).content.decode()
    assert "Shared Private" in html and "Secret" not in html
    assert client.get(url("project", workspace, secret.id)).status_code == 404
    assert client.get(url("project", workspace, shared.id)).status_code == 200
    client.force_login(admin)
    html = client.get(url("projects", workspace)).content.decode()
    assert "Shared Private" in html and "Secret" in html


def test_archived_filter(client, owner, workspace):
    make_project(workspace, "Current")
    make_project(workspace, "Finished", archived=True)
    client.force_login(owner)
    html = client.get(url("projects", workspace), {"status": "archived"}).content.decode()
    assert "Finished" in html and "Current" not in html
    response = client.get(url("projects", workspace), {"q": "x" * 251})
    assert response.status_code == 400
    assert "at most 250 characters" in response.content.decode()


def test_list_runs_the_same_queries_for_one_or_twenty(client, member, workspace, all_queries):
    def add_project() -> None:
        project = make_project(workspace, client=make_client(workspace), is_public=False)
        ProjectMember.objects.in_workspace(workspace).create(project=project, user_id=member.pk)

    add_project()
    client.force_login(member)
    client.get(url("projects", workspace))
    with all_queries() as one:
        assert client.get(url("projects", workspace)).status_code == 200
    for _ in range(19):
        add_project()
    with all_queries() as twenty:
        html = client.get(url("projects", workspace)).content.decode()
    assert html.count('class="swatch"') == 20
    assert one.by_alias() == twenty.by_alias()


def test_list_login_required_404_elsewhere_and_405(client, owner, outsider, workspace):
    assert client.get(url("projects", workspace)).status_code == 302
    client.force_login(outsider)
    assert client.get(url("projects", workspace)).status_code == 404
    client.force_login(owner)
    assert client.post(url("projects", workspace)).status_code == 405


# --- create ---


def test_form_offers_this_workspaces_active_clients_and_its_members(client, owner, workspace):
    make_client(workspace, "Acme")
    make_client(workspace, "Gone Corp", archived=True)
    make_client(make_workspace(owner, name="Other", region="us"), "Not Here")
    client.force_login(owner)
    response = client.get(url("project_create", workspace))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Acme" in html and "Gone Corp" not in html and "Not Here" not in html
    assert "Olivia Owner (owner@example.com)" in html
    assert 'type="color"' in html and 'value="#2f6fdf"' in html
    assert "past entries" not in html


def test_admin_creates_a_private_project_with_members(client, admin, member, workspace):
    acme = make_client(workspace, "Acme")
    client.force_login(admin)
    data = VALID | {
        "name": " Website ",
        "client": acme.id,
        "hourly_rate": "95.50",
        "visibility": "private",
        "members": [member.pk],
    }
    response = client.post(url("project_create", workspace), data)
    project = Project.objects.in_workspace(workspace).get()
    assert response.status_code == 302
    assert response["Location"] == url("project", workspace, project.id)
    assert (project.name, project.client, project.color) == ("Website", acme, "#e0457b")
    assert (project.billable, project.hourly_rate, project.is_public) == (
        True,
        Decimal("95.50"),
        False,
    )
    assert members_of(workspace, project) == {member.pk}


def test_unchecked_billable_means_not_billable(client, owner, workspace):
    client.force_login(owner)
    data = {k: v for k, v in VALID.items() if k != "billable"}
    assert client.post(url("project_create", workspace), data).status_code == 302
    assert projects_of(workspace)[0].billable is False


def test_member_cannot_create_unless_allowed_and_keeps_access_to_private(client, member, workspace):
    client.force_login(member)
    assert client.get(url("project_create", workspace)).status_code == 403
    assert client.post(url("project_create", workspace), VALID).status_code == 403
    assert projects_of(workspace) == []
    let_members_manage(workspace)
    data = VALID | {"visibility": "private"}
    response = client.post(url("project_create", workspace), data, follow=True)
    assert response.status_code == 200
    project = Project.objects.in_workspace(workspace).get()
    # The member made it private without ticking themselves: they are added, or they'd lose it.
    assert members_of(workspace, project) == {member.pk}


def test_create_login_required_404_elsewhere_and_405(client, owner, outsider, workspace):
    assert client.post(url("project_create", workspace), VALID).status_code == 302
    client.force_login(outsider)
    assert client.post(url("project_create", workspace), VALID).status_code == 404
    client.force_login(owner)
    assert client.put(url("project_create", workspace)).status_code == 405
    assert projects_of(workspace) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "  "}, "Give the project a name."),
        ({"name": "p" * 251}, "at most 250 characters"),
        ({"name": "WEBSITE", "client": "acme"}, "There is already a project named “Website” for"),
        ({"name": "internal"}, "There is already a project named “Internal” without a client."),
        ({"color": "red"}, "Use a colour like #2f6fdf."),
        ({"color": "#12345g"}, "Use a colour like #2f6fdf."),
        ({"hourly_rate": "-1"}, "A rate cannot be negative."),
        ({"hourly_rate": "1.005"}, "no more than 2 decimal places"),
        ({"hourly_rate": "12345678901"}, "no more than 10 digits before the decimal point"),
        ({"hourly_rate": "ten"}, "Enter a number."),
        ({"client": "elsewhere"}, "Choose one of this workspace&#x27;s active clients."),
        ({"client": "archived"}, "Choose one of this workspace&#x27;s active clients."),
        ({"visibility": "secret"}, "Choose public or private."),
        ({"members": ["outsider"]}, "Choose members of this workspace only."),
    ],
)
def test_bad_input_is_400_and_saves_nothing(client, owner, outsider, workspace, change, message):
    acme = make_client(workspace, "Acme")
    make_project(workspace, "Website", client=acme)
    make_project(workspace, "Internal")
    clients = {
        "acme": acme.id,
        "archived": make_client(workspace, "Gone", archived=True).id,
        "elsewhere": make_client(make_workspace(owner, name="Other", region="us"), "Acme").id,
    }
    data = VALID | change
    if "client" in change:
        data["client"] = clients[change["client"]]
    if change.get("members") == ["outsider"]:
        data["members"] = [outsider.pk]
    client.force_login(owner)
    response = client.post(url("project_create", workspace), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert len(projects_of(workspace)) == 2


def test_same_name_for_another_client_is_fine(client, owner, workspace):
    make_project(workspace, "Website", client=make_client(workspace, "Acme"))
    globex = make_client(workspace, "Globex")
    client.force_login(owner)
    response = client.post(url("project_create", workspace), VALID | {"client": globex.id})
    assert response.status_code == 302
    response = client.post(url("project_create", workspace), VALID | {"name": "website"})
    assert response.status_code == 302
    assert len(projects_of(workspace)) == 3


def test_a_duplicate_saved_meanwhile_is_a_form_error(client, owner, workspace, monkeypatch):
    make_project(workspace, "Website")
    monkeypatch.setattr(forms_catalog, "find_same_name", lambda *args: None)
    client.force_login(owner)
    response = client.post(url("project_create", workspace), VALID | {"name": "WEBSITE"})
    assert response.status_code == 400
    assert "There is already a project named “WEBSITE” without a client." in (
        response.content.decode()
    )
    assert len(projects_of(workspace)) == 1


# --- edit ---


def test_edit_shows_current_values_and_saves_changes(client, owner, member, workspace):
    old_client = make_client(workspace, "Old Client", archived=True)
    project = make_project(workspace, "Website", client=old_client, hourly_rate=Decimal("50"))
    ProjectMember.objects.in_workspace(workspace).create(project=project, user_id=member.pk)
    client.force_login(owner)
    html = client.get(url("project_edit", workspace, project.id)).content.decode()
    # The project's own archived client stays selectable, so editing does not force it off.
    assert "Old Client (archived)" in html
    assert 'value="50.00"' in html
    assert "Apply the rate to this project" in html
    data = VALID | {"name": "Site", "client": old_client.id, "visibility": "private"}
    response = client.post(url("project_edit", workspace, project.id), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.client_id, project.hourly_rate) == ("Site", old_client.id, None)
    assert project.is_public is False
    assert members_of(workspace, project) == set()


def test_rate_change_leaves_history_unless_asked(client, owner, member, workspace):
    project = make_project(workspace, "Website", hourly_rate=Decimal("50"))
    entry = make_entry(workspace, member, project, "50")
    client.force_login(owner)
    edit = url("project_edit", workspace, project.id)
    client.post(edit, VALID | {"hourly_rate": "70"})
    entry.refresh_from_db()
    assert entry.hourly_rate == Decimal("50")
    response = client.post(edit, VALID | {"hourly_rate": "80", "apply_rate_to_past": "on"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.hourly_rate == Decimal("80")


def test_clearing_the_rate_and_applying_falls_back_to_the_member_rate(
    client, owner, member, workspace
):
    project = make_project(workspace, "Website", hourly_rate=Decimal("50"))
    entry = make_entry(workspace, member, project, "50")
    MemberRate.objects.in_workspace(workspace).create(user_id=member.pk, hourly_rate=30)
    client.force_login(owner)
    data = VALID | {"hourly_rate": "", "apply_rate_to_past": "on"}
    client.post(url("project_edit", workspace, project.id), data)
    entry.refresh_from_db()
    assert entry.hourly_rate == Decimal("30")


def test_edit_bad_input_changes_nothing(client, owner, member, workspace):
    project = make_project(workspace, "Website", hourly_rate=Decimal("50"))
    entry = make_entry(workspace, member, project, "50")
    client.force_login(owner)
    data = VALID | {"name": "Renamed", "hourly_rate": "-5", "apply_rate_to_past": "on"}
    response = client.post(url("project_edit", workspace, project.id), data)
    assert response.status_code == 400
    assert "A rate cannot be negative." in response.content.decode()
    project.refresh_from_db()
    entry.refresh_from_db()
    assert (project.name, project.hourly_rate, entry.hourly_rate) == (
        "Website",
        Decimal("50"),
        Decimal("50"),
    )


def test_edit_access(client, owner, member, outsider, workspace):
    project = make_project(workspace, "Website")
    elsewhere = make_project(make_workspace(owner, name="Other", region="us"))
    edit = url("project_edit", workspace, project.id)
    assert client.get(edit).status_code == 302
    client.force_login(outsider)
    assert client.post(edit, VALID | {"name": "X"}).status_code == 404
    client.force_login(member)
    assert client.post(edit, VALID | {"name": "X"}).status_code == 403
    client.force_login(owner)
    assert client.get(url("project_edit", workspace, elsewhere.id)).status_code == 404
    assert client.delete(edit).status_code == 405
    assert projects_of(workspace)[0].name == "Website"
    let_members_manage(workspace)
    client.force_login(member)
    assert client.post(edit, VALID | {"name": "X"}).status_code == 302
    assert projects_of(workspace)[0].name == "X"


# --- the project page ---


def test_project_page_shows_tasks_and_private_members(client, member, workspace):
    project = make_project(workspace, "Website", is_public=False)
    ProjectMember.objects.in_workspace(workspace).create(project=project, user_id=member.pk)
    make_task(project, workspace, "Design")
    make_task(make_project(workspace), workspace, "Other project's task")
    client.force_login(member)
    html = client.get(url("project", workspace, project.id)).content.decode()
    assert "Design" in html and "Other project" not in html
    assert "Max Member" in html and "Olivia Owner" not in html
    assert "Add task" not in html


def test_project_page_runs_the_same_queries_for_one_or_twenty_tasks(
    client, owner, workspace, all_queries
):
    project = make_project(workspace, "Website", client=make_client(workspace))
    make_task(project, workspace)
    client.force_login(owner)
    client.get(url("project", workspace, project.id))
    with all_queries() as one:
        assert client.get(url("project", workspace, project.id)).status_code == 200
    for _ in range(19):
        make_task(project, workspace)
    with all_queries() as twenty:
        client.get(url("project", workspace, project.id))
    assert one.by_alias() == twenty.by_alias()


def test_project_page_login_required_404_elsewhere_and_405(client, owner, outsider, workspace):
    project = make_project(workspace)
    elsewhere = make_project(make_workspace(owner, name="Other", region="us"))
    assert client.get(url("project", workspace, project.id)).status_code == 302
    client.force_login(outsider)
    assert client.get(url("project", workspace, project.id)).status_code == 404
    client.force_login(owner)
    assert client.get(url("project", workspace, elsewhere.id)).status_code == 404
    assert client.post(url("project", workspace, project.id)).status_code == 405


# --- archive and delete ---


def test_archive_and_restore(client, owner, member, outsider, workspace):
    project = make_project(workspace)
    client.force_login(outsider)
    assert client.post(url("project_archive", workspace, project.id)).status_code == 404
    client.force_login(member)
    assert client.post(url("project_archive", workspace, project.id)).status_code == 403
    client.force_login(owner)
    assert client.get(url("project_archive", workspace, project.id)).status_code == 405
    assert client.post(url("project_archive", workspace, project.id)).status_code == 302
    assert projects_of(workspace)[0].archived
    assert client.post(url("project_restore", workspace, project.id)).status_code == 302
    assert not projects_of(workspace)[0].archived


def test_delete_removes_the_project_with_its_tasks_and_members(client, owner, member, workspace):
    project = make_project(workspace, is_public=False)
    make_task(project, workspace)
    ProjectMember.objects.in_workspace(workspace).create(project=project, user_id=member.pk)
    client.force_login(owner)
    response = client.post(url("project_delete", workspace, project.id))
    assert response.status_code == 302
    assert projects_of(workspace) == []
    assert not Task.objects.in_workspace(workspace).exists()
    assert not ProjectMember.objects.in_workspace(workspace).exists()


def test_a_project_with_entries_is_not_deleted(client, owner, member, workspace):
    project = make_project(workspace, "Website")
    make_entry(workspace, member, project, None)
    client.force_login(owner)
    page = client.get(url("project", workspace, project.id)).content.decode()
    assert "“Website” has time entries, so it cannot be deleted." in page
    response = client.post(url("project_delete", workspace, project.id))
    assert response.status_code == 400
    assert "“Website” has time entries, so it cannot be deleted. Archive it instead" in (
        response.content.decode()
    )
    assert projects_of(workspace) == [project]


def test_delete_access(client, owner, member, outsider, workspace):
    project = make_project(workspace)
    elsewhere = make_project(make_workspace(owner, name="Other", region="us"))
    assert client.post(url("project_delete", workspace, project.id)).status_code == 302
    client.force_login(outsider)
    assert client.post(url("project_delete", workspace, project.id)).status_code == 404
    client.force_login(member)
    assert client.post(url("project_delete", workspace, project.id)).status_code == 403
    client.force_login(owner)
    assert client.post(url("project_delete", workspace, elsewhere.id)).status_code == 404
    assert client.get(url("project_delete", workspace, project.id)).status_code == 405
    assert projects_of(workspace) == [project]
