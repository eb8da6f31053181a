"""Create an API key for a person and print only the key, so scripts can capture it."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workspaces.forms import ApiKeyForm
from workspaces.models import ApiKey, User


class Command(BaseCommand):
    help = "Create an API key for the account with EMAIL and print the key (it is shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The email the person signs in with.")
        parser.add_argument("--name", default="Command line", help="What the key is for.")

    def handle(self, *args: Any, email: str, name: str, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the email {email!r}.")
        if not user.is_active:
            # authenticate() refuses keys of deactivated accounts, so such a key would not work.
            raise CommandError(f"The account {user.email} is deactivated.")
        form = ApiKeyForm({"name": name}, user=user)
        if not form.is_valid():
            raise CommandError(" ".join(e for errors in form.errors.values() for e in errors))
        _, secret = ApiKey.objects.issue(user, form.cleaned_data["name"])
        self.stdout.write(secret)
