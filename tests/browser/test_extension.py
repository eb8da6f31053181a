"""The browser extension (static/extension/) in Chromium against a live server: connecting
with an API key, the timer, the auto tracker's uploads and an idle period's answer.

The uploads go to the real activity endpoint; the test's urlconf
(tests/browser/extension_urls.py) only lets the test make one upload fail on purpose.
Every check of what arrived is in `uploaded_activity()`, read from the database.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.signals import request_started
from django.utils import timezone

from tests.browser import extension_urls
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.factories import make_user, make_workspace
from tracking.helpers.models import ActivityRecord, IdlePeriod
from tracking.models import TimeEntry
from tracking.services import EntryDetails, start_timer
from workspaces.models import ApiKey

EXTENSION = Path(__file__).resolve().parents[2] / "static" / "extension"

pytestmark = pytest.mark.urls("tests.browser.extension_urls")


@pytest.fixture
def extension(playwright, tmp_path, request) -> Iterator[tuple[object, object, str]]:
    """A Chromium profile with the unpacked extension: (context, its service worker, its id)."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        headless=True,
        ignore_default_args=["--disable-extensions"],
        args=[
            *CHROMIUM_ARGS,
            f"--disable-extensions-except={EXTENSION}",
            f"--load-extension={EXTENSION}",
        ],
    )
    context.set_default_timeout(15_000)
    worker = context.service_workers[0] if context.service_workers else None
    worker = worker or context.wait_for_event("serviceworker")
    extension_id = worker.url.split("/")[2]
    try:
        yield context, worker, extension_id
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        for number, page in enumerate(context.pages):
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{number}.png"))
        context.close()


@pytest.fixture
def api_calls() -> Iterator[list[tuple[str, str]]]:
    """Every (method, path) the live server is asked for, from any client."""
    calls: list[tuple[str, str]] = []

    def note(sender: object, environ: dict, **kwargs: object) -> None:
        calls.append((environ["REQUEST_METHOD"], environ["PATH_INFO"]))

    request_started.connect(note)
    extension_urls.fail_next.clear()
    yield calls
    request_started.disconnect(note)


def uploaded_activity(workspace, user) -> list[dict]:
    """The auto tracker's records the server kept for this person, oldest first, checked
    against the contract: client ids, the browser as the app, a start before its end."""
    records = ActivityRecord.objects.in_workspace(workspace).filter(user_id=user.pk)
    samples = [
        {
            "id": r.client_id,
            "app": r.app,
            "title": r.title,
            "url": r.url,
            "start": r.start,
            "end": r.end,
        }
        for r in records.order_by("start", "created_at")
    ]
    for sample in samples:
        uuid.UUID(sample["id"])
        assert sample["app"] in {"Chromium", "Google Chrome", "Browser"}
        assert sample["start"] < sample["end"]
    return samples


def stored(worker) -> dict:
    return worker.evaluate("() => chrome.storage.local.get(null)")


def sync(worker) -> None:
    """What the periodic alarm does: read the settings, note the tab, upload."""
    worker.evaluate("() => self.timeTracker.serial(() => self.timeTracker.sync())")


def open_popup(context, extension_id: str):
    page = context.new_page()
    page.goto(f"chrome-extension://{extension_id}/popup.html")
    return page


def test_the_extension_tracks_time_and_sends_helpers_data_only_when_on(
    extension, live_server, api_calls
):
    context, worker, extension_id = extension
    user = make_user("ext@example.com", name="Ext Ension")
    workspace = make_workspace(user, name="Browser work", region="eu")
    secret = ApiKey.objects.issue(user, "browser extension")[1]
    entries = TimeEntry.objects.in_workspace(workspace)

    # Connect: a wrong key is refused, the right one shows the workspace and the timer.
    popup = open_popup(context, extension_id)
    popup.fill("input[name=server]", live_server.url + "/tracker/")
    popup.fill("input[name=apiKey]", "not-a-key")
    popup.click("button:has-text('Connect')")
    popup.wait_for_selector("#error:has-text('did not accept this API key')")
    popup.fill("input[name=apiKey]", secret)
    popup.click("button:has-text('Connect')")
    popup.wait_for_selector("#main:not([hidden])")
    assert popup.locator("#workspace option:checked").inner_text() == "Browser work (EU)"
    assert stored(worker)["server"] == live_server.url
    popup.wait_for_selector("#tracker-status:has-text('Auto tracker is off')")

    # Start and stop the timer.
    popup.fill("#start input[name=description]", "Reviewing the extension")
    popup.click("#start button:has-text('Start')")
    popup.wait_for_selector("#running:not([hidden]) >> text=Reviewing the extension")
    running = entries.running().get()
    assert (running.user_id, running.description) == (user.pk, "Reviewing the extension")
    popup.wait_for_timeout(1100)  # an entry lasts at least a second
    popup.click("#stop")
    popup.wait_for_selector("#start:not([hidden])")
    running.refresh_from_db()
    assert running.end is not None

    # The auto tracker is off: browsing records and sends nothing.
    site = context.new_page()
    site.goto(live_server.url + "/accounts/login/")
    sync(worker)
    assert "activity" not in stored(worker) or stored(worker)["activity"] == []
    assert not stored(worker).get("current")
    assert not [c for c in api_calls if c[1].endswith("/activity")]

    # On: the active tab's domain and title are recorded and uploaded in a batch.
    user.auto_tracker = True
    user.save(update_fields=["auto_tracker"])
    site.bring_to_front()
    login_title = site.title()
    sync(worker)
    origin = live_server.url  # addresses are off: the page's origin only, no path
    assert stored(worker)["current"]["url"] == origin
    site.wait_for_timeout(1100)
    site.goto(live_server.url + "/accounts/signup/")
    site.wait_for_timeout(1100)
    sync(worker)
    samples = uploaded_activity(workspace, user)
    assert [s["url"] for s in samples] == [origin, origin]
    assert [s["title"] for s in samples] == [login_title, site.title()]
    assert login_title != site.title()
    assert stored(worker)["activity"] == []

    # A failing server keeps the records; the next upload sends them again, same ids.
    extension_urls.fail_next.append(503)
    site.wait_for_timeout(1100)
    sync(worker)
    kept = [s["id"] for s in stored(worker)["activity"]]
    assert kept
    sync(worker)
    assert [s["id"] for s in uploaded_activity(workspace, user)][2 : 2 + len(kept)] == kept
    assert stored(worker)["activity"] == []

    # Off again: what was recorded meanwhile is forgotten, and nothing more is sent.
    user.auto_tracker = False
    user.save(update_fields=["auto_tracker"])
    before = len(uploaded_activity(workspace, user))
    uploads = [c for c in api_calls if c[1].endswith("/activity")]
    site.goto(live_server.url + "/accounts/login/")
    site.wait_for_timeout(1100)
    sync(worker)
    assert len(uploaded_activity(workspace, user)) == before
    assert not stored(worker).get("activity") and not stored(worker).get("current")
    assert [c for c in api_calls if c[1].endswith("/activity")] == uploads

    # Idle detection off: an absence asks nothing and sends nothing.
    entry = start_timer(
        workspace,
        user.pk,
        EntryDetails(description="Deep work"),
        at=timezone.now() - timedelta(minutes=20),
    )
    now = int(time.time() * 1000)
    replay = """([away, back]) => self.timeTracker.serial(async () => {
        await self.timeTracker.handleIdleState('idle', away);
        await self.timeTracker.handleIdleState('active', back);
    })"""
    worker.evaluate(replay, [now - 5 * 60_000, now])
    assert not stored(worker).get("idleQuestions")
    assert not [c for c in api_calls if c[1].endswith("/idle-periods")]

    # On, with a one-minute threshold: the person is asked, on a page, and answers Discard.
    user.idle_detection = True
    user.idle_threshold_minutes = 1
    user.save(update_fields=["idle_detection", "idle_threshold_minutes"])
    sync(worker)
    now = int(time.time() * 1000)
    worker.evaluate(replay, [now - 5 * 60_000, now])
    [question] = stored(worker)["idleQuestions"]
    went_away = datetime.fromtimestamp((now - 6 * 60_000) // 1000, tz=UTC)
    assert question["start"] == went_away.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert worker.evaluate("() => chrome.notifications.getAll()") == {
        f"idle:{question['id']}": True
    }
    with context.expect_page() as opened:
        worker.evaluate("() => self.timeTracker.openIdlePage()")
    choice = opened.value
    choice.wait_for_selector("#question:not([hidden]) >> text=Deep work")
    choice.click("button:has-text('Discard idle time')")
    choice.wait_for_selector("#done:not([hidden])")
    period = IdlePeriod.objects.in_workspace(workspace).get(user_id=user.pk)
    assert (period.action, period.start, period.entry_id) == ("DISCARD", went_away, entry.id)
    entry.refresh_from_db()
    assert entry.end == went_away
    assert "ends when you went idle" in choice.inner_text("#result")
    assert stored(worker)["idleQuestions"] == []
