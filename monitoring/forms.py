"""The two switches' forms. Field names are the policy's columns (services.SWITCH_FIELDS)."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import (
    LOCATION_RETENTION_MAX,
    SCREENSHOT_INTERVALS,
    SCREENSHOT_RETENTION_MAX,
    MonitoringPolicy,
    Switch,
)


def _retention(maximum: int, default_days: int) -> forms.IntegerField:
    return forms.IntegerField(
        label="Keep captures for (days)",
        min_value=1,
        max_value=maximum,
        error_messages={
            "required": f"Give a number of days from 1 to {maximum}.",
            "invalid": f"Give a whole number of days from 1 to {maximum}.",
            "min_value": f"Keep them at least 1 day (at most {maximum}).",
            "max_value": f"Keep them at most {maximum} days.",
        },
        help_text=f"1 to {maximum} days; {default_days} by default. Older ones are deleted.",
    )


class ScreenshotsForm(forms.Form):
    switch = Switch.SCREENSHOTS

    screenshots = forms.BooleanField(label="Take screenshots", required=False)
    screenshot_interval = forms.TypedChoiceField(
        label="One screenshot in every",
        choices=SCREENSHOT_INTERVALS,
        coerce=int,
        error_messages={
            "required": "Choose an interval.",
            "invalid_choice": "Choose 1, 5, 10, 15 or 30 minutes.",
        },
        help_text="Taken at a random moment within each interval, while the timer runs.",
    )
    blur = forms.BooleanField(
        label="Blur screenshots",
        required=False,
        help_text="On by default: text and faces cannot be read, activity can still be seen.",
    )
    screenshot_retention_days = _retention(SCREENSHOT_RETENTION_MAX, 90)


class LocationForm(forms.Form):
    switch = Switch.LOCATION

    location = forms.BooleanField(label="Record location", required=False)
    location_retention_days = _retention(LOCATION_RETENTION_MAX, 7)


FORMS: dict[Switch, type[forms.Form]] = {
    Switch.SCREENSHOTS: ScreenshotsForm,
    Switch.LOCATION: LocationForm,
}


def form_for(switch: Switch, policy: MonitoringPolicy, data: Any = None) -> forms.Form:
    """A switch's form, showing the policy's current values unless data was posted."""
    form_class = FORMS[switch]
    initial = {name: getattr(policy, name) for name in form_class.base_fields}
    return form_class(data, initial=initial)
