"""Two-step sign-in: staff must set up an authenticator app at their first
sign-in, and then sign in with its code (or a recovery code); carers sign in
with their password and may turn it on."""

import datetime as dt
import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.auth import SESSION_KEY
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sharedlives.demo_second_factor import DEMO_TOTP_SECRET
from sharedlives.models import Role
from sharedlives.second_factor import SET_UP_PAGES
from sharedlives.totp import totp_code
from tests.factories import MembershipFactory, UserFactory
from tests.second_factor import PASSWORD, register_totp
from tests.sharedlives.pages import Page

SET_UP = "/accounts/2fa/totp/activate/"
CODE_PAGE = "/accounts/2fa/authenticate/"
NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _now():
    """Codes change every 30 seconds: the clock stands still in these tests."""
    with time_machine.travel(NOW, tick=False):
        yield


def sign_in(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"login": username, "password": password})


def enter_code(client, code):
    return client.post(CODE_PAGE, {"code": code})


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


@pytest.fixture
def new_coordinator(scheme):
    """A coordinator at their first sign-in: no authenticator app yet."""
    return MembershipFactory(
        scheme=scheme, role=Role.COORDINATOR, user__username="new-coordinator", second_factor=False
    ).user


# --- Staff set it up at their first sign-in ---


def _pages(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _pages(entry, route)
        elif isinstance(entry, URLPattern) and entry.name not in SET_UP_PAGES:
            yield entry.name, "/" + re.sub(r"<\w+:\w+>", "1", route).lstrip("^").rstrip("$")


# Every page with a plain address (a regex's can only be guessed at).
EVERY_PAGE = sorted({(name or "", path) for name, path in _pages() if "(" not in path})


def test_a_coordinator_without_an_app_is_sent_to_set_it_up_from_every_page(client, new_coordinator):
    client.force_login(new_coordinator)

    # One test for all the pages, not one each: the walk is then quick.
    elsewhere = {}
    for name, path in EVERY_PAGE:
        response = client.get(path)
        if response.status_code != 302 or response.url != SET_UP:
            elsewhere[name] = response.status_code

    assert elsewhere == {}


def test_the_walk_covers_the_app_and_admin():
    names = {name for name, _ in EVERY_PAGE}
    assert {"dashboard", "carer_detail", "portal_home", "mfa_index", "account_change_password"} <= names
    assert "index" in names  # admin's


def test_signing_in_for_the_first_time_leads_to_the_set_up(client, new_coordinator):
    response = sign_in(client, "new-coordinator")
    assert response.status_code == 302

    page = client.get(response.url, follow=True)

    assert page.redirect_chain[-1] == (SET_UP, 302)
    text = Page(page).main_text
    assert "Set up two-step sign-in" in text
    assert "Staff sign in with a code from an authenticator app as well as their password" in text


def test_a_manager_and_an_administrator_must_set_it_up_too(client, scheme):
    manager = MembershipFactory(scheme=scheme, role=Role.MANAGER, second_factor=False).user
    administrator = UserFactory(is_superuser=True, is_staff=True)

    for user in (manager, administrator):
        client.force_login(user)
        assert client.get(reverse("dashboard")).url == SET_UP


def test_setting_up_the_app_shows_recovery_codes_and_then_lets_them_in(client, new_coordinator):
    sign_in(client, "new-coordinator")
    set_up = client.get(SET_UP)
    key = Page(set_up).find("input", id="totp-key").attrs["value"]
    assert Page(set_up).find("img", alt="QR code holding the key below") is not None

    response = client.post(SET_UP, {"code": totp_code(key)}, follow=True)

    assert response.redirect_chain == [(reverse("mfa_view_recovery_codes"), 302)]
    page = Page(response)
    codes = page.find("ul", **{"aria-label": "Unused recovery codes"})
    assert len([e for e in codes.iter() if e.tag == "li"]) == 10
    assert Authenticator.objects.filter(user=new_coordinator, type="totp").exists()
    assert signed_in(client)


def test_a_wrong_code_does_not_set_it_up(client, new_coordinator):
    sign_in(client, "new-coordinator")
    client.get(SET_UP)

    response = client.post(SET_UP, {"code": "123456"})

    assert response.status_code == 200
    assert "That code did not match" in Page(response).error_for("code")
    assert not Authenticator.objects.filter(user=new_coordinator).exists()
    assert client.get(reverse("dashboard")).url == SET_UP


def test_before_setting_it_up_they_can_still_sign_out(client, new_coordinator):
    client.force_login(new_coordinator)

    response = client.post(reverse("account_logout"))

    assert response.url == "/accounts/login/"
    assert "_auth_user_id" not in client.session


# --- Signing in with the code ---


def test_with_an_app_signing_in_asks_for_the_code(client, coordinator):
    response = sign_in(client, "coordinator")

    assert response.url == CODE_PAGE
    assert not signed_in(client), "the password alone is not enough"
    page = client.get(CODE_PAGE)
    assert Page(page).find("h1").text == "Enter your code"

    response = enter_code(client, totp_code(DEMO_TOTP_SECRET))

    assert response.url == reverse("dashboard")
    assert signed_in(client)


def test_a_wrong_code_is_refused(client, coordinator):
    sign_in(client, "coordinator")

    response = enter_code(client, totp_code(DEMO_TOTP_SECRET, steps_ahead=5))

    assert response.status_code == 200
    assert "That code did not match" in Page(response).error_for("code")
    assert not signed_in(client)


def test_after_five_wrong_codes_even_the_right_one_waits_five_minutes(client, coordinator, caplog):
    sign_in(client, "coordinator")
    for _ in range(5):
        enter_code(client, totp_code(DEMO_TOTP_SECRET, steps_ahead=5))

    refused = enter_code(client, totp_code(DEMO_TOTP_SECRET))

    assert Page(refused).error_for("code") == "Too many wrong codes. Wait 5 minutes, then try again."
    assert not signed_in(client)
    failed = [r for r in caplog.records if r.getMessage().startswith("login_code_failed user=coordinator")]
    assert len(failed) == 5
    with time_machine.travel(NOW + dt.timedelta(minutes=5, seconds=1), tick=False):
        assert enter_code(client, totp_code(DEMO_TOTP_SECRET)).url == reverse("dashboard")


def test_a_code_is_good_only_once(client, coordinator):
    code = totp_code(DEMO_TOTP_SECRET)
    sign_in(client, "coordinator")
    enter_code(client, code)
    client.post(reverse("account_logout"))

    sign_in(client, "coordinator")
    response = enter_code(client, code)

    assert response.status_code == 200
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once(client, coordinator):
    recovery_code = RecoveryCodes.activate(coordinator).generate_codes()[0]

    sign_in(client, "coordinator")
    assert enter_code(client, recovery_code).url == reverse("dashboard")
    client.post(reverse("account_logout"))

    sign_in(client, "coordinator")
    response = enter_code(client, recovery_code)

    assert response.status_code == 200
    assert "That code did not match" in Page(response).error_for("code")
    assert not signed_in(client)
    codes = Authenticator.objects.get(user=coordinator, type="recovery_codes").wrap()
    assert recovery_code not in codes.get_unused_codes()


def test_staff_cannot_turn_the_app_off(client, coordinator):
    sign_in(client, "coordinator")
    enter_code(client, totp_code(DEMO_TOTP_SECRET))

    index = client.get(reverse("mfa_index"))
    response = client.post(reverse("mfa_deactivate_totp"))

    assert "Turn off" not in Page(index).main_text
    assert "Staff must keep it on." in Page(index).main_text
    assert "Staff cannot turn off the authenticator app" in " ".join(Page(response).messages)
    assert Authenticator.objects.filter(user=coordinator, type="totp").exists()


# --- Carers ---


def test_a_carer_signs_in_with_their_password_alone(client, carer):
    response = sign_in(client, "carer")

    assert response.url == reverse("dashboard")
    home = client.get(reverse("portal_home"))
    assert home.status_code == 200
    text = Page(home).main_text
    assert "You sign in with your password only. Turn on two-step sign-in" in text
    assert Page(home).find("a", href=reverse("mfa_index")).text == "Two-step sign-in"


def test_a_carer_turns_it_on_and_then_signing_in_asks_for_the_code(client, carer):
    sign_in(client, "carer")
    index = client.get(reverse("mfa_index"))
    assert "Off. Signing in asks for your password only." in Page(index).main_text
    key = Page(client.get(SET_UP)).find("input", id="totp-key").attrs["value"]

    client.post(SET_UP, {"code": totp_code(key)})
    client.post(reverse("account_logout"))

    assert sign_in(client, "carer").url == CODE_PAGE
    assert enter_code(client, totp_code(key, steps_ahead=1)).url == reverse("dashboard")
    home = Page(client.get(reverse("portal_home"))).main_text
    assert "Two-step sign-in is on: signing in asks for a code from your authenticator app" in home


def test_a_carer_may_turn_it_off_again(client, carer):
    register_totp(carer)
    sign_in(client, "carer")
    enter_code(client, totp_code(DEMO_TOTP_SECRET))

    response = client.post(reverse("mfa_deactivate_totp"), follow=True)

    assert "Two-step sign-in is off" in " ".join(Page(response).messages)
    assert not Authenticator.objects.filter(user=carer, type="totp").exists()
    client.post(reverse("account_logout"))
    assert sign_in(client, "carer").url == reverse("dashboard")
