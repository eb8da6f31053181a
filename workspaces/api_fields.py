"""Shared pieces of the API: Clockify's timestamp, duration and money formats, paging.

Every app's router builds on these (`member_of` is the directory's membership check), so
they live in the directory app, which every feature app imports; `clockify.api` only wires
the routers together.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from .access import get_membership
from .models import Membership

MAX_PAGE_SIZE = 5000  # Clockify's limit for time entries


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso_text(value: Any) -> Any:
    # Pydantic would read a number (or a string of digits) as a Unix time; Clockify takes
    # ISO 8601 text only.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise ValueError("use an ISO 8601 timestamp such as 2026-03-04T10:23:52Z")
    return value


def _to_utc(value: datetime) -> datetime:
    # Whole seconds in UTC, as entries are stored; a moment that has no UTC equivalent
    # (year 9999 at -05:00) is refused here rather than failing later.
    try:
        return utc(value)
    except OverflowError:
        raise ValueError("the timestamp is out of range") from None


Instant = Annotated[datetime, BeforeValidator(_iso_text), AfterValidator(_to_utc)]


def _check_text(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text cannot contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("text must be valid Unicode") from None
    elif isinstance(value, dict):
        for item in value.values():
            _check_text(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_text(item)


class ApiSchema(Schema):
    """Base of every request schema: text that the database could not store is a 400."""

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        # Ninja hands its schemas a DjangoGetter wrapping the parsed body or query.
        _check_text(data._obj if isinstance(data, DjangoGetter) else data)
        return data


def instant(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, to the second: 2026-03-04T10:23:52Z."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_duration(value: timedelta | None) -> str | None:
    """ISO 8601 duration as Clockify writes it: PT1H30M, PT45S, PT0S."""
    if value is None:
        return None
    seconds = max(int(value.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = f"{hours}H" if hours else ""
    parts += f"{minutes}M" if minutes else ""
    parts += f"{seconds}S" if seconds or not parts else ""
    return "PT" + parts


def utc(value: datetime) -> datetime:
    """A timestamp from a request, in whole seconds; naive ones are UTC, as Clockify's are."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.replace(microsecond=0)


def money(amount: Decimal | None, currency: str) -> dict[str, Any] | None:
    """Clockify's rate object: the amount in cents."""
    if amount is None:
        return None
    return {"amount": int((amount * 100).to_integral_value()), "currency": currency}


def cents_to_decimal(cents: int | None) -> Decimal | None:
    return None if cents is None else (Decimal(cents) / 100).quantize(Decimal("0.01"))


def parse_id(value: str | None) -> uuid.UUID:
    """An id from a path or body; a malformed one is the same 404 as a missing one."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404("Not found.") from None


def member_of(request: HttpRequest, workspace_id: str) -> Membership:
    """The caller's membership of a workspace: 404 unless they belong to it."""
    return get_membership(request, parse_id(workspace_id))


def page_slice(page: int, page_size: int) -> slice:
    return slice((page - 1) * page_size, page * page_size)


class Rate(Schema):
    amount: int
    currency: str


class RateIn(Schema):
    amount: int | None = Field(None, ge=0, le=10**12, description="In cents.")
    currency: str | None = None


class ErrorOut(Schema):
    message: str
    code: int


# The error answers every endpoint documents: bad input, no key, a forbidden action, another
# workspace's or a missing object, the rate limit, and a region that is down.
ERRORS = {status: ErrorOut for status in (400, 401, 403, 404, 429, 503)}
