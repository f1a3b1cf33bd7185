"""axe finds no WCAG 2.1 A or AA failures on the payment pages: runs with
their lines, problems and steps, an adjustment, the allocation report, nights
away, and a carer's own payments on a phone."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from placements.models import AbsenceReason
from placements.payment_runs import approve_payment_run, create_payment_run, mark_reviewed
from sharedlives.models import Role
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import assert_no_violations
from tests.factories import (
    AbsenceFactory,
    ArrangementFactory,
    MembershipFactory,
    PaymentRateFactory,
    RateAmountFactory,
    ReferralFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 12, 2, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def runs(scheme, manager, coordinator, carer_household):
    """October approved (reviewed by the coordinator), November a draft with a
    problem; nights away on the arrangement."""
    carer_household.coordinator = coordinator
    carer_household.save()
    band = PaymentRateFactory(scheme=scheme, name="Live-in band 2")
    RateAmountFactory(rate=band, effective_from=dt.date(2026, 4, 1))
    arrangement = ArrangementFactory(scheme=scheme, carer=carer_household, payment_rate=band)
    arrangement.referral = ReferralFactory(
        scheme=scheme, person=arrangement.person, stage="arrangement_started", agreed_amount=Decimal("400")
    )
    arrangement.save()
    AbsenceFactory(
        arrangement=arrangement,
        reason=AbsenceReason.HOSPITAL,
        dates=(dt.date(2026, 11, 3), dt.date(2026, 11, 9)),
    )
    ArrangementFactory(scheme=scheme, start_date=dt.date(2026, 11, 10))  # no rate: a problem in November
    coordinating = coordinator.memberships.get()
    october = create_payment_run(
        scheme=scheme, membership=coordinating, length="month", day=dt.date(2026, 10, 1)
    )
    mark_reviewed(run=october, membership=coordinating)
    approve_payment_run(run=october, membership=manager.memberships.get())
    november = create_payment_run(
        scheme=scheme, membership=coordinating, length="month", day=dt.date(2026, 11, 1)
    )
    return {"october": october, "november": november, "arrangement": arrangement}


STAFF_PAGES = {
    "run-list": "/payments/",
    "run-new": "/payments/new/",
    "run-draft": "/payments/{november}/",
    "run-approved": "/payments/{october}/",
    "adjust": "/payments/{october}/adjust/",
    "allocations": "/payments/allocations/?starts_on=2026-10-01&ends_on=2026-11-30",
    "absence-new": "/arrangements/{arrangement}/absences/new/",
    "arrangement": "/arrangements/{arrangement}/",
}


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_a_managers_page(page, live_server, manager, runs, name):
    sign_in(page, live_server, manager.username)
    url = STAFF_PAGES[name].format(**{key: record.pk for key, record in runs.items()})

    response = page.goto(live_server.url + url)

    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert_no_violations(page)


def test_a_new_run_with_an_error(page, live_server, coordinator, runs):
    sign_in(page, live_server, coordinator.username)
    page.goto(f"{live_server.url}/payments/new/")
    page.get_by_label("A week, from a Monday").check()
    page.get_by_label("Starting").fill("2026-11-18")
    page.get_by_role("button", name="Work out the run").click()

    expect(page.get_by_text("18 Nov 2026 is a Wednesday")).to_be_visible()
    assert_no_violations(page)


def test_a_carers_payments_on_a_phone(browser, live_server, scheme, carer_household, runs):
    user = UserFactory(username="asha")
    MembershipFactory(user=user, scheme=scheme, role=Role.CARER, carer=carer_household)
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="en-GB", is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, "asha")

    page.goto(f"{live_server.url}/my/payments/")

    expect(page.get_by_role("heading", name="October 2026", exact=False)).to_be_visible()
    assert_no_violations(page)
    context.close()
