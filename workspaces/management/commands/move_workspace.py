"""Move a workspace's data to another region; run it again to finish a move that stopped."""

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workspaces.models import Workspace
from workspaces.moving import SETTLE_SECONDS, MoveError, move_workspace
from workspaces.outage import RegionUnavailable
from workspaces.regions import REGION_ALIASES


class Command(BaseCommand):
    help = (
        "Move the workspace WORKSPACE_ID to REGION: read-only while its rows and files are "
        "copied and verified, then served from REGION, then deleted from the old region. "
        "Safe to run again after an interruption: it finishes the move."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("workspace_id", type=uuid.UUID, help="The workspace's id.")
        parser.add_argument("region", choices=REGION_ALIASES, help="Where to move it.")
        parser.add_argument(
            "--settle",
            type=float,
            default=SETTLE_SECONDS,
            help="Seconds to let requests begun before the move finish their writes "
            f"(default {SETTLE_SECONDS:g}).",
        )

    def handle(
        self, *args: Any, workspace_id: uuid.UUID, region: str, settle: float, **options: Any
    ) -> None:
        try:
            move_workspace(workspace_id, region, settle=settle, report=self.stdout.write)
        except Workspace.DoesNotExist:
            raise CommandError(f"No workspace has the id {workspace_id}.") from None
        except (MoveError, RegionUnavailable) as error:
            raise CommandError(f"{error} Nothing is lost: run the command again.") from None
