"""The header's monitoring state never turns a region outage into a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.clockify.test_region_outage import au_down  # noqa: F401 (a fixture)
from tests.factories import make_user, make_workspace, sign_in
from workspaces.models import User, Workspace


@pytest.fixture
def sydney() -> tuple[User, Workspace]:
    person = make_user("both@example.com", name="Bea Both")
    return person, make_workspace(person, name="Sydney", region="au")


def test_pages_of_a_workspace_whose_region_is_down_keep_their_answer(client, sydney, au_down):  # noqa: F811
    person, au = sydney
    sign_in(client, person)
    # The members page reads only the directory: it still works, without the indicator.
    members = client.get(reverse("workspaces:members", args=[au.id]))
    assert members.status_code == 200
    assert "Notices:" in members.content.decode()
    # A page that needs the region is the 503 naming it, header and all, not a 500.
    tracker = client.get(reverse("tracking:tracker", args=[au.id]))
    assert tracker.status_code == 503
    assert "The Australia region is unavailable" in tracker.content.decode()
