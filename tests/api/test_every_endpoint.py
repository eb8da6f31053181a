"""Every operation in the OpenAPI schema: 401 without a key, 404 for another workspace."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from clockify.api import api
from tests.factories import make_client, make_project, make_tag, make_task
from tracking import services
from tracking.models import MemberRate

OPERATIONS = [
    (method.upper(), path)
    for path, methods in api.get_openapi_schema()["paths"].items()
    for method in methods
]
WORKSPACE_OPERATIONS = [op for op in OPERATIONS if "{workspaceId}" in op[1]]


def _fill(path: str, workspace_id: str, user_id: int) -> str:
    some_id = str(uuid.uuid4())
    return (
        path.replace("{workspaceId}", workspace_id)
        .replace("{userId}", str(user_id))
        .replace("{clientId}", some_id)
        .replace("{projectId}", some_id)
        .replace("{taskId}", some_id)
        .replace("{tagId}", some_id)
        .replace("{entryId}", some_id)
    )


# One body that every POST accepts (unknown fields are ignored), and the stop body.
BODIES = {
    "POST": {
        "name": "Probe",
        "start": "2026-11-24T09:00:00Z",
        "end": "2026-11-24T10:00:00Z",
        "action": "KEEP",
        "dateRangeStart": "2026-11-01T00:00:00Z",
        "dateRangeEnd": "2026-11-30T23:59:59Z",
        "samples": [],
    },
    "PATCH": {"end": "2026-11-24T10:00:00Z"},
}


def _call(api_client, method: str, path: str):
    send = getattr(api_client.client, method.lower())
    if method in ("GET", "DELETE"):
        return send(path, headers=api_client.headers)
    body = json.dumps(BODIES.get(method, {}))
    return send(path, body, content_type="application/json", headers=api_client.headers)


def test_the_schema_lists_every_clockify_operation():
    assert len(OPERATIONS) >= 30
    assert ("PATCH", "/api/v1/workspaces/{workspaceId}/user/{userId}/time-entries") in OPERATIONS
    assert ("POST", "/api/reports/v1/workspaces/{workspaceId}/reports/detailed") in OPERATIONS


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_without_a_key_every_operation_is_401(api_as, workspace, owner, method, path):
    response = _call(api_as(None), method, _fill(path, str(workspace.id), owner.pk))
    assert response.status_code == 401
    assert response.json()["code"] == 401


@pytest.mark.parametrize(("method", "path"), WORKSPACE_OPERATIONS)
def test_another_workspace_is_404_for_every_operation(
    api_as, workspace, owner, outsider, method, path
):
    response = _call(api_as(outsider), method, _fill(path, str(workspace.id), owner.pk))
    assert response.status_code == 404, (method, path, response.content)
    assert response.json()["code"] == 404


def test_no_read_shows_a_member_a_colleagues_rate(api_as, workspace, owner, member):
    # A rate nobody else has, on the owner's profile and on an entry of theirs.
    MemberRate.objects.in_workspace(workspace).create(user_id=owner.pk, hourly_rate="123.45")
    project = make_project(workspace, name="Website")
    ids = {
        "{workspaceId}": str(workspace.id),
        "{userId}": str(owner.pk),
        "{clientId}": str(make_client(workspace).id),
        "{projectId}": str(project.id),
        "{taskId}": str(make_task(project, workspace).id),
        "{tagId}": str(make_tag(workspace).id),
    }
    start = datetime(2026, 11, 24, 9, tzinfo=UTC)
    entry = services.create_entry(
        workspace,
        owner.pk,
        services.EntryDetails(project=project),
        start,
        start + timedelta(hours=1),
    )
    assert entry.hourly_rate == Decimal("123.45")
    services.start_timer(workspace, owner.pk, services.EntryDetails(project=project))
    ids["{entryId}"] = str(entry.id)
    reader = api_as(member)
    reads = [op for op in WORKSPACE_OPERATIONS if op[0] == "GET" or "/reports/" in op[1]]
    bodies = [BODIES["POST"], BODIES["POST"] | {"summaryFilter": {"groups": ["USER", "PROJECT"]}}]
    for method, path in reads:
        for name, value in ids.items():
            path = path.replace(name, value)
        for body in bodies if method == "POST" else [None]:
            send = getattr(reader.client, method.lower())
            if body is None:
                response = send(path, headers=reader.headers)
            else:
                data = json.dumps(body)
                response = send(path, data, content_type="application/json", headers=reader.headers)
            text = response.content.decode()
            assert "12345" not in text and "123.45" not in text, (method, path, text[:500])
    # The rate is there to be found: the owner reads it on their own entry.
    own = api_as(owner).get(f"/workspaces/{workspace.id}/time-entries/{entry.id}")
    assert own.json()["hourlyRate"]["amount"] == 12345
