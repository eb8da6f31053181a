"""Schemathesis over the whole OpenAPI schema: no 5xx, every response as documented."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from clockify import api as api_module
from clockify.wsgi import application
from tests.factories import add_member, make_user, make_workspace
from tracking.models import Project, Tag
from workspaces.models import ApiKey, Role

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def _keep_test_connections():
    # Schemathesis calls the real WSGI app, which closes database connections at the end
    # of each request; inside a test transaction that would drop it (Django's own test
    # client disconnects the same handlers).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def fuzz(monkeypatch, _keep_test_connections):
    """An admin's key and real ids (workspace, user, project), and no rate limit."""
    monkeypatch.setattr(api_module, "API_RATE_LIMIT", 10**9)
    owner = make_user("fuzz-owner@example.com")
    workspace = make_workspace(owner, region="eu")
    admin = add_member(workspace, make_user("fuzz@example.com"), Role.ADMIN).user
    project = Project.objects.in_workspace(workspace).create(name="Fuzz")
    Tag.objects.in_workspace(workspace).create(name="fuzz")
    ids = {"workspaceId": str(workspace.id), "userId": str(admin.pk), "projectId": str(project.id)}
    return ApiKey.objects.issue(admin, "fuzz")[1], ids


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_never_fails_and_keeps_its_schema(case, fuzz):
    key, ids = fuzz
    # Real ids for the containers, so that generated bodies and queries reach the code
    # behind the access checks; other workspaces' 404s have tests of their own.
    for name, value in ids.items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = value
    case.call_and_validate(headers={"X-Api-Key": key}, checks=CHECKS)
