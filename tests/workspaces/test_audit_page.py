"""The admins' audit log page, and the log's retention."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from tests.factories import make_user
from workspaces import audit
from workspaces.models import AuditEvent, Workspace
from workspaces.tasks import purge_audit_log, purge_audit_log_now

BASE = datetime(2026, 3, 16, 12, tzinfo=UTC)


def url(workspace: Workspace, **query: object) -> str:
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return reverse("workspaces:audit", args=[workspace.id]) + (f"?{params}" if params else "")


def add(workspace: Workspace, kind: str, at: datetime, **fields: object) -> AuditEvent:
    return AuditEvent.objects.in_workspace(workspace).create(kind=kind, created_at=at, **fields)


def rows(html: str) -> int:
    return len(re.findall(r"<tr>\s*<td><time", html))


def test_the_owner_sees_each_event_as_who_what_and_about_whom(client, workspace, owner, member):
    add(
        workspace,
        "role_changed",
        BASE,
        actor_id=owner.pk,
        subject_id=member.pk,
        detail={"before": "member", "after": "admin"},
    )
    add(
        workspace,
        "screenshot_viewed",
        BASE + timedelta(minutes=1),
        actor_id=owner.pk,
        subject_id=member.pk,
    )
    client.force_login(owner)
    response = client.get(url(workspace))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Changed the role of Max Member from Member to Admin" in html
    assert "Viewed a screenshot of Max Member" in html
    assert html.index("Viewed a screenshot") < html.index("Changed the role")  # newest first
    assert "Olivia Owner" in html and "member@example.com" not in html


def test_a_deleted_account_is_named_so(client, workspace, owner):
    gone = make_user("gone@example.com", name="Gone Person")
    add(workspace, "member_removed", BASE, actor_id=owner.pk, subject_id=gone.pk)
    add(workspace, "member_left", BASE + timedelta(minutes=1), actor_id=None)
    gone.delete()
    client.force_login(owner)
    html = client.get(url(workspace)).content.decode()
    assert "Removed a deleted account from the workspace" in html
    assert "A deleted account" in html  # who left
    assert "Gone Person" not in html


def test_an_admin_may_look_and_a_member_may_not(client, workspace, admin, member):
    client.force_login(admin)
    assert client.get(url(workspace)).status_code == 200
    client.force_login(member)
    assert client.get(url(workspace)).status_code == 403


def test_another_workspace_is_404_and_a_stranger_must_sign_in(client, workspace, outsider):
    client.force_login(outsider)
    assert client.get(url(workspace)).status_code == 404
    client.logout()
    response = client.get(url(workspace))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_only_get_is_allowed(client, workspace, owner):
    client.force_login(owner)
    assert client.post(url(workspace)).status_code == 405


def test_an_empty_log_says_so(client, workspace, owner):
    client.force_login(owner)
    html = client.get(url(workspace)).content.decode()
    assert "Nothing recorded yet" in html
    assert 'rel="next"' not in html and 'rel="prev"' not in html


def test_filters_by_person_and_by_kind(client, workspace, owner, admin, member):
    add(
        workspace,
        "role_changed",
        BASE,
        actor_id=owner.pk,
        subject_id=admin.pk,
        detail={"before": "member", "after": "admin"},
    )
    add(workspace, "entries_deleted", BASE, actor_id=member.pk, detail={"count": 2})
    add(workspace, "screenshot_viewed", BASE, actor_id=admin.pk, subject_id=member.pk)
    client.force_login(owner)
    html = client.get(url(workspace, person=member.pk)).content.decode()
    assert rows(html) == 2 and "Deleted 2 time entries" in html and "Changed the role" not in html
    html = client.get(url(workspace, kind="role_changed")).content.decode()
    assert rows(html) == 1 and "Changed the role of Ada Admin" in html
    html = client.get(url(workspace, person=member.pk, kind="role_changed")).content.decode()
    assert "No events match these filters" in html


def test_a_former_member_named_in_the_log_can_be_chosen(client, workspace, owner):
    former = make_user("former@example.com", name="Fiona Former")
    add(workspace, "member_left", BASE, actor_id=former.pk)
    client.force_login(owner)
    html = client.get(url(workspace, person=former.pk)).content.decode()
    assert f'<option value="{former.pk}" selected>Fiona Former</option>' in html
    assert "Fiona Former left the workspace" not in html  # the table splits who and what
    assert rows(html) == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"person": "999999"}, "that person is not in this workspace"),
        ({"person": "abc"}, "that person is not in this workspace"),
        ({"kind": "nonsense"}, "Choose a kind from the list."),
        ({"before": "yesterday"}, "This is not a page of this log"),
        ({"after": "2026-03-16T12:00:00_not-a-uuid"}, "This is not a page of this log"),
        ({"before": "2026-03-16T12:00:00_0190a000-0000-7000-8000-000000000000"}, "not a page"),
    ],
)
def test_bad_filters_are_a_clear_400(client, workspace, owner, query, message):
    client.force_login(owner)
    response = client.get(url(workspace, **query))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_pages_go_older_and_newer_by_keyset_across_a_boundary(client, workspace, owner):
    # 55 events, some sharing their second: the id orders them within it.
    made = [
        add(
            workspace,
            "entries_deleted",
            BASE + timedelta(seconds=n // 3),
            actor_id=owner.pk,
            detail={"count": n},
        )
        for n in range(55)
    ]
    newest_first = sorted(made, key=lambda e: (e.created_at, e.id), reverse=True)
    client.force_login(owner)

    first = client.get(url(workspace))
    page = first.context["page"]
    assert [s.event.id for s in page.events] == [e.id for e in newest_first[:50]]
    assert page.newer is None and page.older == audit.cursor_of(newest_first[49])
    assert 'rel="next"' in first.content.decode()

    older = client.get(reverse("workspaces:audit", args=[workspace.id]), {"before": page.older})
    second = older.context["page"]
    assert [s.event.id for s in second.events] == [e.id for e in newest_first[50:]]
    assert second.older is None and second.newer == audit.cursor_of(newest_first[50])
    assert "OFFSET" not in str(AuditEvent.objects.in_workspace(workspace)[:1].query).upper()

    back = client.get(reverse("workspaces:audit", args=[workspace.id]), {"after": second.newer})
    assert [s.event.id for s in back.context["page"].events] == [e.id for e in newest_first[:50]]
    assert back.context["page"].newer is None


def test_the_page_keeps_its_filters_across_pages(client, workspace, owner, member):
    for n in range(51):
        add(workspace, "entries_deleted", BASE + timedelta(minutes=n), actor_id=member.pk)
    add(workspace, "member_left", BASE, actor_id=owner.pk)
    client.force_login(owner)
    html = client.get(url(workspace, person=member.pk)).content.decode()
    link = re.search(r'href="(\?[^"]*)" rel="next"', html).group(1).replace("&amp;", "&")
    assert f"person={member.pk}" in link
    older = client.get(reverse("workspaces:audit", args=[workspace.id]) + link)
    assert rows(older.content.decode()) == 1


def test_times_are_in_the_viewers_zone_and_format(client, workspace, owner, member):
    owner.time_zone, owner.time_format, owner.date_format = "America/New_York", "24", "%Y-%m-%d"
    owner.save()
    add(workspace, "member_left", BASE, actor_id=member.pk)  # 12:00 UTC, 08:00 in New York
    client.force_login(owner)
    html = client.get(url(workspace)).content.decode()
    assert "2026-03-16 08:00" in html


def test_the_page_takes_a_fixed_number_of_queries(client, workspace, owner, member, all_queries):
    client.force_login(owner)

    def counted() -> dict[str, int]:
        with all_queries() as queries:
            assert client.get(url(workspace)).status_code == 200
        return queries.by_alias()

    add(workspace, "member_left", BASE, actor_id=member.pk)
    counted()  # the first request of a session writes to it
    few = counted()
    for n in range(60):
        add(
            workspace,
            "screenshot_viewed",
            BASE + timedelta(minutes=n),
            actor_id=owner.pk,
            subject_id=member.pk,
        )
    assert counted() == few
    # The region: the people the log names, the page, and the header's monitoring state.
    assert few["eu"] == 3


def test_the_settings_page_links_admins_to_the_log(client, workspace, owner, member):
    client.force_login(owner)
    link = reverse("workspaces:audit", args=[workspace.id])
    assert link in client.get(reverse("workspaces:settings", args=[workspace.id])).content.decode()
    client.force_login(member)
    html = client.get(reverse("workspaces:settings", args=[workspace.id])).content.decode()
    assert link not in html


def test_the_shared_include_renders_one_event_as_a_sentence(rf, workspace, owner, member):
    from django.template.loader import render_to_string

    add(workspace, "member_removed", BASE, actor_id=owner.pk, subject_id=member.pk)
    (shown,) = audit.events_about(workspace, member.pk)
    request = rf.get("/")
    request.user = member
    html = render_to_string("workspaces/_audit_event.html", {"shown": shown, "request": request})
    assert "Olivia Owner removed Max Member from the workspace." in html
    assert 'datetime="2026-03-16T12:00:00+00:00"' in html


# --- retention ---


def test_events_older_than_the_retention_are_purged_everywhere(workspace, owner, outsider):
    elsewhere = Workspace.objects.get(name="Elsewhere Inc")
    now = datetime(2027, 6, 1, tzinfo=UTC)
    old = add(workspace, "member_left", now - timedelta(days=366), actor_id=owner.pk)
    kept = add(workspace, "member_left", now - timedelta(days=364), actor_id=owner.pk)
    add(elsewhere, "member_left", now - timedelta(days=400), actor_id=outsider.pk)
    assert settings.AUDIT_RETENTION_DAYS == 365
    assert purge_audit_log_now(now) == 2
    assert list(AuditEvent.objects.in_workspace(workspace)) == [kept]
    assert not AuditEvent.objects.in_workspace(elsewhere).exists()
    assert not AuditEvent.objects.in_workspace(workspace).filter(pk=old.pk).exists()
    assert purge_audit_log_now(now) == 0  # idempotent


def test_the_retention_follows_the_setting(workspace, owner, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    add(workspace, "member_left", BASE - timedelta(days=31), actor_id=owner.pk)
    add(workspace, "member_left", BASE - timedelta(days=29), actor_id=owner.pk)
    assert audit.purge(workspace, BASE) == 1


def test_the_purge_runs_daily_on_beat_and_from_the_command(workspace, owner):
    schedule = settings.CELERY_BEAT_SCHEDULE["purge-audit-log"]
    assert schedule["task"] == purge_audit_log.name == "workspaces.tasks.purge_audit_log"
    assert schedule["schedule"] == 24 * 60 * 60
    add(workspace, "member_left", datetime(2000, 1, 1, tzinfo=UTC), actor_id=owner.pk)
    assert purge_audit_log.delay().get() == 1
    out = StringIO()
    call_command("purge_audit_log", stdout=out)
    assert "Purged 0 audit event(s) older than 365 days." in out.getvalue()
