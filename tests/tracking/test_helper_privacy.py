"""What the helpers record about a member is seen by that member alone.

Parametrized over every page of a workspace and every read operation of the API, as the
owner, an admin and an outsider: none shows another member's idle periods or auto tracker
records; every page and operation that acts on such a record by id answers 404.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from clockify.api import api
from tests.factories import add_member, make_user, make_workspace, sign_in
from tracking.helpers.models import ActivityRecord, IdlePeriod
from tracking.models import TimeEntry
from workspaces.models import ApiKey, Role

pytestmark = pytest.mark.django_db(databases="__all__")

SECRET_TITLE = "Quarterly-secret-plan-7731"
SECRET_SITE = "https://private-bank-7731.example"
# Noon, so that every record of the scene falls on that day in the people's zone (UTC).
YESTERDAY = (timezone.now() - timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)


def _patterns(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            space = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _patterns(pattern.url_patterns, space)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name, pattern


# What a route may take: the workspace, and the member's own objects, so a leak would show.
# Routes about other kinds of objects (a client, a screenshot...) cannot reach helper data.
FILLED = {"workspace_id", "entry_id", "membership_id", "member_id", "user_id"}
ROUTES = {
    name: pattern
    for name, pattern in _patterns(get_resolver().url_patterns)
    if "workspace_id" in pattern.pattern.converters and set(pattern.pattern.converters) <= FILLED
}
PAGES = sorted(ROUTES)
API_READS = [
    path
    for path, methods in api.get_openapi_schema()["paths"].items()
    for method in methods
    if method == "get"
    and "{workspaceId}" in path
    and not set(re.findall(r"{(\w+)}", path)) - {"workspaceId", "userId", "entryId"}
]


@pytest.fixture
def scene():
    owner = make_user(name="Olive Owner")
    workspace = make_workspace(owner, region="us")
    admin = add_member(workspace, make_user(name="Adam Admin"), role=Role.ADMIN).user
    member = add_member(workspace, make_user(name="Mia Member")).user
    member.idle_detection = member.auto_tracker = member.auto_tracker_urls = True
    member.save()
    entry = TimeEntry.objects.in_workspace(workspace).create(
        user_id=member.pk, start=YESTERDAY - timedelta(hours=2), end=YESTERDAY
    )
    idle = IdlePeriod.objects.in_workspace(workspace).create(
        user_id=member.pk,
        start=YESTERDAY - timedelta(hours=1),
        end=YESTERDAY - timedelta(minutes=30),
        action="KEEP",
        entry=entry,
        outcome=SECRET_TITLE,
    )
    record = ActivityRecord.objects.in_workspace(workspace).create(
        user_id=member.pk,
        client_id="c-1",
        app="Browser",
        title=SECRET_TITLE,
        url=SECRET_SITE,
        start=YESTERDAY - timedelta(hours=1),
        end=YESTERDAY - timedelta(minutes=50),
    )
    return {
        "workspace": workspace,
        "owner": owner,
        "admin": admin,
        "member": member,
        "outsider": make_user(),
        "idle": idle,
        "record": record,
        "entry": entry,
    }


def _kwargs(name: str, scene: dict) -> dict:
    values = {
        "workspace_id": scene["workspace"].id,
        "entry_id": scene["entry"].id,
        "membership_id": scene["workspace"].memberships.get(user=scene["member"]).pk,
        "member_id": scene["member"].pk,
        "user_id": scene["member"].pk,
    }
    return {key: values[key] for key in ROUTES[name].pattern.converters}


def _leaks(text: str) -> bool:
    return SECRET_TITLE in text or "private-bank-7731" in text


@pytest.mark.parametrize("viewer", ["owner", "admin", "outsider"])
@pytest.mark.parametrize("name", PAGES)
def test_no_page_shows_another_members_helper_data(client, scene, viewer, name):
    kwargs = _kwargs(name, scene)
    sign_in(client, scene[viewer])
    url = reverse(name, kwargs=kwargs)
    day = YESTERDAY.date().isoformat()
    for query in ("", f"?member={scene['member'].pk}&user={scene['member'].pk}&day={day}"):
        response = client.get(url + query)
        assert response.status_code != 500, (name, query)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert not _leaks(body.decode(errors="replace")), (name, viewer, query)


@pytest.mark.parametrize("viewer", ["owner", "admin", "outsider"])
@pytest.mark.parametrize("path", API_READS)
def test_no_api_read_shows_another_members_helper_data(client, scene, viewer, path):
    _, key = ApiKey.objects.issue(scene[viewer], "probe")
    url = (
        path.replace("{workspaceId}", str(scene["workspace"].id))
        .replace("{userId}", str(scene["member"].pk))
        .replace("{entryId}", str(scene["entry"].id))
    )
    day = YESTERDAY.date().isoformat()
    response = client.get(url, {"date": day, "start": "2000-01-01T00:00:00Z"}, HTTP_X_API_KEY=key)
    assert response.status_code != 500
    assert not _leaks(response.content.decode()), (path, viewer)


@pytest.mark.parametrize("viewer", ["owner", "admin"])
def test_the_reports_and_exports_hold_no_helper_data(client, scene, viewer):
    sign_in(client, scene[viewer])
    workspace = scene["workspace"]
    export = client.post(
        reverse("reports:export", args=[workspace.id]),
        {"preset": "all"},
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert export.status_code == 200
    assert not _leaks(b"".join(export.streaming_content).decode())
    _, key = ApiKey.objects.issue(scene[viewer], "reports")
    detailed = client.post(
        f"/api/reports/v1/workspaces/{workspace.id}/reports/detailed",
        json.dumps(
            {"dateRangeStart": "2000-01-01T00:00:00Z", "dateRangeEnd": "2100-01-01T00:00:00Z"}
        ),
        content_type="application/json",
        HTTP_X_API_KEY=key,
    )
    assert detailed.status_code == 200 and not _leaks(detailed.content.decode())


@pytest.mark.parametrize("viewer", ["owner", "admin", "outsider"])
@pytest.mark.parametrize(
    "action", ["auto_tracker_entry", "auto_tracker_add", "auto_tracker_delete"]
)
def test_acting_on_another_members_records_is_404(client, scene, viewer, action):
    sign_in(client, scene[viewer])
    url = reverse(f"tracking:{action}", args=[scene["workspace"].id])
    data = {
        "records": [str(scene["record"].pk)],
        "entry": str(scene["entry"].pk),
        "day": YESTERDAY.date().isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 404, (action, viewer, response.status_code)
    assert (
        ActivityRecord.objects.in_workspace(scene["workspace"])
        .filter(pk=scene["record"].pk)
        .exists()
    )


@pytest.mark.parametrize("viewer", ["owner", "admin"])
def test_the_activity_api_gives_the_caller_their_own_records_only(client, scene, viewer):
    _, key = ApiKey.objects.issue(scene[viewer], "probe")
    response = client.get(
        f"/api/v1/workspaces/{scene['workspace'].id}/activity",
        {"date": YESTERDAY.date().isoformat()},
        HTTP_X_API_KEY=key,
    )
    assert response.status_code == 200 and response.json() in ([], {"records": []})


def test_the_member_sees_their_own(client, scene):
    """The control: the same pages do show the member their own records."""
    sign_in(client, scene["member"])
    page = client.get(
        reverse("tracking:auto_tracker", args=[scene["workspace"].id]),
        {"day": YESTERDAY.date().isoformat()},
    )
    assert SECRET_TITLE in page.content.decode()
    history = client.get(reverse("tracking:helper_settings"))
    assert SECRET_TITLE in history.content.decode()
