"""The create_api_key command: prints only a working key, fails clearly otherwise."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from workspaces.models import ApiKey


def test_prints_only_a_key_that_authenticates(owner):
    out = StringIO()
    call_command("create_api_key", owner.email, stdout=out)
    secret = out.getvalue().strip()
    assert out.getvalue() == secret + "\n"
    key = ApiKey.objects.authenticate(secret)
    assert key is not None
    assert (key.user, key.name) == (owner, "Command line")


def test_takes_a_name_and_any_case_of_the_email(owner):
    out = StringIO()
    call_command("create_api_key", "  OWNER@Example.com ", "--name", " CI deploy ", stdout=out)
    key = ApiKey.objects.authenticate(out.getvalue().strip())
    assert (key.user, key.name) == (owner, "CI deploy")


def test_unknown_email_fails_clearly():
    out = StringIO()
    with pytest.raises(CommandError, match=r"No account has the email 'nobody@example\.com'"):
        call_command("create_api_key", "nobody@example.com", stdout=out)
    assert out.getvalue() == ""
    assert not ApiKey.objects.exists()


def test_deactivated_account_fails_clearly(owner):
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="deactivated"):
        call_command("create_api_key", owner.email, stdout=StringIO())
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"), [("", "Give the key a name"), ("n" * 101, "at most 100 characters")]
)
def test_bad_name_fails_clearly(owner, name, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_api_key", owner.email, "--name", name, stdout=StringIO())
    assert not ApiKey.objects.exists()


def test_respects_the_limit_of_active_keys(owner):
    for n in range(20):
        ApiKey.objects.issue(owner, f"Key {n}")
    with pytest.raises(CommandError, match="20 active keys"):
        call_command("create_api_key", owner.email, stdout=StringIO())
    assert ApiKey.objects.count() == 20
