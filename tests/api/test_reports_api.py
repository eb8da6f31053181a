"""Clockify's Reports API: detailed JSON and CSV, summary JSON, with the report rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_workspace
from tracking import services
from tracking.models import Project

RANGE = {"dateRangeStart": "2026-11-01T00:00:00Z", "dateRangeEnd": "2026-11-30T23:59:59Z"}


@pytest.fixture
def project(workspace):
    return Project.objects.in_workspace(workspace).create(name="Audit", hourly_rate="100.00")


def add(workspace, user, project, day, minutes=90, description="Work"):
    start = datetime(2026, 11, day, 9, tzinfo=UTC)
    details = services.EntryDetails(description=description, project=project, billable=True)
    return services.create_entry(
        workspace, user.pk, details, start, start + timedelta(minutes=minutes)
    )


def url(workspace, kind):
    return f"/api/reports/v1/workspaces/{workspace.id}/reports/{kind}"


def post(api, path, body):
    return api.client.post(path, body, content_type="application/json", headers=api.headers)


def test_detailed_json_totals_and_page(api_as, owner, member, workspace, project):
    add(workspace, owner, project, 2, description="Mine")
    add(workspace, member, project, 3, minutes=30, description="Theirs")
    add(workspace, owner, project, 20)
    body = RANGE | {"detailedFilter": {"page": 1, "pageSize": 2, "sortColumn": "DATE"}}
    response = post(api_as(owner), url(workspace, "detailed"), body)
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["totals"] == [
        {
            "totalTime": 3 * 3600 + 1800,
            "totalBillableTime": 3 * 3600 + 1800,
            "entriesCount": 3,
            "totalAmount": 35000,
        }
    ]
    assert [e["description"] for e in report["timeentries"]] == ["Work", "Theirs"]
    assert report["timeentries"][1]["userEmail"] == "member@example.com"
    assert report["timeentries"][0]["projectName"] == "Audit"


def test_members_see_only_their_own_time(api_as, owner, member, workspace, project):
    add(workspace, owner, project, 2)
    add(workspace, member, project, 3, description="Theirs")
    report = post(api_as(member), url(workspace, "detailed"), RANGE).json()
    assert [e["description"] for e in report["timeentries"]] == ["Theirs"]
    asking = post(
        api_as(member), url(workspace, "detailed"), RANGE | {"users": {"ids": [str(owner.pk)]}}
    )
    assert asking.status_code == 400


def test_detailed_csv_streams_clockifys_file(api_as, owner, workspace, project):
    add(workspace, owner, project, 2, description='Say "hi"')
    response = post(api_as(owner), url(workspace, "detailed"), RANGE | {"exportType": "CSV"})
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="Time_Report_Detailed_11_01_2026-11_30_2026.csv"'
    )
    lines = b"".join(response.streaming_content).decode().split("\r\n")
    assert lines[0].startswith('"Project","Client","Description"')
    assert '"Say ""hi"""' in lines[1]


def test_summary_groups(api_as, owner, workspace, project):
    other = Project.objects.in_workspace(workspace).create(name="Build")
    add(workspace, owner, project, 2)
    add(workspace, owner, other, 3, minutes=30)
    body = RANGE | {"summaryFilter": {"groups": ["PROJECT", "DATE"]}}
    response = post(api_as(owner), url(workspace, "summary"), body)
    assert response.status_code == 200, response.content
    groups = response.json()["groupOne"]
    assert [(g["name"], g["duration"]) for g in groups] == [("Audit", 5400), ("Build", 1800)]
    assert groups[0]["amount"] == 15000
    assert len(groups[0]["children"]) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"dateRangeEnd": "2026-10-01T00:00:00Z"},
        {"dateRangeStart": "soon"},
        {"detailedFilter": {"page": 10**9}},
        {"detailedFilter": {"pageSize": 0}},
        {"detailedFilter": {"sortColumn": "COLOUR"}},
        {"exportType": "PDF"},
    ],
)
def test_bad_bodies_are_400(api_as, owner, workspace, change):
    response = post(api_as(owner), url(workspace, "detailed"), RANGE | change)
    assert response.status_code == 400
    assert response.json()["code"] == 400


def test_another_workspace_is_404_and_its_ids_are_refused(
    api_as, owner, outsider, workspace, project
):
    add(workspace, owner, project, 2)
    elsewhere = make_workspace(outsider, region="us")
    theirs = Project.objects.in_workspace(elsewhere).create(name="Theirs")
    assert post(api_as(outsider), url(workspace, "detailed"), RANGE).status_code == 404
    assert post(api_as(outsider), url(workspace, "summary"), RANGE).status_code == 404
    refused = post(
        api_as(owner), url(workspace, "detailed"), RANGE | {"projects": {"ids": [str(theirs.id)]}}
    )
    assert refused.status_code == 400
    assert post(api_as(None), url(workspace, "detailed"), RANGE).status_code == 401
