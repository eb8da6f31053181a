"""API keys for the personas, and a client that sends them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from workspaces.models import ApiKey


class ApiClient:
    """The Django test client speaking JSON with an X-Api-Key header."""

    def __init__(self, client: Any, key: str | None) -> None:
        self.client = client
        self.headers = {"X-Api-Key": key} if key else {}

    def _send(
        self, method: str, path: str, body: Any = None, raw: str | None = None, **query: Any
    ) -> Any:
        url = "/api/v1" + path
        call = getattr(self.client, method)
        if method == "get":
            return call(url, query, headers=self.headers)
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return call(url, data, content_type="application/json", headers=self.headers)

    def get(self, path: str, **query: Any) -> Any:
        return self._send("get", path, **query)

    def post(self, path: str, body: Any = None, raw: str | None = None) -> Any:
        return self._send("post", path, body, raw)

    def put(self, path: str, body: Any = None) -> Any:
        return self._send("put", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self._send("patch", path, body)

    def delete(self, path: str) -> Any:
        return self._send("delete", path)


@pytest.fixture
def api_as(client):
    """`api_as(user)` gives an ApiClient with a fresh key of that user; `api_as(None)` none."""

    def make(user: Any) -> ApiClient:
        key = ApiKey.objects.issue(user, "tests")[1] if user is not None else None
        return ApiClient(client, key)

    return make
