"""The second factor, enforced on every request.

``StaffSecondFactorMiddleware``: a signed-in member of staff who has not set
up an authenticator app yet gets nothing but the set-up page (and signing
out) until they have.

``SecondFactorOTPMiddleware``: Django admin is guarded by django-otp
(sharedlives.admin_site), which asks ``request.user.is_verified()``. Codes are
checked by allauth, not by django-otp's own devices, so this is django-otp's
middleware taught that a user who gave allauth a code when signing in this
session is verified. One source of truth for the keys (allauth's), and
django-otp's check in front of admin.
"""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.middleware import OTPMiddleware

from sharedlives.accounts import must_set_up_second_factor, passed_second_factor

# Pages a member of staff may open before setting up their authenticator app:
# the set-up itself, confirming their password again if the set-up asks for
# it, and signing out.
SET_UP_PAGES = ("mfa_activate_totp", "account_reauthenticate", "account_logout")


# Whose session has been found not to need the set-up (their id).
CHECKED_SESSION_KEY = "second_factor_checked_for"


class StaffSecondFactorMiddleware:
    """Checked once a session: a member of staff has an app from then on
    (staff cannot turn it off), and a carer made staff in the middle of a
    session is asked at their next sign-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and request.session.get(CHECKED_SESSION_KEY) != user.pk
            and not self._open_before_set_up(request.path)
        ):
            if must_set_up_second_factor(user):
                return redirect("mfa_activate_totp")
            request.session[CHECKED_SESSION_KEY] = user.pk
        return self.get_response(request)

    @staticmethod
    def _open_before_set_up(path: str) -> bool:
        return path.startswith(settings.STATIC_URL) or path in {reverse(name) for name in SET_UP_PAGES}


class SecondFactorOTPMiddleware(OTPMiddleware):
    # The app is served over WSGI; the sync path is the one to teach.
    async_capable = False

    def _verify_user_sync(self, request, user):
        user = super()._verify_user_sync(request, user)
        if user.is_authenticated and user.otp_device is None and passed_second_factor(request, user):
            user.is_verified = lambda: True
        return user
