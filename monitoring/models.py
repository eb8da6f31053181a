"""Monitoring: screenshots and location, off until a workspace admin turns them on.

Every model here is regional: a workspace's policy, its audit of policy changes, the notices
that tell each member, the captures, and the record of who looked at whose captures all live
in the workspace's region. Capture files go to the region's storage under
`<workspace id>/screenshots/`, so the region kernel's registry moves and deletes them with
the rows.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from tracking.models import TimeEntry
from workspaces.regions import RegionalModel, RegionalQuerySet

if TYPE_CHECKING:
    from workspaces.models import Workspace

SCREENSHOT_INTERVALS = [
    (minutes, f"{minutes} minute{'s' if minutes > 1 else ''}") for minutes in (1, 5, 10, 15, 30)
]
SCREENSHOT_RETENTION_MAX = 365
LOCATION_RETENTION_MAX = 30


class Switch(models.TextChoices):
    """The two things an admin can turn on."""

    SCREENSHOTS = "screenshots", "Screenshots"
    LOCATION = "location", "Location"


class PolicyQuerySet(RegionalQuerySet):
    def for_workspace(self, workspace: Workspace) -> MonitoringPolicy:
        """The workspace's policy; both switches off until an admin saves one."""
        policy = self.in_workspace(workspace).first()
        return policy or MonitoringPolicy(workspace_id=workspace.id)


class MonitoringPolicy(RegionalModel):
    """What a workspace collects. A workspace without a row collects nothing."""

    actor_fields = ("screenshots_changed_by", "location_changed_by")

    screenshots = models.BooleanField(default=False)
    screenshot_interval = models.PositiveSmallIntegerField(
        choices=SCREENSHOT_INTERVALS, default=5, help_text="Minutes between two screenshots."
    )
    blur = models.BooleanField(default=True)
    screenshot_retention_days = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(1), MaxValueValidator(SCREENSHOT_RETENTION_MAX)]
    )
    location = models.BooleanField(default=False)
    location_retention_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(LOCATION_RETENTION_MAX)]
    )
    # Who last turned each switch on or off, and when: the explanation page names them.
    screenshots_changed_by = models.BigIntegerField(null=True, blank=True)
    screenshots_changed_at = models.DateTimeField(null=True, blank=True)
    location_changed_by = models.BigIntegerField(null=True, blank=True)
    location_changed_at = models.DateTimeField(null=True, blank=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "monitoring policies"
        constraints = [
            models.UniqueConstraint(fields=["workspace_id"], name="monitoring_policy_unique"),
            models.CheckConstraint(
                condition=models.Q(screenshot_interval__in=[m for m, _ in SCREENSHOT_INTERVALS]),
                name="monitoring_interval_known",
            ),
            models.CheckConstraint(
                condition=models.Q(screenshot_retention_days__range=(1, SCREENSHOT_RETENTION_MAX)),
                name="monitoring_screenshot_retention_range",
            ),
            models.CheckConstraint(
                condition=models.Q(location_retention_days__range=(1, LOCATION_RETENTION_MAX)),
                name="monitoring_location_retention_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Monitoring of workspace {self.workspace_id}"

    def is_on(self, switch: str) -> bool:
        return bool(getattr(self, Switch(switch).value))

    def options(self, switch: str) -> dict[str, object]:
        """A switch's state and options, as the audit records them."""
        if Switch(switch) == Switch.SCREENSHOTS:
            return {
                "enabled": self.screenshots,
                "interval_minutes": self.screenshot_interval,
                "blur": self.blur,
                "retention_days": self.screenshot_retention_days,
            }
        return {"enabled": self.location, "retention_days": self.location_retention_days}


class PolicyChange(RegionalModel):
    """The audit: one row each time an admin changes a switch or its options."""

    actor_fields = ("actor_id",)

    # Empty once the admin deleted their account: the change stays on record.
    actor_id = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    switch = models.CharField(max_length=20, choices=Switch.choices)
    before = models.JSONField()
    after = models.JSONField()

    class Meta:
        verbose_name = "monitoring change"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.switch} changed by user {self.actor_id} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def turned(self) -> bool | None:
        """True if it turned the switch on, False if off, None if only options changed."""
        was, now = bool(self.before.get("enabled")), bool(self.after.get("enabled"))
        return None if was == now else now


class NoticeQuerySet(RegionalQuerySet):
    def unread(self) -> NoticeQuerySet:
        return self.filter(acknowledged_at__isnull=True)


class Notice(RegionalModel):
    """Tells one member that a switch turned on or off; it stays until they acknowledge it."""

    person_fields = ("user_id",)

    user_id = models.BigIntegerField()
    change = models.ForeignKey(PolicyChange, on_delete=models.CASCADE, related_name="notices")
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # When its email went out: the email task sends only while this is empty, and sets it in
    # the same transaction, so a task delivered twice emails once.
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "monitoring notice"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user_id", "change"], name="notice_once_per_change")
        ]
        indexes = [models.Index(fields=["workspace_id", "user_id", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"Notice to user {self.user_id} of {self.change_id}"


def _key() -> str:
    return secrets.token_urlsafe(18)


class Screenshot(RegionalModel):
    """One screen capture of a member, attached to the entry it was taken during."""

    person_fields = ("user_id",)

    class Source(models.TextChoices):
        WEB = "web", "Browser"
        API = "api", "App"

    user_id = models.BigIntegerField()
    entry = models.ForeignKey(TimeEntry, on_delete=models.CASCADE, related_name="+")
    captured_at = models.DateTimeField()
    # The random part of the file's name in the region's storage; never derived from input.
    key = models.CharField(max_length=32, default=_key, unique=True, editable=False)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    blurred = models.BooleanField()
    has_thumbnail = models.BooleanField(default=False)
    source = models.CharField(max_length=3, choices=Source.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-captured_at", "-id"]
        indexes = [models.Index(fields=["workspace_id", "user_id", "-captured_at"])]

    def __str__(self) -> str:
        return f"Screenshot of user {self.user_id} at {self.captured_at:%Y-%m-%d %H:%M}"

    @property
    def extension(self) -> str:
        return {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}[self.content_type]

    @property
    def storage_name(self) -> str:
        return f"{self.workspace_id}/screenshots/{self.key}.{self.extension}"

    @property
    def thumbnail_name(self) -> str:
        return f"{self.workspace_id}/screenshots/{self.key}-thumb.webp"

    def stored_files(self) -> list[str]:
        # The thumbnail is named whether or not it was made yet: its task may be running.
        return [self.storage_name, self.thumbnail_name]


class LocationSample(RegionalModel):
    """Where a member was, as their device told it, while their timer ran."""

    person_fields = ("user_id",)

    class Kind(models.TextChoices):
        START = "START", "Timer started"
        STOP = "STOP", "Timer stopped"
        MOVE = "MOVE", "While running"

    user_id = models.BigIntegerField()
    entry = models.ForeignKey(TimeEntry, on_delete=models.CASCADE, related_name="+")
    # The client's own id of the sample: a batch sent twice adds nothing the second time.
    client_id = models.CharField(max_length=64)
    latitude = models.FloatField()
    longitude = models.FloatField()
    accuracy = models.FloatField(help_text="Metres.")
    recorded_at = models.DateTimeField()
    kind = models.CharField(max_length=5, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace_id", "user_id", "client_id"], name="location_sample_once"
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__range=(-90, 90), longitude__range=(-180, 180)),
                name="location_on_earth",
            ),
        ]
        indexes = [models.Index(fields=["workspace_id", "user_id", "recorded_at"])]

    def __str__(self) -> str:
        return f"Location of user {self.user_id} at {self.recorded_at:%Y-%m-%d %H:%M}"


class CaptureView(RegionalModel):
    """Someone other than the member looked at the member's screenshot or location samples.

    The member sees these on their own screenshots page: who looked at what, and when.
    """

    person_fields = ("subject_id",)
    actor_fields = ("viewer_id",)

    # Empty once the viewer deleted their account: the member still sees that someone looked.
    viewer_id = models.BigIntegerField(null=True, blank=True)
    subject_id = models.BigIntegerField()
    switch = models.CharField(max_length=20, choices=Switch.choices)
    # What was looked at: one screenshot, or one entry's location samples. Kept (as null)
    # when the capture is deleted, so the member still sees that it was looked at.
    screenshot = models.ForeignKey(
        Screenshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entry = models.ForeignKey(
        TimeEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    viewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "record of a look at a capture"
        verbose_name_plural = "records of looks at captures"
        ordering = ["-viewed_at", "-id"]
        indexes = [models.Index(fields=["workspace_id", "subject_id", "-viewed_at"])]

    def __str__(self) -> str:
        return f"User {self.viewer_id} viewed {self.switch} of user {self.subject_id}"


class NotShared(RegionalModel):
    """A member declined (or stopped) sharing their screen or location during an entry.

    Kept so the entry says "no screenshots (not shared)" rather than leaving its admins to
    guess; nothing else follows from it. Deleted with the entry.
    """

    person_fields = ("user_id",)

    user_id = models.BigIntegerField()
    entry = models.ForeignKey(TimeEntry, on_delete=models.CASCADE, related_name="+")
    switch = models.CharField(max_length=20, choices=Switch.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "screen or location not shared"
        verbose_name_plural = "screens or locations not shared"
        constraints = [
            models.UniqueConstraint(fields=["entry", "switch"], name="not_shared_once_per_entry")
        ]

    def __str__(self) -> str:
        return f"User {self.user_id} did not share {self.switch} during {self.entry_id}"
