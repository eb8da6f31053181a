"""Page views are counted per route name and UTC day, with nothing about who viewed them."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from privacy.middleware import PageViewMiddleware
from privacy.models import PageViews, PageViewsQuerySet
from workspaces.models import ApiKey

POLICY = reverse("privacy:policy")
TODAY = date(2026, 3, 14)


@pytest.fixture(autouse=True)
def _frozen_day():
    with time_machine.travel(datetime(2026, 3, 14, 23, 30, tzinfo=UTC), tick=False):
        yield


def counts() -> dict[tuple[str, date], int]:
    return {(row.route, row.day): row.count for row in PageViews.objects.all()}


def test_a_page_view_counts_its_route_name_on_todays_utc_date(client):
    assert client.get(POLICY).status_code == 200
    assert client.get(POLICY).status_code == 200
    assert counts() == {("privacy:policy", TODAY): 2}


def test_the_route_name_is_counted_never_the_address_with_its_ids(client, owner, workspace):
    client.force_login(owner)
    assert client.get(reverse("tracking:tracker", args=[workspace.id])).status_code == 200
    assert counts() == {("tracking:tracker", TODAY): 1}


def test_anonymous_and_signed_in_views_count_the_same(client, owner):
    client.get(POLICY)
    client.force_login(owner)
    client.get(POLICY)
    assert counts() == {("privacy:policy", TODAY): 2}


def test_counting_sets_no_cookie(client):
    response = client.get(POLICY)
    assert PageViews.objects.get().count == 1
    assert not response.cookies
    assert "Set-Cookie" not in response


def test_nothing_that_identifies_a_person_is_stored(client, owner):
    client.force_login(owner)
    client.get(
        POLICY,
        REMOTE_ADDR="203.0.113.7",
        headers={"User-Agent": "Firefox/999 unique-browser", "Referer": "https://x.example/"},
    )
    assert [field.name for field in PageViews._meta.get_fields()] == ["id", "route", "day", "count"]
    row = PageViews.objects.values("route", "day", "count").get()
    assert row == {"route": "privacy:policy", "day": TODAY, "count": 1}


@pytest.mark.parametrize("header", [{"DNT": "1"}, {"Sec-GPC": "1"}])
def test_a_browser_that_asks_not_to_be_tracked_is_not_counted(client, header):
    assert client.get(POLICY, headers=header).status_code == 200
    assert counts() == {}


def test_dnt_0_still_counts(client):
    client.get(POLICY, headers={"DNT": "0"})
    assert counts() == {("privacy:policy", TODAY): 1}


def test_the_api_and_its_html_docs_are_not_counted(client, owner):
    secret = ApiKey.objects.issue(owner, "tests")[1]
    assert client.get("/api/v1/user", headers={"X-Api-Key": secret}).status_code == 200
    assert client.get("/api/docs").status_code == 200
    assert counts() == {}


def test_static_files_and_the_health_check_are_not_counted(client):
    assert client.get("/static/css/app.css").status_code == 200
    assert client.get(reverse("healthz")).status_code == 200
    assert counts() == {}


def test_errors_and_redirects_are_not_counted(client, owner, outsider):
    assert client.get("/no-such-page/").status_code == 404
    assert client.get(reverse("index")).status_code == 302  # anonymous: to the login page
    client.force_login(owner)
    other = outsider.memberships.get().workspace_id
    assert client.get(reverse("tracking:tracker", args=[other])).status_code == 404
    assert counts() == {}


def test_a_post_that_renders_a_page_is_not_counted(client, owner):
    response = client.post(reverse("account_login"), {"login": owner.email, "password": "wrong"})
    assert response.status_code == 200
    assert counts() == {}


def test_an_htmx_fragment_is_not_counted(client, owner, workspace):
    client.force_login(owner)
    url = reverse("tracking:tracker", args=[workspace.id])
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    assert counts() == {}


def test_a_count_that_fails_is_logged_and_the_page_served(client, monkeypatch, caplog):
    def broken(self, route):
        raise RuntimeError("the directory is read-only")

    monkeypatch.setattr(PageViewsQuerySet, "count_view", broken)
    with caplog.at_level(logging.ERROR, logger="privacy.middleware"):
        response = client.get(POLICY)
    assert response.status_code == 200
    assert "Could not count a page view" in caplog.text


def test_the_operator_can_turn_counting_off(client, settings):
    settings.PAGE_ANALYTICS = False
    assert client.get(POLICY).status_code == 200
    assert counts() == {}


def test_the_middleware_is_installed_past_whitenoise(settings):
    middleware = settings.MIDDLEWARE
    counted = middleware.index(f"{PageViewMiddleware.__module__}.{PageViewMiddleware.__name__}")
    assert counted > middleware.index("whitenoise.middleware.WhiteNoiseMiddleware")


# --- The count itself ---


def test_two_first_views_of_a_fresh_day_count_two():
    PageViews.objects.count_view("tracking:tracker")
    PageViews.objects.count_view("tracking:tracker")
    assert counts() == {("tracking:tracker", TODAY): 2}


def test_a_first_view_that_loses_the_race_to_create_the_row_still_counts(monkeypatch):
    real_update = PageViewsQuerySet.update
    raced = []

    def update_while_another_request_inserts(self, **changes):
        if not raced:
            raced.append(True)
            # Another request's first view lands between this one's update and its insert.
            PageViews.objects.bulk_create([PageViews(route="reports:detailed", day=TODAY, count=1)])
            return 0
        return real_update(self, **changes)

    monkeypatch.setattr(PageViewsQuerySet, "update", update_while_another_request_inserts)
    PageViews.objects.count_view("reports:detailed")
    assert counts() == {("reports:detailed", TODAY): 2}


def test_days_are_counted_apart():
    PageViews.objects.count_view("tracking:tracker", date(2026, 3, 13))
    PageViews.objects.count_view("tracking:tracker")
    assert counts() == {("tracking:tracker", date(2026, 3, 13)): 1, ("tracking:tracker", TODAY): 1}


def test_counts_older_than_400_days_are_purged_by_the_task():
    from privacy.tasks import purge_old_page_views

    PageViews.objects.create(route="a", day=date(2025, 2, 6), count=3)  # 401 days ago
    PageViews.objects.create(route="a", day=date(2025, 2, 7), count=4)  # 400 days ago
    assert purge_old_page_views.delay().get() == 1
    assert counts() == {("a", date(2025, 2, 7)): 4}


def test_the_purge_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "privacy.tasks.purge_old_page_views" in tasks


def test_the_purge_command(capsys):
    from django.core.management import call_command

    PageViews.objects.create(route="a", day=date(2024, 1, 1), count=3)
    call_command("purge_page_views")
    assert "Purged 1 day(s)" in capsys.readouterr().out
    assert counts() == {}
