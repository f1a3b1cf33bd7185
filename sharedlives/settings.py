"""Settings for the Shared Lives scheme manager, read from the environment.

Every value can be set in the environment or in a ``.env`` file beside
``manage.py``; the README lists them. A bad value fails loudly at start-up.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
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
    "csp",
    # Locks out repeated failed sign-ins (settings under "Locking out" below).
    "axes",
    # Signing in: allauth's pages, with a second factor (authenticator app and
    # recovery codes); django-otp guards Django admin (sharedlives.admin_site).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_otp",
    "sharedlives.apps.SharedLivesConfig",
    "carers",
    "people",
    "placements",
]

MIDDLEWARE = [
    # Runs each request in a roomy stack chunk: no mmap churn (sharedlives/stack.py).
    "sharedlives.stack.RoomyStackMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, which answers for static files first: they keep their caching.
    "sharedlives.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Takes NUL and other control characters out of everything sent, before
    # any view, form or sign-in check reads it (sharedlives/clean_input.py).
    "sharedlives.clean_input.CleanInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Logs every 403 and 404 with who asked and from where.
    "sharedlives.security_log.RefusedAccessLogMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # request.user.is_verified() for django-otp, true once allauth had the code.
    "sharedlives.second_factor.SecondFactorOTPMiddleware",
    # Staff without an authenticator app get only the page that sets one up.
    "sharedlives.second_factor.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sharedlives.middleware.SchemeMembershipMiddleware",
    # Signs out idle sessions and disabled accounts; after the membership (the
    # limit depends on the role), before the views.
    "sharedlives.session_security.SessionSecurityMiddleware",
    # Records who made each change, and on which page, beside every audit event.
    "pghistory.middleware.HistoryMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the 429 page.
    "axes.middleware.AxesMiddleware",
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
                "sharedlives.session_security.session_timeout",
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
# PostgreSQL's planner assumes spinning disks (random_page_cost 4) unless
# told otherwise; on SSDs, and with the data in memory, index lookups cost
# little more than reading in order. Told so, it looks up a coordinator's
# few hundred arrangements by index rather than scanning every one due, which
# halves My work's SQL on the large data set. Set DATABASE_RANDOM_PAGE_COST
# empty to leave the server's own setting (a pooler that refuses startup
# options needs that).
RANDOM_PAGE_COST = env.str("DATABASE_RANDOM_PAGE_COST", default="1.1")
if RANDOM_PAGE_COST:
    planner = f"-c random_page_cost={float(RANDOM_PAGE_COST)}"
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = planner
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# `make bench` (BENCH=true) measures the app on a database of its own beside
# this one (sharedlives_bench, or the DATABASE_URL name with "_bench"), which
# holds the large data set; every response then says how many SQL queries it
# made (X-Queries) and the floor page answers (see sharedlives/bench/).
BENCH = env.bool("BENCH", default=False)
if BENCH:
    DATABASES["default"]["NAME"] += "_bench"
    # Outermost, so that the session's and the sign-in's queries count too.
    MIDDLEWARE.insert(0, "sharedlives.bench.middleware.QueryCountMiddleware")

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

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "account_login"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Signing in (django-allauth; see sharedlives/accounts.py and the README's
# "Signing in"). By username and password; nobody signs themselves up.
ACCOUNT_ADAPTER = "sharedlives.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"  # administrators enter the addresses
ACCOUNT_LOGOUT_ON_GET = False  # signing out is a POST
# No "Remember me": a session ends when the browser closes.
ACCOUNT_SESSION_REMEMBER = False
# A reset link sets a new password and nothing more: signing in afterwards
# still asks for the code, so a stolen mailbox is not enough.
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # never e-mail an address we do not hold
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tell people when their password or second factor changes
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Shared Lives: "
ACCOUNT_FORMS = {
    "login": "sharedlives.accounts.LoginForm",
    "change_password": "sharedlives.accounts.ChangePasswordForm",
    "reset_password": "sharedlives.accounts.ResetPasswordForm",
    "reset_password_from_key": "sharedlives.accounts.ResetPasswordKeyForm",
    "reauthenticate": "sharedlives.accounts.ReauthenticateForm",
}
MFA_ADAPTER = "sharedlives.accounts.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_FORMS = {
    "authenticate": "sharedlives.accounts.AuthenticateForm",
    "reauthenticate": "sharedlives.accounts.ReauthenticateWithCodeForm",
    "activate_totp": "sharedlives.accounts.ActivateTOTPForm",
}
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Shared Lives")
# The code before and after the current one count too: a phone's clock a
# few seconds out, or a code typed as it changes, still works.
MFA_TOTP_TOLERANCE = 1
# E-mail addresses are entered by administrators, not verified by e-mail.
MFA_ALLOW_UNVERIFIED_EMAIL = True

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
# The largest file a carer may upload, in bytes: 10 MB unless set lower (the
# database refuses a larger certificate). A larger file is not kept, even in
# a temporary file: the upload stops being read past this size
# (sharedlives.uploads), and the form says how big it was.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
if not 0 < UPLOAD_MAX_BYTES <= 10 * 1024 * 1024:
    raise ImproperlyConfigured("UPLOAD_MAX_BYTES must be more than 0 and at most 10485760 (10 MB).")
FILE_UPLOAD_HANDLERS = [
    "sharedlives.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Where `manage.py backup` (make backup) writes its files unless told a file.
# They hold everyone's personal data: keep them encrypted (README, "Backups").
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "var" / "backups")

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
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Behind reverse proxies (nginx, a load balancer), how many: the client's
# address is then that many places from the right of X-Forwarded-For (see
# sharedlives/client_ip.py). 0 means the app is reached directly.
REVERSE_PROXY_COUNT = env.int("REVERSE_PROXY_COUNT", default=0)
if REVERSE_PROXY_COUNT < 0:
    raise ImproperlyConfigured("REVERSE_PROXY_COUNT must be 0 (no proxy) or the number of proxies.")
ALLAUTH_TRUSTED_PROXY_COUNT = REVERSE_PROXY_COUNT

# Locking out (django-axes; sharedlives/lockout.py). Five failed sign-ins
# lock that username from that address, and only that pair: colleagues
# behind one office address never lock each other out. An administrator can
# unlock earlier (Django admin's "Access attempts", or manage.py
# axes_reset_username). A try during the lock starts the wait again.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True  # a typo now and then never adds up to a lock
AXES_USERNAME_CALLABLE = "sharedlives.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "sharedlives.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "sharedlives.lockout.locked_out_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False  # the security log says what matters (sharedlives/security_log.py)
# Sign-ins are in the security log; no second copy of everyone's addresses
# kept for ever in the database (failed attempts are, until the cool-off ends).
AXES_DISABLE_ACCESS_LOG = True
# allauth's own limit on failed sign-ins (10 a minute from an address, 5 for a
# username from anywhere) would lock out a whole office, or let anyone lock a
# colleague out everywhere; django-axes does this job instead.
ACCOUNT_RATE_LIMITS = {"login_failed": False}

# Sessions (sharedlives/session_security.py). Staff are signed out after 30
# minutes without a request, carers (their own household only, at home) after
# two hours; everyone when the browser closes. A warning comes 2 minutes
# before, with the chance to stay signed in.
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
CARER_SESSION_IDLE_MINUTES = env.int("CARER_SESSION_IDLE_MINUTES", default=120)
if min(STAFF_SESSION_IDLE_MINUTES, CARER_SESSION_IDLE_MINUTES) < 5:
    raise ImproperlyConfigured("STAFF_ and CARER_SESSION_IDLE_MINUTES must be 5 or more.")
SESSION_IDLE_WARNING_SECONDS = 120
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# The stored session outlives the longest idle limit only by a little, so
# sessions nobody ended die in the database too.
SESSION_COOKIE_AGE = (max(STAFF_SESSION_IDLE_MINUTES, CARER_SESSION_IDLE_MINUTES) + 5) * 60

# Content Security Policy (django-csp): the browser runs only scripts and
# styles from our own static files, so text someone typed can never become
# code. Nothing inline (no <script> blocks, no style="..." attributes, no
# onclick), nothing from another site. data: images are Bootstrap's icons
# (form arrows, check boxes) and the QR code for setting up an authenticator.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# The security log (sign-ins, failed sign-ins, sign-outs, lockouts, refused
# pages; sharedlives/security_log.py) goes to stderr, or to SECURITY_LOG_FILE
# (reopened when logrotate moves it).
SECURITY_LOG_FILE = env("SECURITY_LOG_FILE", default="")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"timestamped": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "security": {"class": "logging.StreamHandler", "formatter": "timestamped"}
        if not SECURITY_LOG_FILE
        else {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": SECURITY_LOG_FILE,
            "formatter": "timestamped",
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The embedded database reports every start and exit; only problems matter.
        "pgserver": {"level": "WARNING"},
        "sharedlives.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
    },
}

# How many rows a list page shows.
PAGE_SIZE = env.int("PAGE_SIZE", default=25)
