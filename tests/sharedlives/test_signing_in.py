"""Signing in with django-allauth: the pages around it (signing out, changing
and resetting a password, no sign-up), the password rules, and Django admin,
which wants the code from the authenticator app as well."""

import datetime as dt
import re

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import validate_totp_code
from django.contrib import admin
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.admin import OTPAdminSite

from sharedlives.demo_second_factor import DEMO_TOTP_SECRET
from sharedlives.models import User
from sharedlives.second_factor import StaffSecondFactorMiddleware
from sharedlives.totp import totp_code
from tests.second_factor import PASSWORD, sign_in_with_code
from tests.sharedlives.pages import Page

NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
TWELVE = "moorland-tea"  # 12 characters, not a common password


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def sign_in(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"login": username, "password": password})


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


# --- The sign-in page ---


def test_a_wrong_password_is_refused_with_a_clear_message(client, carer):
    response = sign_in(client, "carer", "not-the-password")

    assert response.status_code == 200
    page = Page(response)
    assert "Your username and password did not match. Please try again." in page.messages
    assert page.value_of("login") == "carer"
    assert not signed_in(client)


def test_there_is_no_sign_up(client, db):
    page = client.get("/accounts/signup/")
    response = client.post(
        "/accounts/signup/", {"username": "someone", "password1": TWELVE, "password2": TWELVE}
    )

    assert Page(page).find("h1").text == "Accounts are made by the scheme"
    assert response.status_code == 200
    assert not User.objects.filter(username="someone").exists()


def test_signing_out_is_a_post(client, carer):
    client.force_login(carer)

    page = client.get("/accounts/logout/")
    assert page.status_code == 200
    assert signed_in(client), "opening the page signs nobody out"

    response = client.post("/accounts/logout/", follow=True)

    assert response.redirect_chain == [("/accounts/login/", 302)]
    assert "Done: You have signed out." in Page(response).messages
    assert not signed_in(client)


def test_the_old_addresses_still_lead_to_the_pages(client, carer):
    assert client.get("/accounts/password_reset/").url == "/accounts/password/reset/"
    client.force_login(carer)
    assert client.get("/accounts/password_change/").url == "/accounts/password/change/"


# --- Passwords ---


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("moorland-te", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("738261904475", "This password is entirely numeric."),
    ],
)
def test_a_password_follows_djangos_rules_with_at_least_12_characters(password, problem):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)

    assert problem in refused.value.messages


def test_twelve_characters_are_enough():
    validate_password(TWELVE)


def test_changing_a_password_to_a_short_one_is_refused(client, carer):
    sign_in(client, "carer")

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "moorland-te", "password2": "moorland-te"},
    )

    assert "at least 12 characters" in Page(response).error_for("password1")
    carer.refresh_from_db()
    assert carer.check_password(PASSWORD)


def test_changing_a_password_tells_the_owner_by_e_mail(client, carer, mailoutbox):
    sign_in(client, "carer")

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": TWELVE, "password2": TWELVE},
        follow=True,
    )

    assert "Done: Your password has been changed." in Page(response).messages
    carer.refresh_from_db()
    assert carer.check_password(TWELVE)
    assert [mail.subject for mail in mailoutbox] == ["Shared Lives: Your password has been changed"]
    assert "If it was not you, tell your scheme's administrators" in mailoutbox[0].body


# --- Password reset never gets round the second factor ---


def _reset_link(mailoutbox) -> str:
    (mail,) = mailoutbox
    assert mail.subject == "Shared Lives: Reset your password"
    return re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.body).group(1)


def test_a_password_reset_does_not_sign_in_and_the_code_is_still_asked(client, coordinator, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": coordinator.email})
    form = client.get(_reset_link(mailoutbox), follow=True)
    assert Page(form).find("h1").text == "Choose a new password"

    response = client.post(
        form.redirect_chain[-1][0], {"password1": TWELVE, "password2": TWELVE}, follow=True
    )

    assert Page(response).find("h1").text == "Your password has been changed"
    assert not signed_in(client)
    response = sign_in(client, "coordinator", TWELVE)
    assert response.url == reverse("mfa_authenticate")
    assert not signed_in(client), "the new password alone is not enough"


def test_a_reset_link_works_once(client, carer, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": carer.email})
    link = _reset_link(mailoutbox)
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"password1": TWELVE, "password2": TWELVE})

    again = client.get(link, follow=True)

    assert Page(again).find("h1").text == "This link has expired"


def test_a_reset_for_an_unknown_address_sends_nothing(client, db, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"}, follow=True)

    assert Page(response).find("h1").text == "Check your e-mail"
    assert mailoutbox == []


# --- Django admin wants the second factor ---


def test_admin_is_guarded_by_django_otp():
    assert isinstance(admin.site, OTPAdminSite)
    assert admin.site.name == "admin"


def test_an_administrator_without_the_code_cannot_open_admin(client, admin_user):
    client.force_login(admin_user)  # the password, say, but no code

    response = client.get("/admin/")
    refusal = client.get(response.url)

    assert response.url.startswith("/admin/login/")
    assert refusal.status_code == 403
    assert "sign out and sign in again: you will be asked for your code" in Page(refusal).main_text


def test_an_administrator_who_gave_the_code_opens_admin(client, admin_user):
    sign_in_with_code(client, admin_user)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert "Shared Lives administration" in response.content.decode()


def test_a_signed_out_visitor_to_admin_is_sent_to_the_sign_in_page(client, db):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    assert Page(response).find("h1").text == "Sign in"


# --- The code itself ---


def test_our_codes_are_the_codes_allauth_accepts():
    assert validate_totp_code(DEMO_TOTP_SECRET, totp_code(DEMO_TOTP_SECRET))
    assert not validate_totp_code(DEMO_TOTP_SECRET, totp_code(DEMO_TOTP_SECRET, steps_ahead=3))


def test_the_rfc_6238_example_code():
    # RFC 6238, appendix B: the key "12345678901234567890", 59 s after 1970, 6 digits.
    assert totp_code("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", at=59) == "287082"


def test_static_files_are_open_before_the_set_up():
    assert StaffSecondFactorMiddleware._open_before_set_up("/static/css/app.css")
    assert StaffSecondFactorMiddleware._open_before_set_up("/accounts/2fa/totp/activate/")
    assert not StaffSecondFactorMiddleware._open_before_set_up("/accounts/2fa/")
