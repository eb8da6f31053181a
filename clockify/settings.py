"""Settings for every deployment, read from the environment (django-environ).

The defaults are the embedded setup of `make run`: five SQLite files under var/db/, media
under var/media/<region>/, tasks run inline, mail printed to the console. Production sets
DATABASE_URL plus DATABASE_URL_US/_EU/_UK/_AU, REDIS_URL, EMAIL_URL, SECRET_KEY and an
https SITE_URL, which turns on HSTS, secure cookies and the HTTPS redirect.
"""

import contextlib
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from clockify import capacity

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
DEBUG = env.bool("DEBUG", default=False)

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.hostname:
    raise ImproperlyConfigured(f"SITE_URL must be an http(s) URL, not {SITE_URL!r}.")
HTTPS = _site.scheme == "https"

# How many proxies of ours (e.g. the TLS proxy) stand in front of the app: each appends the
# address it saw to X-Forwarded-For, so the client is that many entries from the end.
# 0 ignores the header, which anyone can write (clockify/client_ip.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[_site.hostname, "127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_htmx",
    "ninja",
    "workspaces",
    "tracking",
    "reports",
    "monitoring",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Answers the browser extension's CORS preflight before anything reads the request.
    "clockify.middleware.ExtensionCorsMiddleware",
    # Ahead of CSRF, which reads a POST's body to find its token.
    "clockify.body_limit.RequestBodyLimitMiddleware",
    "clockify.middleware.ApiTrailingSlashMiddleware",
    "clockify.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Past whitenoise, so static files are never counted; outside the rest, so it sees the
    # final status of every page (privacy/middleware.py: no cookie, no person, DNT and GPC).
    "privacy.middleware.PageViewMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "workspaces.middleware.UserTimezoneMiddleware",
    "workspaces.middleware.RegionOutageMiddleware",
    # An admin refused for lack of the two-factor authentication the workspace requires is
    # sent to set it up (workspaces/access.py).
    "workspaces.middleware.AdminMfaMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
]

# Cookieless page view counts (privacy/middleware.py); PAGE_ANALYTICS=false counts nothing.
PAGE_ANALYTICS = env.bool("PAGE_ANALYTICS", default=True)

# Every request body is capped at 1 MB before it is read (clockify/body_limit.py); views
# marked @accepts_large_body take more from signed-in people. Form fields never need more,
# and an uploaded file goes to a temporary file past 1 MB rather than staying in memory.
REQUEST_BODY_LIMIT = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_LIMIT
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

ROOT_URLCONF = "clockify.urls"
WSGI_APPLICATION = "clockify.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "workspaces.context_processors.workspaces",
                "monitoring.context_processors.monitoring",
            ],
        },
    }
]

# --- Databases: the directory plus one database per region (DESIGN.md section 3) ---
REGION_ALIASES = ("us", "eu", "uk", "au")
DB_DIR = VAR_DIR / "db"
DB_DIR.mkdir(parents=True, exist_ok=True)


DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=5)
# Connections per PostgreSQL database in each process. By default, sized so that gunicorn's
# workers (clockify/capacity.py) times the five databases stay under the server's
# max_connections (DATABASE_MAX_CONNECTIONS, PostgreSQL's default 100) with 10 to spare;
# 0 turns the pool off.
DATABASE_POOL_SIZE = env.int(
    "DATABASE_POOL_SIZE",
    default=capacity.pool_size(
        env.int("DATABASE_MAX_CONNECTIONS", default=100), reserved=10, databases=5
    ),
)
SQLITE_ENGINES = ("django.db.backends.sqlite3", "workspaces.backends.sqlite3")
# A region runs on Django's backend wrapped to tell a region that cannot be reached (503 for
# its workspaces only) from other database errors (workspaces/outage.py).
REGION_ENGINES = {
    "django.db.backends.postgresql": "workspaces.backends.postgresql",
    "django.db.backends.sqlite3": "workspaces.backends.sqlite3",
}


def _database(var: str, alias: str) -> dict:
    config = env.db_url(var, default=f"sqlite:///{DB_DIR / f'{alias}.sqlite3'}")
    if alias != "default":
        config["ENGINE"] = REGION_ENGINES.get(config["ENGINE"], config["ENGINE"])
    if config["ENGINE"] in SQLITE_ENGINES:
        # Several workers and threads write each file. A transaction that read first and then
        # writes cannot wait for another writer (SQLite answers "database is locked" at once),
        # so every transaction takes the write lock when it begins (BEGIN IMMEDIATE) and
        # waits up to `timeout` seconds for it; WAL lets readers go on meanwhile. Deleted
        # rows are overwritten with zeros (secure_delete), not left readable in the file.
        config.setdefault("OPTIONS", {}).update(
            timeout=20,
            transaction_mode="IMMEDIATE",
            init_command=(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON"
            ),
        )
    else:
        config["CONN_HEALTH_CHECKS"] = True
        # A region that is down must fail fast (503 for its workspaces, and in /healthz), not
        # hang requests.
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
        if DATABASE_POOL_SIZE:
            # A bounded pool per process and database: threads share a few connections, and
            # a request returns its connection when it ends (so CONN_MAX_AGE is 0). A thread
            # waits at most DATABASE_CONNECT_TIMEOUT for one, then the request fails clearly.
            config["CONN_MAX_AGE"] = 0
            config["OPTIONS"]["pool"] = {
                "min_size": 0,
                "max_size": DATABASE_POOL_SIZE,
                "timeout": DATABASE_CONNECT_TIMEOUT,
                "max_idle": 300,
            }
        else:
            # Without our pool (e.g. behind PgBouncer in transaction mode): one connection per
            # thread, kept for a minute.
            config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        # PostgreSQL's default page costs assume spinning disks and make it scan a million
        # entries rather than read the report totals' covering index; 1.1 is the usual value
        # for SSDs and cached data. A URL's ?options= replaces it (e.g. behind PgBouncer).
        config["OPTIONS"].setdefault("options", "-c random_page_cost=1.1")
    return config


DATABASES = {"default": _database("DATABASE_URL", "default")}
for _alias in REGION_ALIASES:
    DATABASES[_alias] = _database(f"DATABASE_URL_{_alias.upper()}", _alias)
DATABASE_ROUTERS = ["workspaces.regions.RegionRouter"]


def _local_secret_key(path: Path) -> str:
    """Return the key kept in path, creating a random one the first time."""
    if not path.exists():
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
            file.write(secrets.token_urlsafe(50))
        # link() never replaces: when several processes start at once, the first key wins.
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    return path.read_text().strip()


# Every SQLite file lives on this one machine, so a key kept next to them is as private and
# as lasting as the data; a server database may be shared by several hosts, which must share
# one key, so there it has to come from the environment.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG and any(db["ENGINE"] not in SQLITE_ENGINES for db in DATABASES.values()):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Fix: export SECRET_KEY=$(python3 -c "
            "'import secrets; print(secrets.token_urlsafe(50))') (the same value on every host)."
        )
    SECRET_KEY = _local_secret_key(VAR_DIR / "secret_key")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DEFAULT_REGION = env.str("DEFAULT_REGION", default="eu").lower()
if DEFAULT_REGION not in REGION_ALIASES:
    raise ImproperlyConfigured(
        f"DEFAULT_REGION must be one of {', '.join(REGION_ALIASES)}, not {DEFAULT_REGION!r}."
    )

# --- Cache, Celery: Redis when REDIS_URL is set, otherwise in-process and inline ---
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Publishing must never hang a request when the broker is down. The connection timeout is
# AMQP's; Redis takes its socket timeouts from the transport options (without them a host that
# drops packets holds a publish for the system's TCP timeout, minutes).
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
# Periodic work, sent by `celery -A clockify beat` (or a worker started with -B) when
# REDIS_URL is set. Inline, nothing runs it: the import sweeps a workspace at each upload.
CELERY_BEAT_SCHEDULE = {
    "sweep-import-uploads": {
        "task": "reports.tasks.sweep_import_uploads",
        "schedule": 15 * 60,  # seconds
    },
    # Screenshots and location samples past their workspace's retention (files, then rows);
    # without beat, run `manage.py purge_expired` from cron.
    "purge-expired-captures": {
        "task": "monitoring.tasks.purge_expired_captures",
        "schedule": 60 * 60,
    },
    # Auto tracker records and idle periods past their person's retention; without beat,
    # run `manage.py purge_helper_data` from cron.
    "purge-helper-data": {
        "task": "tracking.tasks.purge_helper_data",
        "schedule": 60 * 60,
    },
    # Account deletions a failure interrupted, and archives past their 7 days; without
    # beat, run `manage.py resume_deletions` from cron.
    "privacy-sweep": {"task": "privacy.tasks.sweep", "schedule": 60 * 60},
    # Audit events older than AUDIT_RETENTION_DAYS; without beat, `manage.py purge_audit_log`.
    "purge-audit-log": {
        "task": "workspaces.tasks.purge_audit_log",
        "schedule": 24 * 60 * 60,
    },
    # Page view counts older than 400 days (privacy.models.PAGE_VIEWS_KEPT).
    "purge-old-page-views": {
        "task": "privacy.tasks.purge_old_page_views",
        "schedule": 24 * 60 * 60,
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# How long a workspace's audit log keeps an event (workspaces/audit.py), in days.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
if AUDIT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS must be 1 or more.")

# --- Accounts (django-allauth) ---
AUTH_USER_MODEL = "workspaces.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = False  # sign-up says plainly that an email is taken
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Time tracker] "
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "workspaces.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    # Wrong passwords count per account (the email); workspaces.adapters adds a limit per
    # address that never refuses an account that signed in from there. allauth's own limits
    # per address ("10/m/ip" on failures, "30/m/ip" on every login) would refuse the right
    # password to everyone behind one proxy or office address after a stranger's mistakes.
    "login_failed": "5/5m/key",
    "login": None,
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Time tracker")
USERSESSIONS_TRACK_ACTIVITY = True

# --- Mail ---
_EMAIL_OPTION_NAMES = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
}


def _mailer(url: str) -> dict:
    """Turn an EMAIL_URL (smtp+tls://user:pass@host:587, consolemail://) into a MAILERS entry."""
    config = environ.Env.email_url_config(url)
    options = {
        option: config[name]
        for name, option in _EMAIL_OPTION_NAMES.items()
        if config.get(name) not in (None, "")
    }
    if "TIMEOUT" in config.get("OPTIONS", {}):
        options["timeout"] = config["OPTIONS"]["TIMEOUT"]
    if config["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
        options.setdefault("timeout", 10)  # a slow mail server must not hang a request
    else:
        options = {}
    return {"BACKEND": config["EMAIL_BACKEND"], "OPTIONS": options}


MAILERS = {"default": _mailer(env.str("EMAIL_URL", default="consolemail://"))}
# Where people ask this server's operator for help, e.g. to move a workspace to another region
# (its settings page links to it); empty: the page says to ask whoever runs the server.
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Time tracker <noreply@localhost>")

# --- Security: cookies only for login, strict CSP, HTTPS when the site is https ---
SESSION_COOKIE_HTTPONLY = True
# Flash messages ride in the session, so no cookie beyond the session and CSRF ones. Sessions
# are directory rows: a message never quotes a workspace's content (names, descriptions, files).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Asking browsers to preload HSTS is a lasting promise about the whole domain, which only its
# operator can make: HSTS_PRELOAD=true. Until then Django's reminder (W021) is not a fault.
SECURE_HSTS_PRELOAD = HTTPS and env.bool("HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    # allauth's TOTP page shows its QR code as a data: SVG.
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- Static and media files ---
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from here after collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
# One private storage per region: a folder var/media/<region>/ in the embedded default, or
# an S3 bucket in that region when S3_BUCKET_<REGION> is set (S3_ENDPOINT_URL for an
# S3-compatible server). Nothing regional is ever written to the "default" storage.
# Credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or boto3's other
# sources (an instance role, ~/.aws).
AWS_REGION_NAMES = {
    "us": "us-east-1",
    "eu": "eu-central-1",
    "uk": "eu-west-2",
    "au": "ap-southeast-2",
}
S3_ADDRESSING_STYLE = env.str("S3_ADDRESSING_STYLE", default="")
if S3_ADDRESSING_STYLE not in ("", "auto", "path", "virtual"):
    raise ImproperlyConfigured("S3_ADDRESSING_STYLE must be path, virtual or auto.")


def _region_storage(alias: str) -> dict:
    bucket = env.str(f"S3_BUCKET_{alias.upper()}", default="")
    if not bucket:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": MEDIA_ROOT / alias, "base_url": None},
        }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            # An S3-compatible server may have one region name of its own to sign for.
            "region_name": env.str("S3_REGION_NAME", default="") or AWS_REGION_NAMES[alias],
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            # "path" for a server reached by a name that has no per-bucket subdomains;
            # unset: boto3 decides (virtual-hosted on AWS, path for an IP address).
            "addressing_style": S3_ADDRESSING_STYLE or None,
            # No ACL on upload: objects stay as private as the bucket. A bucket with ACLs
            # disabled (AWS's default since 2023) refuses any other ACL, "private" included.
            "default_acl": None,
            # Links to a file are signed and expire (an hour); never public. Signature
            # version 4, which every AWS region takes (boto3 may sign links with version 2).
            "querystring_auth": True,
            "signature_version": "s3v4",
            # A second file under a taken name gets a name of its own instead of replacing it.
            "file_overwrite": False,
            # A file read back (an import's upload, up to 100 MB) spools to a temporary file
            # past this size, as an uploaded one does, rather than downloading into memory.
            "max_memory_size": FILE_UPLOAD_MAX_MEMORY_SIZE,
        },
    }


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    **{f"region-{alias}": _region_storage(alias) for alias in REGION_ALIASES},
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
