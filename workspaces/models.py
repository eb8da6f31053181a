"""The directory: people, workspaces, memberships and invitations; and a workspace's settings
and audit log.

Every model here lives in the directory database but `WorkspaceSettings` and `AuditEvent`,
`RegionalModel`s kept in the workspace's region with the data they describe.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core import signing
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from .regions import REGION_CURRENCIES, Region, RegionalModel, RegionalQuerySet, uuid7

INVITATION_MAX_AGE = timedelta(days=7)
INVITATION_SALT = "workspaces.invitation"


class DateFormat(models.TextChoices):
    """Date formats people can pick (Clockify's list); values are strftime patterns."""

    MDY_SLASH = "%m/%d/%Y", "MM/DD/YYYY"
    DMY_SLASH = "%d/%m/%Y", "DD/MM/YYYY"
    DMY_DOT = "%d.%m.%Y", "DD.MM.YYYY"
    ISO = "%Y-%m-%d", "YYYY-MM-DD"
    DMY_DASH = "%d-%m-%Y", "DD-MM-YYYY"
    MDY_DASH = "%m-%d-%Y", "MM-DD-YYYY"


class TimeFormat(models.TextChoices):
    H12 = "12", "12-hour (02:44 PM)"
    H24 = "24", "24-hour (14:44)"


class Weekday(models.IntegerChoices):
    """ISO weekday numbers, Monday = 1."""

    MONDAY = 1, "Monday"
    TUESDAY = 2, "Tuesday"
    WEDNESDAY = 3, "Wednesday"
    THURSDAY = 4, "Thursday"
    FRIDAY = 5, "Friday"
    SATURDAY = 6, "Saturday"
    SUNDAY = 7, "Sunday"


class UserManager(BaseUserManager["User"]):
    """Create users by email; there are no usernames."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        """Create a person who can log in with email and password."""
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        """Create an operator with access to the admin site."""
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account; identified by email."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    time_zone = models.CharField(max_length=64, default="UTC")
    week_start = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    date_format = models.CharField(
        max_length=10, choices=DateFormat.choices, default=DateFormat.MDY_SLASH
    )
    time_format = models.CharField(max_length=2, choices=TimeFormat.choices, default=TimeFormat.H12)
    # The person's own helpers, off until they turn them on; what they record is theirs
    # alone (tracking/helpers). Idle detection asks what to do with time away from the
    # computer after `idle_threshold_minutes`; the auto tracker records the apps and pages
    # used (page addresses only if `auto_tracker_urls`, else their domains), kept
    # `helper_retention_days` (idle periods too).
    idle_detection = models.BooleanField(default=False)
    idle_threshold_minutes = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    auto_tracker = models.BooleanField(default=False)
    auto_tracker_urls = models.BooleanField(default=False)
    helper_retention_days = models.PositiveSmallIntegerField(
        default=45, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    # Set when the person asked to delete their account: it is deactivated at once, and
    # stays (deactivated) until the erasure of everything about them finishes in every
    # region (privacy/erasure.py); then the row itself goes.
    deletion_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The workspace shown after login and in API `activeWorkspace`.
    active_workspace = models.ForeignKey(
        "Workspace", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name shown to colleagues: the profile name, else the email's local part."""
        return self.name or self.email.split("@")[0]


class Workspace(models.Model):
    """A team's space: its data is stored in the region chosen at creation."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    name = models.CharField(max_length=100)
    region = models.CharField(max_length=2, choices=Region.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # While an operator moves the workspace (workspaces/moving.py): the region it is being
    # copied to, during which its data is read-only; then the region whose copy is still to
    # be deleted. Both are empty the rest of the time.
    moving_to = models.CharField(max_length=2, choices=Region.choices, blank=True, default="")
    stale_copy_in = models.CharField(max_length=2, choices=Region.choices, blank=True, default="")
    # Admins and the owner must have two-factor authentication to use their admin rights
    # (workspaces.access.get_membership); members are not asked.
    require_admin_mfa = models.BooleanField(
        "require two-factor authentication for admins", default=False
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="workspaces"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(region__in=Region.values), name="workspace_region_known"
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="workspace_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workspaces:home", args=[self.id])

    @property
    def db_alias(self) -> str:
        """The database alias holding this workspace's regional rows."""
        return self.region

    @property
    def region_label(self) -> str:
        """The region as people read it, e.g. 'EU (Germany)'."""
        return Region(self.region).label


class Role(models.TextChoices):
    """What a member may do in a workspace."""

    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def admins(self) -> MembershipQuerySet:
        """Members who manage the workspace: the owner and the admins."""
        return self.filter(role__in=[Role.OWNER, Role.ADMIN])

    def without_mfa(self) -> MembershipQuerySet:
        """Those whose person has set up no two-factor authentication."""
        from allauth.mfa.models import Authenticator

        return self.exclude(user__in=Authenticator.objects.values("user_id"))


class Membership(models.Model):
    """A person's place in a workspace, with a role."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique"),
            # Exactly one owner: at most one here, and transfers swap it in one transaction.
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(role="owner"),
                name="membership_one_owner",
            ),
        ]
        ordering = ["joined_at", "id"]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    # Set by workspaces.access.get_membership on the requester's own membership when the
    # workspace requires two-factor authentication for admins and they have none yet.
    lacks_required_mfa = False

    @property
    def is_admin_role(self) -> bool:
        """Whether the role is owner or admin, whatever the two-factor rule says."""
        return self.role in (Role.OWNER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        """Whether this member may use admin rights now. Owners count as admins.

        An admin (or owner) of a workspace that requires two-factor authentication for
        admins, loaded for a request by `get_membership` while they have none, counts as a
        member: every rule that reads this property then treats them as one until they set
        it up.
        """
        return self.is_admin_role and not self.lacks_required_mfa


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        """Invitations not yet accepted and not yet expired."""
        return self.filter(
            accepted_at__isnull=True, created_at__gt=timezone.now() - INVITATION_MAX_AGE
        )


class Invitation(models.Model):
    """An emailed offer to join a workspace with a role; the link is signed and expires."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(
        max_length=10,
        choices=[(Role.ADMIN, Role.ADMIN.label), (Role.MEMBER, Role.MEMBER.label)],
        default=Role.MEMBER,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # When the mail server took the invitation email; set in the same transaction as the
    # send, so a retried or redelivered task does not mail it twice. Resend clears it.
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.workspace}"

    def get_absolute_url(self) -> str:
        return reverse("workspaces:invitation", args=[self.token])

    @property
    def expires_at(self) -> Any:
        return self.created_at + INVITATION_MAX_AGE

    @property
    def token(self) -> str:
        """The signed value in the invitation link; forging or editing it breaks the signature."""
        return signing.dumps(str(self.id), salt=INVITATION_SALT)

    @classmethod
    def id_from_token(cls, token: str) -> str:
        """Return the invitation id a token names; raise signing.BadSignature if forged."""
        return signing.loads(token, salt=INVITATION_SALT)

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


API_KEY_PREFIX = "ck_"


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True)

    def revoke(self) -> int:
        """Revoke the active keys among these; return how many were."""
        return self.active().update(revoked_at=timezone.now())

    def issue(self, user: User, name: str) -> tuple[ApiKey, str]:
        """Create a key for `user`; return it with the secret, which is shown only once."""
        secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
        key = self.create(user=user, name=name, prefix=secret[:11], key_hash=_digest(secret))
        return key, secret

    def authenticate(self, secret: str) -> ApiKey | None:
        """Return the active key with this secret, noting its use; None if unknown or revoked."""
        if not secret or len(secret) > 200:
            return None
        key = self.active().select_related("user").filter(key_hash=_digest(secret)).first()
        if key is None or not key.user.is_active:
            return None
        now = timezone.now()
        # One write a minute at most: a busy client should not turn reads into writes.
        if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        return key


def _digest(secret: str) -> str:
    # Keys are long random strings, so a fast hash is enough (no password stretching).
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKey(models.Model):
    """A personal key for the REST API (X-Api-Key), stored only as a hash."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="The first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def revoke(self) -> None:
        """Stop the key from working; it stays listed as revoked."""
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


# --- A workspace's settings, kept in its region ---

# An hourly rate, wherever one is kept (the workspace default here; members, projects and
# entries in tracking).
RATE_FIELD = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(0)]}


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
        defaults = {"currency": REGION_CURRENCIES[workspace.region]}
        settings, _ = self.in_workspace(workspace).get_or_create(defaults=defaults)
        return settings


class WorkspaceSettings(RegionalModel):
    """A workspace's preferences that belong with its data: currency, formats, rates."""

    currency = models.CharField(
        max_length=3,
        default="USD",
        validators=[RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code, e.g. EUR.")],
        help_text="Three-letter ISO 4217 code, e.g. USD, EUR, GBP, AUD.",
    )
    duration_format = models.CharField(
        max_length=10, choices=DurationFormat.choices, default=DurationFormat.FULL
    )
    hourly_rate = models.DecimalField("default hourly rate", null=True, blank=True, **RATE_FIELD)
    members_can_manage_projects = models.BooleanField(
        "members can create projects, clients, tasks and tags", default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceSettingsQuerySet.as_manager()

    class Meta:
        # The table tracking's first migration made, when the model lived in that app.
        db_table = "tracking_workspacesettings"
        constraints = [
            models.UniqueConstraint(fields=["workspace_id"], name="workspace_settings_unique"),
        ]
        verbose_name_plural = "workspace settings"

    def __str__(self) -> str:
        return f"Settings of workspace {self.workspace_id}"


# --- A workspace's audit log, kept in its region (workspaces/audit.py writes and reads it) ---


class AuditKind(models.TextChoices):
    """What an audit event records."""

    MONITORING_CHANGED = "monitoring_changed", "Monitoring switch changed"
    SCREENSHOT_VIEWED = "screenshot_viewed", "Screenshot viewed"
    LOCATION_VIEWED = "location_viewed", "Locations viewed"
    SCREENSHOT_DELETED = "screenshot_deleted", "Screenshot deleted"
    ROLE_CHANGED = "role_changed", "Role changed"
    MEMBER_REMOVED = "member_removed", "Member removed"
    MEMBER_LEFT = "member_left", "Member left"
    INVITATION_SENT = "invitation_sent", "Invitation sent"
    INVITATION_RESENT = "invitation_resent", "Invitation sent again"
    INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
    INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
    OWNERSHIP_TRANSFERRED = "ownership_transferred", "Ownership transferred"
    REPORT_EXPORTED = "report_exported", "Report exported"
    IMPORT_CONFIRMED = "import_confirmed", "CSV imported"
    ENTRIES_DELETED = "entries_deleted", "Entries deleted in bulk"
    ENTRY_DELETED = "entry_deleted", "Someone else's entry deleted"
    REGION_MOVED = "region_moved", "Workspace moved to another region"
    ACCOUNT_DELETED = "account_deleted", "Account deleted"


class AuditEvent(RegionalModel):
    """One thing that happened in a workspace that its admins, or the person it concerns,
    may want to look back on.

    People are plain directory user ids, never names or emails: names are read from the
    directory when the event is shown, and deleting an account empties its ids here while
    the event stays (`actor_fields`). `detail` holds ids, counts, switch names, roles, region
    codes and file names, never an email.
    """

    kind = models.CharField(max_length=40, choices=AuditKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    actor_id = models.BigIntegerField(null=True, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    # Account deletion: no column's person takes the row with them; both columns are
    # emptied, so the log keeps the action but not the person.
    person_fields: tuple[str, ...] = ()
    actor_fields: tuple[str, ...] = ("actor_id", "subject_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace_id", "-created_at", "-id"], name="audit_newest"),
            models.Index(fields=["workspace_id", "actor_id"], name="audit_actor"),
            models.Index(fields=["workspace_id", "subject_id"], name="audit_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.created_at:%Y-%m-%d %H:%M}"
