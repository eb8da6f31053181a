"""Load a deterministic demo: an owner, colleagues and a workspace in one region."""

import os
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from tracking.demo import build_catalog, load_entries
from tracking.models import TimeEntry
from workspaces import services
from workspaces.models import Membership, Role, User, Workspace
from workspaces.regions import Region

DEMO_PASSWORD = "demo-password"
DEMO_WORKSPACE = "Demo Agency"
PEOPLE = [
    ("demo@example.com", "Dana Demo", Role.OWNER),
    ("alice@example.com", "Alice Admin", Role.ADMIN),
    ("bob@example.com", "Bob Member", Role.MEMBER),
    ("carol@example.com", "Carol Member", Role.MEMBER),
]


class Command(BaseCommand):
    help = "Create the demo workspace and its people (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--region",
            choices=Region.values,
            default=None,
            help="Region of the demo workspace (default: the DEFAULT_REGION setting).",
        )
        parser.add_argument(
            "--entries",
            type=int,
            default=1500,
            help="Time entries to create, newest yesterday (default 1500; 0 for none).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the directory already has accounts.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("The directory has accounts already; demo data not loaded.")
            return
        region = options["region"] or settings.DEFAULT_REGION
        users = {email: self._person(email, name) for email, name, _ in PEOPLE}
        owner = users[PEOPLE[0][0]]
        workspace = Workspace.objects.filter(
            name=DEMO_WORKSPACE, memberships__user=owner, memberships__role=Role.OWNER
        ).first() or services.create_workspace(owner, DEMO_WORKSPACE, region)
        for email, _, role in PEOPLE[1:]:
            Membership.objects.get_or_create(
                workspace=workspace, user=users[email], defaults={"role": role}
            )
            User.objects.filter(pk=users[email].pk).update(active_workspace=workspace)
        self._entries(workspace, [users[email].pk for email, _, _ in PEOPLE], options["entries"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo workspace “{workspace.name}” ({workspace.region_label}) is ready.\n"
                f"Log in at {_site()}/accounts/login/ as {owner.email} "
                f"with password {DEMO_PASSWORD}\n"
                f"(also alice@example.com as admin, bob@ and carol@example.com as members, "
                f"same password)."
            )
        )

    def _entries(self, workspace: Workspace, user_ids: list[int], count: int) -> None:
        if count < 0:
            raise CommandError("--entries cannot be negative.")
        existing = TimeEntry.objects.in_workspace(workspace).count()
        if existing:
            self.stdout.write(f"The demo workspace has {existing} entries already; none added.")
            return
        if count == 0:
            build_catalog(workspace)
            return
        # History ends yesterday, so no demo entry lies in the future.
        yesterday = timezone.localdate() - timedelta(days=1)
        made, seconds = load_entries(workspace, user_ids, count, yesterday)
        rate = made / seconds if seconds else made
        self.stdout.write(
            f"Created {made:,} entries in {seconds:.1f} s ({rate:,.0f} entries/s) "
            f"in the {workspace.region_label} database."
        )

    @transaction.atomic(using="default")
    def _person(self, email: str, name: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, name=name)
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user


def _site() -> str:
    """Where `make run` serves the site: its HOST and PORT (the Makefile passes them)."""
    return f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
