"""Tiny factories: each makes one thing, with sensible defaults."""

from __future__ import annotations

import itertools

from allauth.account.models import EmailAddress

from workspaces import services
from workspaces.models import Membership, Role, User, Workspace

PASSWORD = "correct-horse-battery"
_numbers = itertools.count(1)


def make_user(email: str | None = None, *, name: str = "", verified: bool = True) -> User:
    """Create a person who can log in with PASSWORD, with a verified email by default."""
    email = email or f"person{next(_numbers)}@example.com"
    user = User.objects.create_user(email, PASSWORD, name=name)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


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
