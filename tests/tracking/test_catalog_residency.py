"""Catalog rows made through the pages land in the workspace's region database only."""

from __future__ import annotations

from django.db import connections
from django.urls import reverse

from tests.factories import add_member, make_workspace
from tracking.models import Client, MemberRate, Project, ProjectMember, Tag, Task
from workspaces.regions import REGION_ALIASES

TABLES = [Client, Project, ProjectMember, Task, Tag, MemberRate]


def rows_per_region(model: type) -> dict[str, int]:
    """Count a table's rows in every region, bypassing the ORM and its router."""
    counts = {}
    for alias in REGION_ALIASES:
        with connections[alias].cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {model._meta.db_table}")
            counts[alias] = cursor.fetchone()[0]
    return counts


def test_everything_the_catalog_pages_create_stays_in_the_region(client, owner):
    workspace = make_workspace(owner, name="London", region="uk")
    colleague = add_member(workspace)
    client.force_login(owner)

    def go(name: str, data: dict, *args: object) -> None:
        response = client.post(reverse(f"tracking:{name}", args=[workspace.id, *args]), data)
        assert response.status_code == 302, response.content.decode()

    go("client_create", {"name": "Acme"})
    acme = Client.objects.in_workspace(workspace).get()
    go(
        "project_create",
        {
            "name": "Site",
            "client": acme.id,
            "color": "#123abc",
            "visibility": "private",
            "members": [colleague.user_id],
        },
    )
    project = Project.objects.in_workspace(workspace).get()
    go("task_create", {"name": "Design"}, project.id)
    go("tag_create", {"name": "meeting"})
    go("rate_update", {f"m{colleague.pk}-hourly_rate": "40"}, colleague.pk)

    for model in TABLES:
        assert model.objects.in_workspace(workspace).count() == 1, model
        assert rows_per_region(model) == {"us": 0, "eu": 0, "uk": 1, "au": 0}, model
