"""CORS for the browser extension: extension origins, /api/v1/ only, the key header only,
never credentials (clockify/middleware.py)."""

from __future__ import annotations

from workspaces.models import ApiKey

EXTENSION = "chrome-extension://" + "abcdefghijklmnopabcdefghijklmnop"


def preflight(client, path: str, origin: str, method: str = "POST"):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type,x-api-key",
        },
    )


def test_an_extension_preflight_is_answered_without_credentials(client):
    response = preflight(client, "/api/v1/workspaces/abc/time-entries", EXTENSION)
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == EXTENSION
    assert response["Access-Control-Allow-Headers"] == "X-Api-Key, Content-Type"
    assert "PATCH" in response["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response
    assert "Origin" in response["Vary"]


def test_an_extension_reads_the_api_with_its_key(client, owner):
    secret = ApiKey.objects.issue(owner, "extension")[1]
    response = client.get("/api/v1/user", headers={"Origin": EXTENSION, "X-Api-Key": secret})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == EXTENSION
    assert "Access-Control-Allow-Credentials" not in response


def test_an_extension_without_a_key_is_refused_all_the_same(client, owner):
    client.force_login(owner)  # a session cookie is never what authenticates the API
    response = client.get("/api/v1/user", headers={"Origin": EXTENSION})
    assert response.status_code == 401


def test_web_pages_and_bad_extension_ids_get_no_cors_answer(client, owner):
    secret = ApiKey.objects.issue(owner, "extension")[1]
    for origin in ("https://evil.example", "chrome-extension://short", EXTENSION + ".evil", "null"):
        response = client.get("/api/v1/user", headers={"Origin": origin, "X-Api-Key": secret})
        assert "Access-Control-Allow-Origin" not in response, origin
        assert "Origin" in response["Vary"]
        assert preflight(client, "/api/v1/user", origin, "GET").status_code != 204


def test_only_the_v1_api_answers_extensions(client):
    for path in ("/healthz", "/accounts/login/", "/api/reports/v1/workspaces/abc/reports/detailed"):
        response = preflight(client, path, EXTENSION)
        assert "Access-Control-Allow-Origin" not in response, path
        response = client.get(path, headers={"Origin": EXTENSION})
        assert "Access-Control-Allow-Origin" not in response, path
