"""django-allauth's hooks: the client's address, and login limits per account and address.

A wrong password counts against its account (ACCOUNT_RATE_LIMITS["login_failed"], per
email) and against the client's address. An address over its limit may still sign in to any
account that signed in from it lately, so failures against one account never lock another
account's people out of a shared office or proxy address; a password sprayer's address has
no such accounts and is refused.
"""

from __future__ import annotations

import hashlib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from clockify.client_ip import client_ip

ADDRESS_FAILURE_LIMIT = 100  # wrong passwords per address per window
ADDRESS_WINDOW = 60 * 60
KNOWN_FOR = 30 * 24 * 60 * 60  # how long a sign-in vouches for its account at that address


def _failures_key(request: HttpRequest) -> str:
    return f"login-failures:{client_ip(request)}"


def _known_key(request: HttpRequest, credentials: dict[str, Any]) -> str:
    login = str(credentials.get("email", credentials.get("username", ""))).lower()
    digest = hashlib.sha256(login.encode()).hexdigest()
    return f"login-known:{client_ip(request)}:{digest}"


class AccountAdapter(DefaultAccountAdapter):
    """Read the client's address through one helper; limit failed logins per address."""

    def get_client_ip(self, request: HttpRequest) -> str:
        """Return the client's address (clockify.client_ip), refusing a request without one."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Refuse an account over its limit, or an address over its limit for an account
        that has not signed in from there."""
        super().pre_authenticate(request, **credentials)
        over = cache.get(_failures_key(request), 0) >= ADDRESS_FAILURE_LIMIT
        if over and not cache.get(_known_key(request, credentials)):
            self._rollback_login_failed_rl_usage()
            raise self.validation_error("too_many_login_attempts")

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        """Check the password; remember a success at this address, count a failure."""
        user = super().authenticate(request, **credentials)
        if user is not None:
            cache.set(_known_key(request, credentials), True, KNOWN_FOR)
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        """Count a wrong password against the client's address."""
        key = _failures_key(request)
        cache.add(key, 0, ADDRESS_WINDOW)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, ADDRESS_WINDOW)
