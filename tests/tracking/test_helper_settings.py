"""The person's helper settings page and deleting everything the helpers recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_user, make_workspace, sign_in
from tracking.helpers.models import ActivityRecord, IdlePeriod
from workspaces.models import User

pytestmark = pytest.mark.django_db(databases="__all__")

SETTINGS = reverse("tracking:helper_settings")
DELETE = reverse("tracking:delete_helper_data")
NOW = timezone.now().replace(microsecond=0)


def test_both_helpers_are_off_until_the_person_turns_them_on(client):
    user = make_user()
    assert not user.idle_detection and not user.auto_tracker and not user.auto_tracker_urls
    sign_in(client, user)
    page = client.get(SETTINGS)
    assert page.status_code == 200 and "No idle periods." in page.content.decode()
    response = client.post(
        SETTINGS,
        {
            "idle_detection": "on",
            "idle_threshold_minutes": "10",
            "auto_tracker": "on",
            "helper_retention_days": "30",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.idle_detection, user.idle_threshold_minutes, user.auto_tracker) == (
        True,
        10,
        True,
    )
    assert (user.auto_tracker_urls, user.helper_retention_days) == (False, 30)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("idle_threshold_minutes", "0", "At least 1 minute."),
        ("idle_threshold_minutes", "121", "At most 120 minutes."),
        ("idle_threshold_minutes", "soon", "A whole number of minutes."),
        ("helper_retention_days", "400", "At most 365 days."),
    ],
)
def test_bad_settings_are_refused_next_to_the_field(client, field, value, message):
    user = make_user()
    sign_in(client, user)
    data = {"idle_threshold_minutes": "5", "helper_retention_days": "45", field: value}
    response = client.post(SETTINGS, data)
    assert response.status_code == 400 and message in response.content.decode()
    assert User.objects.get(pk=user.pk).idle_threshold_minutes == 5


def test_delete_all_helper_data_in_every_region_and_nobody_elses(client):
    user, other = make_user(), make_user()
    for region in ("us", "au"):
        workspace = make_workspace(user, region=region)
        for who in (user, other):
            IdlePeriod.objects.in_workspace(workspace).create(
                user_id=who.pk, start=NOW - timedelta(hours=1), end=NOW, action="KEEP"
            )
            ActivityRecord.objects.in_workspace(workspace).create(
                user_id=who.pk, client_id="a", app="Editor", start=NOW, end=NOW
            )
    sign_in(client, user)
    page = client.get(DELETE).content.decode()
    assert "2 idle periods" in page and "2 auto tracker records" in page
    response = client.post(DELETE, follow=True)
    assert "Deleted 4 records." in response.content.decode()
    for region in ("us", "au"):
        for model in (IdlePeriod, ActivityRecord):
            rows = model.objects.across_region(region)
            assert list(rows.values_list("user_id", flat=True)) == [other.pk]


def test_the_pages_need_a_sign_in(client):
    assert client.get(SETTINGS).status_code == 302
    assert client.post(DELETE).status_code == 302
