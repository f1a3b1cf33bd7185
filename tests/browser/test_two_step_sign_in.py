"""Two-step sign-in in the browser: a coordinator's first sign-in sets up
their authenticator app, and from then on signing in asks for its code."""

import re

import pytest
from playwright.sync_api import expect

from sharedlives.models import Role
from sharedlives.totp import totp_code
from tests.browser.conftest import sign_in, sign_out
from tests.browser.test_accessibility import assert_no_violations
from tests.factories import MembershipFactory

pytestmark = pytest.mark.browser


def test_a_coordinators_first_sign_in_sets_up_the_authenticator_app(page, live_server, scheme):
    MembershipFactory(
        scheme=scheme,
        role=Role.COORDINATOR,
        user__username="new-coordinator",
        user__first_name="Kate",
        second_factor=False,
    )

    sign_in(page, live_server, "new-coordinator")

    # Nothing else opens until the app is set up: here is how.
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    expect(page.get_by_role("img", name="QR code holding the key below")).to_be_visible()
    assert_no_violations(page)
    page.goto(f"{live_server.url}/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")

    # The phone's app reads the key (from the QR code, or typed in) and shows a code.
    key = page.get_by_label("Key").input_value()
    page.get_by_label("Code from your app").fill(totp_code(key))
    page.get_by_role("button", name="Turn on two-step sign-in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.get_by_role("status")).to_contain_text("Two-step sign-in is on")
    codes = page.get_by_role("list", name="Unused recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    expect(codes.first).to_have_text(re.compile(r"^\w{8}$"))
    assert_no_violations(page)

    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")

    # Next time, the password is not enough: the code is asked for.
    sign_out(page)
    page.get_by_label("Username").fill("new-coordinator")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert_no_violations(page)
    page.get_by_label("Code").fill("000000" if totp_code(key) != "000000" else "111111")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_label("Code")).to_have_accessible_description(re.compile("That code did not match"))

    page.get_by_label("Code").fill(totp_code(key))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


def test_a_carer_turns_on_two_step_sign_in_from_their_home_page(page, live_server, carer, carer_household):
    sign_in(page, live_server, "carer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello " + carer.first_name)

    page.get_by_role("main").get_by_role("link", name="Two-step sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in")
    expect(page.get_by_role("main")).to_contain_text("Off. Signing in asks for your password only.")
    assert_no_violations(page)
    page.get_by_role("link", name="Turn on two-step sign-in").click()

    key = page.get_by_label("Key").input_value()
    page.get_by_label("Code from your app").fill(totp_code(key))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")

    sign_out(page)
    sign_in(page, live_server, "carer", totp_secret=key)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello " + carer.first_name)
