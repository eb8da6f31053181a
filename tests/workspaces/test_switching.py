"""The header: the current workspace and its region on every page, and the switcher."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import make_workspace


def test_index_sends_people_where_they_belong(client, owner, workspace):
    assert client.get("/")["Location"] == reverse("account_login")
    client.force_login(owner)
    assert client.get("/")["Location"] == reverse("workspaces:home", args=[workspace.id])


def test_index_without_workspace_asks_to_create_one(client, django_user_model):
    from tests.factories import make_user

    client.force_login(make_user())
    assert client.get("/")["Location"] == reverse("workspaces:create")


def test_opening_a_workspace_makes_it_current_and_shows_its_region(client, owner, workspace):
    other = make_workspace(owner, name="Sydney Office", region="au")
    client.force_login(owner)

    response = client.get(reverse("workspaces:home", args=[workspace.id]), follow=True)
    html = response.content.decode()
    owner.refresh_from_db()
    assert owner.active_workspace == workspace
    assert '<span class="switcher-name">Owner&#x27;s Team</span>' in html
    assert 'class="region-badge"' in html and "EU (Germany)</span>" in html
    assert reverse("workspaces:home", args=[other.id]) in html

    response = client.get(reverse("privacy:policy"))
    assert '<span class="switcher-name">Owner&#x27;s Team</span>' in response.content.decode()

    client.get(reverse("workspaces:home", args=[other.id]))
    owner.refresh_from_db()
    assert owner.active_workspace == other
    html = client.get(reverse("privacy:policy")).content.decode()
    assert '<span class="switcher-name">Sydney Office</span>' in html
    assert "Australia</span>" in html


def test_home_login_required_and_404_elsewhere(client, outsider, workspace):
    home = reverse("workspaces:home", args=[workspace.id])
    assert client.get(home).status_code == 302
    client.force_login(outsider)
    assert client.get(home).status_code == 404
    assert client.post(home).status_code == 405
    outsider.refresh_from_db()
    assert outsider.active_workspace != workspace


def test_unknown_workspace_id_is_404(client, owner):
    client.force_login(owner)
    url = reverse("workspaces:home", args=["00000000-0000-7000-8000-000000000000"])
    response = client.get(url)
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.content.decode()
    assert client.get("/w/not-a-uuid/").status_code == 404
