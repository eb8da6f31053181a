"""A Clockify client's session over real HTTP against a live server, as a script would run."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.factories import make_user, make_workspace
from workspaces.models import ApiKey

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


class Clockify:
    """A minimal client, written the way people script Clockify's API with urllib."""

    def __init__(self, base_url: str, key: str) -> None:
        self.base_url = base_url.rstrip("/") + "/api/v1"
        self.key = key

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("X-Api-Key", self.key)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


def test_realistic_client_session(live_server):
    user = make_user("script@example.com", name="Sam Script")
    make_workspace(user, name="Scripting", region="uk")
    api = Clockify(live_server.url, ApiKey.objects.issue(user, "script")[1])

    status, me = api.call("GET", "/user")
    assert status == 200 and me["email"] == "script@example.com"
    status, workspaces = api.call("GET", "/workspaces")
    assert status == 200
    (workspace,) = workspaces
    assert workspace["region"] == "uk"
    ws = f"/workspaces/{workspace['id']}"

    status, project = api.call(
        "POST",
        ws + "/projects/",
        {
            "name": "Automation",
            "isPublic": True,
            "billable": True,
            "color": "#03a9f4",
            "note": None,
        },
    )
    assert status == 201
    status, tag = api.call("POST", ws + "/tags", {"name": "scripted"})
    assert status == 201

    status, running = api.call(
        "POST",
        ws + "/time-entries",
        {
            "start": "2026-11-20T09:00:00Z",
            "description": "Nightly export",
            "projectId": project["id"],
            "tagIds": [tag["id"]],
            "billable": None,
            "customFields": None,
        },
    )
    assert status == 201 and running["timeInterval"]["end"] is None
    status, stopped = api.call(
        "PATCH", f"{ws}/user/{me['id']}/time-entries", {"end": "2026-11-20T09:42:10Z"}
    )
    assert status == 200 and stopped["timeInterval"]["duration"] == "PT42M10S"

    status, manual = api.call(
        "POST",
        ws + "/time-entries",
        {"start": "2026-11-19T13:00:00Z", "end": "2026-11-19T14:00:00Z", "description": "Review"},
    )
    assert status == 201
    status, listed = api.call("GET", f"{ws}/user/{me['id']}/time-entries?page=1&page-size=50")
    assert status == 200
    assert [e["description"] for e in listed] == ["Nightly export", "Review"]
    assert listed[0]["tagIds"] == [tag["id"]] and listed[0]["billable"] is True

    status, _ = api.call("DELETE", f"{ws}/time-entries/{manual['id']}")
    assert status == 204
    status, listed = api.call("GET", f"{ws}/user/{me['id']}/time-entries")
    assert [e["id"] for e in listed] == [running["id"]]
    status, error = api.call(
        "PATCH", f"{ws}/user/{me['id']}/time-entries", {"end": "2026-11-20T10:00:00Z"}
    )
    assert (status, error) == (404, {"message": "No timer is running.", "code": 404})
