"""Request bodies are capped before they are read; only opted-in views take more, signed in."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.asgi import get_asgi_application
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import connections
from django.urls import reverse

from reports.models import ImportUpload
from workspaces.models import ApiKey
from workspaces.regions import storage_for

MB = 1024 * 1024
LOGIN = reverse("account_login")


class Unreadable:
    """A wsgi.input that fails the test if anyone reads it."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def unread_post(client, path: str, length: int, **extra: str):
    """POST claiming a body of `length` bytes that must never be read."""
    return client.post(
        path,
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": Unreadable()},
        **extra,
    )


def test_login_page_refuses_a_large_body_before_reading_it(client):
    # A made-up CSRF cookie used to make the server read it all to check the token.
    client.cookies["csrftoken"] = "x" * 32
    response = unread_post(client, LOGIN, 200 * MB)
    assert response.status_code == 413
    assert "at most 1.0\xa0MB" in response.content.decode()


def test_api_answers_a_large_body_with_its_error_shape(client, owner):
    key = ApiKey.objects.issue(owner, "tests")[1]
    body = json.dumps({"name": "x" * (3 * MB)})
    response = client.post(
        "/api/v1/workspaces", body, content_type="application/json", headers={"X-Api-Key": key}
    )
    assert response.status_code == 413
    assert response.json()["code"] == 413
    assert "too large" in response.json()["message"]


def test_signed_in_pages_keep_the_small_cap(client, owner, workspace):
    client.force_login(owner)
    url = reverse("tracking:start", args=[workspace.id])
    assert unread_post(client, url, 2 * MB).status_code == 413


def _asgi_post(
    path: str, chunks: list[bytes], headers: list[tuple[bytes, bytes]]
) -> tuple[int, bytes]:
    """Send a POST through the ASGI handler, body in chunks as a chunked upload arrives."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }
    messages = [
        {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
        for n, chunk in enumerate(chunks)
    ]
    statuses: list[int] = []
    body: list[bytes] = []

    async def receive() -> dict:
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()  # the client stays until the answer comes
        raise AssertionError("unreachable")

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])
        else:
            body.append(message.get("body", b""))

    def close_connections(**kwargs: object) -> None:
        # The view ran in a thread of the ASGI handler's, whose connections (kept open
        # CONN_MAX_AGE on PostgreSQL) would outlive the test database.
        connections.close_all()

    request_finished.connect(close_connections)
    # A thread of its own: the browser tests leave an event loop running in this one.
    try:
        with ThreadPoolExecutor(1) as thread:
            app = get_asgi_application()
            thread.submit(asyncio.run, app(scope, receive, send)).result()
    finally:
        request_finished.disconnect(close_connections)
    return statuses[0], b"".join(body)


TWO_MB = [b"x" * (256 * 1024)] * 8


@pytest.mark.parametrize(
    "length", [None, b"10"], ids=["no Content-Length", "understated Content-Length"]
)
def test_a_body_that_streams_past_the_cap_is_refused(length):
    headers = [
        (b"content-type", b"application/x-www-form-urlencoded"),
        (b"cookie", b"csrftoken=" + b"x" * 32),  # made up: CSRF reads the form to compare
    ]
    if length:
        headers.append((b"content-length", length))
    status, body = _asgi_post(LOGIN, [b"a=", *TWO_MB], headers)
    assert status == 413
    assert b"at most 1.0\xc2\xa0MB" in body


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_an_api_body_that_streams_past_the_cap_gets_the_error_shape(owner):
    key = ApiKey.objects.issue(owner, "tests")[1]
    headers = [(b"content-type", b"application/json"), (b"x-api-key", key.encode())]
    status, body = _asgi_post("/api/v1/workspaces", [b'{"name": "', *TWO_MB, b'"}'], headers)
    assert status == 413
    assert json.loads(body)["code"] == 413


def test_import_takes_a_large_file_from_a_signed_in_person(client, owner, workspace):
    import_url = reverse("reports:import", args=[workspace.id])
    client.force_login(owner)
    content = b'"Project","Description"\r\n' + b'"Website","Design"\r\n' * (5 * MB // 20)
    file = SimpleUploadedFile("report.csv", content, content_type="text/csv")
    response = client.post(import_url, {"file": file})
    assert response.status_code == 302
    upload = ImportUpload.objects.in_workspace(workspace).get()
    assert upload.size == len(content)
    assert storage_for(workspace).size(upload.storage_name) == len(content)


def test_import_keeps_the_small_cap_for_anonymous_requests(client, workspace):
    import_url = reverse("reports:import", args=[workspace.id])
    assert unread_post(client, import_url, 5 * MB).status_code == 413
