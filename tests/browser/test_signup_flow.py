"""A newcomer signs up, verifies the email, creates an EU workspace and sees its region."""

from __future__ import annotations

import re

from django.core import mail

from workspaces.models import Workspace, WorkspaceSettings


def test_signup_verify_create_eu_workspace(page, live_server):
    page.goto(live_server.url + "/accounts/signup/")
    page.fill("input[name=email]", "newcomer@example.com")
    page.fill("input[name=password1]", "a-long-fine-password")
    page.fill("input[name=password2]", "a-long-fine-password")
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/confirm-email/")
    assert "Verify Your Email Address" in page.content()

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.click("main button[type=submit]")
    page.wait_for_url("**/workspaces/new/")

    page.fill("input[name=name]", "Berlin Studio")
    page.click("label.region-option:has-text('EU (Germany)')")
    page.click("main button[type=submit]")
    page.wait_for_url("**/tracker/")

    header = page.locator("header.topbar")
    assert header.locator(".switcher-name").inner_text() == "Berlin Studio"
    assert header.locator(".region-badge").inner_text() == "EU (Germany)"
    page.click("nav.mainnav >> text=Settings")
    assert page.locator("h2#region-heading").inner_text() == "Data hosted in EU (Germany)"
    assert page.console_problems == []

    workspace = Workspace.objects.get(name="Berlin Studio")
    assert workspace.region == "eu"
    assert WorkspaceSettings.objects.in_workspace(workspace).count() == 1


def test_invite_a_colleague_who_accepts(page, live_server, browser, settings):
    from tests.factories import PASSWORD, make_user, make_workspace

    settings.SITE_URL = live_server.url  # the invitation's link is made without a request

    owner = make_user("lead@example.com", name="Lena Lead")
    workspace = make_workspace(owner, name="Shared Team", region="uk")
    make_user("colleague@example.com", name="Cole League")

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "lead@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/w/{workspace.id}/members/")
    page.fill("input[name=email]", "colleague@example.com")
    page.click("text=Send invitation")
    assert "Invitation sent to colleague@example.com." in page.content()

    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    other = browser.new_context().new_page()
    other.goto(link)
    other.fill("input[name=login]", "colleague@example.com")
    other.fill("input[name=password]", PASSWORD)
    other.click("main button[type=submit]")
    other.click("text=Accept invitation")
    assert other.locator(".switcher-name").inner_text() == "Shared Team"
    assert other.locator(".region-badge").inner_text() == "UK"
    other.context.close()
