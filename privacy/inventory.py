"""Every kind of data this server stores, in the words of the privacy policy.

The policy page (/privacy/) is rendered from this list, and a test walks every model of
every installed app: a model that stores something must be named here (or, if it holds
nothing about anyone, in NOT_ABOUT_PEOPLE with the reason), so a new table cannot go
unmentioned in the policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# When the policy last changed: move it with every change to what the page says.
POLICY_DATE = date(2026, 12, 7)

DIRECTORY = "The directory"
REGION = "The workspace's region"


@dataclass(frozen=True)
class Kind:
    """One kind of data: what it is, when it is collected, where it is kept and how long."""

    what: str
    when: str
    where: str
    kept: str
    models: tuple[str, ...]


KINDS = (
    Kind(
        "Your account: email address, name, password hash, profile settings (time zone, "
        "formats, your idle detection and auto tracker settings), and two-factor "
        "authentication secrets if you turn it on",
        "When you sign up and when you change your profile",
        DIRECTORY,
        "While your account exists",
        (
            "workspaces.User",
            "account.EmailAddress",
            "account.EmailConfirmation",
            "mfa.Authenticator",
        ),
    ),
    Kind(
        "Sign-in sessions, and for each one the IP address, browser and last activity, which "
        "only you see on your sessions page",
        "When you sign in",
        DIRECTORY,
        "Until you sign out or the session expires (at most two weeks)",
        ("sessions.Session", "usersessions.UserSession"),
    ),
    Kind(
        "API keys (a hash of each key, its first characters, its name and when it was last used)",
        "When you create a key",
        DIRECTORY,
        "Until you revoke it; all of them stop when you change your password",
        ("workspaces.ApiKey",),
    ),
    Kind(
        "Workspaces, memberships and roles, and invitations (the invited email address)",
        "When someone creates a workspace, invites you or you join",
        DIRECTORY,
        "While the workspace exists",
        ("workspaces.Workspace", "workspaces.Membership", "workspaces.Invitation"),
    ),
    Kind(
        "Time entries (description, project, task, tags, billable, start and end, rate), "
        "and their totals",
        "Only when you start a timer, enter time yourself or import a file",
        REGION,
        "While the workspace exists, or until you delete them",
        ("tracking.TimeEntry", "tracking.TimeEntryTag", "tracking.EntryTotal"),
    ),
    Kind(
        "The workspace's clients, projects, tasks, tags, rates and settings",
        "When members add or change them",
        REGION,
        "While the workspace exists",
        (
            "tracking.Client",
            "tracking.Project",
            "tracking.ProjectMember",
            "tracking.Task",
            "tracking.Tag",
            "tracking.MemberRate",
            "workspaces.WorkspaceSettings",
        ),
    ),
    Kind(
        "Idle periods: when you were away from the computer while your timer ran, and what "
        "you chose to do with that time; seen by you alone",
        "Only if you turn idle detection on in your profile (it is off unless you do)",
        REGION,
        "As long as you chose for your helpers (45 days unless changed), or until you delete them",
        ("tracking.IdlePeriod",),
    ),
    Kind(
        "Auto tracker records: the applications and web pages you used and when (a page's "
        "domain only, unless you allow whole addresses), to turn into time entries; seen "
        "by you alone",
        "Only if you turn the auto tracker on in your profile, from the browser extension "
        "or an app you connect",
        REGION,
        "As long as you chose for your helpers (45 days unless changed), or until you delete them",
        ("tracking.ActivityRecord",),
    ),
    Kind(
        "Files you upload to import (a Detailed report CSV) while you review them",
        "When you upload a file to import",
        REGION,
        "At most one hour, or until you import or cancel it",
        ("reports.ImportUpload",),
    ),
    Kind(
        "Screenshots of your screen, attached to the time entry running when they were taken",
        "Only if a workspace admin turns screenshots on (every member is told, and every "
        "page shows it), only while your timer runs, and only while you share your screen "
        "or run an app that takes them",
        REGION,
        "As long as the workspace's admin chose: 1 to 365 days (90 unless changed)",
        ("monitoring.Screenshot",),
    ),
    Kind(
        "Location samples (latitude, longitude, accuracy, time), attached to your running "
        "time entry",
        "Only if a workspace admin turns location on (every member is told), only while your "
        "timer runs, and only if your browser or app is allowed to share it",
        REGION,
        "As long as the workspace's admin chose: 1 to 30 days (7 unless changed)",
        ("monitoring.LocationSample",),
    ),
    Kind(
        "That you declined to share your screen or location during an entry",
        "When you decline or stop sharing while a switch is on",
        REGION,
        "As long as that time entry",
        ("monitoring.NotShared",),
    ),
    Kind(
        "Monitoring settings, who changed them and when, and the notices that told each member",
        "When an admin changes a monitoring switch",
        REGION,
        "While the workspace exists",
        ("monitoring.MonitoringPolicy", "monitoring.PolicyChange", "monitoring.Notice"),
    ),
    Kind(
        "Who looked at whose screenshots and locations, and when (shown to the person looked at)",
        "When someone other than you opens your screenshot or your locations",
        REGION,
        "While the workspace exists",
        ("monitoring.CaptureView",),
    ),
    Kind(
        'The archives of your data you ask for ("Download everything"): one ZIP file per '
        "region, kept in that region's storage, and a note of it in the directory",
        'When you ask for an archive on the "Your data" page',
        "Each region's storage (the file); the directory (when, which region, its size)",
        "7 days, then deleted",
        ("privacy.Archive",),
    ),
    Kind(
        "The workspace's audit log: who (as an account number, never a name or email) "
        "changed roles, invited, removed or left, transferred ownership, changed monitoring, "
        "looked at or deleted someone's captures, exported a report, imported a file or "
        "deleted entries, about whom, and when; admins see it all, you see what concerns you",
        "When someone does one of those things in the workspace",
        REGION,
        "One year (the server's operator may choose another period); when an account is "
        "deleted its events stay without the person",
        ("workspaces.AuditEvent",),
    ),
    Kind(
        "Anonymous page counts: how many times each page (by its route name, such as "
        "tracking:tracker, never its address) was opened on each day; no IP address, "
        "account, cookie or browser detail",
        "When a page opens, unless your browser sends Do Not Track or Global Privacy Control",
        DIRECTORY,
        "400 days",
        ("privacy.PageViews",),
    ),
    Kind(
        "Changes the server's operators make in the admin site",
        "When an operator uses the admin site",
        DIRECTORY,
        "Until the operator removes them",
        ("admin.LogEntry",),
    ),
)

# Models that hold nothing about anyone, and why.
NOT_ABOUT_PEOPLE = {
    "auth.Permission": "the list of permissions the code defines",
    "auth.Group": "groups of permissions (none are used)",
    "contenttypes.ContentType": "the list of models the code defines",
}
