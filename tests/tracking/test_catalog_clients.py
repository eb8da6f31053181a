"""The clients page: list, create, rename, archive and restore, delete."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_client, make_project, make_workspace
from tracking import forms_catalog
from tracking.models import Client
from workspaces.models import Workspace, WorkspaceSettings


def url(name: str, workspace: Workspace, *args: object) -> str:
    return reverse(f"tracking:{name}", args=[workspace.id, *args])


def names(workspace: Workspace) -> list[str]:
    return list(Client.objects.in_workspace(workspace).values_list("name", flat=True))


def let_members_manage(workspace: Workspace) -> None:
    WorkspaceSettings.objects.in_workspace(workspace).update(members_can_manage_projects=True)


# --- list ---


def test_members_read_the_list_without_controls(client, member, workspace):
    acme = make_client(workspace, "Acme")
    make_project(workspace, "Site", client=acme)
    make_client(workspace, "Old Corp", archived=True)
    client.force_login(member)
    response = client.get(url("clients", workspace))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Acme" in html and "Old Corp" not in html
    assert 'class="num">1</td>' in html
    assert "Add client" not in html and "Rename" not in html


def test_archived_and_all_filters(client, owner, workspace):
    make_client(workspace, "Active One")
    make_client(workspace, "Zzz Archived", archived=True)
    make_client(workspace, "Aaa Archived", archived=True)
    client.force_login(owner)
    html = client.get(url("clients", workspace), {"status": "archived"}).content.decode()
    assert "Aaa Archived" in html and "Active One" not in html
    html = client.get(url("clients", workspace), {"status": "all"}).content.decode()
    # Active clients first, then the archived ones, each group by name.
    assert html.index("Active One") < html.index("Aaa Archived") < html.index("Zzz Archived")
    html = client.get(url("clients", workspace), {"q": "zzz", "status": "all"}).content.decode()
    assert "Zzz Archived" in html and "Aaa Archived" not in html


def test_bad_filter_is_400_with_message(client, owner, workspace):
    client.force_login(owner)
    response = client.get(url("clients", workspace), {"status": "deleted"})
    assert response.status_code == 400
    assert "Choose active, archived or all." in response.content.decode()


def test_empty_states(client, owner, workspace):
    client.force_login(owner)
    assert "No clients yet" in client.get(url("clients", workspace)).content.decode()
    html = client.get(url("clients", workspace), {"status": "archived"}).content.decode()
    assert "No archived clients" in html


def test_list_runs_the_same_queries_for_one_or_twenty(client, owner, workspace, all_queries):
    make_project(workspace, client=make_client(workspace))
    client.force_login(owner)
    client.get(url("clients", workspace))
    with all_queries() as one:
        assert client.get(url("clients", workspace)).status_code == 200
    for _ in range(19):
        make_project(workspace, client=make_client(workspace))
    with all_queries() as twenty:
        client.get(url("clients", workspace))
    assert one.by_alias() == twenty.by_alias()
    assert set(one.by_alias()) == {"default", "eu"}


def test_list_login_required_404_elsewhere_and_405(client, owner, outsider, workspace):
    response = client.get(url("clients", workspace))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    client.force_login(outsider)
    assert client.get(url("clients", workspace)).status_code == 404
    client.force_login(owner)
    assert client.post(url("clients", workspace)).status_code == 405


# --- create ---


def test_admin_creates_a_trimmed_client(client, admin, workspace):
    client.force_login(admin)
    response = client.post(url("client_create", workspace), {"name": "  Acme Ltd  "})
    assert response.status_code == 302
    assert response["Location"] == url("clients", workspace)
    assert names(workspace) == ["Acme Ltd"]


def test_member_cannot_create_unless_the_workspace_allows_it(client, member, workspace):
    client.force_login(member)
    assert client.post(url("client_create", workspace), {"name": "Acme"}).status_code == 403
    assert names(workspace) == []
    let_members_manage(workspace)
    assert client.post(url("client_create", workspace), {"name": "Acme"}).status_code == 302
    assert names(workspace) == ["Acme"]
    assert "Add client" in client.get(url("clients", workspace)).content.decode()


def test_create_login_required_404_elsewhere_and_405(client, owner, outsider, workspace):
    assert client.post(url("client_create", workspace), {"name": "A"}).status_code == 302
    client.force_login(outsider)
    assert client.post(url("client_create", workspace), {"name": "A"}).status_code == 404
    client.force_login(owner)
    assert client.get(url("client_create", workspace)).status_code == 405
    assert names(workspace) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the client a name."),
        ("   ", "Give the client a name."),
        ("c" * 101, "at most 100 characters"),
        ("ACME", "There is already a client named “Acme”."),
        ("old corp", "It is archived: restore it instead."),
    ],
)
def test_bad_names_are_400_and_save_nothing(client, owner, workspace, name, message):
    make_client(workspace, "Acme")
    make_client(workspace, "Old Corp", archived=True)
    client.force_login(owner)
    response = client.post(url("client_create", workspace), {"name": name})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert sorted(names(workspace)) == ["Acme", "Old Corp"]


def test_same_name_is_fine_in_another_workspace(client, owner, workspace):
    other = make_workspace(owner, name="Other", region="us")
    make_client(other, "Acme")
    client.force_login(owner)
    assert client.post(url("client_create", workspace), {"name": "acme"}).status_code == 302


def test_a_duplicate_saved_meanwhile_is_a_form_error(client, owner, workspace, monkeypatch):
    make_client(workspace, "Acme")
    # As if another request saved "Acme" between this form's check and its insert.
    monkeypatch.setattr(forms_catalog, "find_same_name", lambda *args: None)
    client.force_login(owner)
    response = client.post(url("client_create", workspace), {"name": "ACME"})
    assert response.status_code == 400
    assert "There is already a client named “ACME”." in response.content.decode()
    assert names(workspace) == ["Acme"]


# --- rename ---


def test_rename_form_and_save(client, owner, workspace):
    acme = make_client(workspace, "Acme")
    client.force_login(owner)
    response = client.get(url("client_edit", workspace, acme.id))
    assert response.status_code == 200
    assert 'value="Acme"' in response.content.decode()
    # A change of case only is a rename of the same client, not a duplicate.
    response = client.post(url("client_edit", workspace, acme.id), {"name": "ACME "})
    assert response.status_code == 302
    assert names(workspace) == ["ACME"]


def test_rename_to_a_taken_name_is_400(client, owner, workspace):
    acme = make_client(workspace, "Acme")
    make_client(workspace, "Globex")
    client.force_login(owner)
    response = client.post(url("client_edit", workspace, acme.id), {"name": "GLOBEX"})
    assert response.status_code == 400
    assert "There is already a client named “Globex”." in response.content.decode()
    assert sorted(names(workspace)) == ["Acme", "Globex"]


def test_rename_access(client, owner, member, outsider, workspace):
    acme = make_client(workspace, "Acme")
    elsewhere = make_client(make_workspace(owner, name="Other", region="us"), "Theirs")
    edit = url("client_edit", workspace, acme.id)
    assert client.get(edit).status_code == 302
    client.force_login(outsider)
    assert client.post(edit, {"name": "X"}).status_code == 404
    client.force_login(member)
    assert client.post(edit, {"name": "X"}).status_code == 403
    client.force_login(owner)
    assert client.get(url("client_edit", workspace, elsewhere.id)).status_code == 404
    assert client.put(edit).status_code == 405
    assert names(workspace) == ["Acme"]


# --- archive and restore ---


def test_archive_and_restore(client, owner, workspace):
    acme = make_client(workspace, "Acme")
    client.force_login(owner)
    assert client.post(url("client_archive", workspace, acme.id)).status_code == 302
    assert Client.objects.in_workspace(workspace).get().archived
    assert client.post(url("client_restore", workspace, acme.id)).status_code == 302
    assert not Client.objects.in_workspace(workspace).get().archived


def test_the_page_after_archiving_shows_the_archived_name(client, owner, workspace):
    # The message names no content (sessions live in the directory), so the page must.
    acme = make_client(workspace, "Acme")
    client.force_login(owner)
    response = client.post(url("client_archive", workspace, acme.id), follow=True)
    html = response.content.decode()
    assert "Client archived" in html and "Acme" in html


def test_archive_access(client, owner, member, outsider, workspace):
    acme = make_client(workspace, "Acme")
    elsewhere = make_client(make_workspace(owner, name="Other", region="us"))
    assert client.post(url("client_archive", workspace, acme.id)).status_code == 302
    client.force_login(outsider)
    assert client.post(url("client_archive", workspace, acme.id)).status_code == 404
    client.force_login(member)
    assert client.post(url("client_archive", workspace, acme.id)).status_code == 403
    client.force_login(owner)
    assert client.post(url("client_archive", workspace, elsewhere.id)).status_code == 404
    assert client.get(url("client_archive", workspace, acme.id)).status_code == 405
    assert not Client.objects.in_workspace(workspace).get().archived


# --- delete ---


def test_delete_a_client_without_projects(client, owner, workspace):
    acme = make_client(workspace, "Acme")
    client.force_login(owner)
    html = client.get(url("clients", workspace)).content.decode()
    assert "Delete the client “Acme”? This cannot be undone." in html
    assert client.post(url("client_delete", workspace, acme.id)).status_code == 302
    assert names(workspace) == []


def test_a_client_with_projects_is_not_deleted(client, owner, workspace):
    acme = make_client(workspace, "Acme")
    make_project(workspace, client=acme, archived=True)
    client.force_login(owner)
    response = client.post(url("client_delete", workspace, acme.id))
    assert response.status_code == 400
    assert "“Acme” has projects, so it cannot be deleted. Archive it instead" in (
        response.content.decode()
    )
    assert names(workspace) == ["Acme"]


def test_delete_access(client, owner, member, outsider, workspace):
    acme = make_client(workspace, "Acme")
    elsewhere = make_client(make_workspace(owner, name="Other", region="us"))
    assert client.post(url("client_delete", workspace, acme.id)).status_code == 302
    client.force_login(outsider)
    assert client.post(url("client_delete", workspace, acme.id)).status_code == 404
    client.force_login(member)
    assert client.post(url("client_delete", workspace, acme.id)).status_code == 403
    client.force_login(owner)
    assert client.post(url("client_delete", workspace, elsewhere.id)).status_code == 404
    assert client.get(url("client_delete", workspace, acme.id)).status_code == 405
    assert names(workspace) == ["Acme"]
    let_members_manage(workspace)
    client.force_login(member)
    assert client.post(url("client_delete", workspace, acme.id)).status_code == 302
    assert names(workspace) == []
