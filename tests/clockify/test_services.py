"""With REDIS_URL set (CI's second run), Redis really is the cache and the Celery broker."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.cache import cache

from clockify.celery import app

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="REDIS_URL not set: embedded default in use"
)


@needs_redis
def test_cache_round_trips_through_redis():
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    cache.set("ci-probe", {"ok": 1}, 30)
    assert cache.get("ci-probe") == {"ok": 1}


@needs_redis
@pytest.mark.broker
def test_celery_reaches_the_redis_broker():
    assert app.conf.task_always_eager is False
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)
        assert connection.transport_cls == "redis"


def test_embedded_default_runs_tasks_inline():
    if os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL set: the broker is Redis")
    assert app.conf.task_always_eager is True
    assert app.conf.broker_url == "memory://"
