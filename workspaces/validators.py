"""Validators shared by every form and API that names something."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# Line and paragraph breaks of every kind, and the other control characters: a name is shown
# on one line and may end up in an email header or a CSV cell.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def validate_single_line(value: str) -> None:
    """Refuse a name with a line break or another control character in it."""
    if _CONTROL.search(value or ""):
        raise ValidationError(
            "Use one line without line breaks or control characters.", code="single_line"
        )


def single_line(value: str) -> str:
    """Return `value` with each line break or control character turned into a space."""
    # For text that may predate the validator (or come from the admin) on its way into a
    # header: an email subject with a line break is refused by the mailer.
    return " ".join(_CONTROL.sub(" ", value or "").split())
