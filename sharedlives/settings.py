"""Settings for the Shared Lives scheme manager, read from the environment.

Every value can be set in the environment or in a ``.env`` file beside
``manage.py``; the README lists them. A bad value fails loudly at start-up.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

# The development key is public: with DEBUG off the app refuses to start on it.
DEVELOPMENT_SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"
SECRET_KEY = env("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value when DEBUG is off "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))'), or DEBUG=true for development."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "sharedlives.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "sharedlives.apps.SharedLivesConfig",
    "carers",
    "people",
    "placements",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sharedlives.middleware.SchemeMembershipMiddleware",
    # Records who made each change, and on which page, beside every audit event.
    "pghistory.middleware.HistoryMiddleware",
]

ROOT_URLCONF = "sharedlives.urls"
WSGI_APPLICATION = "sharedlives.wsgi.application"

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
                "sharedlives.context_processors.membership",
            ],
        },
    },
]

# PostgreSQL only. DATABASE_URL names a server; without it an embedded
# PostgreSQL starts with its data under var/ (see sharedlives/embedded_db.py).
EMBEDDED_DATABASE_DIR = BASE_DIR / "var" / "pgdata"
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASE_IS_EMBEDDED = False
else:
    from sharedlives.embedded_db import database_settings

    DATABASES = {"default": database_settings(EMBEDDED_DATABASE_DIR)}
    DATABASE_IS_EMBEDDED = True
if not DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL database.")
# Keep connections open between requests, but check each one before use so
# a restarted PostgreSQL costs no failed requests.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "sharedlives.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Files carers upload (certificates): outside the web root, never served as
# static files, only through a view that checks who is asking.
UPLOADS_ROOT = env.path("UPLOADS_ROOT", default=BASE_DIR / "var" / "uploads")
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@sharedlives.invalid")


def _default_site_url() -> str:
    """The development server with DEBUG; otherwise the first host name the
    site answers to, over HTTPS (a wildcard or a ".domain" is no address)."""
    hosts = [host for host in ALLOWED_HOSTS if host and not host.startswith((".", "*"))]
    return f"https://{hosts[0]}" if hosts and not DEBUG else "http://127.0.0.1:8000"


# The site's address, for the links in e-mails (the daily reminders).
SITE_URL = env("SITE_URL", default=_default_site_url()).rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("SITE_URL must be the site's address, like https://sharedlives.example.org.")

# Security. Behind a proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER
# (e.g. "HTTP_X_FORWARDED_PROTO,https") so Django knows the request was HTTPS.
_proxy_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_header)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The embedded database reports every start and exit; only problems matter.
        "pgserver": {"level": "WARNING"},
    },
}

# How many rows a list page shows.
PAGE_SIZE = env.int("PAGE_SIZE", default=25)
