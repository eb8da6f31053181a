"""The person's helper settings."""

from __future__ import annotations

from django import forms

from workspaces.models import User


class HelperSettingsForm(forms.ModelForm):
    """Idle detection and the auto tracker: each off until the person turns it on."""

    class Meta:
        model = User
        fields = [
            "idle_detection",
            "idle_threshold_minutes",
            "auto_tracker",
            "auto_tracker_urls",
            "helper_retention_days",
        ]
        labels = {
            "idle_detection": "Idle detection",
            "idle_threshold_minutes": "Ask after this many idle minutes",
            "auto_tracker": "Auto tracker",
            "auto_tracker_urls": "Record whole page addresses (otherwise only the site, such as "
            "https://github.com)",
            "helper_retention_days": "Keep what the helpers record for (days)",
        }
        help_texts = {
            "idle_detection": "While a timer runs, notice when you are away from the computer "
            "and ask what to do with that time.",
            "idle_threshold_minutes": "1 to 120.",
            "auto_tracker": "Record the applications and web pages you use (from the browser "
            "extension or an app you connect), to turn them into time entries.",
            "helper_retention_days": "1 to 365; older records are deleted.",
        }
        error_messages = {
            "idle_threshold_minutes": {
                "min_value": "At least 1 minute.",
                "max_value": "At most 120 minutes.",
                "invalid": "A whole number of minutes.",
                "required": "Say after how many minutes to ask.",
            },
            "helper_retention_days": {
                "min_value": "At least 1 day.",
                "max_value": "At most 365 days.",
                "invalid": "A whole number of days.",
                "required": "Say how many days to keep the records.",
            },
        }
