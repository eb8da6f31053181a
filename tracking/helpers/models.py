"""What the helpers record, in the workspace's region, about one person, for that person only."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone

from workspaces.regions import RegionalModel, RegionalQuerySet

from ..models import TimeEntry

# Field sizes of an activity record (longer values are cut, never refused).
APP_MAX = 200
TITLE_MAX = 500
URL_MAX = 2000
CLIENT_ID_MAX = 64


class IdleAction(models.TextChoices):
    """What the person chose to do with time they were away from the computer."""

    DISCARD = "DISCARD", "Discard idle time"
    DISCARD_AND_CONTINUE = "DISCARD_AND_CONTINUE", "Discard and continue"
    KEEP = "KEEP", "Keep"


class IdlePeriod(RegionalModel):
    """A stretch of time the person was idle while a timer ran, and what they chose.

    `entry` is the entry the idle time fell in (emptied if that entry is deleted later),
    `continued` the one started again by "Discard and continue".
    """

    person_fields = ("user_id",)

    user_id = models.BigIntegerField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    action = models.CharField(max_length=24, choices=IdleAction.choices)
    entry = models.ForeignKey(
        TimeEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    continued = models.ForeignKey(
        TimeEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the answer did, in words, for the person's idle history and a repeated answer.
    outcome = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["workspace_id", "user_id", "-start"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="idle_ends")
        ]

    def __str__(self) -> str:
        return f"Idle period of user {self.user_id} at {self.start:%Y-%m-%d %H:%M}"


class ActivityRecordQuerySet(RegionalQuerySet):
    def of_user(self, user_id: int) -> ActivityRecordQuerySet:
        return self.filter(user_id=user_id)


class ActivityRecord(RegionalModel):
    """What the auto tracker saw the person use: an application or a web page, from when to
    when. `url` holds the page's address only if they allowed addresses, else its domain."""

    person_fields = ("user_id",)

    user_id = models.BigIntegerField()
    # The client's own id of the record: a batch sent again adds nothing the second time.
    client_id = models.CharField(max_length=CLIENT_ID_MAX)
    app = models.CharField(max_length=APP_MAX, blank=True)
    title = models.CharField(max_length=TITLE_MAX, blank=True)
    url = models.CharField(max_length=URL_MAX, blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = ActivityRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "auto tracker record"
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["workspace_id", "user_id", "start"])]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace_id", "user_id", "client_id"], name="activity_record_once"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="activity_ends"
            ),
        ]

    def __str__(self) -> str:
        return f"Activity of user {self.user_id} at {self.start:%Y-%m-%d %H:%M}"

    @property
    def duration(self) -> timedelta:
        return self.end - self.start
