"""Dates, times and money in a member's own formats (profile) and time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone


def format_date(value: date | datetime, pattern: str) -> str:
    """Write a date with one of the profile's strftime patterns, in the active time zone."""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return value.strftime(pattern)


def format_time(value: datetime, clock: str, *, seconds: bool = False) -> str:
    """Write a time of day on a 12-hour ('02:44 PM') or 24-hour ('14:44') clock."""
    local = timezone.localtime(value)
    pattern = "%H:%M" if clock == "24" else "%I:%M"
    if seconds:
        pattern += ":%S"
    if clock != "24":
        pattern += " %p"
    return local.strftime(pattern)


def format_money(amount: Decimal | None, currency: str) -> str:
    """Write an amount with two decimals and its currency code: '1,234.50 EUR'."""
    if amount is None:
        return ""
    return f"{amount:,.2f} {currency}"


def week_bounds(day: date, week_start: int) -> tuple[date, date]:
    """The first and last day of the week holding `day`, weeks starting on ISO `week_start`."""
    first = day - timedelta(days=(day.isoweekday() - week_start) % 7)
    return first, first + timedelta(days=6)


def local_midnight(day: date) -> datetime:
    """The instant a day begins in the active time zone (DST-safe)."""
    return timezone.make_aware(datetime.combine(day, time.min))
