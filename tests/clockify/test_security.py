"""Strict CSP with no inline code, cookies only for login, HTTPS when the site is https."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD


def test_csp_forbids_inline_code(client):
    policy = client.get(reverse("account_login"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.parametrize(
    "name",
    [
        "account_login",
        "account_signup",
        "privacy:policy",
        "workspaces:create",
        "account_email",
        "mfa_index",
        "usersessions_list",
        "workspaces:settings",
        "workspaces:members",
    ],
)
def test_pages_have_no_inline_scripts_or_styles(client, owner, workspace, name):
    client.post(reverse("account_login"), {"login": owner.email, "password": PASSWORD})
    args = [workspace.id] if name.startswith("workspaces:s") or name.endswith("members") else []
    html = client.get(reverse(name, args=args)).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert " style=" not in html
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_only_login_cookies_are_set(client, owner):
    client.get(reverse("account_login"))
    client.post(reverse("account_login"), {"login": owner.email, "password": PASSWORD})
    assert set(client.cookies) <= {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
    assert client.cookies[settings.SESSION_COOKIE_NAME]["httponly"]


SETTINGS_KEYS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "CSRF_TRUSTED_ORIGINS",
    "CELERY_TASK_ALWAYS_EAGER",
    "CELERY_BROKER_URL",
    "MAILERS",
]


def _settings_with(env: dict[str, str], keys: list[str] = SETTINGS_KEYS) -> dict:
    """Load the settings in a fresh interpreter with some environment variables set."""
    code = (
        "import json, sys, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in sys.argv[1:]}, default=str))"
    )
    unset = {"REDIS_URL", "SITE_URL", "EMAIL_URL", "DEFAULT_REGION"}
    clean = {k: v for k, v in os.environ.items() if k not in unset and not k.startswith("S3_")}
    result = subprocess.run(
        [sys.executable, "-c", code, *keys],
        env=clean | {"DJANGO_SETTINGS_MODULE": "clockify.settings"} | env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return json.loads(result.stdout)


def test_https_site_turns_on_hsts_and_secure_cookies():
    values = _settings_with({"SITE_URL": "https://time.example.com"})
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://time.example.com"]


def test_embedded_default_runs_tasks_inline_and_redis_url_makes_redis_the_broker():
    embedded = _settings_with({})
    assert embedded["CELERY_TASK_ALWAYS_EAGER"] is True
    redis = _settings_with({"REDIS_URL": "redis://127.0.0.1:6399/0"})
    assert redis["CELERY_TASK_ALWAYS_EAGER"] is False
    assert redis["CELERY_BROKER_URL"] == "redis://127.0.0.1:6399/0"


def test_email_url_configures_the_default_mailer():
    mailers = _settings_with({"EMAIL_URL": "smtp+tls://me%40x.org:secret@mail.x.org:587"})[
        "MAILERS"
    ]
    assert mailers["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailers["default"]["OPTIONS"] | {"timeout": 10} == {
        "host": "mail.x.org",
        "port": 587,
        "username": "me@x.org",
        "password": "secret",
        "use_tls": True,
        "timeout": 10,
    }


def test_bad_region_setting_is_a_clear_error():
    with pytest.raises(subprocess.CalledProcessError) as error:
        _settings_with({"DEFAULT_REGION": "mars"})
    assert "DEFAULT_REGION must be one of us, eu, uk, au" in error.value.stderr


def test_s3_bucket_per_region_when_configured():
    code_env = {"S3_BUCKET_EU": "acme-eu", "S3_BUCKET_AU": "acme-au"}
    storages = _settings_with(code_env, keys=["STORAGES"])["STORAGES"]
    assert storages["region-eu"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storages["region-eu"]["OPTIONS"] == {
        "bucket_name": "acme-eu",
        "region_name": "eu-central-1",
        "endpoint_url": None,  # AWS itself
        "addressing_style": None,
        # Private: no ACL of our own (the bucket's), links signed, nothing overwritten.
        "default_acl": None,
        "querystring_auth": True,
        "signature_version": "s3v4",
        "file_overwrite": False,
        # A file read back spools to disk past 1 MB instead of downloading into memory.
        "max_memory_size": 1024 * 1024,
    }
    assert storages["region-au"]["OPTIONS"]["region_name"] == "ap-southeast-2"
    assert storages["region-uk"]["BACKEND"].endswith("FileSystemStorage")
    assert storages["region-uk"]["OPTIONS"]["location"].endswith("media/uk")


def test_an_s3_compatible_server_gets_its_endpoint_region_and_addressing():
    code_env = {
        "S3_BUCKET_US": "acme-us",
        "S3_ENDPOINT_URL": "https://s3.internal:9000",
        "S3_REGION_NAME": "garage",
        "S3_ADDRESSING_STYLE": "path",
    }
    options = _settings_with(code_env, keys=["STORAGES"])["STORAGES"]["region-us"]["OPTIONS"]
    assert options["endpoint_url"] == "https://s3.internal:9000"
    assert options["region_name"] == "garage"
    assert options["addressing_style"] == "path"
    with pytest.raises(subprocess.CalledProcessError) as error:
        _settings_with(code_env | {"S3_ADDRESSING_STYLE": "paths"})
    assert "S3_ADDRESSING_STYLE must be path, virtual or auto" in error.value.stderr


def _secret_key_with(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Start Django in a fresh interpreter with only these variables, printing its key."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.SECRET_KEY)"
    )
    base = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "clockify.settings"}
    return subprocess.run(
        [sys.executable, "-c", code],
        env=base | env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )


def test_embedded_default_keeps_a_random_key_of_its_own_in_var_dir(tmp_path):
    first = _secret_key_with({"VAR_DIR": str(tmp_path / "a")})
    again = _secret_key_with({"VAR_DIR": str(tmp_path / "a")})
    other = _secret_key_with({"VAR_DIR": str(tmp_path / "b")})
    key = first.stdout.strip()
    assert len(key) >= 50
    assert again.stdout.strip() == key
    assert other.stdout.strip() != key
    key_file = tmp_path / "a" / "secret_key"
    assert key_file.read_text().strip() == key
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_without_secret_key_a_server_database_refuses_to_start(tmp_path):
    server = {"VAR_DIR": str(tmp_path), "DATABASE_URL_EU": "postgres://u@127.0.0.1:1/eu"}
    result = _secret_key_with(server)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set. Fix: export SECRET_KEY=" in result.stderr
    assert not (tmp_path / "secret_key").exists()
    assert _secret_key_with(server | {"SECRET_KEY": "k" * 50}).stdout.strip() == "k" * 50
    # DEBUG is a developer's machine: a local key is enough there.
    assert _secret_key_with(server | {"DEBUG": "true"}).returncode == 0


def test_screen_capture_and_location_are_allowed_to_our_pages_only(client, owner, workspace):
    for response in (client.get("/accounts/login/"), client.get("/healthz")):
        policy = response["Permissions-Policy"]
        assert "display-capture=(self)" in policy and "geolocation=(self)" in policy
        assert "camera=()" in policy and "microphone=()" in policy


def test_the_deploy_check_passes_with_production_settings(tmp_path):
    production = {
        "SECRET_KEY": "a-production-key-" + "x" * 50,
        "SITE_URL": "https://time.example.com",
        "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.com:587",
        "DEBUG": "false",
        "VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "clockify.settings",
    }
    # The browser tests relax Django's async guard for their own process (tests/browser):
    # not a setting a deployment has.
    unset = {"REDIS_URL", "DEFAULT_REGION", "HSTS_PRELOAD", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset and not k.startswith("S3_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=clean | production,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
