"""Trygg settings: everything comes from environment variables (documented in .env.example).

The defaults are safe for development: SQLite in WAL mode under ./var, console e-mail,
DEBUG off, secure cookies on (browsers treat http://localhost as a secure context).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("TRYGG_DATA_DIR", PROJECT_DIR / "var")).resolve()
DEBUG = env_bool("TRYGG_DEBUG", False)
SECRET_KEY = os.environ.get("TRYGG_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("TRYGG_PRODUCTION", False):
        raise RuntimeError("TRYGG_SECRET_KEY must be set when TRYGG_PRODUCTION is on")
    SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("TRYGG_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("TRYGG_CSRF_TRUSTED_ORIGINS", "")
BASE_URL = os.environ.get("TRYGG_BASE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "trygg.core",
    "trygg.accounts",
    "trygg.areas",
    "trygg.events",
]
for optional_app in ("imports", "analysis_db", "situation", "interventions", "walks", "promises"):
    if (BASE_DIR / optional_app / "apps.py").exists():
        INSTALLED_APPS.append(f"trygg.{optional_app}")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "trygg.accounts.middleware.AuditContextMiddleware",
    "trygg.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trygg.urls"
WSGI_APPLICATION = "trygg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trygg.core.context_processors.trygg",
            ],
        },
    }
]

# --- Database --------------------------------------------------------------------------
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'trygg.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("TRYGG_DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend plus a kernel-queued write lock (see trygg/core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "trygg.core.sqlite"
    # Tests run on an in-memory database (said explicitly: tools such as pytest-django recognise
    # SQLite by the stock engine name only).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at BEGIN so a
        # transaction never fails half-way on a lock upgrade; the timeout makes writers queue.
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;PRAGMA cache_size=-64000;PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("TRYGG_SQLITE_TIMEOUT", 30),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth and security -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

REQUIRE_2FA = env_bool("TRYGG_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "Trygg"

AXES_FAILURE_LIMIT = env_int("TRYGG_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("TRYGG_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLED = env_bool("TRYGG_AXES_ENABLED", True)
# Lockout counts per client address: behind a trusted proxy that is the last X-Forwarded-For hop,
# the same rule as the audit log and the login rate limit (trygg.accounts.middleware.client_ip).
AXES_CLIENT_IP_CALLABLE = "trygg.accounts.middleware.client_ip"

SECURE_COOKIES = env_bool("TRYGG_SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("TRYGG_SESSION_DAYS", 30) * 24 * 3600  # trusted field devices
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("TRYGG_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("TRYGG_HSTS_SECONDS", 0)
if env_bool("TRYGG_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

API_RATE_LIMIT_PER_MINUTE = env_int("TRYGG_API_RATE_LIMIT", 600)
LOGIN_RATE_LIMIT_PER_MINUTE = env_int("TRYGG_LOGIN_RATE_LIMIT", 20)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "trygg",
    }
}

# --- i18n and time ---------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True

# --- Static files ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from here after collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Leaflet comes from the django-leaflet package (no CDN at runtime). Only its static files are
# used: the app itself would pull in GeoDjango and GDAL, which Trygg does not need.
import importlib.util as _ilu  # noqa: E402

_leaflet_spec = _ilu.find_spec("leaflet")
STATICFILES_DIRS = [Path(_leaflet_spec.submodule_search_locations[0]) / "static"] if _leaflet_spec else []
MEDIA_ROOT = DATA_DIR / "media"

# --- E-mail ----------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("TRYGG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("TRYGG_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("TRYGG_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("TRYGG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("TRYGG_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("TRYGG_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("TRYGG_FROM_EMAIL", "Trygg <noreply@localhost>")

# --- Background work -------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TRYGG_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Maps ------------------------------------------------------------------------------
# Background map tiles are optional: without network the map still shows areas and events.
MAP_TILE_URL = os.environ.get("TRYGG_MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("TRYGG_MAP_TILE_ATTRIBUTION", "")

# --- Domain ----------------------------------------------------------------------------
EVENT_EDIT_HOURS = env_int("TRYGG_EVENT_EDIT_HOURS", 48)
# Imports of at least this many rows load the events tables without their secondary indexes and
# build them again at the end (trygg/imports/bulk_load.py); 0 switches that off.
IMPORT_BULK_MIN_ROWS = env_int("TRYGG_IMPORT_BULK_MIN_ROWS", 100_000)
# Uploaded import files of failed or interrupted runs (resumable until then) and of unfinished
# wizards are removed after this many days; files of finished runs at once.
IMPORT_KEEP_DAYS = env_int("TRYGG_IMPORT_KEEP_DAYS", 7)
EVENT_MAX_WINDOW_DAYS = 14
EVENT_DESCRIPTION_MAX = 2000
SHARED_DIR = Path(os.environ.get("TRYGG_SHARED_DIR", PROJECT_DIR.parent / "shared"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TRYGG_LOG_LEVEL", "WARNING")},
}
