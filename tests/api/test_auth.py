"""X-Api-Key authentication, the error shape, rate limits and trailing slashes."""

from __future__ import annotations

from types import SimpleNamespace

from django.test import override_settings

from clockify import api as api_module
from workspaces.models import ApiKey


def test_no_key_or_unknown_key_is_401_in_clockifys_shape(api_as, client):
    response = api_as(None).get("/user")
    assert response.status_code == 401
    assert response.json() == {
        "message": "Full authentication is required: send a valid X-Api-Key.",
        "code": 401,
    }
    wrong = client.get("/api/v1/user", headers={"X-Api-Key": "ck_not-a-real-key"})
    assert wrong.status_code == 401


def test_a_session_cookie_is_not_enough(client, owner):
    client.force_login(owner)
    assert client.get("/api/v1/user").status_code == 401


def test_revoked_key_is_401(client, owner):
    key, secret = ApiKey.objects.issue(owner, "laptop")
    assert client.get("/api/v1/user", headers={"X-Api-Key": secret}).status_code == 200
    key.revoke()
    assert client.get("/api/v1/user", headers={"X-Api-Key": secret}).status_code == 401


def test_inactive_user_key_is_401(client, owner):
    secret = ApiKey.objects.issue(owner, "laptop")[1]
    owner.is_active = False
    owner.save()
    assert client.get("/api/v1/user", headers={"X-Api-Key": secret}).status_code == 401


def test_key_use_is_recorded(client, owner):
    key, secret = ApiKey.objects.issue(owner, "laptop")
    client.get("/api/v1/user", headers={"X-Api-Key": secret})
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_rate_limit_per_key(api_as, owner, monkeypatch):
    monkeypatch.setattr(api_module, "API_RATE_LIMIT", 3)
    # Freeze the clock inside one second: a real one can tick over mid-test.
    now = [1_800_000_000.25]
    monkeypatch.setattr(api_module, "time", SimpleNamespace(time=lambda: now[0]))
    api = api_as(owner)
    statuses = [api.get("/user").status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert 429 in statuses[3:]
    limited = api.get("/user")
    assert limited.status_code == 429
    assert limited["Retry-After"] == "1"
    assert limited.json()["code"] == 429
    assert api_as(owner).get("/user").status_code == 200  # another key has its own budget
    now[0] += 1
    assert api.get("/user").status_code == 200  # the next second has a fresh budget


def test_paths_work_with_and_without_a_trailing_slash(api_as, owner, workspace):
    api = api_as(owner)
    assert api.get("/workspaces").status_code == 200
    assert api.get("/workspaces/").status_code == 200
    assert api.post("/workspaces/", {"name": "Slash"}).status_code == 201


def test_unknown_path_is_a_json_404(api_as, owner):
    response = api_as(owner).get("/nothing-here")
    assert response.status_code == 404


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/workspaces/{workspaceId}/time-entries" in paths
    assert client.get("/api/docs").status_code == 200


@override_settings(DEBUG=False)
def test_malformed_json_is_400(api_as, owner):
    response = api_as(owner).post("/workspaces", raw="{not json")
    assert response.status_code == 400
    assert set(response.json()) == {"message", "code"}
