"""Concurrent first views of a route on a fresh day all count (real transactions)."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connections

from privacy.models import PageViews

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def test_eight_concurrent_first_views_count_eight_and_raise_nothing():
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def view() -> None:
        try:
            barrier.wait()
            PageViews.objects.count_view("tracking:tracker")
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()
            connections.close_all()

    threads = [threading.Thread(target=view) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert PageViews.objects.get().count == 8
