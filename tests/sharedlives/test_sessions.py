"""How long a signed-in session lasts: staff are signed out after 30 minutes
without a request, carers after two hours, everyone when the browser closes;
"Stay signed in" starts the clock again; disabling an account ends its
sessions at once."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from sharedlives.models import Membership, User
from tests.sharedlives.signing_in import attempt_sign_in, login_path, signed_in_as

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))
MINUTES = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # django-allauth counts sign-ins per address in the cache


@pytest.fixture
def staff(coordinator):
    """A coordinator with an authenticator app set up, as every member of staff has."""
    Authenticator.objects.get_or_create(
        user=coordinator, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "unused"}}
    )
    return coordinator


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _is_sent_to_sign_in(response, path):
    return response.status_code == 302 and response.url == f"{login_path()}?next={path}"


def test_staff_are_signed_out_after_30_minutes_without_a_request(client, staff, traveller):
    client.force_login(staff)
    assert client.get("/people/").status_code == 200

    traveller.shift(30 * MINUTES + dt.timedelta(seconds=1))
    response = client.get("/people/")

    assert _is_sent_to_sign_in(response, "/people/")
    assert signed_in_as(client) is None
    sign_in_page = client.get(response.url)
    assert "You were signed out after 30 minutes without activity." in sign_in_page.content.decode()


def test_each_request_starts_the_30_minutes_again(client, staff, traveller):
    client.force_login(staff)

    for _ in range(3):
        traveller.shift(29 * MINUTES)
        assert client.get("/people/").status_code == 200


def test_the_staff_limit_is_a_setting(client, staff, traveller, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 10
    client.force_login(staff)

    traveller.shift(11 * MINUTES)

    assert _is_sent_to_sign_in(client.get("/people/"), "/people/")


def test_carers_stay_signed_in_for_two_hours_without_a_request(client, carer, traveller):
    client.force_login(carer)

    traveller.shift(119 * MINUTES)
    assert client.get("/my/").status_code == 200

    traveller.shift(121 * MINUTES)
    assert _is_sent_to_sign_in(client.get("/my/"), "/my/")


def test_stay_signed_in_starts_the_clock_again_without_leaving_the_page(client, staff, traveller):
    client.force_login(staff)
    traveller.shift(28 * MINUTES)

    response = client.post(reverse("session_keepalive"))

    assert response.status_code == 200
    assert response.json() == {"seconds_left": 30 * 60}
    # 56 minutes after the last page, but 28 after "Stay signed in".
    traveller.shift(28 * MINUTES)
    assert client.get("/people/").status_code == 200


def test_stay_signed_in_is_too_late_once_signed_out(client, staff, traveller):
    client.force_login(staff)
    traveller.shift(31 * MINUTES)

    response = client.post(reverse("session_keepalive"))

    assert response.status_code == 302
    assert response.url.startswith(login_path())
    assert signed_in_as(client) is None


def test_stay_signed_in_needs_the_csrf_token_and_a_post(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    assert client.post(reverse("session_keepalive")).status_code == 403
    assert client.get(reverse("session_keepalive")).status_code == 405


def test_each_page_carries_the_warning_and_the_time_left(client, staff, traveller):
    client.force_login(staff)
    traveller.shift(dt.timedelta(seconds=30))

    page = client.get("/people/").content.decode()

    assert 'role="alertdialog"' in page
    assert 'data-seconds-left="1770"' in page
    assert 'data-warn-seconds="120"' in page
    assert "You will be signed out in <span data-session-time-left>2 minutes</span>. Stay signed in?" in page
    assert "js/session-timeout.js" in page


def test_the_sign_in_page_has_no_warning(client):
    assert "session-timeout" not in client.get(login_path()).content.decode()


def test_the_session_ends_when_the_browser_closes(client, carer):
    response = attempt_sign_in(client, "carer")

    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    # No expiry date: the browser forgets the cookie when it closes.
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""


def _sessions_of(user):
    return [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)]


def test_disabling_an_account_ends_all_its_sessions_at_once(carer, other_carer):
    laptop, phone, colleague = Client(), Client(), Client()
    laptop.force_login(carer)
    phone.force_login(carer)
    colleague.force_login(other_carer)

    carer.is_active = False
    carer.save()

    assert _sessions_of(carer) == []
    assert len(_sessions_of(other_carer)) == 1
    assert _is_sent_to_sign_in(laptop.get("/my/"), "/my/")
    assert colleague.get("/my/").status_code == 200


def test_a_disabled_account_is_refused_whatever_the_sign_in_backend(client, carer, settings):
    # A backend that lets inactive users through, and a change that sends no
    # signal (an update in the database): the middleware still refuses them.
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.AllowAllUsersModelBackend"]
    client.force_login(carer)
    User.objects.filter(pk=carer.pk).update(is_active=False)

    response = client.get("/my/")

    assert _is_sent_to_sign_in(response, "/my/")
    assert signed_in_as(client) is None


def test_removing_someones_role_ends_their_access_at_the_next_request(client, carer, carer_household):
    client.force_login(carer)
    assert client.get(f"/carers/{carer_household.pk}/").status_code == 200

    Membership.objects.filter(user=carer).delete()
    response = client.get(f"/carers/{carer_household.pk}/")

    # No role in any scheme: nothing but the page that says so.
    assert response.status_code == 302
    assert response.url.startswith(reverse("choose_scheme"))
