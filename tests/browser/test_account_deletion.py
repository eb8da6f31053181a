"""A person downloads their data, deletes their account through the pages, and cannot sign
in afterwards."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from privacy.models import Archive
from tests.factories import PASSWORD, make_user, make_workspace
from tracking.models import TimeEntry
from workspaces.models import User


def test_delete_the_account_then_fail_to_sign_in(page, live_server):
    user = make_user("leaving@example.com", name="Lea Ving")
    workspace = make_workspace(user, name="Solo", region="au")
    end = timezone.now().replace(microsecond=0)
    TimeEntry.objects.in_workspace(workspace).create(
        user_id=user.pk, start=end - timedelta(hours=2), end=end, description="Last task"
    )

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "leaving@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.click("details.usermenu summary")
    page.click("text=Your data")
    page.wait_for_url("**/privacy/my-data/")
    assert "Solo" in page.locator("#workspaces-heading + .data-workspace h3").inner_text()
    assert page.locator("td.num").first.inner_text() == "1"

    page.click("text=Build my archive")
    page.wait_for_url("**/privacy/my-data/")
    link = page.locator("a[href*='/privacy/my-data/archives/']")
    assert link.inner_text().startswith("my-data-au-")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".zip")
    assert Archive.objects.filter(user=user, status="ready").count() == 1

    page.click("text=Delete my account…")
    page.wait_for_url("**/privacy/delete-account/")
    assert "The workspace Solo (Australia), which only you use" in page.content()
    page.fill("input[name=email]", "nobody@example.com")
    page.click("text=Delete my account and all my data")
    assert "Type your email address exactly" in page.locator(".field").first.inner_text()
    page.fill("input[name=email]", "leaving@example.com")
    page.click("text=Delete my account and all my data")
    page.wait_for_url("**/privacy/account-deleted/")
    assert "Your account is being deleted" in page.content()
    assert not User.objects.filter(email="leaving@example.com").exists()

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "leaving@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    assert "/accounts/login/" in page.url
    assert "not correct" in page.content()
    # The one failed load is the form sent back with the wrong address (a 400, as it should).
    assert page.console_problems == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
