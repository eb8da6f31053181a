"""A person with data of every kind in two regions, and a scan of every database and
storage for anything left about them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.files.base import ContentFile
from django.db import connections
from django.utils import timezone

from monitoring import captures, viewing
from monitoring.captures import Sample
from monitoring.models import Switch
from monitoring.services import change_policy
from privacy import archives
from reports.models import ImportUpload
from tests.factories import PASSWORD, add_member, make_project, make_tag, make_user
from tests.files import files_in
from tests.monitoring.capture_kit import image_bytes, upload
from tracking.helpers.idle import answer_idle
from tracking.helpers.models import ActivityRecord
from tracking.models import MemberRate, ProjectMember, TimeEntry, TimeEntryTag
from workspaces.models import ApiKey, Invitation, Membership, Role, User, Workspace
from workspaces.regions import REGION_ALIASES, region_storage, storage_for
from workspaces.services import create_workspace, leave_workspace

# Distinctive, so that finding either anywhere means something was left about the person.
PERSON_ID = 1_987_654_321
EMAIL = "erase.me.q7x@example.org"


@dataclass
class Person:
    user: User
    colleague: User
    shared: Workspace  # the colleague's, in the US; the person is an admin there
    own: Workspace  # the person's own, in the EU, nobody else in it
    left: Workspace  # the colleague's, in the EU; the person left it, their entries stay
    files: list[tuple[str, str]] = field(default_factory=list)  # (region, name) of theirs
    others_files: list[tuple[str, str]] = field(default_factory=list)


def person_everywhere() -> Person:
    """Create the person and a colleague, with one of every kind of data about the person."""
    user = User.objects.create_user(EMAIL, PASSWORD, name="Erin Erase", pk=PERSON_ID)
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    colleague = make_user(name="Colin Colleague")
    shared = create_workspace(colleague, "Shared", "us")
    mine = add_member(shared, user, role=Role.ADMIN)
    theirs = Membership.objects.get(workspace=shared, user=colleague)
    own = create_workspace(user, "Erin's own", "eu")
    left = create_workspace(colleague, "Left behind", "eu")
    add_member(left, user)
    person = Person(user, colleague, shared, own, left)

    # Tracking: private project place, a rate, entries with a tag, a running timer.
    project = make_project(shared, "Private", is_public=False)
    ProjectMember.objects.in_workspace(shared).create(project=project, user_id=user.pk)
    MemberRate.objects.in_workspace(shared).create(user_id=user.pk, hourly_rate=50)
    tag = make_tag(shared, "Focus")
    start = timezone.now().replace(microsecond=0) - timedelta(days=2)
    done = TimeEntry.objects.in_workspace(shared).create(
        user_id=user.pk,
        start=start,
        end=start + timedelta(hours=1),
        project=project,
        description=f"Notes by {EMAIL}",
    )
    TimeEntryTag.objects.in_workspace(shared).create(entry=done, tag=tag)
    now = timezone.now().replace(microsecond=0)
    running = TimeEntry.objects.in_workspace(shared).create(
        user_id=user.pk, start=now - timedelta(hours=1)
    )
    TimeEntry.objects.in_workspace(shared).create(
        user_id=colleague.pk, start=now - timedelta(hours=1)
    )
    for workspace in (own, left):
        TimeEntry.objects.in_workspace(workspace).create(
            user_id=user.pk, start=start, end=start + timedelta(minutes=30), description="EU"
        )

    # Monitoring: the person (an admin) turns both switches on; notices go to both.
    change_policy(
        shared,
        mine,
        Switch.SCREENSHOTS,
        {
            "screenshots": True,
            "screenshot_interval": 5,
            "blur": False,
            "screenshot_retention_days": 90,
        },
    )
    change_policy(shared, mine, Switch.LOCATION, {"location": True, "location_retention_days": 7})
    shot = captures.accept_screenshot(mine, upload(image_bytes()), now, False, "api")
    person.files += [("us", name) for name in shot.stored_files()]
    other_shot = captures.accept_screenshot(theirs, upload(image_bytes()), now, False, "api")
    person.others_files.append(("us", other_shot.storage_name))
    sample = Sample("s-1", 52.52, 13.4, 10.0, timezone.now(), "MOVE")
    assert captures.accept_locations(mine, [sample]).accepted == 1
    captures.note_not_shared(mine, "location")
    viewing.record_screenshot_view(theirs, shot)  # the colleague looks at the person's
    viewing.record_screenshot_view(mine, other_shot)  # the person looks at the colleague's
    assert running.pk

    # The person's own helpers: an idle period answered, an auto tracker record.
    user.idle_detection = user.auto_tracker = True
    user.save()
    answer_idle(shared, user, now - timedelta(minutes=50), now - timedelta(minutes=40), "KEEP")
    ActivityRecord.objects.in_workspace(shared).create(
        user_id=user.pk,
        client_id="r-1",
        app="Browser",
        title=EMAIL,
        url="example.org",
        start=now - timedelta(minutes=30),
        end=now - timedelta(minutes=20),
    )

    # Reports: an upload waiting for its confirmation.
    waiting = ImportUpload.objects.in_workspace(shared).create(
        user_id=user.pk, file_name="mine.csv", size=5
    )
    storage_for(shared).save(waiting.storage_name, ContentFile(b"a,b\n"))
    person.files.append(("us", waiting.storage_name))

    # The directory: keys, a second factor, invitations to and from them, archives.
    ApiKey.objects.issue(user, "Laptop")
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00" * 20}
    )
    Invitation.objects.create(workspace=left, email=EMAIL.upper(), invited_by=colleague)
    Invitation.objects.create(workspace=shared, email="friend@example.com", invited_by=user)
    for archive in archives.request_archives(user, ["us", "eu"]):
        archives.build(archive)
        person.files.append((archive.region, archive.storage_name))

    leave_workspace(Membership.objects.get(workspace=left, user=user), actor_id=user.pk)
    return person


@dataclass(frozen=True)
class Found:
    where: str
    table: str
    column: str
    count: int


def rows_naming(user_id: int, email: str) -> list[Found]:
    """Every column of every table of every database holding the id or the email."""
    found = []
    for alias in ("default", *REGION_ALIASES):
        connection = connections[alias]
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                for column in _columns(cursor, table):
                    name = connection.ops.quote_name(column)
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} "
                        f"WHERE LOWER(CAST({name} AS TEXT)) LIKE %s "
                        f"OR LOWER(CAST({name} AS TEXT)) LIKE %s",
                        [f"%{user_id}%", f"%{email.lower()}%"],
                    )
                    if count := cursor.fetchone()[0]:
                        found.append(Found(alias, table, column, count))
    return found


def _columns(cursor: Any, table: str) -> list[str]:
    if cursor.db.vendor == "sqlite":
        cursor.execute(f"PRAGMA table_info({cursor.db.ops.quote_name(table)})")
        return [row[1] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = %s",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def files_left(files: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Which of these (region, name) files any region's storage still holds."""
    return [(region, name) for region, name in files if region_storage(region).exists(name)]


def all_files() -> dict[str, list[str]]:
    return {region: files_in(region_storage(region)) for region in REGION_ALIASES}


def sqlite_files_holding(text: str) -> list[str]:
    """The SQLite database files (and their logs) whose bytes contain `text`."""
    found = []
    for alias in ("default", *REGION_ALIASES):
        if connections[alias].vendor != "sqlite":
            continue
        path = Path(connections[alias].settings_dict["NAME"])
        for candidate in (path, path.with_name(path.name + "-wal")):
            if candidate.exists() and text.encode() in candidate.read_bytes():
                found.append(str(candidate))
    return found
