"""A workspace can require two-factor authentication of its admins and owner.

Turning it on needs one's own two-factor authentication. While it is on, an admin (or the
owner) without it is sent to set it up from every admin page, the API answers their admin
operations 403 with the reason, and everything a member may do keeps working for them.
"""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clockify.api import api
from tests.factories import (
    add_member,
    give_mfa,
    make_client,
    make_project,
    make_tag,
    make_task,
    make_user,
)
from tracking.models import TimeEntry
from workspaces.access import ADMIN_MFA_REQUIRED, ADMIN_MFA_REQUIRED_API
from workspaces.models import ApiKey, Invitation, Role, Workspace

SETUP = reverse("mfa_activate_totp")


def require_mfa(workspace: Workspace, required: bool = True) -> None:
    workspace.require_admin_mfa = required
    workspace.save(update_fields=["require_admin_mfa"])


def toggle(client: Any, workspace: Workspace, on: bool) -> Any:
    data = {"mfa-require_admin_mfa": "on"} if on else {}
    return client.post(reverse("workspaces:admin_mfa", args=[workspace.id]), data)


def said(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Turning it on and off ---


def test_turning_it_on_needs_your_own_two_factor(client, owner, workspace):
    client.force_login(owner)
    response = toggle(client, workspace, on=True)
    assert response.status_code == 400
    assert "Set up two-factor authentication for yourself first" in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.require_admin_mfa is False


def test_the_owner_with_two_factor_turns_it_on(client, owner, workspace):
    give_mfa(owner)
    client.force_login(owner)
    response = toggle(client, workspace, on=True)
    assert response.status_code == 302
    assert "Admins now need two-factor authentication to use admin pages." in said(response)
    workspace.refresh_from_db()
    assert workspace.require_admin_mfa is True


def test_an_admin_with_two_factor_turns_it_on_and_off(client, admin, workspace):
    give_mfa(admin)
    client.force_login(admin)
    assert toggle(client, workspace, on=True).status_code == 302
    workspace.refresh_from_db()
    assert workspace.require_admin_mfa is True
    response = toggle(client, workspace, on=False)
    assert response.status_code == 302
    assert "Admins no longer need two-factor authentication." in said(response)
    workspace.refresh_from_db()
    assert workspace.require_admin_mfa is False


def test_an_admin_without_two_factor_cannot_turn_it_off(client, admin, workspace):
    require_mfa(workspace)
    client.force_login(admin)
    response = toggle(client, workspace, on=False)
    assert response.status_code == 302
    assert response["Location"] == SETUP
    workspace.refresh_from_db()
    assert workspace.require_admin_mfa is True


def test_turning_it_off_gives_the_admin_their_rights_back(client, owner, admin, workspace):
    give_mfa(owner)
    require_mfa(workspace)
    client.force_login(admin)
    members = reverse("workspaces:members", args=[workspace.id])
    invite = reverse("workspaces:invite", args=[workspace.id])
    assert client.post(invite, {"email": "x@example.com", "role": "member"})["Location"] == SETUP
    client.force_login(owner)
    toggle(client, workspace, on=False)
    client.force_login(admin)
    response = client.post(invite, {"email": "x@example.com", "role": "member"})
    assert response["Location"] == members
    assert Invitation.objects.filter(email="x@example.com").exists()


def test_a_member_cannot_change_it(client, member, workspace):
    give_mfa(member)
    client.force_login(member)
    assert toggle(client, workspace, on=True).status_code == 403
    workspace.refresh_from_db()
    assert workspace.require_admin_mfa is False


def test_another_workspace_is_404(client, outsider, workspace):
    give_mfa(outsider)
    client.force_login(outsider)
    assert toggle(client, workspace, on=True).status_code == 404


def test_login_required_and_wrong_method(client, owner, workspace):
    url = reverse("workspaces:admin_mfa", args=[workspace.id])
    assert client.post(url).status_code == 302
    client.force_login(owner)
    assert client.get(url).status_code == 405


def test_the_settings_page_shows_the_rule_and_the_admins_without_it(client, owner, workspace):
    add_member(workspace, make_user("ada@example.com", name="Ada"), Role.ADMIN)
    give_mfa(owner)
    client.force_login(owner)
    html = client.get(reverse("workspaces:settings", args=[workspace.id])).content.decode()
    assert "Two-factor authentication for admins" in html
    assert "Admins without two-factor authentication yet: Ada." in html
    assert 'name="mfa-require_admin_mfa"' in html


def test_members_see_the_rule_read_only(client, member, workspace):
    client.force_login(member)
    html = client.get(reverse("workspaces:settings", args=[workspace.id])).content.decode()
    assert "Only the workspace's admins can change this." in html
    assert "Admins without two-factor authentication yet" not in html


# --- Every admin page sends an admin without two-factor authentication to set it up ---


def _objects(workspace: Workspace, member_id: int) -> dict[str, Any]:
    project = make_project(workspace)
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    entry = TimeEntry.objects.in_workspace(workspace).create(
        user_id=member_id, start=start, end=start + timedelta(hours=1)
    )
    invitation = Invitation.objects.create(workspace=workspace, email="new@example.com")
    return {
        "client_id": make_client(workspace).id,
        "project_id": project.id,
        "task_id": make_task(project, workspace).id,
        "tag_id": make_tag(workspace).id,
        "entry_id": entry.id,
        "invitation_id": invitation.id,
        "membership_id": workspace.memberships.get(user_id=member_id).pk,
        "switch": "screenshots",
    }


# (url name, method, query or form data): every page or action only admins may use.
ADMIN_PAGES = [
    ("workspaces:settings", "post", {"ws-name": "Renamed"}),
    ("workspaces:admin_mfa", "post", {}),
    ("workspaces:audit", "get", {}),
    ("workspaces:invite", "post", {"email": "x@example.com", "role": "member"}),
    ("workspaces:change_role", "post", {"role": "admin"}),
    ("workspaces:remove_member", "post", {}),
    ("workspaces:revoke_invitation", "post", {}),
    ("workspaces:resend_invitation", "post", {}),
    ("tracking:client_create", "post", {"name": "New"}),
    ("tracking:client_edit", "get", {}),
    ("tracking:client_archive", "post", {}),
    ("tracking:client_restore", "post", {}),
    ("tracking:client_delete", "post", {}),
    ("tracking:project_create", "get", {}),
    ("tracking:project_edit", "get", {}),
    ("tracking:project_archive", "post", {}),
    ("tracking:project_restore", "post", {}),
    ("tracking:project_delete", "post", {}),
    ("tracking:task_create", "post", {"name": "New"}),
    ("tracking:task_edit", "get", {}),
    ("tracking:task_done", "post", {}),
    ("tracking:task_active", "post", {}),
    ("tracking:task_delete", "post", {}),
    ("tracking:tag_create", "post", {"name": "New"}),
    ("tracking:tag_edit", "get", {}),
    ("tracking:tag_archive", "post", {}),
    ("tracking:tag_restore", "post", {}),
    ("tracking:tag_delete", "post", {}),
    ("tracking:rate_update", "post", {"m1-hourly_rate": "10"}),
    ("reports:edit_entry", "get", {}),
    ("reports:delete_entry", "post", {}),
    ("monitoring:change", "post", {"screenshots": "on"}),
    # A page members use too, at its admin-only branch: someone else's captures.
    ("monitoring:captures", "get", {"member": "MEMBER"}),
]
# What only the owner may do: the owner without two-factor authentication is sent to set it
# up; an admin gets the owner-only 403 whatever their two-factor state.
OWNER_PAGES = [
    ("workspaces:delete", "get", {}),
    ("workspaces:transfer", "post", {}),
]


def _url(name: str, workspace: Workspace, objects: dict[str, Any]) -> str:
    pattern = get_resolver().reverse_dict.getlist(name.split(":")[1])
    wanted = {"workspace_id": workspace.id}
    for key, value in objects.items():
        if f"<{key}>" in str(pattern) or f":{key}>" in str(pattern):
            wanted[key] = value
    # The resolver tells which arguments the route takes.
    for candidate in _route_args(name):
        wanted.setdefault(candidate, objects.get(candidate))
    return reverse(name, kwargs={k: v for k, v in wanted.items() if k in _route_args(name)})


def _route_args(name: str) -> set[str]:
    app, url_name = name.split(":")
    resolver = get_resolver().namespace_dict[app][1]
    possibilities = resolver.reverse_dict.getlist(url_name)
    return {param for possibility in possibilities for param in possibility[0][0][1]}


def _send(client: Any, method: str, url: str, data: dict, member_id: int, **extra: Any) -> Any:
    data = {key: (str(member_id) if value == "MEMBER" else value) for key, value in data.items()}
    return getattr(client, method)(url, data, **extra)


@pytest.mark.parametrize(("name", "method", "data"), ADMIN_PAGES + OWNER_PAGES)
def test_the_owner_without_two_factor_is_sent_to_set_it_up(
    client, owner, member, workspace, name, method, data
):
    require_mfa(workspace)
    url = _url(name, workspace, _objects(workspace, member.pk))
    client.force_login(owner)
    response = _send(client, method, url, data, member.pk)
    assert response.status_code == 302, response.content.decode()[:300]
    assert response["Location"] == SETUP
    assert ADMIN_MFA_REQUIRED in said(response)


@pytest.mark.parametrize(("name", "method", "data"), ADMIN_PAGES)
def test_an_admin_without_two_factor_is_sent_to_set_it_up(
    client, admin, member, workspace, name, method, data
):
    require_mfa(workspace)
    url = _url(name, workspace, _objects(workspace, member.pk))
    client.force_login(admin)
    response = _send(client, method, url, data, member.pk)
    assert response.status_code == 302, response.content.decode()[:300]
    assert response["Location"] == SETUP


@pytest.mark.parametrize(("name", "method", "data"), ADMIN_PAGES)
def test_an_admin_with_two_factor_uses_every_admin_page(
    client, admin, member, workspace, name, method, data
):
    require_mfa(workspace)
    give_mfa(admin)
    url = _url(name, workspace, _objects(workspace, member.pk))
    client.force_login(admin)
    response = _send(client, method, url, data, member.pk)
    assert response.status_code in (200, 302, 400), response.status_code
    assert response.get("Location") != SETUP


@pytest.mark.parametrize(("name", "method", "data"), OWNER_PAGES)
def test_what_only_the_owner_may_do_stays_403_for_an_admin(
    client, admin, member, workspace, name, method, data
):
    require_mfa(workspace)
    url = _url(name, workspace, _objects(workspace, member.pk))
    client.force_login(admin)
    assert _send(client, method, url, data, member.pk).status_code == 403


def test_an_htmx_request_is_sent_to_set_it_up_with_a_client_redirect(
    client, admin, member, workspace
):
    require_mfa(workspace)
    objects = _objects(workspace, member.pk)
    client.force_login(admin)
    url = reverse("tracking:tag_archive", args=[workspace.id, objects["tag_id"]])
    response = client.post(url, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == SETUP


# Views that guard an admin right: every route to one must be in ADMIN_PAGES or OWNER_PAGES.
ADMIN_GUARDS = (
    "get_workspace_for_admin",
    "get_workspace_for_owner",
    "get_membership_for_admin",
    "get_invitation_for_admin",
    "_for_manager",
    "subject_for",
)
APPS = ("workspaces", "tracking", "reports", "monitoring", "privacy")


def _routes(patterns: list, namespace: str = "") -> list[tuple[str, Any]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += _routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.append((namespace + pattern.name, pattern.callback))
    return found


def _reaches_a_guard(function: Any, seen: set) -> bool:
    """Whether a view, or a function of our apps it calls by name, calls an admin guard."""
    function = inspect.unwrap(function)
    if function in seen or not getattr(function, "__module__", "").startswith(APPS):
        return False
    seen.add(function)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError):
        return False
    names = {
        node.func.id if isinstance(node.func, ast.Name) else node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute)
    }
    if names & set(ADMIN_GUARDS):
        return True
    module = inspect.getmodule(function)
    called = [getattr(module, name, None) for name in names]
    return any(_reaches_a_guard(f, seen) for f in called if inspect.isfunction(f))


def test_every_route_to_an_admin_right_is_tested_above():
    guarded = {
        name
        for name, callback in _routes(get_resolver().url_patterns)
        if not name.startswith("api:") and _reaches_a_guard(callback, set())
    }
    tested = {name for name, _method, _data in ADMIN_PAGES + OWNER_PAGES}
    assert guarded == tested
    assert "workspaces:members" not in guarded  # a page members use reads no guard


# --- What keeps working for an admin without two-factor: what members may do ---


@pytest.mark.parametrize(
    "name",
    [
        "tracking:tracker",
        "tracking:timesheet",
        "reports:detailed",
        "reports:summary",
        "tracking:projects",
        "tracking:rates",
        "workspaces:members",
        "workspaces:settings",
        "monitoring:panel",
        "monitoring:captures",
    ],
)
def test_an_admin_without_two_factor_uses_member_pages_with_a_notice(
    client, admin, workspace, name
):
    require_mfa(workspace)
    client.force_login(admin)
    response = client.get(reverse(name, args=[workspace.id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "requires two-factor authentication for its admins." in html
    assert f'href="{SETUP}"' in html


def test_an_admin_without_two_factor_tracks_their_own_time(client, admin, workspace):
    require_mfa(workspace)
    client.force_login(admin)
    response = client.post(
        reverse("tracking:start", args=[workspace.id]), {"description": "Mine", "running": ""}
    )
    assert response.status_code in (200, 302)
    assert TimeEntry.objects.in_workspace(workspace).of_user(admin.pk).running().exists()


def test_an_admin_without_two_factor_sees_only_their_own_entries_in_the_report(
    client, admin, member, workspace
):
    require_mfa(workspace)
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    TimeEntry.objects.in_workspace(workspace).create(
        user_id=member.pk, start=start, end=start + timedelta(hours=1), description="Theirs"
    )
    client.force_login(admin)
    url = reverse("reports:detailed", args=[workspace.id])
    html = client.get(url, {"start": "2026-01-01", "end": "2026-01-31"}).content.decode()
    assert "Theirs" not in html


def test_members_are_never_asked(client, member, workspace):
    require_mfa(workspace)
    client.force_login(member)
    html = client.get(reverse("tracking:tracker", args=[workspace.id])).content.decode()
    assert "requires two-factor authentication" not in html
    # A member's refusal stays the member's 403, not a detour to set up two-factor.
    response = client.post(reverse("workspaces:invite", args=[workspace.id]), {"email": "x@y.z"})
    assert response.status_code == 403


def test_an_admin_with_two_factor_sees_no_notice(client, admin, workspace):
    require_mfa(workspace)
    give_mfa(admin)
    client.force_login(admin)
    html = client.get(reverse("tracking:tracker", args=[workspace.id])).content.decode()
    assert "requires two-factor authentication" not in html


def test_without_the_rule_nothing_changes_for_an_admin_without_two_factor(client, admin, workspace):
    client.force_login(admin)
    response = client.post(
        reverse("workspaces:invite", args=[workspace.id]),
        {"email": "x@example.com", "role": "member"},
    )
    assert response["Location"] == reverse("workspaces:members", args=[workspace.id])


def test_the_rule_of_one_workspace_does_not_reach_another(client, owner, workspace):
    other = Workspace.objects.create(name="Side project", region="us")
    add_member(other, owner, Role.OWNER)
    require_mfa(workspace)
    client.force_login(owner)
    response = client.post(reverse("tracking:tag_create", args=[other.id]), {"name": "Fine"})
    assert response.get("Location") != SETUP


# --- The API: every operation answers a locked admin what it answers a member, and a 403
# names the rule ---

OPERATIONS = [
    (method.upper(), path)
    for path, methods in api.get_openapi_schema()["paths"].items()
    for method in methods
    if "{workspaceId}" in path
]
W = "/workspaces/{workspaceId}"
# The operations where an admin may do what a member may not (about someone else's data, or
# the catalog, which members of a new workspace may not manage).
ADMIN_OPERATIONS = {
    *[(method, W + "/clients") for method in ["POST"]],
    *[(method, W + "/clients/{clientId}") for method in ["PUT", "DELETE"]],
    *[(method, W + "/tags") for method in ["POST"]],
    *[(method, W + "/tags/{tagId}") for method in ["PUT", "DELETE"]],
    *[(method, W + "/projects") for method in ["POST"]],
    *[(method, W + "/projects/{projectId}") for method in ["PUT", "DELETE"]],
    *[(method, W + "/projects/{projectId}/tasks") for method in ["POST"]],
    *[(method, W + "/projects/{projectId}/tasks/{taskId}") for method in ["PUT", "DELETE"]],
    *[(method, W + "/user/{userId}/time-entries") for method in ["GET", "POST", "PATCH"]],
    *[(method, W + "/time-entries/{entryId}") for method in ["GET", "PUT", "DELETE"]],
}
BODIES = {
    "POST": {
        "name": "Probe",
        "start": "2026-11-24T09:00:00Z",
        "dateRangeStart": "2026-11-01T00:00:00Z",
        "dateRangeEnd": "2026-11-30T23:59:59Z",
        "samples": [],
    },
    "PUT": {"name": "Renamed", "start": "2026-11-24T08:00:00Z"},
    "PATCH": {"end": "2026-11-24T10:00:00Z"},
}


def _api_call(client: Any, user: Any, method: str, path: str) -> Any:
    headers = {"X-Api-Key": ApiKey.objects.issue(user, "tests")[1]}
    send = getattr(client, method.lower())
    if method in ("GET", "DELETE"):
        return send(path, headers=headers)
    body = json.dumps(BODIES.get(method, {}))
    return send(path, body, content_type="application/json", headers=headers)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_api_operation_treats_an_admin_without_two_factor_as_a_member(
    client, owner, admin, member, workspace, method, path
):
    require_mfa(workspace)
    colleague = add_member(workspace, make_user("colleague@example.com")).user
    objects = _objects(workspace, member.pk)
    # The subject of every call is someone else: the member whose entry and id it names.
    filled = (
        path.replace("{workspaceId}", str(workspace.id))
        .replace("{userId}", str(member.pk))
        .replace("{clientId}", str(objects["client_id"]))
        .replace("{projectId}", str(objects["project_id"]))
        .replace("{taskId}", str(objects["task_id"]))
        .replace("{tagId}", str(objects["tag_id"]))
        .replace("{entryId}", str(objects["entry_id"]))
    )
    if "{" in filled:
        filled = filled.replace(
            filled[filled.index("{") : filled.index("}") + 1], str(uuid.uuid4())
        )
    as_member = _api_call(client, colleague, method, filled)
    as_locked_admin = _api_call(client, admin, method, filled)
    assert as_locked_admin.status_code == as_member.status_code, as_locked_admin.content
    give_mfa(admin)
    as_admin = _api_call(client, admin, method, filled)
    admin_right = as_member.status_code == 403 and as_admin.status_code != 403
    assert admin_right == ((method, path.removeprefix("/api/v1")) in ADMIN_OPERATIONS)
    if admin_right:
        # Refused for the two-factor rule, and saying so.
        assert as_locked_admin.json() == {"message": ADMIN_MFA_REQUIRED_API, "code": 403}


def test_the_api_refuses_the_admin_operations_of_a_locked_owner_with_the_reason(
    client, owner, member, workspace
):
    require_mfa(workspace)
    objects = _objects(workspace, member.pk)
    base = f"/api/v1/workspaces/{workspace.id}"
    for method, path in [
        ("POST", f"{base}/tags"),
        ("DELETE", f"{base}/clients/{objects['client_id']}"),
        ("GET", f"{base}/time-entries/{objects['entry_id']}"),
        ("GET", f"{base}/user/{member.pk}/time-entries"),
    ]:
        response = _api_call(client, owner, method, path)
        assert response.status_code == 403, (method, path)
        assert response.json()["message"] == ADMIN_MFA_REQUIRED_API
    # Their own work goes on.
    response = _api_call(client, owner, "GET", f"{base}/user/{owner.pk}/time-entries")
    assert response.status_code == 200


def test_a_refused_turn_on_keeps_the_rest_of_the_settings_page(client, owner, workspace):
    client.force_login(owner)
    html = toggle(client, workspace, on=True).content.decode()
    assert 'name="ws-name" value="Owner&#x27;s Team"' in html or "Owner's Team" in html
    assert '<span class="badge">Not required</span>' in html
