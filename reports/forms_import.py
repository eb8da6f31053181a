"""Forms of the CSV import: the upload, and the day/month order when the file leaves it open."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile

from workspaces.models import Membership

from .importing import MAX_UPLOAD

DAY_ORDER_CHOICES = [
    ("month", "Month first: 03/04/2026 is March 4"),
    ("day", "Day first: 03/04/2026 is 3 April"),
]


class ImportUploadForm(forms.Form):
    """A Detailed report CSV exported from Clockify or from here."""

    file = forms.FileField(
        label="Detailed report CSV",
        help_text="Up to 100 MB, as exported from a Detailed report (here or in Clockify).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The file is larger than 100 MB; export a shorter range.")
        return upload


class DayOrderForm(forms.Form):
    """Which of DD/MM and MM/DD the file's dates are, when no day above 12 tells."""

    order = forms.ChoiceField(
        label="The file's dates are", choices=DAY_ORDER_CHOICES, widget=forms.RadioSelect
    )

    def day_first(self) -> bool:
        """The answer, for reports.csv_import.read_detailed_csv."""
        return self.cleaned_data["order"] == "day"


WORKSPACE_RATES = "workspace"
FILE_RATES = "file"
RATE_CHOICES = [
    (WORKSPACE_RATES, "Use this workspace's rates"),
    (FILE_RATES, "Keep the rates in the file"),
]


class ImportRatesForm(forms.Form):
    """Which rates the entries get: the workspace's (always for members) or the file's."""

    rates = forms.ChoiceField(
        label="Rates",
        choices=RATE_CHOICES,
        initial=WORKSPACE_RATES,
        widget=forms.RadioSelect,
        help_text="This workspace's rates are the project's, else the member's, else the "
        "workspace's, as for time tracked here. Keeping the file's restores a backup as it was.",
        error_messages={"invalid_choice": "Only admins can keep the rates in the file."},
    )

    def __init__(self, *args: object, membership: Membership, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not membership.is_admin:
            self.fields["rates"].choices = RATE_CHOICES[:1]

    def keep_file_rates(self) -> bool:
        """Whether the entries keep the file's rates."""
        return self.is_bound and self.cleaned_data["rates"] == FILE_RATES
