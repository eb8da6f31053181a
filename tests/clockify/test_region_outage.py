"""One region down: its workspaces answer 503 within the connect timeout, the others work.

The Australia region is made unreachable for real: on PostgreSQL its alias points at a closed
port, on SQLite at a file in a folder that does not exist. The test's own connection of that
alias is set aside meanwhile (it holds the test's transaction) and put back afterwards.
"""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import OperationalError, connections
from django.urls import reverse

from tests.factories import add_member, make_user, make_workspace, sign_in
from tracking import services
from workspaces.models import ApiKey, WorkspaceSettings
from workspaces.outage import RegionUnavailable, remembering_unreachable_regions

# A region's connection waits at most DATABASE_CONNECT_TIMEOUT: without a pool a closed port
# refuses at once; with one, the pool keeps trying until that timeout. Either way the 503
# comes within it, plus the page's own time.
WITHIN = settings.DATABASE_CONNECT_TIMEOUT + 2.0


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def au_down():
    """Make the au alias unreachable for this test, then restore it."""
    original = connections["au"]
    broken = dict(original.settings_dict)
    if original.vendor == "postgresql":
        broken.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    else:
        broken["NAME"] = "/nonexistent-region-folder/au.sqlite3"
    # PostgreSQL's pools are kept per alias on the class: the broken alias needs its own,
    # or it would borrow the real one (and wait on the test's own transaction).
    pools = getattr(type(original), "_connection_pools", {})
    real_pool = pools.pop("au", None)
    connections["au"] = type(original)(broken, "au")
    try:
        yield
    finally:
        connections["au"].close()
        if (broken_pool := pools.pop("au", None)) is not None:
            broken_pool.close()
        if real_pool is not None:
            pools["au"] = real_pool
        connections["au"] = original


@pytest.fixture
def two_regions():
    """A person in an EU workspace (with an entry) and an AU one, and their API key."""
    person = make_user("both@example.com", name="Bea Both")
    eu = make_workspace(person, name="Berlin", region="eu")
    au = make_workspace(person, name="Sydney", region="au")
    start = datetime.now(UTC) - timedelta(hours=2)
    services.create_entry(
        eu,
        person.pk,
        services.EntryDetails(description="Writing"),
        start,
        start + timedelta(hours=1),
    )
    key = ApiKey.objects.issue(person, "tests")[1]
    return person, eu, au, key


def _timed(call, *args, **kwargs):
    began = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - began


def test_an_au_workspace_page_answers_503_naming_the_region(client, two_regions, au_down):
    person, eu, au, _ = two_regions
    sign_in(client, person)
    response, took = _timed(client.get, reverse("tracking:tracker", args=[au.id]))
    assert response.status_code == 503
    assert took < WITHIN
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "The Australia region is unavailable" in page
    assert "Your other workspaces work" in page
    assert "Australia (unavailable)" in page  # the switcher marks it
    assert reverse("workspaces:home", args=[eu.id]) in page  # and still offers the EU one


def test_an_htmx_action_in_an_au_workspace_reloads_to_the_503_page(client, two_regions, au_down):
    person, _, au, _ = two_regions
    sign_in(client, person)
    response = client.post(reverse("tracking:start", args=[au.id]), headers={"HX-Request": "true"})
    assert response.status_code == 503
    assert response["HX-Refresh"] == "true"


def test_an_au_workspace_api_call_answers_503_json(client, two_regions, au_down):
    person, _, au, key = two_regions
    headers = {"X-Api-Key": key}
    for path in (
        f"/api/v1/workspaces/{au.id}/projects",
        f"/api/v1/workspaces/{au.id}/user/{person.pk}/time-entries",
    ):
        response, took = _timed(client.get, path, headers=headers)
        assert response.status_code == 503, path
        assert took < WITHIN
        assert response["Retry-After"] == "30"
        assert response.json() == {
            "message": "The Australia region is unavailable; your other workspaces work.",
            "code": 503,
        }
    report = f"/api/reports/v1/workspaces/{au.id}/reports/detailed"
    body = '{"dateRangeStart": "2026-01-01T00:00:00Z", "dateRangeEnd": "2026-12-31T23:59:59Z"}'
    response = client.post(report, body, content_type="application/json", headers=headers)
    assert response.status_code == 503
    assert response.json()["code"] == 503


def test_an_eu_workspace_works_while_au_is_down(client, two_regions, au_down):
    person, eu, _, key = two_regions
    sign_in(client, person)
    for name in ("tracking:tracker", "reports:detailed", "tracking:timesheet"):
        response, took = _timed(client.get, reverse(name, args=[eu.id]))
        assert response.status_code == 200, name
        assert took < WITHIN
    # All time: the entry began two hours ago, which may be last week.
    report = reverse("reports:detailed", args=[eu.id]) + "?preset=all"
    assert "Writing" in client.get(report).content.decode()
    response = client.get(
        f"/api/v1/workspaces/{eu.id}/user/{person.pk}/time-entries", headers={"X-Api-Key": key}
    )
    assert response.status_code == 200
    assert [e["description"] for e in response.json()] == ["Writing"]
    assert client.get(reverse("workspaces:profile")).status_code == 200


def test_the_workspace_list_api_lists_the_rest_and_marks_au(client, two_regions, au_down):
    _, _, au, key = two_regions
    response, took = _timed(client.get, "/api/v1/workspaces", headers={"X-Api-Key": key})
    assert response.status_code == 200
    assert took < WITHIN
    by_name = {w["name"]: w for w in response.json()}
    assert by_name["Berlin"]["status"] == "ACTIVE"
    assert by_name["Berlin"]["workspaceSettings"]["durationFormat"] == "FULL"
    assert by_name["Sydney"] == {
        "id": str(au.id),
        "name": "Sydney",
        "hourlyRate": None,
        "region": "au",
        "status": "UNAVAILABLE",
        "memberships": by_name["Sydney"]["memberships"],
        "workspaceSettings": None,
    }
    assert by_name["Sydney"]["memberships"][0]["role"] == "OWNER"


def test_healthz_is_503_naming_au(client, au_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["au"]


def test_a_member_of_only_an_eu_workspace_sees_nothing_of_the_outage(client, au_down):
    eu = make_workspace(name="Berlin", region="eu")
    person = add_member(eu, make_user("eu@example.com")).user
    key = ApiKey.objects.issue(person, "tests")[1]
    sign_in(client, person)
    assert client.get(reverse("tracking:tracker", args=[eu.id])).status_code == 200
    body = client.get("/api/v1/workspaces", headers={"X-Api-Key": key}).json()
    assert [w["status"] for w in body] == ["ACTIVE"]


def test_a_request_tries_a_region_it_could_not_reach_once(monkeypatch):
    wrapper = type(connections["au"])
    django_backend = wrapper.__bases__[-1]  # Django's own, under RegionConnectionMixin
    attempts = []

    def refuse(self, params):
        attempts.append(self.alias)
        raise self.Database.OperationalError("connection refused")

    monkeypatch.setattr(django_backend, "get_new_connection", refuse)
    broken = wrapper(dict(connections["au"].settings_dict), "au")
    with remembering_unreachable_regions():
        for _ in range(3):
            with pytest.raises(RegionUnavailable):
                broken.ensure_connection()
    assert attempts == ["au"]
    with pytest.raises(RegionUnavailable):  # the next request (or a task) tries again
        broken.ensure_connection()
    assert attempts == ["au", "au"]


def test_other_database_errors_are_not_an_outage(client, two_regions, monkeypatch):
    person, eu, _, _ = two_regions

    def deadlock(*args, **kwargs):
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(WorkspaceSettings.objects, "for_workspace", deadlock)
    sign_in(client, person)
    client.raise_request_exception = False
    assert client.get(reverse("tracking:tracker", args=[eu.id])).status_code == 500


def test_the_directory_is_not_a_region():
    assert not isinstance(connections["default"], type(connections["au"]))
    assert isinstance(RegionUnavailable("au"), OperationalError)
