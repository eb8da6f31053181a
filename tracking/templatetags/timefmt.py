"""Template filters that show durations, dates, times and money in people's own formats."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django import template

from tracking.durations import format_duration
from tracking.formatting import format_date, format_money, format_time

register = template.Library()


@register.filter
def duration(value: timedelta | None, style: str = "full") -> str:
    """`{{ entry.duration|duration:ws_settings.duration_format }}`"""
    return "" if value is None else format_duration(value, style)


@register.filter
def userdate(value: date | datetime | None, user: object) -> str:
    """`{{ entry.start|userdate:user }}` in the person's date format and time zone."""
    return "" if value is None else format_date(value, user.date_format)


@register.filter
def usertime(value: datetime | None, user: object) -> str:
    """`{{ entry.start|usertime:user }}` on the person's 12- or 24-hour clock."""
    return "" if value is None else format_time(value, user.time_format)


@register.filter
def money(value: Decimal | None, currency: str) -> str:
    """`{{ amount|money:ws_settings.currency }}`"""
    return format_money(value, currency)
