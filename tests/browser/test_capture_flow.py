"""A member's browser captures screenshots and location while the timer runs, as the
workspace's policy asks: Chromium grants screen capture (its fake-UI flags accept the
prompt) and a fake position (the context's geolocation permission)."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from monitoring.models import LocationSample, Screenshot
from tests.browser.conftest import watched_page
from tests.factories import add_member, make_user, make_workspace
from tests.monitoring.capture_kit import turn_on

from .test_tracking_flow import log_in

# Whether the capture panel's status line says something (a function: the CSP allows no eval).
SAYS = "text => document.querySelector('[data-capture-status]').textContent.includes(text)"


@pytest.fixture
def capture_page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    """A page whose browser has a position to give and allows asking for it."""
    position = {"latitude": 52.52, "longitude": 13.405, "accuracy": 25}
    with watched_page(browser, request, permissions=["geolocation"], geolocation=position) as page:
        yield page


def test_a_running_timer_captures_the_shared_screen_and_the_position(capture_page, live_server):
    page = capture_page
    owner = make_user("boss@example.com", name="Bea Boss")
    workspace = make_workspace(owner, name="Field team", region="eu")
    member = add_member(workspace, make_user("field@example.com", name="Finn Field")).user
    turn_on(workspace, screenshots=True, location=True, blur=True, screenshot_interval=1)

    log_in(page, live_server, "field@example.com")
    page.fill("#timer-bar input[name=description]", "Site visit")
    page.click("#timer-bar button:has-text('Start')")
    panel = page.locator("[data-capture]")
    panel.wait_for()
    assert "this workspace collects screenshots and your location" in panel.inner_text()

    # The position is asked for at once; a minute's interval is shortened for the test.
    page.wait_for_function(SAYS, arg="Location sent")
    page.evaluate(
        "() => { document.querySelector('[data-capture]').dataset.intervalMinutes = '0.03'; }"
    )
    page.click("button:has-text('Share your screen for screenshots')")
    page.wait_for_function(SAYS, arg="Last screenshot")

    shot = Screenshot.objects.in_workspace(workspace).first()
    assert shot is not None and shot.source == "web" and shot.user_id == member.pk
    assert shot.blurred  # the policy says blur; the page sent it unblurred
    (position,) = LocationSample.objects.in_workspace(workspace).filter(kind="START")
    assert (position.latitude, position.longitude) == pytest.approx((52.52, 13.405))

    day = shot.captured_at.astimezone(ZoneInfo(member.time_zone)).date()  # even at midnight
    page.goto(f"{live_server.url}/w/{workspace.id}/monitoring/captures/?day={day}")
    image = page.locator("ul.shots img").first
    image.wait_for()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    # Chromium's fake capture device also probes the camera, which our Permissions-Policy
    # turns off (camera=()); a real screen share does not touch the camera.
    camera = "Permissions policy violation: camera is not allowed in this document."
    assert [problem for problem in page.console_problems if problem != camera] == []


def test_an_admin_turns_screenshots_on_and_a_member_is_told(page, browser, live_server):
    owner = make_user("lead@example.com", name="Lee Lead")
    workspace = make_workspace(owner, name="Studio", region="eu")
    add_member(workspace, make_user("crew@example.com", name="Cal Crew"))

    log_in(page, live_server, "lead@example.com")
    page.goto(f"{live_server.url}/w/{workspace.id}/settings/monitoring/")
    page.get_by_label("Take screenshots").check()
    page.click("button:has-text('Save screenshots')")
    page.wait_for_selector("h1:has-text('Turn on screenshots?')")
    assert "Lee Lead turned screenshots on in Studio" in page.content()  # what members get
    page.click("button:has-text('Turn on and tell everyone')")
    page.wait_for_selector("text=Every member has been notified")
    assert page.locator(".monitor-on", has_text="Screenshots on").count() == 1

    member = browser.new_context(viewport={"width": 1280, "height": 860})
    member.set_default_timeout(15_000)
    crew = member.new_page()
    try:
        log_in(crew, live_server, "crew@example.com")
        assert crew.locator(".monitor-on", has_text="Screenshots on").count() == 1
        crew.click("a.bell")
        crew.wait_for_selector("text=Lee Lead turned screenshots on in Studio")
        crew.click("button:has-text('Acknowledge all')")
        crew.wait_for_load_state()
        assert crew.locator(".bell-count").count() == 0
    finally:
        member.close()
