"""axe finds no WCAG 2.1 A or AA failures on the review form (empty, and
sent back with errors), on a review's page, or on a monitoring visit's form."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import assert_no_violations
from tests.factories import (
    ArrangementFactory,
    ArrangementReviewFactory,
    MonitoringVisitFactory,
    ReviewActionFactory,
)

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def sam(scheme, carer_household, coordinator):
    arrangement = ArrangementFactory(
        scheme=scheme,
        carer=carer_household,
        person__first_name="Sam",
        person__last_name="Reid",
        start_date=dt.date(2025, 10, 6),
        next_review_due=dt.date(2026, 11, 17),
    )
    review = ArrangementReviewFactory(
        arrangement=arrangement,
        held_on=dt.date(2025, 11, 17),
        due_on=dt.date(2025, 11, 17),
        reviewer=coordinator,
        other_attendees="Jo Bell (sister)",
        not_working="Buses are hard.",
        outcomes="Learn to cook three meals.",
    )
    ReviewActionFactory(review=review, due_on=dt.date(2025, 12, 17))
    ReviewActionFactory(
        review=review,
        what="Book a bus pass",
        due_on=dt.date(2025, 12, 1),
        done_on=dt.date(2025, 11, 28),
        done_by=coordinator,
    )
    MonitoringVisitFactory(arrangement=arrangement, due_on=dt.date(2026, 11, 6))
    return {"arrangement": arrangement, "review": review}


def _open(page, live_server, coordinator, path):
    sign_in(page, live_server, coordinator.username)
    response = page.goto(live_server.url + path)
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_count(1)


def test_the_review_form(page, live_server, coordinator, sam):
    _open(page, live_server, coordinator, f"/arrangements/{sam['arrangement'].pk}/reviews/new/")

    assert_no_violations(page)


def test_the_review_form_with_errors(page, live_server, coordinator, sam):
    _open(page, live_server, coordinator, f"/arrangements/{sam['arrangement'].pk}/reviews/new/")
    page.get_by_label("Held on").fill("2027-01-01")
    page.get_by_label("Sam Reid's own views, in their own words").fill("   ")
    page.get_by_role("group", name="Action 1").get_by_label("What").fill("Book the dentist")
    page.get_by_role("button", name="Record the review").click()

    expect(page.locator(".invalid-feedback").first).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Write down the person's own views")
    assert_no_violations(page)


def test_a_reviews_page(page, live_server, coordinator, sam):
    _open(
        page, live_server, coordinator, f"/arrangements/{sam['arrangement'].pk}/reviews/{sam['review'].pk}/"
    )

    assert_no_violations(page)


def test_the_arrangements_reviews_and_visits(page, live_server, coordinator, sam):
    _open(page, live_server, coordinator, f"/arrangements/{sam['arrangement'].pk}/")

    expect(page.get_by_role("region", name="Reviews and visits")).to_contain_text("Overdue by 3 days")
    assert_no_violations(page)


def test_a_visits_form(page, live_server, coordinator, sam):
    visit = sam["arrangement"].visits.get()
    _open(page, live_server, coordinator, f"/arrangements/{sam['arrangement'].pk}/visits/{visit.pk}/")
    page.get_by_role("button", name="Record the visit").click()

    expect(page.locator(".invalid-feedback").first).to_be_visible()
    assert_no_violations(page)
