"""A member tracks time in the browser: timer, manual entry, inline edit, timesheet cell."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import PASSWORD, make_user, make_workspace
from tracking.models import Project, TimeEntry


def log_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/tracker/")


def test_timer_manual_entry_inline_edit_and_timesheet(page, live_server):
    owner = make_user("tracker@example.com", name="Tia Tracker")
    workspace = make_workspace(owner, name="Studio", region="us")
    project = Project.objects.in_workspace(workspace).create(name="Launch", color="#e0457b")
    log_in(page, live_server, "tracker@example.com")
    assert "No time tracked yet" in page.content()

    # Start and stop the timer; the clock ticks in between.
    page.fill("#timer-bar input[name=description]", "Planning the launch")
    page.select_option("#timer-bar select[name=project_task]", f"p:{project.id}")
    page.click("#timer-bar button:has-text('Start')")
    clock = page.locator("#timer-bar .clock")
    first = clock.inner_text()
    page.wait_for_timeout(2100)
    assert clock.inner_text() != first
    page.click("#timer-bar button:has-text('Stop')")
    page.wait_for_selector(".entry .entry-description:has-text('Planning the launch')")
    assert TimeEntry.objects.in_workspace(workspace).running().count() == 0

    # A manual entry with a duration.
    page.click("summary:has-text('Add time manually')")
    page.fill("details.manual input[name=description]", "Writing release notes")
    page.fill("details.manual input[name=start_time]", "09:00")
    page.fill("details.manual input[name=duration]", "1:30")
    page.click("details.manual button:has-text('Add entry')")
    page.wait_for_selector(".entry-description:has-text('Writing release notes')")
    notes = TimeEntry.objects.in_workspace(workspace).get(description="Writing release notes")
    assert notes.end - notes.start == timedelta(hours=1, minutes=30)

    # Inline edit through htmx: the row turns into a form in place.
    row = page.locator(f"#entry-{notes.id}")
    row.locator("a:has-text('Edit')").click()
    form = page.locator(f"#entry-{notes.id} form")
    form.locator("input[name=description]").fill("Release notes, final")
    form.locator("button:has-text('Save')").click()
    page.wait_for_selector(".entry-description:has-text('Release notes, final')")
    notes.refresh_from_db()
    assert notes.description == "Release notes, final"

    # The timesheet: type a duration into a cell and the totals follow.
    page.click("nav.mainnav >> text=Timesheet")
    cell = page.locator("input.cell").first
    cell.fill("2:15")
    before = page.locator("#timesheet-grid .grand").inner_text()
    with page.expect_response(lambda response: "/timesheet/cell/" in response.url):
        cell.press("Tab")
    page.wait_for_function(
        "before => document.querySelector('#timesheet-grid .grand').textContent.trim() !== before",
        arg=before,
    )
    assert page.console_problems == []
    assert TimeEntry.objects.in_workspace(workspace).count() == 3
