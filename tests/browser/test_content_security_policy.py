"""In a real browser, the Content Security Policy blocks nothing the pages
need: the key pages load, their scripts run (menus open, the Print button
appears), the QR code for an authenticator app shows, and Chromium reports
no breach of the policy, neither as a ``securitypolicyviolation`` event nor
as a console error.

The clock is fixed (ticking) at 10:00 on 20 Nov 2026.
"""

import datetime as dt
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from sharedlives.models import Role
from tests.browser.conftest import sign_in
from tests.factories import (
    ArrangementFactory,
    HouseholdMemberFactory,
    MembershipFactory,
    OnePageProfileFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))

# Runs in every page before its own scripts: keeps each breach the browser
# reports, so the test can read them after the page has loaded.
COLLECT_BREACHES = """
window.__cspBreaches = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  const what = event.blockedURI || "inline code";
  window.__cspBreaches.push(`${event.violatedDirective} blocked ${what} (${where})`);
});
"""


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def watched(page):
    """The page, with every breach of the policy it reports kept: events in
    the page, and Chromium's "Refused to ..." console errors."""
    page.add_init_script(COLLECT_BREACHES)
    console = []
    page.on(
        "console",
        lambda message: console.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.console_breaches = console
    return page


def breaches(page) -> list[str]:
    return page.evaluate("window.__cspBreaches") + page.console_breaches


def sign_in_as(page, live_server, user):
    """Signs ``user`` in with a session made on the server (as force_login
    does: no second factor), since these tests are about pages, not signing in."""
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    page.context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])


def open_page(page, live_server, path):
    response = page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("load")
    assert response.status == 200, f"{path} answered {response.status}"
    assert urlparse(page.url).path == path, f"{path} led to {page.url}"
    assert "default-src 'self'" in response.headers["content-security-policy"]


@pytest.fixture
def records(scheme, coordinator, carer, carer_household):
    HouseholdMemberFactory(carer=carer_household, name="Ravi Patel", relationship="son")
    person = PersonFactory(scheme=scheme, first_name="Chloe", last_name="Evans", coordinator=coordinator)
    OnePageProfileFactory(person=person)
    arrangement = ArrangementFactory(scheme=scheme, person=person, carer=carer_household)
    referral = ReferralFactory(scheme=scheme)
    return {"person": person, "arrangement": arrangement, "referral": referral, "carer": carer_household}


def test_the_sign_in_page_keeps_to_the_policy(watched, live_server, db):
    open_page(watched, live_server, resolve_url(settings.LOGIN_URL))

    expect(watched.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    assert breaches(watched) == []


def test_a_coordinators_key_pages_keep_to_the_policy(watched, live_server, coordinator, records):
    sign_in_as(watched, live_server, coordinator)
    pages = [
        reverse("dashboard"),
        reverse("my_work"),
        reverse("carer_list"),
        reverse("carer_detail", args=[records["carer"].pk]),
        reverse("carer_household", args=[records["carer"].pk]),
        reverse("person_detail", args=[records["person"].pk]),
        reverse("person_edit", args=[records["person"].pk]),
        reverse("arrangement_detail", args=[records["arrangement"].pk]),
        reverse("referral_detail", args=[records["referral"].pk]),
        reverse("referral_matching", args=[records["referral"].pk]),
        reverse("report_at_a_glance"),
    ]
    seen = {}

    for path in pages:
        open_page(watched, live_server, path)
        seen[path] = breaches(watched)

    assert {path: found for path, found in seen.items() if found} == {}


def test_the_menus_open_and_the_print_button_works_under_the_policy(
    watched, live_server, coordinator, records
):
    """Bootstrap's menus and our own print.js are scripts from our own files:
    the policy lets them run."""
    sign_in_as(watched, live_server, coordinator)
    open_page(watched, live_server, reverse("person_profile_print", args=[records["person"].pk]))
    nav = watched.get_by_role("navigation", name="Main")

    nav.get_by_role("button", name="Carers").click()

    expect(nav.get_by_role("link", name="All carers")).to_be_visible()
    expect(watched.get_by_role("button", name="Print")).to_be_visible()
    assert breaches(watched) == []


def test_a_form_with_errors_keeps_to_the_policy(watched, live_server, coordinator, records):
    sign_in_as(watched, live_server, coordinator)
    open_page(watched, live_server, reverse("person_edit", args=[records["person"].pk]))

    watched.get_by_label("First name").fill("")
    with watched.expect_navigation():
        watched.get_by_role("button", name="Save").click()

    expect(watched.get_by_text("This field is required.").first).to_be_visible()
    assert breaches(watched) == []


def test_a_carers_portal_keeps_to_the_policy(watched, live_server, carer, records):
    sign_in_as(watched, live_server, carer)
    seen = {}

    for name in ["portal_home", "portal_household", "portal_people", "portal_checks"]:
        open_page(watched, live_server, reverse(name))
        seen[name] = breaches(watched)

    assert {name: found for name, found in seen.items() if found} == {}


def test_the_qr_code_for_an_authenticator_app_shows_under_the_policy(watched, live_server, scheme):
    """The QR code is an image in the page itself (a data: address), which
    the policy allows for images only. A new coordinator signs in with their
    password and is sent to set up their app."""
    newcomer = UserFactory(username="new-coordinator")
    MembershipFactory(user=newcomer, scheme=scheme, role=Role.COORDINATOR, second_factor=False)
    sign_in(watched, live_server, "new-coordinator")

    open_page(watched, live_server, reverse("mfa_activate_totp"))

    qr_code = watched.get_by_role("img", name="QR code holding the key below")
    expect(qr_code).to_be_visible()
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0")
    assert breaches(watched) == []


def test_the_browser_reports_inline_style_and_script_it_refuses(watched, live_server, carer, records):
    """The collector is not blind: code written into a page is refused, and
    the refusal is seen."""
    sign_in_as(watched, live_server, carer)
    open_page(watched, live_server, reverse("portal_home"))

    watched.evaluate(
        """() => {
          const box = document.createElement("div");
          box.innerHTML = '<p style="color: red">Red</p>'
            + '<img src="data:," alt="" onerror="window.ran = true">';
          document.body.append(box);
        }"""
    )

    expect(watched.get_by_text("Red", exact=True)).to_be_visible()
    watched.wait_for_function("window.__cspBreaches.length >= 2")
    assert watched.evaluate("window.ran === undefined")
    assert any("style-src" in found for found in breaches(watched))
    assert any("script-src" in found for found in breaches(watched))
