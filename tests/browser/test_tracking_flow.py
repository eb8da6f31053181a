"""A member tracks time in the browser: timer, manual entry, inline edit, timesheet cell."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import PASSWORD, make_user, make_workspace
from tracking.models import Project, Tag, TimeEntry


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

    # Saving through htmx goes back to the tracker itself, with a confirmation.
    page.wait_for_selector(".message.success:has-text('Entry saved.')")
    assert "edit=" not in page.url
    assert page.locator(".entry.editing").count() == 0

    # The timesheet: type quickly into two cells of next week; each keeps its own value.
    page.click("nav.mainnav >> text=Timesheet")
    page.click("a:has-text('Next week')")
    page.select_option("#add-row", f"p:{project.id}")
    page.click("button:has-text('Add row')")
    row = page.locator("tbody tr:has(th:has-text('Launch'))")
    monday, tuesday = row.locator("input.cell").nth(0), row.locator("input.cell").nth(1)
    days = row.locator("input[name=day]").evaluate_all("inputs => inputs.map(i => i.value)")
    assert monday.get_attribute("id") == f"cell-p-{project.id}-{days[0]}"
    monday.click()
    page.keyboard.type("1:00")
    page.keyboard.press("Tab")
    page.keyboard.type("2:00")
    with page.expect_response(lambda r: "value=2%3A00" in (r.request.post_data or "")):
        page.keyboard.press("Tab")
    page.wait_for_function(
        "() => document.querySelector('#sheet-day-totals .grand').textContent.trim() === '03:00:00'"
    )
    assert (monday.input_value(), tuesday.input_value()) == ("1:00", "2:00")
    typed = TimeEntry.objects.in_workspace(workspace).filter(project=project, description="")
    assert sorted(e.duration for e in typed) == [timedelta(hours=1), timedelta(hours=2)]

    # A bad value shows next to its cell, as typed; nothing else changes.
    wednesday = row.locator("input.cell").nth(2)
    wednesday.fill("abc")
    with page.expect_response(lambda r: "/timesheet/cell/" in r.url):
        wednesday.press("Tab")
    page.wait_for_selector(f"#cell-p-{project.id}-{days[2]}[aria-invalid=true]")
    assert "is not a duration" in row.locator(".cell-error").inner_text()
    assert row.locator("input.cell").nth(2).input_value() == "abc"
    # Chromium logs the 400 answer itself; any other console problem is a bug.
    assert [p for p in page.console_problems if "status of 400" not in p] == []


def test_tags_dropdown_and_a_narrow_screen(page, live_server):
    owner = make_user("narrow@example.com", name="Nia Narrow")
    workspace = make_workspace(owner, name="Studio", region="us")
    tag = Tag.objects.in_workspace(workspace).create(name="deep work")
    Tag.objects.in_workspace(workspace).create(name="x" * 100)
    project = Project.objects.in_workspace(workspace).create(name="L" * 100)
    log_in(page, live_server, "narrow@example.com")

    picker = page.locator("#timer-bar .tag-picker")
    assert picker.locator("summary").inner_text().strip() == "Tags"
    picker.locator("summary").click()
    picker.locator("label:has-text('deep work')").click()
    assert picker.locator("summary").inner_text().strip() == "1 tag"
    page.click("#timer-bar button:has-text('Start')")
    page.wait_for_selector("#timer-bar.is-running")
    running = TimeEntry.objects.in_workspace(workspace).running().get()
    assert list(running.tags.all()) == [tag]
    page.click("#timer-bar button:has-text('Stop')")
    page.wait_for_selector(".entry")

    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("tracker", "timesheet", "projects", "tags"):
        page.goto(f"{live_server.url}/w/{workspace.id}/{path}/")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
    page.goto(f"{live_server.url}/w/{workspace.id}/projects/")
    assert project.name in page.content()
    assert page.console_problems == []


def test_another_tab_reloads_when_the_timer_changes(page, live_server):
    owner = make_user("tabs@example.com", name="Theo Tabs")
    make_workspace(owner, name="Studio", region="us")
    log_in(page, live_server, "tabs@example.com")
    other = page.context.new_page()
    problems: list[str] = []
    other.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    other.goto(page.url)
    assert other.locator("#timer-bar").get_attribute("data-timer-state") == "none"

    page.fill("#timer-bar input[name=description]", "Started elsewhere")
    page.click("#timer-bar button:has-text('Start')")
    other.wait_for_selector("#timer-bar.is-running")  # a reload, not a swap of the bar
    page.click("#timer-bar button:has-text('Stop')")
    # The whole page follows: the stopped entry is in the other tab's list too.
    other.wait_for_selector(".entry-description:has-text('Started elsewhere')")
    assert other.locator("#timer-bar").get_attribute("data-timer-state") == "none"
    assert problems == [] and page.console_problems == []
