"""How long a signed-in session lasts, and ending it when it must end.

- Staff are signed out after ``STAFF_SESSION_IDLE_MINUTES`` (30) without a
  request, carers after ``CARER_SESSION_IDLE_MINUTES`` (120): staff see the
  whole scheme's records, often on shared office computers; a carer sees only
  their own household, at home. Every session also ends when the browser
  closes (``SESSION_EXPIRE_AT_BROWSER_CLOSE``).
- ``SESSION_IDLE_WARNING_SECONDS`` before the end, static/js/session-timeout.js
  offers to stay signed in; its POST to ``session_keepalive`` counts as
  activity, so a half-filled form survives.
- Disabling an account (``is_active`` off) deletes its sessions at once, and
  a request from an inactive account is signed out whatever the backend.
"""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, get_user_model, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sharedlives.security_log import log_event

LAST_ACTIVITY_KEY = "last_activity"
# Writing the time of every request would save the session on every page;
# once a minute is precise enough for a limit counted in tens of minutes.
STAMP_EVERY_SECONDS = 60


def idle_limit_seconds(request) -> int:
    """The carers' limit for someone working as a carer, the staff limit for
    everyone else (staff, admins, and anyone not yet in a scheme)."""
    membership = getattr(request, "membership", None)
    if membership is not None and membership.is_carer:
        return settings.CARER_SESSION_IDLE_MINUTES * 60
    return settings.STAFF_SESSION_IDLE_MINUTES * 60


def seconds_left(request) -> int:
    limit = idle_limit_seconds(request)
    last = request.session.get(LAST_ACTIVITY_KEY, time.time())
    return max(0, min(limit, int(last + limit - time.time())))


def record_activity(request, *, force: bool = False) -> None:
    now = int(time.time())
    last = request.session.get(LAST_ACTIVITY_KEY)
    if force or last is None or now - last >= STAMP_EVERY_SECONDS or now < last:
        request.session[LAST_ACTIVITY_KEY] = now


def end_sessions_of(user) -> int:
    """Delete every live session signed in as ``user``; returns how many.

    Django keeps the user's id inside each session's signed data, so the live
    sessions are read one by one; they are few (sessions last hours, and
    ``manage.py clearsessions`` removes the expired)."""
    user_id = str(user.pk)
    doomed = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == user_id
    ]
    Session.objects.filter(session_key__in=doomed).delete()
    return len(doomed)


@receiver(post_save, sender=get_user_model(), dispatch_uid="end_sessions_of_disabled_account")
def _end_sessions_of_disabled_account(sender, instance, update_fields=None, **kwargs):
    # A signal rather than a service: an account is disabled in Django admin,
    # in the shell or by a future page, and each must end the sessions.
    if instance.is_active or (update_fields is not None and "is_active" not in update_fields):
        return
    ended = end_sessions_of(instance)
    if ended:
        log_event("sessions_ended", user=instance, reason="account disabled", sessions=ended)


@receiver(user_logged_in, dispatch_uid="session_activity_at_login")
def _start_the_idle_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        record_activity(request, force=True)


class SessionSecurityMiddleware:
    """Signs out a disabled account, or a session idle for too long, before
    the view runs; the login-required check then sends them to sign in.
    Comes after SchemeMembershipMiddleware (the limit depends on the role)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            if not user.is_active:
                log_event("refused_disabled_account", request, level=logging.WARNING, path=request.path)
                logout(request)
            elif seconds_left(request) <= 0:
                minutes = idle_limit_seconds(request) // 60
                log_event("session_timed_out", request, idle_minutes=minutes)
                logout(request)
                message = f"You were signed out after {minutes} minutes without activity."
                messages.info(request, f"{message} Sign in again to carry on.")
            else:
                record_activity(request)
        return self.get_response(request)


def _logout_url() -> str:
    # django-allauth names it account_logout; Django's own views, logout.
    for name in ("account_logout", "logout"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/accounts/logout/"


def session_timeout(request):
    """For the warning before an idle session ends (templates/base.html)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "session_timeout": {
            "seconds_left": seconds_left(request),
            "warn_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
            "logout_url": _logout_url(),
        }
    }
