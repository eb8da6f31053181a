"""Forms of the privacy pages."""

from __future__ import annotations

from django import forms

RANGES = [(7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days")]
DEFAULT_RANGE = 30


class AnalyticsRangeForm(forms.Form):
    """How many days of page views to show, ending today (UTC)."""

    days = forms.TypedChoiceField(
        label="Range",
        choices=RANGES,
        coerce=int,
        initial=DEFAULT_RANGE,
        error_messages={"invalid_choice": "Choose the last 7, 30 or 90 days."},
    )
