"""The proof: after an account's deletion nothing about the person is left, anywhere."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from monitoring.models import CaptureView, PolicyChange, Screenshot
from privacy import erasure
from privacy.tasks import erase_account
from tests.privacy.kit import (
    EMAIL,
    PERSON_ID,
    all_files,
    files_left,
    person_everywhere,
    rows_naming,
    sqlite_files_holding,
)
from tracking.models import TimeEntry
from workspaces import audit
from workspaces.models import AuditEvent, Invitation, User, Workspace
from workspaces.outage import RegionUnavailable
from workspaces.regions import regional_models

pytestmark = pytest.mark.django_db(databases="__all__")


def test_the_kit_leaves_the_person_everywhere() -> None:
    """The scan finds the person before the deletion: it is looking in the right places."""
    person = person_everywhere()
    found = {(f.where, f.table) for f in rows_naming(PERSON_ID, EMAIL)}
    for table in (
        "workspaces_user",
        "account_emailaddress",
        "mfa_authenticator",
        "workspaces_apikey",
        "workspaces_invitation",
        "privacy_archive",
    ):
        assert ("default", table) in found, table
    for model in regional_models():
        # Rollups are kept only where the database has the triggers (PostgreSQL).
        if (model.person_fields or model.actor_fields) and not model.derived_from:
            assert ("us", model._meta.db_table) in found or (
                "eu",
                model._meta.db_table,
            ) in found, model._meta.label
    assert ("eu", "tracking_timeentry") in found
    # Thumbnails are made after the commit, which a test in a transaction never reaches.
    assert files_left(person.files) == [f for f in person.files if "-thumb." not in f[1]]


def test_deleting_the_account_leaves_nothing_about_the_person() -> None:
    person = person_everywhere()
    erasure.request_deletion(person.user)
    erase_account(PERSON_ID)

    assert rows_naming(PERSON_ID, EMAIL) == []
    assert files_left(person.files) == []
    # Others' data stays: the colleague's entries, screenshot and workspaces.
    assert files_left(person.others_files) == person.others_files
    assert Workspace.objects.filter(pk__in=[person.shared.pk, person.left.pk]).count() == 2
    assert not Workspace.objects.filter(pk=person.own.pk).exists()
    entries = TimeEntry.objects.in_workspace(person.shared)
    assert list(entries.values_list("user_id", flat=True)) == [person.colleague.pk]
    # What the person did to others' data stays on record without them.
    changes = PolicyChange.objects.in_workspace(person.shared)
    assert changes.count() == 2 and set(changes.values_list("actor_id", flat=True)) == {None}
    looks = CaptureView.objects.in_workspace(person.shared)
    assert list(looks.values_list("viewer_id", "subject_id")) == [(None, person.colleague.pk)]
    assert Screenshot.objects.in_workspace(person.shared).count() == 1
    # The audit log keeps the actions (the switches turned on, the looks) without the person.
    events = AuditEvent.objects.in_workspace(person.shared)
    assert events.filter(actor_id=None, kind="monitoring_changed").count() == 2
    assert events.filter(subject_id=None, kind="screenshot_viewed").exists()
    # And tells each workspace's admins why records are gone, naming nobody.
    (gone,) = events.filter(kind="account_deleted")
    assert gone.actor_id is None and gone.detail["records"] >= 8
    assert audit.shown([gone])[0].sentence.startswith("Someone deleted their account, and with")
    assert AuditEvent.objects.in_workspace(person.left).filter(kind="account_deleted").count() == 1
    assert Invitation.objects.filter(email="friend@example.com", invited_by=None).exists()
    assert not any(f"{PERSON_ID}" in name for names in all_files().values() for name in names)


def test_a_region_down_midway_is_finished_by_resume_deletions() -> None:
    person = person_everywhere()
    erasure.request_deletion(person.user)
    real = erasure.erase_in_region

    def eu_down(user_id: int, region: str) -> dict[str, int]:
        if region == "eu":
            raise RegionUnavailable("eu")
        return real(user_id, region)

    with mock.patch.object(erasure, "erase_in_region", eu_down), pytest.raises(RegionUnavailable):
        erase_account.run(PERSON_ID)

    # Half done: the US is clean, the EU is not, and the account is still switched off.
    user = User.objects.get(pk=PERSON_ID)
    assert not user.is_active and user.deletion_requested_at is not None
    left = {f.where for f in rows_naming(PERSON_ID, EMAIL)}
    assert "eu" in left and "us" not in left

    call_command("resume_deletions", stdout=mock.MagicMock())
    assert rows_naming(PERSON_ID, EMAIL) == []
    assert files_left(person.files) == []


def test_a_storage_failing_midway_is_retried_to_the_end() -> None:
    person = person_everywhere()
    erasure.request_deletion(person.user)
    with (
        mock.patch("django.core.files.storage.FileSystemStorage.delete", side_effect=OSError),
        mock.patch("storages.backends.s3.S3Storage.delete", side_effect=OSError),
        pytest.raises(OSError),
    ):
        erasure.erase(User.objects.get(pk=PERSON_ID))
    assert User.objects.filter(pk=PERSON_ID, is_active=False).exists()

    still_down = mock.patch.object(erasure, "erase_in_region", side_effect=RegionUnavailable("us"))
    with still_down, pytest.raises(CommandError):  # a region still down: not finished
        call_command("resume_deletions", stdout=mock.MagicMock(), stderr=mock.MagicMock())
    call_command("resume_deletions", stdout=mock.MagicMock())
    assert rows_naming(PERSON_ID, EMAIL) == []
    assert files_left(person.files) == []


def test_erasing_twice_is_harmless() -> None:
    person = person_everywhere()
    erasure.request_deletion(person.user)
    user = User.objects.get(pk=PERSON_ID)
    erasure.erase(user)
    erasure.erase(user)  # a second delivery of the task, or the sweep, after the first
    assert erase_account.run(PERSON_ID) is False
    assert rows_naming(PERSON_ID, EMAIL) == []


def test_an_account_that_did_not_ask_is_never_erased() -> None:
    person = person_everywhere()
    with pytest.raises(ValueError):
        erasure.erase(person.user)
    assert erase_account.run(PERSON_ID) is False
    assert User.objects.filter(pk=PERSON_ID, is_active=True).exists()


@pytest.mark.django_db(databases="__all__", transaction=True)
def test_the_sqlite_files_keep_no_copy_of_the_email() -> None:
    """On the embedded default the database files themselves are searched (secure_delete
    overwrites deleted rows; the write-ahead logs are emptied at the end of the erasure)."""
    if connections["default"].vendor != "sqlite":
        pytest.skip("The embedded default's files; PostgreSQL's are the server's.")
    person_everywhere()
    assert sqlite_files_holding(EMAIL)
    erasure.request_deletion(User.objects.get(pk=PERSON_ID))
    erase_account(PERSON_ID)
    assert sqlite_files_holding(EMAIL) == []


def test_every_column_naming_a_person_is_declared() -> None:
    """A regional model that keeps a person's id in a column must say what erasing that
    person does to the row (person_fields: deleted; actor_fields: the name emptied)."""
    from django.db import models

    for model in regional_models():
        declared = set(model.person_fields) | set(model.actor_fields)
        for field in model._meta.concrete_fields:
            names_person = isinstance(field, models.BigIntegerField) and (
                field.name.endswith(("_id", "_by"))
            )
            if names_person and field.name != "workspace_id":
                assert field.name in declared, f"{model._meta.label}.{field.name}"
        for name in declared:
            assert model._meta.get_field(name), f"{model._meta.label}.{name}"
        for name in model.actor_fields:
            assert model._meta.get_field(name).null, f"{model._meta.label}.{name} must be nullable"
