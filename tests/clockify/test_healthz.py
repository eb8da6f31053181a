"""GET /healthz reports the directory and every region database."""

from __future__ import annotations

from django.core.files.storage import storages
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


def test_file_storage_is_not_needed(client, settings):
    # Every region's bucket on a server that does not answer: the check neither opens a
    # storage nor waits for one.
    settings.STORAGES = settings.STORAGES | {
        f"region-{alias}": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": alias, "endpoint_url": "http://127.0.0.1:9"},
        }
        for alias in ("us", "eu", "uk", "au")
    }
    assert client.get("/healthz").status_code == 200
    assert not any(alias.startswith("region-") for alias in storages._storages)
