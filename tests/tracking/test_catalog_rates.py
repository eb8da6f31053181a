"""The member rates page: every member's hourly rate, changed by admins."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import add_member, make_project, make_workspace
from tracking.models import MemberRate, Project, TimeEntry
from workspaces.models import Membership, User, Workspace, WorkspaceSettings


def url(workspace: Workspace) -> str:
    return reverse("tracking:rates", args=[workspace.id])


def update_url(workspace: Workspace, membership: Membership) -> str:
    return reverse("tracking:rate_update", args=[workspace.id, membership.pk])


def membership_of(workspace: Workspace, user: User) -> Membership:
    return Membership.objects.get(workspace=workspace, user=user)


def rates(workspace: Workspace) -> dict[int, Decimal]:
    rows = MemberRate.objects.in_workspace(workspace).values_list("user_id", "hourly_rate")
    return dict(rows)


def make_entry(workspace: Workspace, user: User, project: Project | None = None) -> TimeEntry:
    start = timezone.now() - timedelta(hours=2)
    return TimeEntry.objects.in_workspace(workspace).create(
        user_id=user.pk,
        project=project,
        billable=True,
        start=start,
        end=start + timedelta(hours=1),
        hourly_rate=Decimal("10"),
    )


# --- list ---


def test_members_see_their_own_rate_and_the_default_read_only(client, owner, member, workspace):
    WorkspaceSettings.objects.in_workspace(workspace).update(hourly_rate=Decimal("55"))
    MemberRate.objects.in_workspace(workspace).create(user_id=member.pk, hourly_rate=40)
    client.force_login(member)
    response = client.get(url(workspace))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Max Member" in html
    assert "40.00 EUR" in html
    assert "workspace default of 55.00 EUR" in html
    assert "Only the workspace's admins see every member's rate and change rates." in html
    assert "<form" not in html.split("<main", 1)[1]


def test_members_do_not_see_their_colleagues_rates(client, owner, admin, member, workspace):
    MemberRate.objects.in_workspace(workspace).create(user_id=owner.pk, hourly_rate=90)
    MemberRate.objects.in_workspace(workspace).create(user_id=admin.pk, hourly_rate=70)
    client.force_login(member)
    main = client.get(url(workspace)).content.decode().split("<main", 1)[1]
    assert "90.00" not in main and "70.00" not in main
    assert "Olivia Owner" not in main and "Ada Admin" not in main
    assert [row["membership"].user_id for row in client.get(url(workspace)).context["rows"]] == [
        member.pk
    ]


def test_admins_see_every_members_rate(client, owner, admin, member, workspace):
    MemberRate.objects.in_workspace(workspace).create(user_id=owner.pk, hourly_rate=90)
    MemberRate.objects.in_workspace(workspace).create(user_id=member.pk, hourly_rate=40)
    client.force_login(admin)
    html = client.get(url(workspace)).content.decode()
    assert "90.00 EUR" in html and "40.00 EUR" in html
    assert "Olivia Owner" in html and "Max Member" in html


def test_admins_get_a_form_per_member(client, admin, member, workspace):
    client.force_login(admin)
    html = client.get(url(workspace)).content.decode()
    assert html.count("Apply to past entries too") == 3
    assert update_url(workspace, membership_of(workspace, member)) in html


def test_list_runs_the_same_queries_for_one_or_twenty(client, owner, workspace, all_queries):
    client.force_login(owner)
    client.get(url(workspace))
    with all_queries() as one:
        assert client.get(url(workspace)).status_code == 200
    for _ in range(19):
        user = add_member(workspace).user
        MemberRate.objects.in_workspace(workspace).create(user_id=user.pk, hourly_rate=20)
    with all_queries() as twenty:
        html = client.get(url(workspace)).content.decode()
    assert html.count("20.00 EUR") == 19
    assert one.by_alias() == twenty.by_alias()


def test_list_login_required_404_elsewhere_and_405(client, owner, outsider, workspace):
    assert client.get(url(workspace)).status_code == 302
    client.force_login(outsider)
    assert client.get(url(workspace)).status_code == 404
    client.force_login(owner)
    assert client.post(url(workspace)).status_code == 405


# --- update ---


def test_admin_sets_changes_and_clears_a_rate(client, admin, member, workspace):
    target = update_url(workspace, membership_of(workspace, member))
    client.force_login(admin)
    prefix = f"m{membership_of(workspace, member).pk}-"
    response = client.post(target, {prefix + "hourly_rate": "42.5"})
    assert response.status_code == 302
    assert rates(workspace) == {member.pk: Decimal("42.50")}
    client.post(target, {prefix + "hourly_rate": "45"})
    assert rates(workspace) == {member.pk: Decimal("45.00")}
    client.post(target, {prefix + "hourly_rate": ""})
    assert rates(workspace) == {}


def test_history_changes_only_when_asked(client, owner, member, workspace):
    membership = membership_of(workspace, member)
    prefix = f"m{membership.pk}-"
    plain = make_entry(workspace, member)
    with_project_rate = make_entry(workspace, member, make_project(workspace, hourly_rate=99))
    client.force_login(owner)
    client.post(update_url(workspace, membership), {prefix + "hourly_rate": "30"})
    plain.refresh_from_db()
    assert plain.hourly_rate == Decimal("10")
    data = {prefix + "hourly_rate": "35", prefix + "apply_rate_to_past": "on"}
    client.post(update_url(workspace, membership), data)
    plain.refresh_from_db()
    with_project_rate.refresh_from_db()
    # A project's own rate outranks the member's, so that entry keeps it.
    assert (plain.hourly_rate, with_project_rate.hourly_rate) == (Decimal("35"), Decimal("10"))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "A rate cannot be negative."),
        ("1.999", "no more than 2 decimal places"),
        ("12345678901", "no more than 10 digits before the decimal point"),
        ("lots", "Enter a number."),
    ],
)
def test_bad_rates_are_400_next_to_the_field(client, owner, member, workspace, value, message):
    MemberRate.objects.in_workspace(workspace).create(user_id=member.pk, hourly_rate=20)
    membership = membership_of(workspace, member)
    prefix = f"m{membership.pk}-"
    entry = make_entry(workspace, member)
    client.force_login(owner)
    data = {prefix + "hourly_rate": value, prefix + "apply_rate_to_past": "on"}
    response = client.post(update_url(workspace, membership), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert f'<p class="field-error" id="id_{prefix}hourly_rate_error">' in html
    assert message in html
    assert rates(workspace) == {member.pk: Decimal("20")}
    entry.refresh_from_db()
    assert entry.hourly_rate == Decimal("10")


def test_update_access(client, owner, member, outsider, workspace):
    membership = membership_of(workspace, member)
    target = update_url(workspace, membership)
    data = {f"m{membership.pk}-hourly_rate": "50"}
    other = make_workspace(owner, name="Other", region="us")
    stranger = add_member(other)
    assert client.post(target, data).status_code == 302
    client.force_login(outsider)
    assert client.post(target, data).status_code == 404
    client.force_login(member)
    assert client.post(target, data).status_code == 403
    # Even with members managing the catalog, rates stay with the admins.
    WorkspaceSettings.objects.in_workspace(workspace).update(members_can_manage_projects=True)
    assert client.post(target, data).status_code == 403
    client.force_login(owner)
    assert client.post(update_url(workspace, stranger), data).status_code == 404
    assert client.get(target).status_code == 405
    assert rates(workspace) == {}
