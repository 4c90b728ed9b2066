"""Django settings, derived from the declarations in :mod:`infoharbor.config`.

Operators never edit this file: they set ``INFOHARBOR_*`` environment variables
(see ``docs/operator/settings.md``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.conf import locale

from infoharbor import __version__, config

# Lets the typed generics of django-stubs (ModelAdmin[Entry], ...) work at run time.
django_stubs_ext.monkeypatch()

try:
    _values = config.load()
except config.ConfigError as error:  # pragma: no cover - exercised by hand at start-up
    sys.exit(f"Information Harbor cannot start: {error}")

ENVIRONMENT: str = _values["ENVIRONMENT"]
PRODUCTION = ENVIRONMENT == "production"
TESTING = ENVIRONMENT == "test" or "pytest" in sys.modules

VAR_DIR = Path(_values["VAR_DIR"]).resolve()
BASE_DIR = Path(__file__).resolve().parent

try:
    SECRET_KEY = config.secret_key(_values, VAR_DIR)
except config.ConfigError as error:
    sys.exit(f"Information Harbor cannot start: {error}")

DEBUG: bool = _values["DEBUG"]
ALLOWED_HOSTS: list[str] = _values["ALLOWED_HOSTS"]
if PRODUCTION and not ALLOWED_HOSTS:
    sys.exit("Information Harbor cannot start: set INFOHARBOR_ALLOWED_HOSTS to the host names.")
if TESTING:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
SITE_URL: str = _values["SITE_URL"].rstrip("/")
CSRF_TRUSTED_ORIGINS: list[str] = _values["CSRF_TRUSTED_ORIGINS"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "infoharbor.worker.apps.TaskQueueConfig",  # django_tasks_db, named for operators
    "infoharbor.core",
    "infoharbor.accounts",
    "infoharbor.search",
    "infoharbor.worker",
    "infoharbor.information",
    "infoharbor.ingest",
    "infoharbor.stories",
    "infoharbor.subscriptions",
    "infoharbor.mail",
    "infoharbor.webhooks",
    "infoharbor.portal",
    "infoharbor.api",
]

MIDDLEWARE = [
    "infoharbor.portal.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "infoharbor.portal.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Authentication before the language: an unprefixed address follows the account's choice.
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "infoharbor.portal.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "infoharbor.portal.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "infoharbor.urls"
WSGI_APPLICATION = "infoharbor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "infoharbor.portal.context_processors.harbor",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------

_database_url = _values["DATABASE_URL"] or f"sqlite:///{VAR_DIR / 'infoharbor.sqlite3'}"
DATABASES: dict[str, dict[str, Any]] = {
    "default": dict(dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer commits; IMMEDIATE transactions take the
        # write lock up front, so concurrent writers wait (busy timeout) instead of failing.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if not TESTING:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------

_cache_url: str = _values["CACHE_URL"]
if _cache_url.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "infoharbor",
        }
    }

# --- Accounts and security ----------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["infoharbor.accounts.backends.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
LOGIN_MAX_ATTEMPTS: int = _values["LOGIN_MAX_ATTEMPTS"]
LOGIN_WINDOW_SECONDS: int = _values["LOGIN_WINDOW_SECONDS"]

_secure_cookies = _values["SECURE_COOKIES"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = (
    PRODUCTION if _secure_cookies is None else (_secure_cookies)
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if _values["BEHIND_PROXY"]:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
BEHIND_PROXY: bool = _values["BEHIND_PROXY"]
if PRODUCTION:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_SSL_REDIRECT = False  # the proxy terminates TLS and redirects; see the operator guide

MAX_REQUEST_BYTES: int = _values["MAX_REQUEST_BYTES"]

# Search: the embedded tantivy index, or tables in PostgreSQL (see infoharbor.search).
SEARCH_BACKEND: str = _values["SEARCH_BACKEND"]
if SEARCH_BACKEND == "auto":
    SEARCH_BACKEND = (
        "postgres" if DATABASES["default"]["ENGINE"].endswith("postgresql") else "embedded"
    )
SEARCH_PATH = Path(_values["SEARCH_PATH"] or VAR_DIR / "search").resolve()
SEARCH_INDEX_IN_BACKGROUND: bool = _values["SEARCH_INDEX_IN_BACKGROUND"] and not TESTING
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES

# Ingestion: fetching sources politely and safely (see docs/operator/ingest.md).
INGEST_MIN_INTERVAL_MINUTES: int = _values["INGEST_MIN_INTERVAL_MINUTES"]
INGEST_USER_AGENT: str = (
    _values["INGEST_USER_AGENT"] or f"InformationHarbor/{__version__} (+{SITE_URL})"
)
INGEST_CONNECT_TIMEOUT_SECONDS: float = _values["INGEST_CONNECT_TIMEOUT_SECONDS"]
INGEST_READ_TIMEOUT_SECONDS: float = _values["INGEST_READ_TIMEOUT_SECONDS"]
INGEST_MAX_BYTES: int = _values["INGEST_MAX_BYTES"]
INGEST_MAX_REDIRECTS: int = _values["INGEST_MAX_REDIRECTS"]
INGEST_HOST_DELAY_SECONDS: float = _values["INGEST_HOST_DELAY_SECONDS"]
INGEST_RETRIES: int = _values["INGEST_RETRIES"]
INGEST_MAX_RETRY_WAIT_SECONDS: float = _values["INGEST_MAX_RETRY_WAIT_SECONDS"]
INGEST_ALLOWED_NETWORKS: tuple[Any, ...] = _values["INGEST_ALLOWED_NETWORKS"]
INGEST_TIME_BUDGET_SECONDS: float = _values["INGEST_TIME_BUDGET_SECONDS"]
INGEST_CATALOGUE_MAX_PAGES: int = _values["INGEST_CATALOGUE_MAX_PAGES"]
INGEST_MAX_PAGES: int = _values["INGEST_MAX_PAGES"]
INGEST_BATCH_SIZE: int = _values["INGEST_BATCH_SIZE"]

# Background tasks (infoharbor.worker): Django's tasks framework, its queue in the database.
TASKS_BACKEND: str = _values["TASKS_BACKEND"]
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if TASKS_BACKEND == "database"
        else "django_tasks.backends.immediate.ImmediateBackend",
        # In order of urgency: the worker takes an alert before anything else.
        "QUEUES": ["alerts", "default", "bulk"],
    }
}
WORKER_CONCURRENCY: int = _values["WORKER_CONCURRENCY"]
WORKER_POLL_SECONDS: float = _values["WORKER_POLL_SECONDS"]
WORKER_LEASE_SECONDS: float = _values["WORKER_LEASE_SECONDS"]
WORKER_MAX_ATTEMPTS: int = _values["WORKER_MAX_ATTEMPTS"]
SCHEDULER_INTERVAL_SECONDS: float = _values["SCHEDULER_INTERVAL_SECONDS"]
TASK_RESULTS_KEEP_DAYS: int = _values["TASK_RESULTS_KEEP_DAYS"]
TASK_FAILURES_KEEP_DAYS: int = _values["TASK_FAILURES_KEEP_DAYS"]

# Webhooks (infoharbor.webhooks): where they may go, and how long they are tried.
WEBHOOK_ALLOWED_NETWORKS: tuple[Any, ...] = _values["WEBHOOK_ALLOWED_NETWORKS"]
WEBHOOK_TIMEOUT_SECONDS: float = _values["WEBHOOK_TIMEOUT_SECONDS"]
WEBHOOK_RETRY_BASE_SECONDS: float = _values["WEBHOOK_RETRY_BASE_SECONDS"]
WEBHOOK_MAX_AGE_SECONDS: float = _values["WEBHOOK_MAX_AGE_SECONDS"]
WEBHOOK_MAX_FAILURES: int = _values["WEBHOOK_MAX_FAILURES"]
WEBHOOK_CONCURRENCY: int = _values["WEBHOOK_CONCURRENCY"]
# Story clusters across languages (infoharbor.stories.anchoring).
STORIES_CROSS_LANGUAGE_HOURS: int = _values["STORIES_CROSS_LANGUAGE_HOURS"]
STORIES_ANCHOR_MAX_STORIES: int = _values["STORIES_ANCHOR_MAX_STORIES"]

# --- Email --------------------------------------------------------------------------------

_email_backend = _values["EMAIL_BACKEND"] or ("smtp" if PRODUCTION else "console")
EMAIL_BACKEND = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
}.get(_email_backend, _email_backend)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST: str = _values["EMAIL_HOST"]
EMAIL_PORT: int = _values["EMAIL_PORT"]
EMAIL_HOST_USER: str = _values["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD: str = _values["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS: bool = _values["EMAIL_USE_TLS"]
EMAIL_USE_SSL: bool = _values["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL: str = _values["EMAIL_FROM"]
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Subscription mail (infoharbor.mail; see docs/operator/mail.md).
MAIL_DIGEST_HOUR: int = _values["MAIL_DIGEST_HOUR"]
MAIL_BOUNCE_LIMIT: int = _values["MAIL_BOUNCE_LIMIT"]
MAIL_MAX_ATTEMPTS: int = _values["MAIL_MAX_ATTEMPTS"]
MAIL_RETRY_SECONDS: float = _values["MAIL_RETRY_SECONDS"]

# --- Languages and time -------------------------------------------------------------------

# The interface languages, as Django spells them (lower case); content languages use BCP 47
# spelling (zh-Hans) in the Language table.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("id", "Bahasa Indonesia"),
    ("ms", "Bahasa Melayu"),
    ("th", "ไทย"),
    ("vi", "Tiếng Việt"),
    ("fil", "Filipino"),
    ("km", "ខ្មែរ"),
    ("lo", "ລາວ"),
    ("my", "မြန်မာ"),
    ("tet", "Tetun"),
    ("pt", "Português"),
]
# Django knows most of these; add the three it does not, so get_language_info() works, and
# name each language in itself as LANGUAGES does (Django's own local name for Khmer is
# "Khmer", which put English in the Khmer pages' language switcher).
locale.LANG_INFO.update(
    {
        "fil": {"bidi": False, "code": "fil", "name": "Filipino", "name_local": "Filipino"},
        "lo": {"bidi": False, "code": "lo", "name": "Lao", "name_local": "ລາວ"},
        "tet": {"bidi": False, "code": "tet", "name": "Tetum", "name_local": "Tetun"},
    }
)
for _code, _native in LANGUAGES:
    locale.LANG_INFO[_code] = {**locale.LANG_INFO[_code], "name_local": _native}
# The harbor's own catalogs first (they win where both have a string), then its catalogs of
# Django's own strings (form errors, month names...) for the languages Django does not
# translate: fil, lo, my, tet (scripts/django_catalogs.py).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_django"]
# Date and number formats for those four languages (Django falls back to English).
FORMAT_MODULE_PATH = "infoharbor.formats"
USE_I18N = True
USE_TZ = True
TIME_ZONE: str = _values["TIME_ZONE"]

# --- Static files -------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "media"},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not TESTING
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Logging ------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "infoharbor": {"handlers": ["console"], "level": _values["LOG_LEVEL"].upper()},
        "django.security": {"handlers": ["console"], "level": "WARNING"},
    },
}

# --- API ----------------------------------------------------------------------------------

NINJA_PAGINATION_MAX_LIMIT = 200
