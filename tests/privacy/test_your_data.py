"""The "your data" page, the archives, and deleting an account through the pages."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.models import LocationSample, Screenshot
from privacy.models import Archive
from reports import importing
from tests.factories import PASSWORD, add_member, make_user, make_workspace, sign_in
from tests.privacy.kit import EMAIL, PERSON_ID, person_everywhere, rows_naming
from tracking.models import TimeEntry
from workspaces.models import ApiKey, Membership, Role, User
from workspaces.outage import RegionUnavailable

pytestmark = pytest.mark.django_db(databases="__all__")

MY_DATA = reverse("privacy:my_data")
DELETE = reverse("privacy:delete_account")


def signed_in(user: User) -> Client:
    client = Client()
    sign_in(client, user)
    return client


# --- the page ---


def test_the_page_counts_what_the_databases_hold_in_two_regions() -> None:
    person = person_everywhere()
    response = signed_in(person.user).get(MY_DATA)
    assert response.status_code == 200
    page = response.content.decode()
    rows = {d.workspace.pk: d for d in response.context["data"].workspaces}
    shared = rows[person.shared.pk].held
    assert (
        shared.count(TimeEntry)
        == TimeEntry.objects.in_workspace(person.shared).filter(user_id=PERSON_ID).count()
        == 2
    )
    assert shared.count(Screenshot) == 1 and shared.count(LocationSample) == 1
    assert rows[person.own.pk].held.count(TimeEntry) == 1
    # A workspace they left still holds their entry, and says so.
    assert rows[person.left.pk].membership is None
    assert rows[person.left.pk].held.count(TimeEntry) == 1
    assert "you left this workspace" in page
    # Monitoring: on, since when and by whom; who looked at their screenshot.
    assert rows[person.shared.pk].screenshots.on
    assert rows[person.shared.pk].screenshots.changed_by == "Erin Erase"
    assert "Colin Colleague looked at a screenshot" in page
    # The audit log's events about them, as the admins' log words them.
    events = rows[person.shared.pk].events
    assert {event.kind_label for event in events} >= {
        "Monitoring switch changed",
        "Screenshot viewed",
    }
    assert events[0].sentence in page
    assert "USA" in page and "EU (Germany)" in page


def test_the_page_still_renders_when_a_region_is_down() -> None:
    person = person_everywhere()
    from privacy import yourdata

    real = yourdata.held_in_region

    def eu_down(user_id: int, region: str) -> dict:
        if region == "eu":
            raise RegionUnavailable("eu")
        return real(user_id, region)

    with mock.patch.object(yourdata, "held_in_region", eu_down):
        response = signed_in(person.user).get(MY_DATA)
    assert response.status_code == 200
    assert "Not reachable right now: the EU (Germany) region" in response.content.decode()
    rows = {d.workspace.pk: d for d in response.context["data"].workspaces}
    assert rows[person.shared.pk].held.count(TimeEntry) == 2


def test_the_page_needs_a_sign_in_and_has_an_empty_state() -> None:
    assert Client().get(MY_DATA).status_code == 302
    response = signed_in(make_user()).get(MY_DATA)
    assert "nothing is stored about you in any" in response.content.decode()


def test_the_profile_downloads_as_json() -> None:
    person = person_everywhere()
    response = signed_in(person.user).get(reverse("privacy:profile_json"))
    assert response["Content-Disposition"] == 'attachment; filename="my-profile.json"'
    profile = json.loads(response.content)
    assert profile["email"] == EMAIL
    assert {m["workspace"] for m in profile["memberships"]} == {"Shared", "Erin's own"}


# --- archives ---


def _archive_zip(client: Client, archive: Archive) -> zipfile.ZipFile:
    response = client.get(reverse("privacy:download_archive", args=[archive.pk]))
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_an_archive_per_region_holds_everything_and_its_csv_imports_back(
    django_capture_on_commit_callbacks,
) -> None:
    person = person_everywhere()
    Archive.objects.all().delete()
    client = signed_in(person.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:request_archives"), follow=True)
    assert "Your archive is being built" in response.content.decode()
    built = {a.region: a for a in Archive.objects.filter(user=person.user)}
    assert set(built) == {"us", "eu"} and {a.status for a in built.values()} == {"ready"}

    us = _archive_zip(client, built["us"])
    names = us.namelist()
    folder = next(n.split("/")[0] for n in names if n.startswith("Shared-"))
    assert f"{folder}/detailed.csv" in names
    assert any(n.startswith(f"{folder}/files/") and n.endswith(".webp") for n in names)
    samples = json.loads(us.read(f"{folder}/location-samples.json"))
    assert [s["latitude"] for s in samples] == [52.52]
    eu = _archive_zip(client, built["eu"])
    assert sorted(n.split("/")[0] for n in eu.namelist() if n.endswith("detailed.csv")) == sorted(
        n for n in {n.split("/")[0] for n in eu.namelist()} if n != "README.txt"
    )

    # The CSV is a recovery point: deleted entries come back through the import.
    csv = us.read(f"{folder}/detailed.csv").decode()
    assert "Notes by" in csv
    entries = TimeEntry.objects.in_workspace(person.shared).filter(
        user_id=PERSON_ID, end__isnull=False
    )
    before = sorted(entries.values_list("start", "end", "description"))
    entries.delete()
    membership = Membership.objects.get(workspace=person.shared, user=person.user)
    # Dates are in the person's format (month first): the import asks when a file is ambiguous.
    plan = importing.plan_import(person.shared, membership, csv, day_first=False)
    assert plan.ok, plan.errors
    assert importing.apply_import(person.shared, plan).created == 1
    assert sorted(entries.values_list("start", "end", "description")) == before


def test_an_archive_is_only_for_its_person_and_for_seven_days() -> None:
    person = person_everywhere()
    archive = Archive.objects.get(user=person.user, region="us")
    url = reverse("privacy:download_archive", args=[archive.pk])
    assert signed_in(person.colleague).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    Archive.objects.filter(pk=archive.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert signed_in(person.user).get(url).status_code == 410


def test_the_sweep_deletes_expired_archives_with_their_files() -> None:
    from privacy.tasks import sweep
    from workspaces.regions import region_storage

    person = person_everywhere()
    old = Archive.objects.get(user=person.user, region="us")
    Archive.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert sweep()["archives"] == 1
    assert not Archive.objects.filter(pk=old.pk).exists()
    assert not region_storage("us").exists(old.storage_name)
    assert Archive.objects.filter(user=person.user, region="eu").exists()


def test_asking_again_while_building_queues_nothing_more() -> None:
    user = make_user()
    workspace = make_workspace(user, region="uk")
    TimeEntry.objects.in_workspace(workspace).create(
        user_id=user.pk, start=timezone.now() - timedelta(hours=1), end=timezone.now()
    )
    client = signed_in(user)
    with mock.patch("privacy.views.build_archive"):  # stays "being built"
        client.post(reverse("privacy:request_archives"))
        response = client.post(reverse("privacy:request_archives"), follow=True)
    assert Archive.objects.filter(user=user).count() == 1
    assert "being built already" in response.content.decode()


def test_nothing_to_archive_says_so() -> None:
    response = signed_in(make_user()).post(reverse("privacy:request_archives"), follow=True)
    assert "no archive to build" in response.content.decode()
    assert not Archive.objects.exists()


# --- deleting the account ---


def test_deleting_the_account_through_the_page(django_capture_on_commit_callbacks) -> None:
    person = person_everywhere()
    client = signed_in(person.user)
    _, secret = ApiKey.objects.issue(person.user, "Script")
    other_session = signed_in(person.user)
    page = client.get(DELETE).content.decode()
    assert "Erin&#x27;s own" in page and "which only you use" in page

    wrong = client.post(DELETE, {"email": "someone@example.org"})
    assert wrong.status_code == 400
    assert "Type your email address exactly" in wrong.content.decode()
    assert User.objects.get(pk=PERSON_ID).is_active

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DELETE, {"email": EMAIL.upper()})
    assert response.status_code == 302 and response["Location"] == reverse(
        "privacy:account_deleted"
    )
    assert rows_naming(PERSON_ID, EMAIL) == []
    assert mail.outbox[-1].to == [EMAIL] and "deleted" in mail.outbox[-1].subject
    # Every door is shut: this session, the other one, the API key, the password.
    assert client.get(MY_DATA).status_code == 302
    assert other_session.get(MY_DATA).status_code == 302
    assert Client().get("/api/v1/user", HTTP_X_API_KEY=secret).status_code == 401
    login = Client().post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD})
    assert login.status_code == 200  # the form again, with its error


def test_an_owner_of_a_workspace_with_members_must_transfer_it_first() -> None:
    user = make_user()
    workspace = make_workspace(user, name="Team")
    add_member(workspace)
    client = signed_in(user)
    page = client.get(DELETE).content.decode()
    assert "transfer ownership" in page
    assert reverse("workspaces:members", args=[workspace.pk]) in page
    response = client.post(DELETE, {"email": user.email})
    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).is_active


def test_a_stale_sign_in_is_asked_for_the_password_first() -> None:
    user = make_user()
    client = Client()
    client.force_login(user)  # no record of when the password was typed
    response = client.post(DELETE, {"email": user.email})
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert User.objects.get(pk=user.pk).is_active


def test_someone_who_joins_meanwhile_stops_the_deletion() -> None:
    from privacy import erasure

    user = make_user()
    workspace = make_workspace(user)
    client = signed_in(user)
    real = erasure.request_deletion

    def joined_first(person: User) -> None:
        add_member(workspace, role=Role.MEMBER)
        real(person)

    with mock.patch.object(erasure, "request_deletion", joined_first):
        response = client.post(DELETE, {"email": user.email})
    assert response.status_code == 400
    assert "transfer ownership" in response.content.decode()
    assert User.objects.get(pk=user.pk).is_active


def test_an_archive_asked_for_while_a_region_is_down_says_so(
    django_capture_on_commit_callbacks,
) -> None:
    person = person_everywhere()
    Archive.objects.all().delete()
    from privacy import yourdata

    real = yourdata.held_in_region

    def eu_down(user_id: int, region: str) -> dict:
        if region == "eu":
            raise RegionUnavailable("eu")
        return real(user_id, region)

    with (
        mock.patch.object(yourdata, "held_in_region", eu_down),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = signed_in(person.user).post(reverse("privacy:request_archives"), follow=True)
    assert "The EU (Germany) region cannot be reached now" in response.content.decode()
    assert list(Archive.objects.values_list("region", flat=True)) == ["us"]


def test_the_page_says_whether_the_persons_own_helpers_are_on() -> None:
    from tracking.helpers.models import IdlePeriod

    person = person_everywhere()
    person.user.idle_threshold_minutes, person.user.auto_tracker = 7, False
    person.user.save()
    IdlePeriod.objects.in_workspace(person.shared).create(
        user_id=PERSON_ID,
        start=timezone.now() - timedelta(hours=1),
        end=timezone.now(),
        action="KEEP",
    )
    response = signed_in(person.user).get(MY_DATA)
    page = response.content.decode()
    assert "On: asks after 7 idle minutes" in page
    assert "Auto tracker</dt>\n    <dd>Off" in page
    rows = {d.workspace.pk: d for d in response.context["data"].workspaces}
    assert rows[person.shared.pk].held.count(IdlePeriod) == 2  # the kit's and this one
    assert "Idle periods" in page
