"""The allocation report: each person's upfront allocation and agreed
amount over the chosen dates (both £ a week, a seventh a night) against the
care payment actually paid by approved runs, with the differences and the
scheme's totals. Every figure is worked out in the comments."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import RateKind, ReferralStage
from placements.payment_runs import approve_payment_run, create_payment_run, mark_reviewed
from sharedlives.choices import ArrangementKind
from tests.factories import (
    ArrangementFactory,
    PaymentRateFactory,
    RateAmountFactory,
    ReferralFactory,
    RoomFactory,
    ShortBreakBookingFactory,
)
from tests.sharedlives.pages import Page

URL = reverse("allocation_report")
NOVEMBER = {"starts_on": "2026-11-01", "ends_on": "2026-11-30"}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC), tick=False):
        yield


def membership_of(user):
    return user.memberships.get()


def _referral(scheme, person, kind, indicative, agreed):
    return ReferralFactory(
        scheme=scheme,
        person=person,
        kind=kind,
        stage=ReferralStage.ARRANGEMENT_STARTED,
        indicative_allocation=Decimal(indicative),
        agreed_amount=Decimal(agreed),
    )


@pytest.fixture
def people(scheme, coordinator, manager):
    """Ben (live-in all November, from a referral), Cara (short breaks from
    16 Nov, from a referral) and Dan (live-in, no referral), all paid by the
    approved run for November."""
    band = PaymentRateFactory(scheme=scheme, name="Live-in band 2")
    RateAmountFactory(rate=band)  # £480 a week: care 310, rent 110, household 60
    nightly = PaymentRateFactory(scheme=scheme, name="Short breaks", kind=RateKind.SHORT_BREAK_NIGHTLY)
    RateAmountFactory(
        rate=nightly, care_payment=None, rent=None, household_contribution=None, amount=Decimal("72")
    )

    ben = ArrangementFactory(
        scheme=scheme,
        payment_rate=band,
        person__first_name="Ben",
        person__last_name="Ash",
        person__coordinator=coordinator,
    )
    ben.referral = _referral(scheme, ben.person, ArrangementKind.LIVE_IN, "450.00", "420.00")
    ben.save()
    cara = ArrangementFactory(
        scheme=scheme,
        kind=ArrangementKind.SHORT_BREAKS,
        payment_rate=nightly,
        start_date=dt.date(2026, 11, 16),
        person__first_name="Cara",
        person__last_name="Bell",
    )
    cara.referral = _referral(scheme, cara.person, ArrangementKind.SHORT_BREAKS, "100.00", "120.00")
    cara.save()
    ShortBreakBookingFactory(
        arrangement=cara,
        room=RoomFactory(carer=cara.carer),
        dates=(dt.date(2026, 11, 20), dt.date(2026, 11, 23)),
    )
    dan = ArrangementFactory(
        scheme=scheme, payment_rate=band, person__first_name="Dan", person__last_name="Cole"
    )

    run = create_payment_run(
        scheme=scheme, membership=membership_of(coordinator), length="month", day=dt.date(2026, 11, 1)
    )
    mark_reviewed(run=run, membership=membership_of(coordinator))
    approve_payment_run(run=run, membership=membership_of(manager))
    return ben.person, cara.person, dan.person


def _rows(page) -> list[str]:
    table = page.find("table")
    return [row.text for row in table.iter() if row.tag == "tr"]


def test_each_person_has_the_allocation_the_agreed_amount_and_what_was_paid(client, manager, people):
    client.force_login(manager)

    page = Page(client.get(URL, NOVEMBER))

    assert _rows(page) == [
        "Person Who pays Upfront allocation Agreed amount Agreed less upfront "
        "Care paid Paid less agreed Total paid",
        # Ben, 30 nights: upfront 450 x 30 / 7 = 1928.57; agreed 420 x 30 / 7 = 1800.00;
        # agreed less upfront -128.57. Care paid 310 x 30 / 7 = 1328.57 (of 2057.14),
        # 471.43 less than agreed.
        "Ben Ash Council £1928.57 £1800.00 −£128.57 less £1328.57 −£471.43 less £2057.14",
        # Cara, 15 nights from 16 Nov: upfront 100 x 15 / 7 = 214.29; agreed 120 x 15 / 7
        # = 257.14; 42.85 more. Paid 3 booked nights at 72 = 216.00: 41.14 less than agreed.
        "Cara Bell Council £214.29 £257.14 +£42.85 more £216.00 −£41.14 less £216.00",
        # Dan has no referral: paid, with no allocation to compare.
        "Dan Cole — — — — £1328.57 — £2057.14",
        # The scheme: 2142.86, 2057.14, -85.72; paid 2873.14, -512.57 where agreed; 4330.28.
        "The scheme £2142.86 £2057.14 −£85.72 less £2873.14 −£512.57 less £4330.28",
    ]
    assert "Paid counts 1 approved run, from 1 Nov 2026 to 30 Nov 2026." in page.main_text


def test_a_coordinator_sees_the_people_they_coordinate(client, coordinator, people):
    client.force_login(coordinator)

    page = Page(client.get(URL, NOVEMBER))

    assert [row.split(" Council")[0] for row in _rows(page)[1:]] == [
        "Ben Ash",
        "Your caseload £1928.57 £1800.00 −£128.57 less £1328.57 −£471.43 less £2057.14",
    ]


def test_a_run_crossing_the_dates_is_not_counted_and_the_page_says_so(client, manager, people):
    client.force_login(manager)

    page = Page(client.get(URL, {"starts_on": "2026-11-02", "ends_on": "2026-11-30"}))

    assert "No approved payment run lies within these dates, so nothing is counted as paid." in page.main_text
    assert (
        "The approved run for November 2026 (1 Nov 2026 to 30 Nov 2026) crosses the start of these dates, "
        "so it is not counted."
    ) in page.main_text


def test_the_report_defaults_to_the_financial_year_to_the_end_of_last_month(client, manager, people):
    client.force_login(manager)

    page = Page(client.get(URL))

    assert (page.value_of("starts_on"), page.value_of("ends_on")) == ("2026-04-01", "2026-11-30")
    assert "1 Apr 2026 to 30 Nov 2026." in page.main_text


def test_dates_the_wrong_way_round_are_refused_next_to_the_field(client, manager, people):
    client.force_login(manager)

    page = Page(client.get(URL, {"starts_on": "2026-11-30", "ends_on": "2026-11-01"}))

    assert page.error_for("ends_on") == "The last day must be on or after the first."
    assert page.value_of("ends_on") == "2026-11-01"


def test_the_csv_has_a_row_for_each_person(client, manager, people):
    client.force_login(manager)

    response = client.get(URL, {**NOVEMBER, "format": "csv"})

    assert (
        response["Content-Disposition"] == 'attachment; filename="allocations-2026-11-01-to-2026-11-30.csv"'
    )
    text = response.content.decode()
    assert text.splitlines()[0] == (
        "period_start,period_end,person_id,person_name,funder,indicative_allocation,agreed_amount,"
        "agreed_minus_indicative,paid_care,paid_minus_agreed,paid_total"
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [
        (r["person_name"], r["funder"], r["agreed_minus_indicative"], r["paid_minus_agreed"]) for r in rows
    ] == [
        ("Ben Ash", "council", "-128.57", "-471.43"),
        ("Cara Bell", "council", "42.85", "-41.14"),
        ("Dan Cole", "", "", ""),
    ]
    assert rows[0]["paid_total"] == "2057.14"


def test_a_carer_cannot_see_the_report(client, carer):
    client.force_login(carer)

    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "csv"}).status_code == 403


def test_the_report_takes_the_same_queries_for_many_people(
    client, scheme, manager, people, django_assert_max_num_queries
):
    # Each figure is a subquery of the one query for the page, so more people
    # do not mean more queries.
    client.force_login(manager)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, NOVEMBER)
    queries = len(few)
    for n in range(10):
        arrangement = ArrangementFactory(scheme=scheme, person__last_name=f"Zed{n}")
        arrangement.referral = _referral(
            scheme, arrangement.person, ArrangementKind.LIVE_IN, "400.00", "400.00"
        )
        arrangement.save()

    with django_assert_max_num_queries(queries):
        page = Page(client.get(URL, NOVEMBER))
    assert "Showing 1 to 13 of 13 people." in page.main_text
