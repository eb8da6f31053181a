"""The monitoring switches: off by default, turned on with a recent login and a confirmation,
every member told (notice and email), the indicator, the audit, and who may do what."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from monitoring import services
from monitoring.models import MonitoringPolicy, Notice, PolicyChange, Switch
from tests.factories import PASSWORD, add_member, make_user, sign_in
from workspaces.models import Membership, Role, Workspace

SCREENSHOTS_ON = {
    "screenshots": "on",
    "screenshot_interval": "10",
    "blur": "on",
    "screenshot_retention_days": "30",
}
LOCATION_ON = {"location": "on", "location_retention_days": "7"}


def panel_url(workspace: Workspace) -> str:
    return reverse("monitoring:panel", args=[workspace.id])


def change_url(workspace: Workspace, switch: str) -> str:
    return reverse("monitoring:change", args=[workspace.id, switch])


def explanation_url(workspace: Workspace) -> str:
    return reverse("monitoring:explanation", args=[workspace.id])


def notices_url(workspace: Workspace) -> str:
    return reverse("monitoring:notices", args=[workspace.id])


def policy(workspace: Workspace) -> MonitoringPolicy:
    return services.policy_of(workspace)


def notices(workspace: Workspace) -> list[Notice]:
    return list(Notice.objects.in_workspace(workspace).select_related("change"))


def changes(workspace: Workspace) -> list[PolicyChange]:
    return list(PolicyChange.objects.in_workspace(workspace))


def post_change(client, workspace: Workspace, switch: str, data: dict) -> object:
    """Post a switch's form; what it queues after the region's commit runs (the test's own
    transaction never commits)."""
    with TestCase.captureOnCommitCallbacks(using=workspace.db_alias, execute=True):
        return client.post(change_url(workspace, switch), data)


def turn_on(client, workspace: Workspace, switch: str, data: dict) -> object:
    """Post the form, then the confirmation; return the confirmation's answer."""
    first = client.post(change_url(workspace, switch), data)
    assert first.status_code == 200, first.status_code
    return post_change(client, workspace, switch, {**data, "confirmed": "yes"})


def header_of(client, workspace: Workspace) -> str:
    return client.get(reverse("workspaces:members", args=[workspace.id])).content.decode()


@pytest.fixture
def admin_signed_in(client, admin):
    sign_in(client, admin)
    return client


# --- off by default ---


def test_both_switches_are_off_for_a_new_workspace(client, owner, workspace):
    current = policy(workspace)
    assert current._state.adding  # no row: nothing saved until an admin changes it
    assert (current.screenshots, current.location) == (False, False)
    assert (current.screenshot_interval, current.blur) == (5, True)
    assert (current.screenshot_retention_days, current.location_retention_days) == (90, 7)
    client.force_login(owner)
    html = client.get(explanation_url(workspace)).content.decode()
    assert "Nothing is collected" in html
    assert "Screenshots on" not in html and "Location on" not in html


# --- turning on: reauthentication, confirmation, everyone told ---


def test_turning_screenshots_on_tells_every_member_by_notice_and_email(
    client, owner, admin, member, workspace
):
    sign_in(client, admin)
    preview = client.post(change_url(workspace, "screenshots"), SCREENSHOTS_ON)
    assert preview.status_code == 200
    html = preview.content.decode()
    told = services.announcement(
        workspace,
        "screenshots",
        {
            **policy(workspace).options("screenshots"),
            "enabled": True,
            "interval_minutes": 10,
            "retention_days": 30,
        },
        "Ada Admin",
    )
    # The confirmation shows exactly what is sent, built by the same function.
    assert told.text in html and told.email_subject in html
    assert "every 10 minutes" in told.text and "30 days" in told.text
    assert not policy(workspace).screenshots and not changes(workspace) and not mail.outbox

    done = post_change(client, workspace, "screenshots", {**SCREENSHOTS_ON, "confirmed": "yes"})
    assert done.status_code == 302 and done.url == panel_url(workspace)
    current = policy(workspace)
    assert current.screenshots and current.screenshot_interval == 10
    assert current.screenshot_retention_days == 30 and current.blur
    assert current.screenshots_changed_by == admin.pk and current.screenshots_changed_at

    everyone = {owner.pk, admin.pk, member.pk}
    assert {n.user_id for n in notices(workspace)} == everyone
    assert {m.to[0] for m in mail.outbox} == {owner.email, admin.email, member.email}
    assert all(m.subject == told.email_subject for m in mail.outbox)
    assert all(m.body == told.email_body for m in mail.outbox)
    assert explanation_url(workspace) in mail.outbox[0].body
    assert all(n.emailed_at is not None for n in notices(workspace))

    for person in (owner, member):
        client.force_login(person)
        html = header_of(client, workspace)
        assert "Screenshots on" in html and "Location on" not in html
        assert 'aria-label="Notices: 1 unacknowledged"' in html
        explained = client.get(explanation_url(workspace)).content.decode()
        assert "every 10 minutes" in explained and "30 days" in explained
        assert "Ada Admin" in explained and "who looked" in explained


def test_the_email_task_sends_once(client, admin, member, workspace):
    sign_in(client, admin)
    turn_on(client, workspace, "location", LOCATION_ON)
    sent = len(mail.outbox)
    notice = next(n for n in notices(workspace) if n.user_id == member.pk)
    from monitoring.tasks import send_notice_email

    assert sent == 3  # the owner, the admin and the member
    assert send_notice_email(str(workspace.id), str(notice.id)) is False  # sent already
    assert len(mail.outbox) == sent


def test_an_old_login_asks_for_the_password_before_turning_on(client, admin, member, workspace):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, admin)
    with time_machine.travel(start + timedelta(minutes=11), tick=False):
        url = change_url(workspace, "screenshots")
        asked = client.post(url, SCREENSHOTS_ON)
        reauth = reverse("account_reauthenticate")
        assert asked.status_code == 302
        assert asked.url == f"{reauth}?next={quote(url, safe='')}"
        assert not policy(workspace).screenshots
        # The password given, allauth replays the post: the confirmation, nothing saved yet.
        replayed = client.post(asked.url, {"password": PASSWORD})
        assert replayed.status_code == 200
        assert "Turn on and tell everyone" in replayed.content.decode()
        assert not policy(workspace).screenshots and not notices(workspace)
        confirmed = post_change(
            client, workspace, "screenshots", {**SCREENSHOTS_ON, "confirmed": "yes"}
        )
        assert confirmed.status_code == 302
    assert policy(workspace).screenshots
    assert len(notices(workspace)) == 3


def test_a_login_within_ten_minutes_needs_no_password(client, admin, workspace):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, admin)
    with time_machine.travel(start + timedelta(minutes=9), tick=False):
        assert turn_on(client, workspace, "location", LOCATION_ON).status_code == 302
    assert policy(workspace).location


def test_without_the_confirmation_nothing_is_turned_on(admin_signed_in, workspace):
    answer = admin_signed_in.post(change_url(workspace, "location"), LOCATION_ON)
    assert answer.status_code == 200
    assert "Turn on and tell everyone" in answer.content.decode()
    assert not policy(workspace).location
    assert not changes(workspace) and not notices(workspace) and not mail.outbox


# --- turning off, options ---


def test_turning_off_needs_no_confirmation_and_tells_everyone(
    admin_signed_in, owner, admin, member, workspace
):
    turn_on(admin_signed_in, workspace, "location", LOCATION_ON)
    mail.outbox.clear()
    off = post_change(admin_signed_in, workspace, "location", {"location_retention_days": "7"})
    assert off.status_code == 302
    assert not policy(workspace).location
    last = changes(workspace)[0]
    assert last.turned is False
    assert last.before == {"enabled": True, "retention_days": 7}
    assert last.after == {"enabled": False, "retention_days": 7}
    assert {n.user_id for n in last.notices.all()} == {owner.pk, admin.pk, member.pk}
    assert len(mail.outbox) == 3 and "turned location off" in mail.outbox[0].subject
    assert "Location on" not in header_of(admin_signed_in, workspace)


def test_an_options_only_change_is_audited_but_notifies_nobody(admin_signed_in, admin, workspace):
    turn_on(admin_signed_in, workspace, "screenshots", SCREENSHOTS_ON)
    before = len(notices(workspace))
    mail.outbox.clear()
    answer = admin_signed_in.post(
        change_url(workspace, "screenshots"), {**SCREENSHOTS_ON, "screenshot_interval": "15"}
    )
    assert answer.status_code == 302  # no confirmation for options
    assert policy(workspace).screenshot_interval == 15
    last = changes(workspace)[0]
    assert last.turned is None and last.actor_id == admin.pk
    assert (last.before["interval_minutes"], last.after["interval_minutes"]) == (10, 15)
    assert len(notices(workspace)) == before and not mail.outbox
    panel = admin_signed_in.get(panel_url(workspace)).content.decode()
    assert "Interval: 10 minutes → 15 minutes" in panel
    assert "notifies nobody" in panel


def test_options_of_a_switch_that_is_off_are_audited_and_notify_nobody(admin_signed_in, workspace):
    answer = admin_signed_in.post(
        change_url(workspace, "location"), {"location_retention_days": "14"}
    )
    assert answer.status_code == 302
    assert policy(workspace).location_retention_days == 14 and not policy(workspace).location
    assert [c.after for c in changes(workspace)] == [{"enabled": False, "retention_days": 14}]
    assert not notices(workspace) and not mail.outbox


def test_saving_the_same_values_records_nothing(admin_signed_in, workspace):
    answer = admin_signed_in.post(
        change_url(workspace, "location"), {"location_retention_days": "7"}
    )
    assert answer.status_code == 302
    assert not changes(workspace)


# --- the audit ---


def test_the_audit_lists_every_change_newest_first_in_words(
    admin_signed_in, owner, admin, workspace
):
    turn_on(admin_signed_in, workspace, "screenshots", SCREENSHOTS_ON)
    admin_signed_in.post(change_url(workspace, "screenshots"), {**SCREENSHOTS_ON, "blur": ""})
    admin_signed_in.post(
        change_url(workspace, "screenshots"),
        {"screenshot_interval": "10", "screenshot_retention_days": "30"},
    )
    rows = changes(workspace)
    assert [row.turned for row in rows] == [False, None, True]
    assert rows[2].before == {
        "enabled": False,
        "interval_minutes": 5,
        "blur": True,
        "retention_days": 90,
    }
    assert rows[2].after == {
        "enabled": True,
        "interval_minutes": 10,
        "blur": True,
        "retention_days": 30,
    }
    assert (rows[1].before["blur"], rows[1].after["blur"]) == (True, False)
    client = admin_signed_in
    client.force_login(owner)  # the owner reads the same audit
    html = client.get(panel_url(workspace)).content.decode()
    assert html.index("turned off") < html.index("Blur: blurred → not blurred")
    assert html.index("Blur: blurred → not blurred") < html.index("turned on")
    assert "Interval: 5 minutes → 10 minutes" in html and "Kept for: 90 days → 30 days" in html
    assert html.count("Ada Admin") >= 3


# --- bad input ---


@pytest.mark.parametrize(
    ("switch", "data", "error"),
    [
        ("screenshots", {**SCREENSHOTS_ON, "screenshot_interval": "7"}, "Choose 1, 5, 10, 15"),
        ("screenshots", {**SCREENSHOTS_ON, "screenshot_interval": "x"}, "Choose 1, 5, 10, 15"),
        ("screenshots", {**SCREENSHOTS_ON, "screenshot_retention_days": "0"}, "at least 1 day"),
        ("screenshots", {**SCREENSHOTS_ON, "screenshot_retention_days": "366"}, "at most 365"),
        ("screenshots", {**SCREENSHOTS_ON, "screenshot_retention_days": "ten"}, "whole number"),
        ("screenshots", {"screenshots": "on"}, "Choose an interval"),
        ("location", {**LOCATION_ON, "location_retention_days": "31"}, "at most 30 days"),
        ("location", {**LOCATION_ON, "location_retention_days": "0"}, "at least 1 day"),
        ("location", {**LOCATION_ON, "location_retention_days": "1e9"}, "whole number"),
        ("location", {"location": "on"}, "from 1 to 30"),
    ],
)
def test_bad_input_is_a_400_next_to_the_field_and_saves_nothing(
    admin_signed_in, workspace, switch, data, error
):
    answer = admin_signed_in.post(change_url(workspace, switch), {**data, "confirmed": "yes"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'class="field-error"' in html and error in html
    assert MonitoringPolicy.objects.in_workspace(workspace).count() == 0
    assert not changes(workspace) and not notices(workspace) and not mail.outbox


def test_an_unknown_switch_is_a_404(admin_signed_in, workspace):
    assert admin_signed_in.post(change_url(workspace, "microphone"), {}).status_code == 404


# --- who may do what ---


def test_members_see_the_panel_read_only_and_cannot_change_it(client, member, workspace):
    sign_in(client, member)
    html = client.get(panel_url(workspace)).content.decode()
    assert 'name="screenshots"' in html and "disabled" in html
    assert "Save screenshots" not in html
    for switch, data in (("screenshots", SCREENSHOTS_ON), ("location", LOCATION_ON)):
        assert client.post(change_url(workspace, switch), data).status_code == 403
        confirmed = client.post(change_url(workspace, switch), {**data, "confirmed": "yes"})
        assert confirmed.status_code == 403
    assert MonitoringPolicy.objects.in_workspace(workspace).count() == 0
    assert not changes(workspace) and not mail.outbox


def test_another_workspace_is_a_404_everywhere(client, outsider, workspace, admin):
    sign_in(client, admin)
    turn_on(client, workspace, "screenshots", SCREENSHOTS_ON)
    notice = notices(workspace)[0]
    client.force_login(outsider)
    for url in (panel_url(workspace), explanation_url(workspace), notices_url(workspace)):
        assert client.get(url).status_code == 404
    assert client.post(change_url(workspace, "location"), LOCATION_ON).status_code == 404
    ack = reverse("monitoring:acknowledge", args=[workspace.id, notice.id])
    assert client.post(ack).status_code == 404
    ack_all = reverse("monitoring:acknowledge_all", args=[workspace.id])
    assert client.post(ack_all).status_code == 404
    assert not policy(workspace).location
    assert all(n.acknowledged_at is None for n in notices(workspace))


def test_anonymous_people_are_sent_to_log_in(client, workspace):
    for url in (panel_url(workspace), explanation_url(workspace), notices_url(workspace)):
        answer = client.get(url)
        assert answer.status_code == 302 and answer.url.startswith(reverse("account_login"))


# --- notices: the bell, acknowledging, telling newcomers ---


def test_acknowledging_removes_a_notice_from_the_count(admin_signed_in, member, workspace):
    turn_on(admin_signed_in, workspace, "screenshots", SCREENSHOTS_ON)
    turn_on(admin_signed_in, workspace, "location", LOCATION_ON)
    client = admin_signed_in
    client.force_login(member)
    assert 'aria-label="Notices: 2 unacknowledged"' in header_of(client, workspace)
    page = client.get(notices_url(workspace)).content.decode()
    assert "Screenshots on in Owner&#x27;s Team" in page and "Acknowledge all" in page
    mine = [n for n in notices(workspace) if n.user_id == member.pk]
    ack = reverse("monitoring:acknowledge", args=[workspace.id, mine[0].id])
    assert client.post(ack).status_code == 302
    assert 'aria-label="Notices: 1 unacknowledged"' in header_of(client, workspace)
    assert (
        client.post(reverse("monitoring:acknowledge_all", args=[workspace.id])).status_code == 302
    )
    assert 'aria-label="Notices: 0 unacknowledged"' in header_of(client, workspace)
    assert all(n.acknowledged_at is not None for n in notices(workspace) if n.user_id == member.pk)
    # Others' notices are untouched by a member acknowledging theirs.
    assert all(n.acknowledged_at is None for n in notices(workspace) if n.user_id != member.pk)
    # Acknowledging needs a POST.
    assert client.get(ack).status_code == 405


def test_another_members_notice_cannot_be_touched(admin_signed_in, admin, member, workspace):
    turn_on(admin_signed_in, workspace, "location", LOCATION_ON)
    acknowledged_at = timezone.now() - timedelta(days=1)
    theirs = next(n for n in notices(workspace) if n.user_id == admin.pk)
    Notice.objects.in_workspace(workspace).filter(pk=theirs.pk).update(
        acknowledged_at=acknowledged_at
    )
    unread = next(n for n in notices(workspace) if n.user_id == owner_id(workspace))
    client = admin_signed_in
    client.force_login(member)
    for notice in (theirs, unread):
        ack = reverse("monitoring:acknowledge", args=[workspace.id, notice.id])
        assert client.post(ack).status_code == 404
    after = {n.pk: n.acknowledged_at for n in notices(workspace)}
    assert after[theirs.pk] == acknowledged_at and after[unread.pk] is None
    # The page lists only one's own notices.
    page = client.get(notices_url(workspace)).content.decode()
    assert str(theirs.id) not in page and str(unread.id) not in page


def owner_id(workspace: Workspace) -> int:
    return Membership.objects.get(workspace=workspace, role=Role.OWNER).user_id


def test_a_member_who_joins_later_is_told_once_on_their_first_visit(client, admin, workspace):
    sign_in(client, admin)
    turn_on(client, workspace, "screenshots", SCREENSHOTS_ON)
    newcomer = add_member(workspace, make_user("new@example.com", name="Nora New")).user
    assert not [n for n in notices(workspace) if n.user_id == newcomer.pk]
    client.force_login(newcomer)
    html = header_of(client, workspace)
    assert "Screenshots on" in html and 'aria-label="Notices: 1 unacknowledged"' in html
    header_of(client, workspace)
    header_of(client, workspace)
    theirs = [n for n in notices(workspace) if n.user_id == newcomer.pk]
    assert len(theirs) == 1 and theirs[0].change.turned is True
    page = client.get(notices_url(workspace)).content.decode()
    assert "Ada Admin turned screenshots on" in page
    # Acknowledged, it is not made again.
    client.post(reverse("monitoring:acknowledge", args=[workspace.id, theirs[0].id]))
    assert 'aria-label="Notices: 0 unacknowledged"' in header_of(client, workspace)
    assert len([n for n in notices(workspace) if n.user_id == newcomer.pk]) == 1


def test_a_member_told_only_of_an_earlier_state_is_told_of_the_current_one(
    client, admin, member, workspace
):
    sign_in(client, admin)
    turn_on(client, workspace, "location", LOCATION_ON)
    client.post(change_url(workspace, "location"), {"location_retention_days": "7"})  # off
    # The member's notices of the turn-off are lost (e.g. from before a restore).
    off = changes(workspace)[0]
    Notice.objects.in_workspace(workspace).filter(change=off).delete()
    turn_on(client, workspace, "location", LOCATION_ON)
    latest = changes(workspace)[0]
    Notice.objects.in_workspace(workspace).filter(change=latest, user_id=member.pk).delete()
    client.force_login(member)
    assert "Location on" in header_of(client, workspace)
    assert (
        Notice.objects.in_workspace(workspace).filter(change=latest, user_id=member.pk).count() == 1
    )


def test_no_bell_without_a_workspace_or_for_anonymous_people(client, owner, workspace):
    assert "Notices:" not in client.get(reverse("account_login")).content.decode()
    client.force_login(owner)
    assert "Notices:" not in client.get(reverse("workspaces:profile")).content.decode()
    assert "Notices:" in header_of(client, workspace)


def test_the_settings_page_links_to_the_panel(client, member, workspace):
    client.force_login(member)
    html = client.get(reverse("workspaces:settings", args=[workspace.id])).content.decode()
    assert f'href="{panel_url(workspace)}"' in html
    assert "Screenshots: <strong>off</strong>" in html


def test_the_services_report_no_change_and_keep_other_switches(workspace):
    owner_membership = Membership.objects.get(workspace=workspace, role=Role.OWNER)
    assert (
        services.change_policy(
            workspace,
            owner_membership,
            Switch.LOCATION,
            {"location": False, "location_retention_days": 7},
        )
        is None
    )
    change = services.change_policy(
        workspace,
        owner_membership,
        Switch.LOCATION,
        {"location": True, "location_retention_days": 3},
    )
    assert change is not None and change.turned is True
    current = policy(workspace)
    assert current.location and current.location_retention_days == 3
    assert not current.screenshots and current.screenshots_changed_at is None
