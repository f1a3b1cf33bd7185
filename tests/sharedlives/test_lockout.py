"""Five failed sign-ins lock that username from that address for a while
(django-axes): a 429 with a page that says why and for how long. Colleagues
behind the same office address are never locked out by it, and an
administrator can unlock early."""

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib import admin
from django.core.cache import cache
from django.core.management import call_command

from tests.sharedlives.signing_in import HOME, OFFICE, attempt_sign_in, fail_to_sign_in, signed_in_as

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))
LOCKED_MESSAGE = (
    "Too many attempts to sign in as this user from this address.\n"
    "      Try again in 15 minutes, or ask an administrator to unlock it."
)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # django-allauth counts sign-ins per address in the cache, across tests.
    cache.clear()


def _says_locked(response) -> bool:
    text = " ".join(response.content.decode().split())
    return " ".join(LOCKED_MESSAGE.split()) in text


def test_four_failures_only_say_the_password_did_not_match(client, carer):
    responses = fail_to_sign_in(client, "carer", 4)

    assert [r.status_code for r in responses] == [200] * 4
    assert "did not match" in responses[-1].content.decode()


def test_the_fifth_failure_locks_that_username_from_that_address(client, carer):
    *_, fifth = fail_to_sign_in(client, "carer", 5)

    assert fifth.status_code == 429
    assert _says_locked(fifth)
    assert "<h1>Too many attempts to sign in</h1>" in fifth.content.decode()


def test_the_right_password_is_refused_while_locked(client, carer):
    fail_to_sign_in(client, "carer", 5)

    response = attempt_sign_in(client, "carer")

    assert response.status_code == 429
    assert _says_locked(response)
    assert signed_in_as(client) is None


def test_a_colleague_at_the_same_office_address_still_signs_in(client, carer, other_carer):
    fail_to_sign_in(client, "carer", 5, ip=OFFICE)

    response = attempt_sign_in(client, "carer2", ip=OFFICE)

    assert response.status_code == 302
    assert signed_in_as(client) == str(other_carer.pk)


def test_a_colleague_mistyping_their_own_password_never_locks_anyone_else(client, carer, other_carer):
    # Everyone in the office gets their password wrong four times: nobody is locked.
    for username in ["carer", "carer2"]:
        fail_to_sign_in(client, username, 4, ip=OFFICE)

    assert attempt_sign_in(client, "carer", ip=OFFICE).status_code == 302
    client.logout()
    assert attempt_sign_in(client, "carer2", ip=OFFICE).status_code == 302


def test_the_same_username_from_another_address_is_not_locked(client, carer):
    fail_to_sign_in(client, "carer", 5, ip=OFFICE)

    response = attempt_sign_in(client, "carer", ip=HOME)

    assert response.status_code == 302
    assert signed_in_as(client) == str(carer.pk)


def test_changing_the_case_of_the_username_buys_no_more_tries(client, carer):
    fail_to_sign_in(client, "carer", 3)
    fail_to_sign_in(client, "Carer", 1)

    assert fail_to_sign_in(client, "CARER ", 1)[0].status_code == 429


def test_the_lock_ends_after_the_cool_off(client, carer):
    with time_machine.travel(NOW, tick=False) as traveller:
        fail_to_sign_in(client, "carer", 5)

        traveller.shift(dt.timedelta(minutes=14))
        assert attempt_sign_in(client, "carer").status_code == 429

        # Trying during the lock started the 15 minutes again.
        traveller.shift(dt.timedelta(minutes=15, seconds=1))
        response = attempt_sign_in(client, "carer")

        assert response.status_code == 302
        assert signed_in_as(client) == str(carer.pk)


def test_the_cool_off_is_a_setting(client, carer, settings):
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=60)

    *_, fifth = fail_to_sign_in(client, "carer", 5)

    assert "Try again in 60 minutes" in fifth.content.decode()


def test_signing_in_forgets_the_earlier_failures(client, carer):
    fail_to_sign_in(client, "carer", 4)
    attempt_sign_in(client, "carer")
    client.logout()

    responses = fail_to_sign_in(client, "carer", 4)

    assert [r.status_code for r in responses] == [200] * 4


def test_the_attempts_kept_for_the_lock_hold_no_password(client, carer):
    attempt_sign_in(client, "carer", "Sunflower-Tuesday-42")

    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == ("carer", OFFICE, 1)
    assert "Sunflower-Tuesday-42" not in attempt.post_data


def test_an_administrator_unlocks_with_axes_reset_username(client, carer):
    fail_to_sign_in(client, "carer", 5)

    call_command("axes_reset_username", "carer")

    assert attempt_sign_in(client, "carer").status_code == 302


def _sign_in_to_admin(client, user):
    """Signed in, with the record django-allauth keeps once a code from the
    authenticator app was given: what admin's django-otp guard asks for."""
    client.force_login(user)
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [{"method": "mfa", "at": time.time(), "type": "totp"}]
    session.save()


def test_an_administrator_unlocks_in_django_admin(client, carer, admin_user):
    fail_to_sign_in(client, "carer", 5)
    attempt = AccessAttempt.objects.get(username="carer", ip_address=OFFICE)
    assert admin.site.is_registered(AccessAttempt)

    admin_client = client.__class__()
    _sign_in_to_admin(admin_client, admin_user)
    listing = admin_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "carer" in listing.content.decode()
    response = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert attempt_sign_in(client, "carer").status_code == 302


class TestBehindAProxy:
    """With REVERSE_PROXY_COUNT=1 every request comes from the proxy's address;
    the client's is the last one the proxy added to X-Forwarded-For."""

    PROXY = "127.0.0.1"

    @pytest.fixture(autouse=True)
    def _one_proxy(self, settings):
        settings.REVERSE_PROXY_COUNT = 1

    def _fail(self, client, forwarded_for, times=1):
        return fail_to_sign_in(client, "carer", times, ip=self.PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)

    def test_the_lock_is_on_the_clients_address_not_the_proxys(self, client, carer):
        self._fail(client, OFFICE, times=5)

        response = attempt_sign_in(client, "carer", ip=self.PROXY, HTTP_X_FORWARDED_FOR=HOME)

        assert response.status_code == 302
        assert AccessAttempt.objects.get().ip_address == OFFICE

    def test_an_address_the_client_made_up_is_ignored(self, client, carer):
        self._fail(client, OFFICE, times=5)

        # The client claims to be at HOME; the proxy adds where it really is.
        response = attempt_sign_in(client, "carer", ip=self.PROXY, HTTP_X_FORWARDED_FOR=f"{HOME}, {OFFICE}")

        assert response.status_code == 429
