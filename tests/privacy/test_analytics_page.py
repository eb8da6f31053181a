"""The staff page of page views: staff only (404 for anyone else), a range, a table, a chart."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from privacy.models import PageViews
from tests.factories import make_user

URL = reverse("privacy:analytics")
TODAY = date(2026, 3, 14)


@pytest.fixture(autouse=True)
def _frozen_day():
    with time_machine.travel(datetime(2026, 3, 14, 12, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def staff():
    user = make_user("operator@example.com")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def views(route: str, days_ago: int, count: int) -> None:
    PageViews.objects.create(route=route, day=TODAY - timedelta(days=days_ago), count=count)


def test_anonymous_get_a_404_not_a_login_redirect(client):
    assert client.get(URL).status_code == 404


def test_a_signed_in_person_who_is_not_staff_gets_a_404(client, owner):
    client.force_login(owner)
    assert client.get(URL).status_code == 404


def test_staff_see_routes_by_views_and_a_bar_per_day(client, staff, django_assert_num_queries):
    views("tracking:tracker", 0, 5)
    views("tracking:tracker", 3, 2)
    views("reports:detailed", 1, 9)
    views("privacy:policy", 40, 100)  # outside the default 30 days
    client.force_login(staff)
    client.get(URL)  # the session's first request notes it (usersessions) and counts anew
    # The session and the person; allauth's note of the session's activity (five, with its
    # savepoint); the two sums; the workspace switcher; and this view's count.
    with django_assert_num_queries(11):
        response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("reports:detailed") < html.index("tracking:tracker")
    assert "privacy:policy</code>" not in html
    assert '<svg class="chart-svg chart-bars"' in html
    assert html.count("<rect ") == 30
    assert "Fri, Mar 13: 9 views" in html  # a bar's title
    assert "<dd>17</dd>" in html  # the total, this page's first view included


@pytest.mark.parametrize(("days", "bars"), [("7", 7), ("30", 30), ("90", 90)])
def test_the_range_sets_the_days_shown(client, staff, days, bars):
    views("tracking:tracker", 0, 1)
    client.force_login(staff)
    response = client.get(URL, {"days": days})
    assert response.status_code == 200
    assert response.content.decode().count("<rect ") == bars


def test_a_route_seen_only_before_the_range_is_left_out(client, staff):
    views("tracking:tracker", 0, 1)
    views("privacy:policy", 10, 1)
    client.force_login(staff)
    html = client.get(URL, {"days": "7"}).content.decode()
    assert "tracking:tracker" in html
    assert "privacy:policy</code>" not in html


@pytest.mark.parametrize("bad", ["8", "abc", "-1", "9" * 50, ""])
def test_a_bad_range_is_a_400_with_the_reason_and_the_default_range(client, staff, bad):
    views("tracking:tracker", 0, 1)
    client.force_login(staff)
    response = client.get(URL, {"days": bad})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose the last 7, 30 or 90 days." in html or "This field is required." in html
    assert html.count("<rect ") == 30


def test_nothing_counted_shows_the_empty_state(client, staff):
    client.force_login(staff)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "No page views in this range" in html
    assert '<svg class="chart-svg' not in html


def test_the_page_has_no_script_of_its_own(client, staff):
    views("tracking:tracker", 0, 1)
    client.force_login(staff)
    html = client.get(URL).content.decode()
    assert html.count("<script") == 2  # htmx and app.js, as on every page
    assert "style=" not in html


def test_the_user_menu_links_it_for_staff_only(client, staff, owner):
    client.force_login(owner)
    assert URL not in client.get(reverse("workspaces:profile")).content.decode()
    client.force_login(staff)
    assert URL in client.get(reverse("workspaces:profile")).content.decode()


def test_wrong_method(client, staff):
    client.force_login(staff)
    assert client.post(URL).status_code == 405
