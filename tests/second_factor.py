"""Staff sign in with a code from an authenticator app (sharedlives.second_factor).

Staff users made by the factories have one, with the demo's key, so the
tests can make their codes; ``client.force_login`` skips the code, as it
skips the password. Django admin wants the code itself: ``sign_in_with_code``
signs in through the real pages.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from sharedlives.demo_second_factor import DEMO_TOTP_SECRET
from sharedlives.totp import totp_code

PASSWORD = "a-long-test-password"  # tests/factories.py UserFactory


def register_totp(user, secret: str = DEMO_TOTP_SECRET) -> Authenticator:
    """The user has set up an authenticator app with ``secret``."""
    authenticator, _ = Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": encrypt(secret)}}
    )
    return authenticator


def sign_in_with_code(client, user, password: str = PASSWORD):
    """Sign in through the sign-in page and the code page, as a person would."""
    response = client.post(resolve_url(settings.LOGIN_URL), {"login": user.username, "password": password})
    assert response.status_code == 302, "the username and password were refused"
    assert response.url == reverse("mfa_authenticate"), f"no code was asked for: {response.url}"
    # A code is good once; if this user's current one was used already, the
    # next one is accepted too (MFA_TOTP_TOLERANCE).
    for steps_ahead in (0, 1):
        response = client.post(
            reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET, steps_ahead=steps_ahead)}
        )
        if response.status_code == 302:
            return response
    raise AssertionError("the code was refused")
