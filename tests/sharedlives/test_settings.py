"""Settings: safe for production, refusing to start unsafely, British by default.

The production checks run ``manage.py`` in a subprocess, since settings are
read once per process. Real environment variables win over the ``.env`` file
(django-environ's ``read_env`` only sets what is unset), so ``DEBUG=false``
in the subprocess's environment overrides the ``DEBUG=true`` a developer's
``.env`` may hold.
"""

import datetime
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template

from sharedlives.settings import DEVELOPMENT_SECRET_KEY

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Settings a developer's shell might hold that would change what is checked.
# DATABASE_URL is kept: the subprocess should use the same database server.
_SETTINGS_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "TIME_ZONE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    # Set by tests/browser/conftest.py for Playwright; check --deploy rightly
    # rejects it (async.E001), and no deployment would have it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def _manage(*args, **env_vars):
    env = os.environ.copy()
    for name in _SETTINGS_VARIABLES:
        env.pop(name, None)
    env.update(env_vars)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),  # 64 characters
        ALLOWED_HOSTS="example.org",
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_sends_the_security_headers():
    """With production settings, an HTTPS request gets HSTS besides the
    headers every answer carries (tests/sharedlives/test_page_security.py)."""
    ask = (
        "import json; from django.test import Client; "
        "response = Client().get('/healthz', secure=True, HTTP_HOST='example.org'); "
        "print(json.dumps({'status': response.status_code, **response.headers}))"
    )

    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        ask,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="example.org",
    )

    assert result.returncode == 0, result.stderr
    headers = json.loads(result.stdout.strip().splitlines()[-1])
    assert headers["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "no-store" in headers["Cache-Control"]


@pytest.mark.parametrize(
    "secret_key",
    [None, DEVELOPMENT_SECRET_KEY, "too-short"],
    ids=["unset", "development-key", "short-key"],
)
def test_without_a_real_secret_key_production_refuses_to_start(secret_key):
    env_vars = {"DEBUG": "false", "ALLOWED_HOSTS": "example.org"}
    if secret_key is not None:
        env_vars["SECRET_KEY"] = secret_key

    result = _manage("check", **env_vars)

    assert result.returncode != 0, result.stdout
    assert "SECRET_KEY" in result.stderr


def test_british_english_and_london_time_by_default():
    assert settings.LANGUAGE_CODE == "en-gb"
    assert settings.USE_TZ is True

    # In a fresh process with no TIME_ZONE in the environment.
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.LANGUAGE_CODE, settings.TIME_ZONE)",
        DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["en-gb", "Europe/London"]


def test_dates_render_the_british_way():
    template = Template("{{ day|date }}|{{ late_evening|date }}")
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    late_evening = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)

    rendered = template.render(Context({"day": datetime.date(2026, 11, 22), "late_evening": late_evening}))

    assert rendered == "22 Nov 2026|1 Jul 2026"


def test_database_connections_are_kept_and_checked():
    database = settings.DATABASES["default"]

    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["CONN_MAX_AGE"] > 0


def test_the_planner_is_told_index_lookups_are_cheap(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"


def test_an_empty_random_page_cost_leaves_the_servers_own():
    shown = _manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print('options' in settings.DATABASES['default'].get('OPTIONS', {}))",
        DATABASE_RANDOM_PAGE_COST="",
        DEBUG="true",  # development settings: no secret key needed
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == "False"
