"""Tiny factories: each makes one thing, with sensible defaults."""

from __future__ import annotations

import itertools
import re
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tracking.models import Client, Project, Tag, Task
from workspaces import services
from workspaces.models import Invitation, Membership, Role, User, Workspace

PASSWORD = "correct-horse-battery"
_numbers = itertools.count(1)


def make_user(email: str | None = None, *, name: str = "", verified: bool = True) -> User:
    """Create a person who can log in with PASSWORD, with a verified email by default."""
    email = email or f"person{next(_numbers)}@example.com"
    user = User.objects.create_user(email, PASSWORD, name=name)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def give_mfa(user: User) -> Authenticator:
    """Give a person a TOTP authenticator: two-factor authentication is on for them."""
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "not-a-real-secret"}
    )


def make_workspace(
    owner: User | None = None, *, name: str = "Acme", region: str = "eu"
) -> Workspace:
    """Create a workspace in a region, owned by `owner` (a new person if none)."""
    return services.create_workspace(owner or make_user(), name, region)


def add_member(
    workspace: Workspace, user: User | None = None, role: str = Role.MEMBER
) -> Membership:
    """Add a person (a new one if none) to a workspace with a role."""
    user = user or make_user()
    return Membership.objects.create(workspace=workspace, user=user, role=role)


def make_client(workspace: Workspace, name: str | None = None, **fields: object) -> Client:
    """Create a client in a workspace's region."""
    name = name or f"Client {next(_numbers)}"
    return Client.objects.in_workspace(workspace).create(name=name, **fields)


def make_project(workspace: Workspace, name: str | None = None, **fields: object) -> Project:
    """Create a project in a workspace's region (public, no client, unless told)."""
    name = name or f"Project {next(_numbers)}"
    return Project.objects.in_workspace(workspace).create(name=name, **fields)


def make_task(project: Project, workspace: Workspace, name: str | None = None) -> Task:
    """Create a task of a project."""
    name = name or f"Task {next(_numbers)}"
    return Task.objects.in_workspace(workspace).create(project=project, name=name)


def make_tag(workspace: Workspace, name: str | None = None, **fields: object) -> Tag:
    """Create a tag in a workspace's region."""
    name = name or f"Tag {next(_numbers)}"
    return Tag.objects.in_workspace(workspace).create(name=name, **fields)


def sign_in(client: Any, user: User, password: str = PASSWORD) -> None:
    """Sign in through the login page, so the session notes when (unlike force_login)."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]


def invitation_link_in(body: str) -> tuple[str, str]:
    """The site and the invitation id an email's link names.

    Read back from the link, never compared with one made again: its token is signed with
    the time, so a link made a second later differs.
    """
    match = re.search(r"(https?://[^/\s]+)/invitations/([^/\s]+)/", body)
    assert match, body
    return match.group(1), Invitation.id_from_token(match.group(2))
