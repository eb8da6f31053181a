"""An admin opens the detailed report and downloads the CSV export with one click."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.factories import PASSWORD, make_user, make_workspace
from tracking import services
from tracking.models import Project


def test_download_the_detailed_csv(page, live_server):
    owner = make_user("reporter@example.com", name="Rita Reporter")
    workspace = make_workspace(owner, name="Reporting", region="au")
    project = Project.objects.in_workspace(workspace).create(name="Audit", hourly_rate=100)
    for day in range(3):
        start = datetime(2026, 11, 2 + day, 9, tzinfo=UTC)
        details = services.EntryDetails(
            description=f'Check "{day}", part {day}', project=project, billable=True
        )
        services.create_entry(workspace, owner.pk, details, start, start + timedelta(minutes=90))

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "reporter@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/tracker/")
    page.click("nav.mainnav >> text=Reports")
    page.select_option("select[name=preset]", "all")
    page.click("button:has-text('Apply filters')")
    page.wait_for_selector("text=Check")

    with page.expect_download() as download_info:
        page.click("button:has-text('Export CSV')")
    download = download_info.value
    assert download.suggested_filename == "Time_Report_Detailed_11_02_2026-11_04_2026.csv"
    raw = download.path().read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without a byte-order mark
    lines = raw.decode("utf-8").split("\r\n")
    assert lines[0] == (
        '"Project","Client","Description","Task","User","Group","Email","Tags","Billable",'
        '"Start Date","Start Time","End Date","End Time","Duration (h)","Duration (decimal)",'
        '"Billable Rate (AUD)","Billable Amount (AUD)"'
    )
    assert len([line for line in lines[1:] if line]) == 3
    assert '"Check ""2"", part 2"' in lines[1]
    assert page.console_problems == []
