"""The API applies tracking.rules: the attack review's date reproductions get a 400."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tracking import services

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_api_put_cannot_leave_a_timer_running_from_next_year(api_as, owner, workspace):
    entry = services.create_entry(
        workspace, owner.pk, services.EntryDetails(), NOW - timedelta(hours=2), NOW
    )
    body = {"start": "2027-06-01T09:00:00Z", "end": None}
    response = api_as(owner).put(f"/workspaces/{workspace.id}/time-entries/{entry.id}", body)
    assert response.status_code == 400
    assert "start: a running timer cannot start in the future" in response.json()["message"]
    entry.refresh_from_db()
    assert (entry.start, entry.end) == (NOW - timedelta(hours=2), NOW)


def test_api_stop_cannot_end_a_timer_years_ahead(api_as, owner, workspace):
    services.start_timer(workspace, owner.pk, services.EntryDetails(), at=NOW - timedelta(days=50))
    url = f"/workspaces/{workspace.id}/user/{owner.pk}/time-entries"
    response = api_as(owner).patch(url, {"end": "9999-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert "a year ahead" in response.json()["message"]
    # A timer forgotten for 50 days (over 999 hours) still stops.
    assert api_as(owner).patch(url, {"end": "2026-11-25T15:00:00Z"}).status_code == 200
