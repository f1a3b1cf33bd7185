"""The warning before an idle session ends, in the browser: staying signed in
keeps a half-filled form as typed; ignoring it takes the records off the
screen and back to signing in.

Two clocks move together: time_machine moves the server's, Playwright's
``page.clock`` the page's, so 28 minutes pass in a moment for both."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from people.models import Person
from tests.browser.test_accessibility import assert_no_violations

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def staff(coordinator):
    """A coordinator with an authenticator app set up, as every member of staff has."""
    Authenticator.objects.get_or_create(
        user=coordinator, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "unused"}}
    )
    return coordinator


def _signed_in(context, live_server, user):
    """The browser gets a session cookie for ``user``, as after signing in
    (signing in itself, with its code, is tested in test_sign_in.py)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _let_time_pass(page, traveller, minutes, seconds=0):
    traveller.shift(dt.timedelta(minutes=minutes, seconds=seconds))
    page.clock.fast_forward(f"{minutes:02d}:{seconds:02d}")


def test_staying_signed_in_keeps_a_half_filled_form_as_typed(page, context, live_server, staff):
    with time_machine.travel(NOW, tick=True) as traveller:
        _signed_in(context, live_server, staff)
        page.clock.install()
        page.goto(f"{live_server.url}/people/new/")
        page.get_by_label("Support needs").fill("A ground-floor room; uses a walking frame.")
        page.get_by_label("First name").fill("Grace")

        # 28½ minutes on the form without sending it.
        _let_time_pass(page, traveller, 28, 30)
        dialog = page.get_by_role("alertdialog", name="Are you still there?")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("You will be signed out in 2 minutes. Stay signed in?")
        stay = dialog.get_by_role("button", name="Stay signed in")
        expect(stay).to_be_focused()
        assert_no_violations(page)

        stay.click()

        expect(dialog).to_be_hidden()
        expect(page.get_by_label("First name")).to_be_focused()
        expect(page.get_by_label("First name")).to_have_value("Grace")
        expect(page.get_by_label("Support needs")).to_have_value("A ground-floor room; uses a walking frame.")

        # Another 29 minutes: 57 since the page came, but the session was kept.
        traveller.shift(dt.timedelta(minutes=29))
        page.get_by_label("Last name").fill("Okafor")
        page.get_by_label("Date of birth").fill("1988-03-14")
        page.get_by_role("button", name="Save").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Grace Okafor")
    assert (
        Person.objects.get(last_name="Okafor").support_needs == "A ground-floor room; uses a walking frame."
    )


def test_escape_counts_as_staying_signed_in(page, context, live_server, staff):
    with time_machine.travel(NOW, tick=True) as traveller:
        _signed_in(context, live_server, staff)
        page.clock.install()
        page.goto(f"{live_server.url}/people/")
        _let_time_pass(page, traveller, 29)
        dialog = page.get_by_role("alertdialog", name="Are you still there?")
        expect(dialog).to_contain_text("You will be signed out in 1 minute.")

        with page.expect_response(lambda r: r.url.endswith("/session/keepalive/")) as keepalive:
            page.keyboard.press("Escape")

        assert keepalive.value.status == 200
        expect(dialog).to_be_hidden()


def test_ignoring_the_warning_signs_out_and_takes_the_records_off_the_screen(
    page, context, live_server, staff
):
    with time_machine.travel(NOW, tick=True) as traveller:
        _signed_in(context, live_server, staff)
        page.clock.install()
        page.goto(f"{live_server.url}/people/")
        expect(page.get_by_role("heading", name="People", level=1)).to_be_visible()

        with page.expect_navigation():
            _let_time_pass(page, traveller, 30, 5)

        expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text(
            "You were signed out after 30 minutes without activity."
        )
        assert "next=/people/" in page.url
