"""Locking out repeated failed sign-ins (django-axes; settings in settings.py).

Five failures lock that username from that address (never the address for
everyone: staff share an office's address) for ``AXES_COOLOFF_TIME``. An
administrator unlocks earlier by deleting the access attempt in Django admin,
or with ``manage.py axes_reset_username <username>``.
"""

from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver
from django.shortcuts import render, resolve_url

from sharedlives.security_log import log_lockout


def lockout_username(request, credentials=None) -> str | None:
    """The username an attempt counts against, the same however it is typed:
    django-allauth finds "Coordinator" and "coordinator" alike, so varying the
    case must not buy another five tries. Django's login form sends
    ``username``; allauth's passes ``username`` or ``email`` to authenticate
    and posts its field as ``login``."""
    if credentials:
        name = credentials.get("username") or credentials.get("email")
    else:
        data = getattr(request, "POST", {})
        name = data.get("username") or data.get("login")
    return name.strip().lower() if name else None


def cooloff_words(cooloff=None) -> str:
    """How long a lock lasts, in words: "15 minutes", "1 minute"."""
    minutes = max(1, round((cooloff or settings.AXES_COOLOFF_TIME).total_seconds() / 60))
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


def locked_out_response(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets: 429 Too Many Requests, in our layout."""
    context = {"cooloff": cooloff_words(), "login_url": resolve_url(settings.LOGIN_URL)}
    return render(request, "registration/locked_out.html", context, status=429)


@receiver(user_locked_out, dispatch_uid="security_log_locked_out")
def _log_locked_out(sender, request, username, ip_address=None, **kwargs):
    log_lockout(request, username, ip_address)
