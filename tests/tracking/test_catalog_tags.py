"""The tags page: list, create, rename, archive and restore, delete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_tag, make_workspace
from tracking import forms_catalog
from tracking.models import Tag, TimeEntry
from workspaces.models import Workspace, WorkspaceSettings


def url(name: str, workspace: Workspace, *args: object) -> str:
    return reverse(f"tracking:{name}", args=[workspace.id, *args])


def names(workspace: Workspace) -> list[str]:
    return list(Tag.objects.in_workspace(workspace).values_list("name", flat=True))


def tagged_entry(workspace: Workspace, user_id: int, *tags: Tag) -> TimeEntry:
    start = timezone.now() - timedelta(hours=2)
    entry = TimeEntry.objects.in_workspace(workspace).create(
        user_id=user_id, start=start, end=start + timedelta(hours=1)
    )
    entry.set_tags(workspace, tags)
    return entry


# --- list ---


def test_members_read_the_list_with_usage(client, owner, member, workspace):
    standup = make_tag(workspace, "standup")
    make_tag(workspace, "retired", archived=True)
    tagged_entry(workspace, owner.pk, standup)
    client.force_login(member)
    response = client.get(url("tags", workspace))
    html = response.content.decode()
    assert response.status_code == 200
    assert "standup" in html and "retired" not in html
    assert 'class="num">1</td>' in html
    assert "Add tag" not in html
    html = client.get(url("tags", workspace), {"status": "archived"}).content.decode()
    assert "retired" in html and "standup" not in html


def test_list_runs_the_same_queries_for_one_or_twenty(client, owner, workspace, all_queries):
    tagged_entry(workspace, owner.pk, make_tag(workspace))
    client.force_login(owner)
    client.get(url("tags", workspace))
    with all_queries() as one:
        assert client.get(url("tags", workspace)).status_code == 200
    for _ in range(19):
        tagged_entry(workspace, owner.pk, make_tag(workspace))
    with all_queries() as twenty:
        client.get(url("tags", workspace))
    assert one.by_alias() == twenty.by_alias()


def test_list_login_required_404_elsewhere_and_405(client, owner, outsider, workspace):
    assert client.get(url("tags", workspace)).status_code == 302
    client.force_login(outsider)
    assert client.get(url("tags", workspace)).status_code == 404
    client.force_login(owner)
    assert client.post(url("tags", workspace)).status_code == 405


# --- create ---


def test_create_and_member_rights(client, owner, member, outsider, workspace):
    assert client.post(url("tag_create", workspace), {"name": "x"}).status_code == 302
    client.force_login(outsider)
    assert client.post(url("tag_create", workspace), {"name": "x"}).status_code == 404
    client.force_login(member)
    assert client.post(url("tag_create", workspace), {"name": "x"}).status_code == 403
    assert client.get(url("tag_create", workspace)).status_code == 405
    assert names(workspace) == []
    WorkspaceSettings.objects.in_workspace(workspace).update(members_can_manage_projects=True)
    assert client.post(url("tag_create", workspace), {"name": " travel "}).status_code == 302
    client.force_login(owner)
    assert client.post(url("tag_create", workspace), {"name": "meeting"}).status_code == 302
    assert names(workspace) == ["meeting", "travel"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the tag a name."),
        ("t" * 101, "at most 100 characters"),
        ("Meeting", "There is already a tag named “meeting”."),
        ("RETIRED", "It is archived: restore it instead."),
    ],
)
def test_bad_names_are_400_and_save_nothing(client, owner, workspace, name, message):
    make_tag(workspace, "meeting")
    make_tag(workspace, "retired", archived=True)
    client.force_login(owner)
    response = client.post(url("tag_create", workspace), {"name": name})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert names(workspace) == ["meeting", "retired"]


def test_a_duplicate_saved_meanwhile_is_a_form_error(client, owner, workspace, monkeypatch):
    make_tag(workspace, "meeting")
    monkeypatch.setattr(forms_catalog, "find_same_name", lambda *args: None)
    client.force_login(owner)
    response = client.post(url("tag_create", workspace), {"name": "MEETING"})
    assert response.status_code == 400
    assert "There is already a tag named “MEETING”." in response.content.decode()
    assert names(workspace) == ["meeting"]


# --- rename, archive, delete ---


def test_rename(client, owner, workspace):
    tag = make_tag(workspace, "meeting")
    make_tag(workspace, "travel")
    client.force_login(owner)
    edit = url("tag_edit", workspace, tag.id)
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"name": "Travel"})
    assert response.status_code == 400
    assert "There is already a tag named “travel”." in response.content.decode()
    assert client.post(edit, {"name": "meetings"}).status_code == 302
    assert names(workspace) == ["meetings", "travel"]


def test_archive_restore_and_delete(client, owner, workspace):
    tag = make_tag(workspace, "meeting")
    entry = tagged_entry(workspace, owner.pk, tag)
    client.force_login(owner)
    assert client.post(url("tag_archive", workspace, tag.id)).status_code == 302
    assert Tag.objects.in_workspace(workspace).get().archived
    assert client.post(url("tag_restore", workspace, tag.id)).status_code == 302
    assert not Tag.objects.in_workspace(workspace).get().archived
    html = client.get(url("tags", workspace)).content.decode()
    assert "It is removed from its entries; the entries stay." in html
    assert client.post(url("tag_delete", workspace, tag.id)).status_code == 302
    assert names(workspace) == []
    assert list(TimeEntry.objects.in_workspace(workspace)) == [entry]
    assert not entry.tags.exists()


@pytest.mark.parametrize("name", ["tag_edit", "tag_archive", "tag_restore", "tag_delete"])
def test_tag_access(client, owner, member, outsider, workspace, name):
    tag = make_tag(workspace, "meeting")
    elsewhere = make_tag(make_workspace(owner, name="Other", region="us"))
    target = url(name, workspace, tag.id)
    assert client.post(target, {"name": "x"}).status_code == 302
    client.force_login(outsider)
    assert client.post(target, {"name": "x"}).status_code == 404
    client.force_login(member)
    assert client.post(target, {"name": "x"}).status_code == 403
    client.force_login(owner)
    assert client.post(url(name, workspace, elsewhere.id), {"name": "x"}).status_code == 404
    assert client.put(target).status_code == 405
    tag.refresh_from_db()
    assert (tag.name, tag.archived) == ("meeting", False)
