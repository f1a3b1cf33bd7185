"""Signing in, with django-allauth: who must use a second factor, and
allauth's adapters and forms in our words.

Staff (registered managers, coordinators, and the administrators who use
Django admin) must sign in with a code from an authenticator app as well as
their password, from their first sign-in on (sharedlives.second_factor sends
them to set it up). Carers may turn it on. Nobody signs themselves up: the
scheme's administrators make the accounts.
"""

import logging
import time

from allauth.account import app_settings as account_settings
from allauth.account import forms as account_forms
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import forms as totp_forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q

from sharedlives.models import STAFF_ROLES, Membership, User
from sharedlives.security_log import log_event

CODE_HELP = "The 6-digit code your authenticator app shows now, or one of your recovery codes."
WRONG_CODES_ALLOWED = 5
WRONG_CODES_WINDOW_SECONDS = 5 * 60
TOO_MANY_WRONG_CODES = "Too many wrong codes. Wait 5 minutes, then try again."


def staff_logins():
    """Users who must sign in with a second factor: administrators (Django
    superusers, the only users admin lets in), and anyone with a staff role
    in any scheme (a carer who is also staff somewhere too)."""
    staff_role = Membership.objects.filter(user=OuterRef("pk"), role__in=STAFF_ROLES)
    return User.objects.filter(Q(is_superuser=True) | Exists(staff_role))


def must_set_up_second_factor(user: User) -> bool:
    """A staff login with no authenticator app yet, in one query."""
    has_app = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    return staff_logins().filter(pk=user.pk).exclude(Exists(has_app)).exists()


def passed_second_factor(request, user: User) -> bool:
    """Whether ``user`` gave a code from their app (or a recovery code) when
    signing in, or since, in this session. allauth keeps that record."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": "Your username and password did not match. Please try again.",
        "too_many_login_attempts": "Too many failed attempts to sign in. Wait a few minutes and try again.",
        "enter_current_password": "That is not your current password.",
        "incorrect_password": "That is not your password.",
        "invalid_password_reset": "This link has been used already or is too old.",
    }

    def is_open_for_signup(self, request) -> bool:
        # Accounts are made by the scheme's administrators, in Django admin.
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Changing how you sign in (setting up the app, recovery codes) asks
        for your password again, unless you signed in a few minutes ago: a
        member of staff at their first sign-in goes straight to the set-up."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        records = get_authentication_records(self.request, self.request.user)
        return not records or time.time() - records[-1]["at"] >= account_settings.REAUTHENTICATION_TIMEOUT


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "That code did not match. Enter the newest code from your authenticator app.",
        "cannot_delete_authenticator": "Staff cannot turn off the authenticator app: it is how you sign in.",
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP:
            return not staff_logins().filter(pk=authenticator.user_id).exists()
        return super().can_delete_authenticator(authenticator)


def _in_our_words(form, labels: dict[str, str], help_texts: dict[str, str] | None = None) -> None:
    """allauth's labels are Title Case, with the label repeated as a
    placeholder; ours are sentence case, and the label alone says it."""
    for name, label in labels.items():
        form.fields[name].label = label
        form.fields[name].widget.attrs.pop("placeholder", None)
    for name, text in (help_texts or {}).items():
        form.fields[name].help_text = text


class LoginForm(account_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _in_our_words(self, {"login": "Username", "password": "Password"}, {"password": ""})


class ChangePasswordForm(account_forms.ChangePasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            "oldpassword": "Current password",
            "password1": "New password",
            "password2": "New password again",
        }
        _in_our_words(self, labels, {"oldpassword": ""})


class ResetPasswordForm(account_forms.ResetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _in_our_words(self, {"email": "E-mail address"})


class ResetPasswordKeyForm(account_forms.ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _in_our_words(self, {"password1": "New password", "password2": "New password again"})


class ReauthenticateForm(account_forms.ReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _in_our_words(self, {"password": "Password"}, {"password": ""})


class WrongCodesLimited:
    """Five wrong codes for one account, then no more tries for five minutes.

    A code has six digits: guessed without a limit, it would fall within
    hours. allauth limits them with its ``login_failed`` rate, which is off
    here (django-axes locks out failed passwords instead, by username and
    address: settings.py), so the codes get their own limit, by account. A
    right code clears it. Each wrong code is in the security log."""

    def clean_code(self):
        key = f"sharedlives.wrong-codes.{self.user.pk}"
        if cache.get(key, 0) >= WRONG_CODES_ALLOWED:
            log_event("login_code_refused", context.request, level=logging.WARNING, user=self.user)
            raise ValidationError(TOO_MANY_WRONG_CODES)
        try:
            code = super().clean_code()
        except ValidationError:
            log_event("login_code_failed", context.request, level=logging.WARNING, user=self.user)
            if not cache.add(key, 1, WRONG_CODES_WINDOW_SECONDS):
                cache.incr(key)
            raise
        cache.delete(key)
        return code


class AuthenticateForm(WrongCodesLimited, mfa_forms.AuthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _in_our_words(self, {"code": "Code"}, {"code": CODE_HELP})
        self.fields["code"].widget.attrs["inputmode"] = "numeric"


class ReauthenticateWithCodeForm(WrongCodesLimited, mfa_forms.ReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _in_our_words(self, {"code": "Code"}, {"code": CODE_HELP})
        self.fields["code"].widget.attrs["inputmode"] = "numeric"


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        help_text = "The 6-digit code your app shows once you have added the key."
        _in_our_words(self, {"code": "Code from your app"}, {"code": help_text})
        self.fields["code"].widget.attrs["inputmode"] = "numeric"
