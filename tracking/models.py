"""Regional tracking data. Every model here lives in its workspace's region database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.validators import RegexValidator
from django.db import models

from workspaces.regions import RegionalModel, RegionalQuerySet

if TYPE_CHECKING:
    from workspaces.models import Workspace


class DurationFormat(models.TextChoices):
    """How durations are shown and exported (Clockify's workspace setting)."""

    FULL = "full", "Full (hh:mm:ss)"
    COMPACT = "compact", "Compact (h:mm)"
    DECIMAL = "decimal", "Decimal (h.hh)"


class WorkspaceSettingsQuerySet(RegionalQuerySet):
    def for_workspace(self, workspace: Workspace) -> WorkspaceSettings:
        """Return the workspace's settings, creating the defaults on first use.

        Creating them here, not only when the workspace is created, makes workspace creation
        resumable: if the regional write was interrupted, the next read completes it.
        """
        settings, _ = self.in_workspace(workspace).get_or_create()
        return settings


class WorkspaceSettings(RegionalModel):
    """A workspace's preferences that belong with its data: currency, duration format."""

    currency = models.CharField(
        max_length=3,
        default="USD",
        validators=[RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code, e.g. EUR.")],
        help_text="Three-letter ISO 4217 code, e.g. USD, EUR, GBP, AUD.",
    )
    duration_format = models.CharField(
        max_length=10, choices=DurationFormat.choices, default=DurationFormat.FULL
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceSettingsQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace_id"], name="workspace_settings_unique"),
        ]
        verbose_name_plural = "workspace settings"

    def __str__(self) -> str:
        return f"Settings of workspace {self.workspace_id}"
