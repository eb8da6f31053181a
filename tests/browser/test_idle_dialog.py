"""Idle detection on the tracker page (static/js/idle.js), end to end: Playwright's clock
stands in for the person being away (`run_for`: time passes, no input) or for the computer
asleep (`fast_forward`: the clock jumps), then a key or the mouse brings them back.

The page's clock starts ten minutes behind the server's, so that the absences it reports
(a few minutes long) have ended before the server's now, as a real one has.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import watched_page
from tests.factories import make_user, make_workspace
from tracking.helpers.models import IdlePeriod
from tracking.models import TimeEntry
from workspaces.models import User, Workspace

from .test_tracking_flow import log_in

DIALOG = "dialog[data-idle]"
SINCE = re.compile(r"You were idle since (\d\d:\d\d) \((\d+) minutes\)\.")


@dataclass
class Setup:
    user: User
    workspace: Workspace
    entry: TimeEntry

    def entries(self) -> list[TimeEntry]:
        return list(
            TimeEntry.objects.in_workspace(self.workspace).of_user(self.user.pk).order_by("start")
        )

    def period(self) -> IdlePeriod:
        return IdlePeriod.objects.in_workspace(self.workspace).get()


@pytest.fixture
def setup() -> Setup:
    user = make_user("idle@example.com", name="Ida Idle")
    user.idle_detection = True
    user.idle_threshold_minutes = 1
    user.time_format = "24"
    user.save()
    workspace = make_workspace(user, name="Quiet office", region="eu")
    start = timezone.now().replace(microsecond=0) - timedelta(minutes=20)
    entry = TimeEntry.objects.in_workspace(workspace).create(
        user_id=user.pk, start=start, description="Write the report"
    )
    return Setup(user, workspace, entry)


def open_tracker(page, live_server) -> None:
    page.clock.install(time=timezone.now() - timedelta(minutes=10))
    log_in(page, live_server, "idle@example.com")
    page.locator("#timer-bar .clock").wait_for()


def idle_text(page) -> tuple[str, int]:
    dialog = page.locator(DIALOG)
    dialog.wait_for(state="visible")
    match = SINCE.search(dialog.inner_text())
    assert match, dialog.inner_text()
    return match.group(1), int(match.group(2))


def answered(page, choice: str, outcome: str, *, reload: bool = True) -> None:
    """Click a choice, read the outcome, and close the dialog (the page reloads if asked)."""
    page.locator(DIALOG).get_by_role("button", name=choice, exact=True).click()
    page.locator("[data-idle-outcome]").filter(has_text=outcome).wait_for()
    ok = page.locator(DIALOG).get_by_role("button", name="OK")
    assert ok.evaluate("(button) => document.activeElement === button")
    if reload:
        with page.expect_navigation():
            ok.click()
    else:
        ok.click()
    page.locator(DIALOG).wait_for(state="hidden")


def test_discard_after_sleep_ends_the_entry_when_the_idleness_began(page, live_server, setup):
    open_tracker(page, live_server)
    assert not page.locator(DIALOG).is_visible()  # hidden until needed
    page.clock.fast_forward("05:00")  # the lid closed for five minutes, then opened
    since, minutes = idle_text(page)
    assert minutes == 5
    # Focus is in the dialog, on its title: a key pressed to wake up answers nothing.
    assert page.evaluate("() => document.activeElement.id") == "idle-title"

    answered(page, "Discard idle time", "The entry now ends when you went idle.")
    period = setup.period()
    (entry,) = setup.entries()
    assert entry.end == period.start and period.action == "DISCARD"
    assert period.user_id == setup.user.pk and period.entry_id == entry.pk
    assert since == f"{period.start:%H:%M}"  # the person's zone is UTC here
    assert period.end - period.start == timedelta(minutes=5)
    # The page shows what the server now holds: no timer runs.
    assert page.locator("#timer-bar button", has_text="Start").is_visible()
    assert page.console_problems == []


def test_discard_and_continue_after_inactivity_starts_the_same_entry_again(
    page, live_server, setup
):
    open_tracker(page, live_server)
    page.clock.run_for("02:30")  # time passes, the page ticks, nobody touches anything
    assert not page.locator(DIALOG).is_visible()
    page.keyboard.press("Shift")  # they come back
    since, minutes = idle_text(page)
    assert minutes in (2, 3)

    answered(page, "Discard and continue", "A new entry with the same details started")
    period = setup.period()
    first, again = setup.entries()
    assert first.end == period.start and since == f"{period.start:%H:%M}"
    assert again.end is None and again.start == period.end
    assert again.description == "Write the report" and period.continued_id == again.pk
    assert page.locator(".timer-description", has_text="Write the report").is_visible()
    assert page.console_problems == []


def test_keep_changes_nothing_and_escape_asks_again(page, live_server, setup):
    open_tracker(page, live_server)
    page.clock.run_for("01:30")
    page.mouse.move(20, 20)
    page.mouse.move(300, 200, steps=3)
    first = idle_text(page)

    # Escape answers nothing: the dialog closes and the question comes back on the next visit.
    page.keyboard.press("Escape")
    page.locator(DIALOG).wait_for(state="hidden")
    assert not IdlePeriod.objects.in_workspace(setup.workspace).exists()
    page.reload()
    assert idle_text(page) == first

    answered(page, "Keep", "The idle time was kept in the entry.", reload=False)
    (entry,) = setup.entries()
    assert entry.end is None and setup.period().action == "KEEP"
    # Coming and going within the threshold asks nothing.
    page.clock.run_for("00:30")
    page.keyboard.press("Shift")
    assert not page.locator(DIALOG).is_visible()
    assert page.console_problems == []


def test_two_tabs_ask_about_the_same_absence_and_answer_it_once(page, live_server, setup):
    open_tracker(page, live_server)
    other = page.context.new_page()
    problems: list[str] = []
    other.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    other.on("pageerror", lambda e: problems.append(str(e)))
    other.goto(page.url)
    other.locator("#timer-bar .clock").wait_for()

    page.clock.run_for("02:00")
    page.keyboard.press("Shift")
    asked = idle_text(page)
    other.keyboard.press("Shift")  # the same absence, seen from the other tab
    assert idle_text(other) == asked

    page.locator(DIALOG).get_by_role("button", name="Discard idle time").click()
    page.locator("[data-idle-outcome]").filter(has_text="ends when you went idle").wait_for()
    # The other tab is told, and shows the answer instead of asking.
    outcome = other.locator("[data-idle-outcome]")
    outcome.filter(has_text="Answered in another tab").wait_for()
    assert "The entry now ends when you went idle." in outcome.inner_text()
    assert other.locator("[data-idle-action]").count() == 3
    assert not other.locator("[data-idle-action]").first.is_visible()
    with other.expect_navigation():
        other.locator(DIALOG).get_by_role("button", name="OK").click()
    assert other.locator("#timer-bar button", has_text="Start").is_visible()
    # The reloaded tab tells the others that the timer changed (timer.js): this one reloads.
    page.locator("#timer-bar button", has_text="Start").wait_for()

    assert setup.period().action == "DISCARD" and setup.entries()[0].end == setup.period().start
    assert page.console_problems == [] and problems == []


@pytest.fixture
def second_browser(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    """Another browser of the same person (nothing shared with the first but the server)."""
    with watched_page(browser, request) as page:
        yield page


def test_a_second_browser_answering_the_same_absence_gets_the_first_answer(
    page, second_browser, live_server, setup
):
    open_tracker(page, live_server)
    open_tracker(second_browser, live_server)
    page.clock.run_for("02:00")
    second_browser.clock.run_for("02:00")
    page.keyboard.press("Shift")
    second_browser.keyboard.press("Shift")
    idle_text(page)
    idle_text(second_browser)

    answered(page, "Discard idle time", "The entry now ends when you went idle.")
    ended = setup.entries()[0].end
    # The second browser did not hear of it: its "Keep" gets the first answer back.
    answered(second_browser, "Keep", "This idle time was answered before (Discard idle time)")
    (entry,) = setup.entries()
    assert entry.end == ended and setup.period().action == "DISCARD"
    assert IdlePeriod.objects.in_workspace(setup.workspace).count() == 1
    assert page.console_problems == [] and second_browser.console_problems == []
