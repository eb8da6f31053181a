"""Durations as people type and read them, in Clockify's three formats."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

MAX_DURATION = timedelta(hours=999)

_CLOCK = re.compile(r"^(?P<h>\d{1,4}):(?P<m>\d{1,2})(?::(?P<s>\d{1,2}))?$")
_DECIMAL = re.compile(r"^(?P<h>\d{1,4}(?:[.,]\d+)?|[.,]\d+)$")
_UNITS = re.compile(
    r"^(?:(?P<h>\d{1,4}(?:[.,]\d+)?)\s*h(?:ours?|rs?)?)?\s*"
    r"(?:(?P<m>\d{1,5})\s*m(?:in(?:utes?)?)?)?\s*"
    r"(?:(?P<s>\d{1,6})\s*s(?:ec(?:onds?)?)?)?$",
    re.IGNORECASE,
)


class DurationError(ValueError):
    """The text is not a duration we understand."""


def parse_duration(text: str) -> timedelta:
    """Read '1:30', '1:30:15', '1.5', '1,5', '90m', '1h 30m' or '2h'; a bare number is hours."""
    value = text.strip()
    if not value:
        raise DurationError("Enter a duration, e.g. 1:30, 1.5 or 90m.")
    if match := _CLOCK.match(value):
        minutes, seconds = int(match["m"]), int(match["s"] or 0)
        if minutes > 59 or seconds > 59:
            raise DurationError("Minutes and seconds go up to 59, e.g. 1:30.")
        return timedelta(hours=int(match["h"]), minutes=minutes, seconds=seconds)
    if match := _DECIMAL.match(value):
        hours = Decimal(match["h"].replace(",", "."))
        return timedelta(seconds=int((hours * 3600).to_integral_value(ROUND_HALF_UP)))
    match = _UNITS.match(value)
    if match and any(match.group(g) for g in ("h", "m", "s")):
        hours = Decimal((match["h"] or "0").replace(",", "."))
        seconds = (hours * 3600).to_integral_value(ROUND_HALF_UP)
        return timedelta(seconds=int(seconds) + int(match["m"] or 0) * 60 + int(match["s"] or 0))
    raise DurationError(f"“{value}” is not a duration; try 1:30, 1.5 or 90m.")


def format_duration(duration: timedelta, style: str = "full") -> str:
    """Write a duration as Clockify does: full 27:03:09, compact 0:13, decimal 0.22."""
    total = max(int(duration.total_seconds()), 0)
    if style == "decimal":
        return decimal_hours(duration)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if style == "compact":
        return f"{hours}:{minutes:02d}"
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}"


def decimal_hours(duration: timedelta) -> str:
    """Hours with exactly two decimals, rounded half up: 13 min is 0.22, 2:43:37 is 2.73."""
    seconds = Decimal(max(int(duration.total_seconds()), 0))
    return str((seconds / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
