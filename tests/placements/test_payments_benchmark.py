"""A month's run for a few hundred arrangements is worked out in SQL: the
same number of queries as for a handful, and quickly."""

import datetime as dt
import time
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from placements.models import Absence, AbsenceReason, Arrangement, DaySession, RateKind, ShortBreakBooking
from placements.payment_runs import create_payment_run
from sharedlives.choices import ArrangementKind
from tests.factories import CarerFactory, PaymentRateFactory, PersonFactory, RateAmountFactory, RoomFactory

NOV_1 = dt.date(2026, 11, 1)
START = dt.date(2025, 1, 6)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def rates(scheme):
    band = PaymentRateFactory(scheme=scheme, name="Live-in band 2")
    RateAmountFactory(rate=band, effective_to=dt.date(2026, 11, 14))
    RateAmountFactory(rate=band, effective_from=dt.date(2026, 11, 15), care_payment=Decimal("330.00"))
    nightly = PaymentRateFactory(scheme=scheme, name="Short breaks", kind=RateKind.SHORT_BREAK_NIGHTLY)
    RateAmountFactory(
        rate=nightly, care_payment=None, rent=None, household_contribution=None, amount=Decimal("72")
    )
    session = PaymentRateFactory(scheme=scheme, name="Day support", kind=RateKind.DAY_SUPPORT_SESSION)
    RateAmountFactory(
        rate=session,
        care_payment=None,
        rent=None,
        household_contribution=None,
        amount=Decimal("35"),
        extra_person_uplift=Decimal("12"),
    )
    return {
        ArrangementKind.LIVE_IN: band,
        ArrangementKind.SHORT_BREAKS: nightly,
        ArrangementKind.DAY_SUPPORT: session,
    }


def households(scheme, manager, rates, count: int) -> None:
    """``count`` households, each with a live-in person (a week in hospital),
    a short-breaks person (a booking across the month's end) and two people
    at day support on Tuesdays at overlapping times."""
    carers = CarerFactory.create_batch(count, scheme=scheme)
    people = PersonFactory.create_batch(count * 4, scheme=scheme)
    rooms = [RoomFactory(carer=carer) for carer in carers]
    kinds = [
        ArrangementKind.LIVE_IN,
        ArrangementKind.SHORT_BREAKS,
        ArrangementKind.DAY_SUPPORT,
        ArrangementKind.DAY_SUPPORT,
    ]
    arrangements = Arrangement.objects.bulk_create(
        Arrangement(
            scheme=scheme,
            person=people[4 * n + k],
            carer=carer,
            kind=kind,
            status="current",
            start_date=START,
            agreement_recorded_on=START,
            licence_recorded_on=START if kind == ArrangementKind.LIVE_IN else None,
            weekly_rent=Decimal("110") if kind == ArrangementKind.LIVE_IN else None,
            payment_rate=rates[kind],
        )
        for n, carer in enumerate(carers)
        for k, kind in enumerate(kinds)
    )
    by_kind = {kind: [a for a in arrangements if a.kind == kind] for kind in kinds}
    Absence.objects.bulk_create(
        Absence(
            arrangement=a,
            dates=(dt.date(2026, 11, 9), dt.date(2026, 11, 15)),
            reason=AbsenceReason.HOSPITAL,
            recorded_by=manager,
        )
        for a in by_kind[ArrangementKind.LIVE_IN]
    )
    ShortBreakBooking.objects.bulk_create(
        ShortBreakBooking(
            arrangement=a,
            carer_id=a.carer_id,
            room=room,
            dates=(dt.date(2026, 11, 28), dt.date(2026, 12, 2)),
            booked_by=manager,
        )
        for a, room in zip(by_kind[ArrangementKind.SHORT_BREAKS], rooms, strict=True)
    )
    DaySession.objects.bulk_create(
        DaySession(arrangement=a, weekday=1, starts_at=dt.time(10 + i % 2), ends_at=dt.time(14 + i % 2))
        for i, a in enumerate(by_kind[ArrangementKind.DAY_SUPPORT])
    )


def _queries_and_seconds(scheme, manager, day):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        run = create_payment_run(scheme=scheme, membership=manager.memberships.get(), length="month", day=day)
        seconds = time.perf_counter() - started
    return run, len(queries), seconds


def test_a_months_run_for_hundreds_of_arrangements_takes_the_same_queries_as_for_a_few(
    scheme, manager, rates
):
    households(scheme, manager, rates, 2)
    small, few, _ = _queries_and_seconds(scheme, manager, dt.date(2026, 10, 1))
    households(scheme, manager, rates, 100)  # 408 arrangements in all

    run, many, seconds = _queries_and_seconds(scheme, manager, NOV_1)

    assert many == few
    # Each household: live-in at home at each amount and in hospital 9 to 14 Nov
    # (three lines); short breaks (one); day support first and extra (two).
    assert run.lines.count() == 102 * 6
    assert not run.problems.exists()
    assert seconds < 5, f"a month's run for 408 arrangements took {seconds:.2f}s"
