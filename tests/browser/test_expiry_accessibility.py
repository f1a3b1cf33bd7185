"""axe finds no WCAG 2.1 A or AA failures where lapsed checks show: the flag
on a list and on a household's page with its banner, the expiring checks
page, and the notice on the carer's own home page."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from carers.models import CheckKind
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import assert_no_violations
from tests.factories import CarerFactory, CheckFactory

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    # The server thread reads the same clock; it ticks, for the browser's waits.
    with time_machine.travel(NOW, tick=True):
        yield


def _record(carer, kind, expires):
    return CheckFactory(
        carer=carer,
        kind=kind,
        requested_on=None,
        received_on=None,
        issued_on=dt.date(2024, 1, 1),
        expires_on=expires,
    )


@pytest.fixture
def lapsed(scheme, coordinator, carer_household):
    """Asha Patel's DBS check expired on 1 Nov 2026 and her home insurance
    lapses in 12 days; Tom Barker's checks are in date."""
    carer_household.coordinator = coordinator
    carer_household.save()
    _record(carer_household, CheckKind.DBS, dt.date(2026, 11, 1))
    _record(carer_household, CheckKind.HOME_INSURANCE, dt.date(2026, 12, 2))
    tom = CarerFactory(scheme=scheme, first_name="Tom", last_name="Barker", coordinator=coordinator)
    _record(tom, CheckKind.DBS, dt.date(2028, 1, 1))
    return carer_household


@pytest.mark.parametrize(
    ("path", "heading", "shows"),
    [
        ("/carers/", "Carers", "Checks lapsed"),
        ("/carers/{carer}/", "Asha Patel", "Required checks have lapsed"),
        ("/carers/checks/expiring/", "Expiring checks and training", "Expired 19 days ago"),
    ],
    ids=["carer-list", "carer-detail", "expiring-checks"],
)
def test_a_staff_page_with_a_lapsed_household(page, live_server, lapsed, path, heading, shows):
    sign_in(page, live_server, "coordinator")

    response = page.goto(live_server.url + path.format(carer=lapsed.pk))

    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator("main")).to_contain_text(shows)
    assert_no_violations(page)


def test_the_carers_home_with_the_notice(page, live_server, lapsed, carer):
    sign_in(page, live_server, "carer")

    expect(
        page.get_by_role("heading", level=2, name="Some of your checks or training have expired")
    ).to_be_visible()
    assert_no_violations(page)


def test_the_notice_fits_a_phone(browser, live_server, lapsed, carer):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    phone = context.new_page()
    try:
        sign_in(phone, live_server, "carer")
        button = phone.get_by_role("link", name="Upload a new certificate")
        expect(button).to_be_visible()
        assert button.bounding_box()["height"] >= 44
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360
    finally:
        context.close()
