"""The security log: who signed in, failed to, signed out or was refused, and
from where.

Every line goes to the ``sharedlives.security`` logger (stderr unless
``SECURITY_LOG_FILE`` names a file; see settings.LOGGING), as an event name
followed by ``key=value`` pairs, for example::

    login_failed username=coordinator ip=203.0.113.7 path=/accounts/login/

The same fields are on each record as ``record.security`` for a structured
handler. Passwords are never logged: only the username is taken from a failed
sign-in's credentials. Query strings are left out too, since a search may hold
a person's name.
"""

import json
import logging
import unicodedata

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from sharedlives.client_ip import client_ip

logger = logging.getLogger("sharedlives.security")

# Responses that mean "not for you": a role that may not (403), a record out
# of reach (404: the access layer's answer, so its existence is not revealed).
REFUSED_STATUSES = {403: "refused_forbidden", 404: "refused_not_found"}


def log_event(event: str, request=None, *, level: int = logging.INFO, user=None, **details) -> None:
    """Write one security event: the event, who, from where, then ``details``."""
    fields = {}
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        fields["user"] = user.get_username()
        fields["user_id"] = user.pk
    if request is not None:
        fields["ip"] = client_ip(request)
    fields.update(details)
    message = " ".join([event] + [f"{key}={_clean(value)}" for key, value in fields.items()])
    logger.log(level, message, extra={"security": {"event": event, **fields}})


def _clean(value) -> str:
    """One safe token: control characters (a forged new log line) become "?",
    long values are cut, and values with spaces or quotes are quoted."""
    text = "".join("?" if unicodedata.category(c).startswith("C") else c for c in str(value)[:200])
    if not text or any(c.isspace() or c in "\"'=" for c in text):
        return json.dumps(text, ensure_ascii=False)
    return text


def _attempted_username(credentials) -> str:
    """The name someone tried to sign in as (Django's form sends ``username``,
    django-allauth ``username`` or ``email``). Never anything else: the
    password must not reach the log."""
    credentials = credentials or {}
    return str(credentials.get("username") or credentials.get("email") or "")


@receiver(user_logged_in, dispatch_uid="security_log_login")
def _log_login(sender, request, user, **kwargs):
    log_event("login", request, user=user)


@receiver(user_login_failed, dispatch_uid="security_log_login_failed")
def _log_login_failed(sender, credentials, request=None, **kwargs):
    log_event(
        "login_failed",
        request,
        level=logging.WARNING,
        username=_attempted_username(credentials),
        path=request.path if request is not None else "",
    )


@receiver(user_logged_out, dispatch_uid="security_log_logout")
def _log_logout(sender, request, user, **kwargs):
    log_event("logout", request, user=user)


def log_lockout(request, username: str, ip_address: str | None = None) -> None:
    log_event("locked_out", request, level=logging.WARNING, username=username)


class RefusedAccessLogMiddleware:
    """Logs every 403 and 404 answer with who asked, from where, for what."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        event = REFUSED_STATUSES.get(response.status_code)
        if event is not None:
            log_event(event, request, level=logging.WARNING, method=request.method, path=request.path)
        return response
