"""Werkbrug settings: one file, read from the environment (see .env.example)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from common.csp import inline_style_hashes
from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_env_file(path: Path) -> None:
    """Put the KEY=VALUE lines of a local .env into the environment; variables already set win."""
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.removeprefix("export ").split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        os.environ.setdefault(key.strip(), value)


# `make setup` writes .env (DEBUG=1 and a generated SECRET_KEY) once, so manage.py, celery and the tests
# work in a fresh shell; a deployment sets its variables in the environment, which always win.
_load_env_file(Path(env_str("ENV_FILE", str(BASE_DIR / ".env"))))

# --- Core -----------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A form whose security check failed gets a page in the reader's language with a way back.
CSRF_FAILURE_VIEW = "common.errors.csrf_failure"
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc as static files: the API docs load nothing from a CDN
    "django_htmx",
    "crm",
    "placements",
    "outreach",
    "reports",
    # Audit trail of changes (django-auditlog) and the privacy app: access events, subject access, erasure, retention.
    "auditlog",
    "privacy",
    # After our apps: crm's `import` and `export` commands take precedence over the library's.
    "import_export",
    # Failed sign-ins per username and client address, and the lockout (common/signin.py).
    "axes",
    # The optional second factor, a TOTP code (common/twofactor.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Django's own form and widget templates, last so that any app may override them: the form renderer
    # (FORM_RENDERER below) reads them through the project's template engine.
    "django.forms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header and the per-request nonce (settings under "Security headers").
    "csp.middleware.CSPMiddleware",
    # Serves the collected static files (with far-future caching of the hashed names) without a web server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(), then the code page for a session that still owes a code.
    "django_otp.middleware.OTPMiddleware",
    "common.twofactor.SecondFactorMiddleware",
    # auditlog's middleware (who changed a row), reading token users too (privacy/middleware.py).
    "privacy.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its 429 page (common.signin.lockout_response).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The workspace's field template (_field.html) for every field rendered as a group: optional fields say so,
# radio and checkbox groups are a fieldset with a legend (common/forms.py).
FORM_RENDERER = "common.forms.WorkspaceFormRenderer"

# --- Database -------------------------------------------------------------------------------
# SQLite by default; PostgreSQL (or any dj-database-url URL) when DATABASE_URL is set.

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("POSTGRES_JIT", False):
        # PostgreSQL's JIT starts on big cost estimates (a subquery per row, a year of steps) and compiling
        # then takes longer than the query: 270 ms for a 60 ms list count, 60-150 ms on report queries.
        # Off for every connection, after any options the URL gave.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "var" / "werkbrug.sqlite3")),
            "OPTIONS": {
                # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at
                # the start of a transaction so two writers queue on busy_timeout instead of
                # failing halfway with "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 20),
            },
            # Kept open between requests, like the PostgreSQL connection: a new SQLite connection reads the
            # schema (about 1.5 ms of CPU) and prepares every statement afresh, where a kept one reuses the
            # statements the sqlite3 module cached (a mentor's concern post, 38 statements: 17.8 ms of
            # server CPU with a connection per request, 12.4 ms with one kept open).
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
        }
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_PATH", "") or None}

# --- Authentication -------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The sign-in lockout (django-axes, settings under "Sign-in throttling") checks first, then Django's users.
AUTHENTICATION_BACKENDS = ["common.signin.SignInThrottle", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Languages ------------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch")), ("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Amsterdam")
USE_TZ = True
# One date and time format per language on pages, mails, packs and the calendar: templates use the
# named formats (`|date:"SHORT_DATE_FORMAT"`, `formats.date_format`), and config/formats/ holds the
# languages whose Django defaults do not read as our users expect (English the European way).
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static files ---------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves hashed, compressed copies made by `collectstatic` (WhiteNoise); development and
# tests read the source files, so no collectstatic is needed to run them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# In development WhiteNoise reads the source directories on each request instead of var/static.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

# --- Email ----------------------------------------------------------------------------------

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Werkbrug <noreply@werkbrug.example>")

# --- Outgoing mail --------------------------------------------------------------------------
# The one life cycle every mail row shares (outreach/mail/): follow-up notices, digests, info-pack
# deliveries and survey mails. Transient errors (a refused connection, a timeout, a DNS failure,
# a 4xx reply) are tried again with exponential backoff and jitter until MAIL_MAX_ATTEMPTS.

# Every SMTP connection gets this timeout (EMAIL_TIMEOUT is Django's name for it).
MAIL_TIMEOUT_SECONDS = env_int("MAIL_TIMEOUT_SECONDS", 30)
EMAIL_TIMEOUT = MAIL_TIMEOUT_SECONDS
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 6)
MAIL_RETRY_BACKOFF_SECONDS = env_int("MAIL_RETRY_BACKOFF_SECONDS", 30)
MAIL_RETRY_BACKOFF_MAX_SECONDS = env_int("MAIL_RETRY_BACKOFF_MAX_SECONDS", 900)
# Rows per published message: the sweep publishes one message per batch, the worker claims each row.
MAIL_BATCH_SIZE = env_int("MAIL_BATCH_SIZE", 100)
# A pending mail not taken by a worker this long after it was published is published again (a lost message).
MAIL_REQUEUE_AFTER_SECONDS = env_int("MAIL_REQUEUE_AFTER_SECONDS", 900)
# A send task is stopped after this long (a hang); the mails it had not reached are published again.
MAIL_TASK_TIME_LIMIT_SECONDS = env_int("MAIL_TASK_TIME_LIMIT_SECONDS", 600)
# A mail left in "sending" this long (its worker died mid-send) goes back to pending and is sent again.
MAIL_SENDING_LEASE_SECONDS = env_int("MAIL_SENDING_LEASE_SECONDS", 900)
# How often beat runs the requeue sweep, and how many rows of each kind one run publishes again.
MAIL_REQUEUE_SWEEP_SECONDS = env_int("MAIL_REQUEUE_SWEEP_SECONDS", 60)
MAIL_REQUEUE_BATCH = env_int("MAIL_REQUEUE_BATCH", 5000)

if min(MAIL_TIMEOUT_SECONDS, MAIL_MAX_ATTEMPTS, MAIL_BATCH_SIZE, MAIL_REQUEUE_BATCH, MAIL_REQUEUE_SWEEP_SECONDS) < 1:
    raise ImproperlyConfigured("MAIL_TIMEOUT_SECONDS, _MAX_ATTEMPTS, _BATCH_SIZE and the requeue settings must be >= 1")
if MAIL_SENDING_LEASE_SECONDS <= MAIL_TASK_TIME_LIMIT_SECONDS:
    # Otherwise a live worker still inside its batch could see a mail it holds handed to another.
    raise ImproperlyConfigured("MAIL_SENDING_LEASE_SECONDS must exceed MAIL_TASK_TIME_LIMIT_SECONDS")

# --- Celery ---------------------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish gives up after two quick tries (under a second) when the broker is down: the rows stay
# pending and due, and the next sweep publishes them (outreach/mail/queue.py). Without this a sweep
# waits about six seconds per batch for a broker that is not there.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TIMEZONE = TIME_ZONE
# Task modules outside the apps' tasks.py (which autodiscovery finds by itself).
CELERY_IMPORTS = ["crm.import_jobs"]
# The queue every outreach task goes to (a worker started with -Q serves it).
OUTREACH_QUEUE = env_str("OUTREACH_QUEUE", "celery")
CELERY_TASK_ROUTES = {"outreach.tasks.*": {"queue": OUTREACH_QUEUE}}

# --- Follow-ups -----------------------------------------------------------------------------
# The aftercare follow-up engine (outreach/followups.py, DESIGN "The follow-up engine"): the
# database says what is due; a beat sweep claims it and enqueues one mail task per notice.


def _days_list(name: str, default: str) -> tuple[int, ...]:
    """A comma-separated list of whole days (0 or more), largest first."""
    try:
        days = sorted({int(item) for item in env_list(name, default)}, reverse=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a comma-separated list of whole days, e.g. 1,0") from exc
    if any(day < 0 for day in days):
        raise ImproperlyConfigured(f"{name} cannot hold negative days")
    return tuple(days)


FOLLOWUP_SWEEP_SECONDS = env_int("FOLLOWUP_SWEEP_SECONDS", 300)
# Days before the due day on which the coach is reminded; 0 is the due day itself.
FOLLOWUP_REMINDER_DAYS_BEFORE = _days_list("FOLLOWUP_REMINDER_DAYS_BEFORE", "1,0")
# A step still open this many days after its due day is escalated to the client's case manager.
FOLLOWUP_ESCALATE_AFTER_DAYS = env_int("FOLLOWUP_ESCALATE_AFTER_DAYS", 3)
# Local hour of the coaches' morning digest.
FOLLOWUP_DIGEST_HOUR = env_int("FOLLOWUP_DIGEST_HOUR", 7)
# A mentor check-in whose day passed longer ago than this (a placement recorded late) is not mailed.
FOLLOWUP_CATCH_UP_DAYS = env_int("FOLLOWUP_CATCH_UP_DAYS", 2)
# Steps claimed per transaction by the sweep.
FOLLOWUP_SWEEP_BATCH = env_int("FOLLOWUP_SWEEP_BATCH", 5000)
if FOLLOWUP_SWEEP_SECONDS < 10:
    raise ImproperlyConfigured("FOLLOWUP_SWEEP_SECONDS must be at least 10")
if not 0 <= FOLLOWUP_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured("FOLLOWUP_DIGEST_HOUR must be an hour from 0 to 23")
if min(FOLLOWUP_ESCALATE_AFTER_DAYS, FOLLOWUP_CATCH_UP_DAYS) < 0:
    raise ImproperlyConfigured("FOLLOWUP_ESCALATE_AFTER_DAYS and FOLLOWUP_CATCH_UP_DAYS cannot be negative")
if not 1 <= FOLLOWUP_SWEEP_BATCH <= 20000:
    # The upper bound keeps every IN list of a batch under SQLite's limit of 32,766 parameters.
    raise ImproperlyConfigured("FOLLOWUP_SWEEP_BATCH must be between 1 and 20000")

# --- Surveys --------------------------------------------------------------------------------
# Employer evaluation surveys with personal links (outreach/survey_services.py).

# A reminder goes this many days after the invitation (or the previous reminder), at most this many times.
SURVEY_REMINDER_AFTER_DAYS = env_int("SURVEY_REMINDER_AFTER_DAYS", 7)
SURVEY_MAX_REMINDERS = env_int("SURVEY_MAX_REMINDERS", 2)
SURVEY_LINK_VALID_DAYS = env_int("SURVEY_LINK_VALID_DAYS", 30)
SURVEY_SWEEP_SECONDS = env_int("SURVEY_SWEEP_SECONDS", 600)
# Answers posted per client address and minute before the page answers 429.
SURVEY_POSTS_PER_MINUTE = env_int("SURVEY_POSTS_PER_MINUTE", 20)
SURVEY_RATE_LIMIT_CACHE = "surveys"
if min(SURVEY_REMINDER_AFTER_DAYS, SURVEY_LINK_VALID_DAYS, SURVEY_POSTS_PER_MINUTE) < 1 or SURVEY_MAX_REMINDERS < 0:
    raise ImproperlyConfigured("SURVEY_* days and limits must be at least 1 (SURVEY_MAX_REMINDERS at least 0)")

# --- Workplace mentor's page (outreach/mentors/) ------------------------------------------------
# The mentor's personal link works from the first info pack until this many days after the placement ends.
MENTOR_LINK_DAYS_AFTER_END = env_int("MENTOR_LINK_DAYS_AFTER_END", 60)
if MENTOR_LINK_DAYS_AFTER_END < 0:
    raise ImproperlyConfigured("MENTOR_LINK_DAYS_AFTER_END must be 0 or more")

# Programme reports (reports/): a section once counted is kept this many seconds per reader and filters,
# so the page, its downloads and the next visit read it back; "Count again" on the page recounts at once.
# 0 counts every time.
REPORTS_CACHE_SECONDS = env_int("REPORTS_CACHE_SECONDS", 600)
if REPORTS_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("REPORTS_CACHE_SECONDS must be 0 or more")
# Network coverage (placements/coverage.py): the supply and demand per ladder step and their twelve-month
# trend are kept this many seconds (common.kept), per day; "Count again now" on the page recounts at once.
# 0 counts every time.
COVERAGE_CACHE_SECONDS = env_int("COVERAGE_CACHE_SECONDS", 300)
if COVERAGE_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("COVERAGE_CACHE_SECONDS must be 0 or more")
# How many sections of a report PostgreSQL counts side by side (reports.counting); 1 counts them in turn.
REPORTS_COUNT_THREADS = env_int("REPORTS_COUNT_THREADS", 2)
if REPORTS_COUNT_THREADS < 1:
    raise ImproperlyConfigured("REPORTS_COUNT_THREADS must be 1 or more")

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Shared by every web process, so the public survey page's rate limit holds across workers.
    SURVEY_RATE_LIMIT_CACHE: {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("SURVEY_CACHE_URL") or REDIS_URL,
        "KEY_PREFIX": "werkbrug-surveys",
        "TIMEOUT": 120,
    },
}

# --- Privacy: audit and retention ----------------------------------------------------------
# privacy/: changes to clients, consents, agreements and placements are kept by django-auditlog with
# who and when; viewing a file and every export are access events; both are append-only for staff.
# The retention schedule (privacy/retention.py) runs daily at RETENTION_HOUR (beat) and by
# `manage.py retention [--dry-run]`: a closed file is erased (anonymised, counts kept) this many months
# after closing; survey free text, stored mails' addresses and import uploads go on their own schedule.
RETENTION_CLOSED_FILE_MONTHS = env_int("RETENTION_CLOSED_FILE_MONTHS", 24)
RETENTION_SURVEY_TEXT_MONTHS = env_int("RETENTION_SURVEY_TEXT_MONTHS", 24)
RETENTION_MAIL_MONTHS = env_int("RETENTION_MAIL_MONTHS", 12)
RETENTION_UPLOAD_DAYS = env_int("RETENTION_UPLOAD_DAYS", 7)
RETENTION_HOUR = env_int("RETENTION_HOUR", 3)
if min(RETENTION_CLOSED_FILE_MONTHS, RETENTION_SURVEY_TEXT_MONTHS, RETENTION_MAIL_MONTHS, RETENTION_UPLOAD_DAYS) < 1:
    raise ImproperlyConfigured("RETENTION_*_MONTHS and RETENTION_UPLOAD_DAYS must be at least 1")
if not 0 <= RETENTION_HOUR <= 23:
    raise ImproperlyConfigured("RETENTION_HOUR must be an hour from 0 to 23")

# --- Celery beat ----------------------------------------------------------------------------
# The one schedule. Each entry expires before its next run, so a backlog after a worker outage is
# one run, not many.
PACK_RECONCILE_SECONDS = env_int("PACK_RECONCILE_SECONDS", 600)
CELERY_BEAT_SCHEDULE = {
    "followups-sweep": {
        "task": "outreach.tasks.run_followup_sweep",
        "schedule": float(FOLLOWUP_SWEEP_SECONDS),
        "options": {"expires": FOLLOWUP_SWEEP_SECONDS * 4 // 5},
    },
    "followups-morning-digest": {
        "task": "outreach.tasks.run_digest_sweep",
        "schedule": crontab(minute=0, hour=FOLLOWUP_DIGEST_HOUR),
        "options": {"expires": 3 * 3600},
    },
    "mail-requeue": {
        "task": "outreach.tasks.requeue_mails",
        "schedule": float(MAIL_REQUEUE_SWEEP_SECONDS),
        "options": {"expires": max(MAIL_REQUEUE_SWEEP_SECONDS * 4 // 5, 1)},
    },
    # Builds the placement pack of a newly activated placement, and a new version when its schedule moved.
    "info-packs-reconcile": {
        "task": "outreach.tasks.reconcile_placement_packs",
        "schedule": float(PACK_RECONCILE_SECONDS),
        "options": {"expires": PACK_RECONCILE_SECONDS * 4 // 5},
    },
    "surveys-sweep": {
        "task": "outreach.tasks.run_survey_sweep",
        "schedule": float(SURVEY_SWEEP_SECONDS),
        "options": {"expires": SURVEY_SWEEP_SECONDS * 4 // 5},
    },
    # The retention schedule, once a day (privacy.retention).
    "privacy-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": crontab(minute=30, hour=RETENTION_HOUR),
        "options": {"expires": 6 * 3600},
    },
}

# --- REST API -------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # Token first, so an anonymous request gets 401 with a WWW-Authenticate header rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Django model permissions, with `view` needed to read (DRF's own class lets any user read).
    "DEFAULT_PERMISSION_CLASSES": ["common.api_defaults.ModelPermissions"],
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "common.api_defaults.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "common.api_schema.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Werkbrug API",
    "DESCRIPTION": "Employer-network CRM: employers, contacts, interactions, vacancies and placements.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs pages are for signed-in users (session or token), not the open internet.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # The docs pages load Swagger UI and ReDoc from this app's static files (drf_spectacular_sidecar), not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name per choice set that several fields share, or whose field name other sets use too.
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "crm.choices.Stage",
        "InteractionKindEnum": "crm.choices.InteractionKind",
        "VacancyKindEnum": "crm.choices.VacancyKind",
        "StepKindEnum": "placements.choices.StepKind",
        "ClosingReasonEnum": "placements.choices.ClosingReason",
        "LanguageEnum": "crm.choices.Language",
        "EndCauseEnum": "placements.choices.EndCause",
    },
}

# --- Import and export ----------------------------------------------------------------------

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_CHUNK_SIZE = 1000
# The import page dry-runs and imports files up to this size in the request; bigger ones (up to
# IMPORT_MAX_BYTES) run as a background task with a progress bar (crm/import_jobs.py).
IMPORT_BACKGROUND_BYTES = env_int("IMPORT_BACKGROUND_BYTES", 256 * 1024)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024)

# --- Hostile files: import limits -------------------------------------------------------------
# Every import (the import page, the admin, manage.py import, the background job) reads files through
# common.spreadsheets.read_table, which refuses a file beyond these limits before it costs memory or
# time: IMPORT_MAX_BYTES above for the file itself; an XLSX workbook (a zip of XML files) unpacked in
# total, per part compressed more than the ratio (a zip bomb), or with more parts; rows under the
# header, columns, filled cells and characters in one cell (Excel's own limit is 32,767).
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 100)
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 500_000)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 32_767)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 100)
IMPORT_MAX_ZIP_MEMBERS = env_int("IMPORT_MAX_ZIP_MEMBERS", 1000)
# A background import "running" with no heartbeat for this many seconds is marked failed (its worker died).
IMPORT_STALE_SECONDS = env_int("IMPORT_STALE_SECONDS", 300)

# --- Logging --------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every CSS fetch at INFO; only its warnings are worth reading.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Security (production) ------------------------------------------------------------------

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Client address and rate limits ---------------------------------------------------------
# common/clientip.py: the one client address every rate limit and the sign-in lockout count against.
# The number of reverse proxies in front of the application that append to X-Forwarded-For; the
# client is the entry that many places from the end. 0 (the default) ignores the header and uses the
# socket address: right when nothing sits in front, and the only safe value unless the application
# can be reached through those proxies alone (otherwise a visitor could write her own address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Views of a survey link (GET) per client address and minute before the page answers 429: link
# guessing by GET; more generous than SURVEY_POSTS_PER_MINUTE, as people reopen and switch languages.
SURVEY_GETS_PER_MINUTE = env_int("SURVEY_GETS_PER_MINUTE", 60)
if TRUSTED_PROXY_COUNT < 0 or SURVEY_GETS_PER_MINUTE < 1:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more and SURVEY_GETS_PER_MINUTE at least 1")

# --- Sign-in throttling ---------------------------------------------------------------------
# django-axes (common/signin.py): the sign-in page, the admin's and the API token endpoint. After
# SIGN_IN_FAILURE_LIMIT wrong passwords for one username from one client address (common.clientip)
# that pair is refused, even with the right password, for SIGN_IN_COOLOFF_MINUTES (each new try
# during the lockout starts the wait again); the page answers 429 in her language, the API 429 JSON.
# Another address, or another username, is not affected; a successful sign-in clears the count.
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5)
SIGN_IN_COOLOFF_MINUTES = env_int("SIGN_IN_COOLOFF_MINUTES", 15)
if AXES_FAILURE_LIMIT < 1 or SIGN_IN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("SIGN_IN_FAILURE_LIMIT and SIGN_IN_COOLOFF_MINUTES must be at least 1")
AXES_COOLOFF_TIME = timedelta(minutes=SIGN_IN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "common.clientip.client_address"
AXES_LOCKOUT_CALLABLE = "common.signin.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
# Failed attempts are kept (the lockout needs them); successful sign-ins are not logged by axes.
AXES_DISABLE_ACCESS_LOG = True
# Log lines name only what the lockout counts (username and address), no startup banner.
AXES_VERBOSE = False

# --- Sessions -------------------------------------------------------------------------------
# A sign-in lasts SESSION_HOURS (a working day by default), counted from the sign-in, then the
# workspace asks for the password again; SESSION_EXPIRE_AT_BROWSER_CLOSE=1 also ends it when the
# browser closes (for shared computers). The cookie is never readable by scripts.
SESSION_HOURS = env_int("SESSION_HOURS", 8)
if not 1 <= SESSION_HOURS <= 24 * 30:
    raise ImproperlyConfigured("SESSION_HOURS must be between 1 and 720 (30 days)")
SESSION_COOKIE_AGE = SESSION_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)
SESSION_COOKIE_HTTPONLY = True

# --- Security headers -----------------------------------------------------------------------
# A strict Content-Security-Policy (django-csp) on every page: scripts, styles, images, fonts and
# requests from this site only; no inline script or style except with the response's nonce
# (`{{ request.csp_nonce }}`: the API docs) or, for the request-less 500 page's style, its hash; no
# plugins, no framing, forms post to this site only. The workspace, the admin, the survey pages and
# the API docs pass it (tests/browser/test_csp_browser.py). PDF layouts are rendered to files, not served.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # The nonce appears in the header only on a page that uses it (the API docs): elsewhere, files only.
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE, *inline_style_hashes(BASE_DIR / "templates" / "500.html")],
        # data: for the empty favicon and the icons Swagger UI draws in its stylesheet.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
# HTTPS only, by default whenever DEBUG is off: plain HTTP is redirected (except the health check,
# which process supervisors probe locally), and browsers are told to use HTTPS for a year, for
# subdomains too, and may preload it. Behind a proxy that ends TLS, it must send X-Forwarded-Proto
# (SECURE_PROXY_SSL_HEADER is trusted when TRUSTED_PROXY_COUNT is set), or every request redirects.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env_bool("TRUST_X_FORWARDED_PROTO", default=TRUSTED_PROXY_COUNT > 0):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if SECURE_HSTS_SECONDS < 0:
    raise ImproperlyConfigured("SECURE_HSTS_SECONDS must be 0 (off) or more")

# --- Two-step sign-in -----------------------------------------------------------------------
# An optional TOTP second factor (django-otp, common/twofactor.py): anyone turns it on from her
# two-step sign-in page; with OTP_REQUIRED_FOR_ADMINISTRATORS on, staff (who reach the admin) must
# set it up before any other page opens. Wrong codes make the next try wait longer.
OTP_REQUIRED_FOR_ADMINISTRATORS = env_bool("OTP_REQUIRED_FOR_ADMINISTRATORS", default=False)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Werkbrug")
