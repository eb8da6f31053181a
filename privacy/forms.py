"""Forms of the privacy pages."""

from __future__ import annotations

from typing import Any

from django import forms

from workspaces.models import User

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


class DeleteAccountForm(forms.Form):
    """Type the account's email address to confirm that everything about you goes."""

    email = forms.CharField(label="Your email address", max_length=254)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email.lower() != self.user.email.lower():
            raise forms.ValidationError("Type your email address exactly as it is shown.")
        return email
