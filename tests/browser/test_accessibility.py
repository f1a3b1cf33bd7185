"""No WCAG 2.1 A or AA failures that axe-core can find, on the main pages.

axe finds perhaps a third of real accessibility problems (contrast, names,
landmarks, heading order, form labels); the rest needs people. But what it
finds is cheap to keep fixed.
"""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from placements.models import ArrangementStatus
from sharedlives.choices import ArrangementKind
from tests.browser.conftest import sign_in
from tests.factories import (
    ArrangementFactory,
    CarerFactory,
    ContactFactory,
    HouseholdMemberFactory,
    PersonFactory,
    PetFactory,
    RoomFactory,
)

pytestmark = pytest.mark.browser

WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def assert_no_violations(page):
    results = Axe().run(page, options=WCAG_21_AA)
    report = results.generate_report()
    print(report)  # pytest shows it beside a failure
    assert results.violations_count == 0, f"{page.url}\n{report}"


@pytest.fixture
def records(scheme, coordinator, carer_household):
    """A scheme with enough in it that lists, tables and sections all render."""
    carer = carer_household
    carer.coordinator = coordinator
    carer.save()
    HouseholdMemberFactory(carer=carer, name="Ravi Patel", relationship="son")
    PetFactory(carer=carer, name="Biscuit", notes="Friendly")
    RoomFactory(carer=carer, name="Back bedroom")
    for first, last in [("Tom", "Barker"), ("Sian", "Jones"), ("Kwame", "Mensah")]:
        CarerFactory(scheme=scheme, first_name=first, last_name=last, coordinator=coordinator)
    person = PersonFactory(scheme=scheme, first_name="Chloe", last_name="Evans", coordinator=coordinator)
    ContactFactory(person=person, name="Megan Evans", relationship="sister", phone="0113 496 0001")
    ArrangementFactory(scheme=scheme, person=person, carer=carer)
    ArrangementFactory(
        scheme=scheme,
        carer=carer,
        kind=ArrangementKind.SHORT_BREAKS,
        status=ArrangementStatus.PLANNED,
        start_date=datetime.date(2026, 11, 22),
    )
    return {"carer": carer, "person": person}


def test_the_sign_in_page(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    assert_no_violations(page)


def test_the_sign_in_page_with_an_error(page, live_server, coordinator):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("did not match")
    assert_no_violations(page)


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "Dashboard"),
        ("/carers/", "Carers"),
        ("/carers/{carer}/", "Asha Patel"),
        ("/carers/{carer}/edit/", "Edit Asha Patel"),
        ("/people/{person}/", "Chloe Evans"),
        ("/arrangements/", "Arrangements"),
    ],
    ids=["dashboard", "carer-list", "carer-detail", "carer-edit", "person-detail", "arrangement-list"],
)
def test_a_staff_page(page, live_server, records, path, heading):
    sign_in(page, live_server, "coordinator")
    url = path.format(carer=records["carer"].pk, person=records["person"].pk)

    response = page.goto(live_server.url + url)

    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_no_violations(page)


def test_a_carers_own_home(page, live_server, records, carer):
    sign_in(page, live_server, "carer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello " + carer.first_name)
    assert_no_violations(page)
