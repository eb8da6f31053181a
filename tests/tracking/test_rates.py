"""The rate on an entry: project over member over workspace, fixed when the entry is made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.urls import reverse

from tracking import services
from tracking.models import MemberRate, Project, TimeEntry
from workspaces.models import WorkspaceSettings

START = datetime(2026, 11, 2, 9, tzinfo=UTC)


def make(workspace, user, project=None, billable=True):
    details = services.EntryDetails(project=project, billable=billable)
    return services.create_entry(workspace, user.pk, details, START, START + timedelta(minutes=90))


def set_workspace_rate(workspace, rate):
    WorkspaceSettings.objects.in_workspace(workspace).update(hourly_rate=rate)


def test_project_over_member_over_workspace(owner, member, workspace):
    set_workspace_rate(workspace, Decimal("50"))
    MemberRate.objects.in_workspace(workspace).create(user_id=member.pk, hourly_rate=Decimal("70"))
    rated = Project.objects.in_workspace(workspace).create(name="Rated", hourly_rate=Decimal("120"))
    plain = Project.objects.in_workspace(workspace).create(name="Plain")

    assert make(workspace, member, rated).hourly_rate == Decimal("120")
    assert make(workspace, member, plain).hourly_rate == Decimal("70")
    assert make(workspace, owner, plain).hourly_rate == Decimal("50")
    assert make(workspace, owner).amount == Decimal("75.00")  # 1.5 h at 50


def test_later_rate_changes_keep_history_unless_applied(client, owner, workspace):
    set_workspace_rate(workspace, Decimal("50"))
    old = make(workspace, owner)
    client.force_login(owner)
    data = {
        "ws-name": "Owner's Team",
        "prefs-currency": "EUR",
        "prefs-duration_format": "full",
        "prefs-hourly_rate": "60",
    }
    client.post(reverse("workspaces:settings", args=[workspace.id]), data)
    old.refresh_from_db()
    assert old.hourly_rate == Decimal("50")
    assert make(workspace, owner).hourly_rate == Decimal("60")

    client.post(
        reverse("workspaces:settings", args=[workspace.id]),
        data | {"prefs-apply_rate_to_past": "on"},
    )
    assert set(TimeEntry.objects.in_workspace(workspace).values_list("hourly_rate", flat=True)) == {
        Decimal("60")
    }


def test_applying_the_workspace_rate_spares_project_and_member_rates(owner, member, workspace):
    set_workspace_rate(workspace, Decimal("50"))
    rated = Project.objects.in_workspace(workspace).create(name="Rated", hourly_rate=Decimal("120"))
    MemberRate.objects.in_workspace(workspace).create(user_id=member.pk, hourly_rate=Decimal("70"))
    on_project, of_member, plain = (
        make(workspace, owner, rated),
        make(workspace, member),
        make(workspace, owner),
    )
    set_workspace_rate(workspace, Decimal("55"))
    assert services.apply_workspace_rate_to_past_entries(workspace) == 1
    for entry, rate in [(on_project, "120"), (of_member, "70"), (plain, "55")]:
        entry.refresh_from_db()
        assert entry.hourly_rate == Decimal(rate)


def test_negative_rate_is_refused(client, owner, workspace):
    client.force_login(owner)
    data = {
        "ws-name": "X",
        "prefs-currency": "EUR",
        "prefs-duration_format": "full",
        "prefs-hourly_rate": "-1",
    }
    response = client.post(reverse("workspaces:settings", args=[workspace.id]), data)
    assert response.status_code == 400
    assert "greater than or equal to 0" in response.content.decode()
    assert WorkspaceSettings.objects.for_workspace(workspace).hourly_rate is None
