"""GET /healthz reports the directory and every region database."""

from __future__ import annotations

from django.db import OperationalError, connections


def test_all_databases_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "databases": {"default": "ok", "us": "ok", "eu": "ok", "uk": "ok", "au": "ok"},
        "down": [],
    }


def test_a_region_down_is_503_naming_it(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["uk"], "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["down"] == ["uk"]
    assert body["databases"]["uk"] == "down"
    assert body["databases"]["eu"] == "ok"


def test_wrong_method(client):
    assert client.post("/healthz").status_code == 405
