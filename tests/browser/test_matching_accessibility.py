"""axe finds no WCAG 2.1 A or AA failures on the pages of referrals,
matching and arrangements, filled with what a coordinator sees on a busy
day: answers and introductions, bookings, a calendar with a full night, a
planned arrangement that cannot start yet, and forms with errors."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from placements.models import Answer, ArrangementStatus, IntroductionStatus, ReferralStage
from sharedlives.choices import ArrangementKind
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import assert_no_violations
from tests.factories import (
    ArrangementFactory,
    IntroductionFactory,
    OnePageProfileFactory,
    PaymentRateFactory,
    PersonFactory,
    ProposalFactory,
    RateAmountFactory,
    ReferralFactory,
    RoomFactory,
    ShortBreakBookingFactory,
    UnavailabilityFactory,
    approved_carer,
)

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def day(scheme):
    carer = approved_carer(
        scheme,
        first_name="Grace",
        last_name="Okafor",
        kinds=list(ArrangementKind),
        starts_on=dt.date(2025, 3, 3),
    )
    rooms = [RoomFactory(carer=carer, name="Garden room", ground_floor=True, step_free=True)]
    rooms.append(RoomFactory(carer=carer, name="Back bedroom"))
    UnavailabilityFactory(carer=carer, starts_on=dt.date(2026, 12, 20), ends_on=dt.date(2026, 12, 27))
    sam = PersonFactory(scheme=scheme, first_name="Sam", last_name="Reid", interests=["gardening"])
    OnePageProfileFactory(person=sam)
    referral = ReferralFactory(scheme=scheme, person=sam, stage=ReferralStage.INTRODUCTIONS)
    proposal = ProposalFactory(
        referral=referral,
        carer=carer,
        score=9,
        reasons=["Shares 1 interest: gardening (3 points)"],
        person_answer=Answer.INTERESTED,
        carer_answer=Answer.INTERESTED,
    )
    IntroductionFactory(
        proposal=proposal,
        status=IntroductionStatus.HELD,
        for_person="Sam said he liked the garden.",
        for_carer="A lovely afternoon.",
    )
    IntroductionFactory(proposal=proposal, planned_for=dt.date(2026, 11, 28))
    ReferralFactory(scheme=scheme, stage=ReferralStage.RECEIVED)
    rate = PaymentRateFactory(scheme=scheme, name="Live-in band 2")
    RateAmountFactory(rate=rate, effective_from=dt.date(2025, 4, 1), effective_to=dt.date(2026, 3, 31))
    RateAmountFactory(rate=rate, care_payment=Decimal("330.00"))
    planned = ArrangementFactory(
        scheme=scheme,
        person=sam,
        carer=carer,
        referral=referral,
        status=ArrangementStatus.PLANNED,
        start_date=dt.date(2026, 12, 1),
        agreement_recorded_on=None,
        payment_rate=rate,
    )
    breaks = ArrangementFactory(
        scheme=scheme, carer=carer, kind=ArrangementKind.SHORT_BREAKS, start_date=dt.date(2026, 1, 5)
    )
    ShortBreakBookingFactory(
        arrangement=breaks, room=rooms[1], dates=(dt.date(2026, 12, 4), dt.date(2026, 12, 7))
    )
    ShortBreakBookingFactory(
        arrangement=breaks, room=rooms[1], dates=(dt.date(2026, 10, 2), dt.date(2026, 10, 4))
    )
    return {"carer": carer, "person": sam, "referral": referral, "planned": planned, "breaks": breaks}


PAGES = {
    "referral-list": "/referrals/",
    "referral-new": "/referrals/new/",
    "referral-detail": "/referrals/{referral}/",
    "referral-history": "/referrals/{referral}/history/",
    "matching": "/referrals/{referral}/matching/",
    "arrangement-planned": "/arrangements/{planned}/",
    "arrangement-start": "/arrangements/{planned}/start/",
    "arrangement-end": "/arrangements/{breaks}/end/",
    "short-breaks": "/arrangements/{breaks}/",
    "rates": "/arrangements/rates/",
    "availability": "/carers/{carer}/availability/",
    "profile": "/people/{person}/profile/",
    "profile-print": "/people/{person}/profile/print/",
}


@pytest.mark.parametrize("name", PAGES)
def test_a_page(page, live_server, coordinator, day, name):
    sign_in(page, live_server, coordinator.username)
    url = PAGES[name].format(**{key: record.pk for key, record in day.items()})

    response = page.goto(live_server.url + url)

    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert_no_violations(page)


def test_a_new_referral_with_errors(page, live_server, coordinator, day):
    sign_in(page, live_server, coordinator.username)
    page.goto(f"{live_server.url}/referrals/new/")
    page.get_by_label("Referral received on").fill("2030-01-01")
    page.get_by_role("button", name="Record the referral").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    assert_no_violations(page)
