"""Forms of the privacy app."""

from __future__ import annotations

from typing import Any

from django import forms

from workspaces.models import User


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
