"""The security log: every sign-in, failed sign-in, sign-out, lockout and
refused page, with who, from where and what; never a password."""

import datetime as dt
import logging
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from sharedlives.security_log import log_event
from tests.sharedlives.signing_in import HOME, OFFICE, attempt_sign_in, fail_to_sign_in

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # django-allauth counts sign-ins per address in the cache


@pytest.fixture
def security_log(caplog):
    """The security logger's records. It does not pass them up to the root
    logger (it has a handler of its own), so caplog listens to it directly."""
    logger = logging.getLogger("sharedlives.security")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="sharedlives.security")
    yield caplog
    logger.removeHandler(caplog.handler)


def _events(caplog, event):
    return [
        r.security
        for r in caplog.records
        if r.name == "sharedlives.security" and r.security["event"] == event
    ]


def test_a_sign_in_says_who_and_from_where(client, carer, security_log):
    attempt_sign_in(client, "carer", ip=HOME)

    [event] = _events(security_log, "login")
    assert event == {"event": "login", "user": "carer", "user_id": carer.pk, "ip": HOME}
    assert f"login user=carer user_id={carer.pk} ip={HOME}" in security_log.text


def test_a_failed_sign_in_says_which_username_but_never_the_password(client, carer, security_log):
    attempt_sign_in(client, "carer", "Sunflower-Tuesday-42", ip=OFFICE)

    [event] = _events(security_log, "login_failed")
    assert event["username"] == "carer"
    assert event["ip"] == OFFICE
    assert "Sunflower-Tuesday-42" not in security_log.text
    assert all("Sunflower-Tuesday-42" not in str(r.__dict__) for r in security_log.records)


def test_a_sign_out_is_logged(client, carer, security_log):
    client.force_login(carer)

    client.post("/accounts/logout/", REMOTE_ADDR=HOME)

    [event] = _events(security_log, "logout")
    assert event["user"] == "carer"
    assert event["ip"] == HOME


def test_a_lockout_is_logged_at_every_refused_try(client, carer, security_log):
    fail_to_sign_in(client, "carer", 6, ip=OFFICE)

    locked = _events(security_log, "locked_out")
    assert len(locked) == 2
    assert locked[0] == {"event": "locked_out", "ip": OFFICE, "username": "carer"}
    assert len(_events(security_log, "login_failed")) == 6


def test_a_page_for_staff_refused_to_a_carer_is_logged(client, carer, security_log):
    client.force_login(carer)

    response = client.get("/carers/?q=Patel", REMOTE_ADDR=HOME)

    assert response.status_code == 403
    [event] = _events(security_log, "refused_forbidden")
    assert event == {
        "event": "refused_forbidden",
        "user": "carer",
        "user_id": carer.pk,
        "ip": HOME,
        "method": "GET",
        "path": "/carers/",
    }
    # A search may hold a person's name: the query string is left out.
    assert "Patel" not in security_log.text


def test_a_record_out_of_reach_is_logged(client, carer, other_carer_household, security_log):
    client.force_login(carer)

    response = client.get(f"/carers/{other_carer_household.pk}/", REMOTE_ADDR=HOME)

    assert response.status_code == 404
    [event] = _events(security_log, "refused_not_found")
    assert event["user"] == "carer"
    assert event["path"] == f"/carers/{other_carer_household.pk}/"


def test_an_idle_session_signed_out_is_logged(client, carer, security_log):
    with time_machine.travel(NOW, tick=False) as t:
        client.force_login(carer)
        t.shift(dt.timedelta(minutes=121))
        client.get("/my/", REMOTE_ADDR=HOME)

    [event] = _events(security_log, "session_timed_out")
    assert event == {
        "event": "session_timed_out",
        "user": "carer",
        "user_id": carer.pk,
        "ip": HOME,
        "idle_minutes": 120,
    }


def test_disabling_an_account_logs_the_sessions_it_ended(client, carer, security_log):
    client.force_login(carer)

    carer.is_active = False
    carer.save()

    [event] = _events(security_log, "sessions_ended")
    assert event["user"] == "carer"
    assert event["sessions"] == 1


def test_a_made_up_username_cannot_write_a_line_of_its_own(security_log):
    log_event("login_failed", username="x\nlogin user=admin ip=10.0.0.1")

    [record] = security_log.records
    assert "\n" not in record.getMessage()
    assert record.getMessage() == 'login_failed username="x?login user=admin ip=10.0.0.1"'


def _log_a_line(**environment):
    env = {**os.environ, "DEBUG": "true", **environment}
    code = "import logging; logging.getLogger('sharedlives.security').warning('login_failed username=carer')"
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_log_goes_to_stderr_by_default():
    result = _log_a_line(SECURITY_LOG_FILE="")

    assert result.returncode == 0, result.stderr
    assert "WARNING sharedlives.security login_failed username=carer" in result.stderr


def test_the_log_goes_to_a_file_when_one_is_named(tmp_path):
    log_file = tmp_path / "security.log"

    result = _log_a_line(SECURITY_LOG_FILE=str(log_file))

    assert result.returncode == 0, result.stderr
    assert "login_failed" not in result.stderr
    assert "WARNING sharedlives.security login_failed username=carer" in log_file.read_text()
