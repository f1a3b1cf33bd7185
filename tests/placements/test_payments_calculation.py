"""Working out a payment run: every figure against a hand-built data set
where the right answer is worked out in the comments.

A weekly band is paid a seventh of the week a night; each part (care, rent,
household contribution) is rounded to the penny once per line, and the
total is the sum of the rounded parts. November 2026 has 30 nights and
starts on a Sunday; its Tuesdays are the 3rd, 10th, 17th and 24th and its
Thursdays the 5th, 12th, 19th and 26th."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from placements.models import AbsenceReason, ArrangementStatus, BookingStatus, PaymentSettings, RateKind
from placements.payment_runs import create_payment_run
from sharedlives.choices import ArrangementKind
from tests.factories import (
    AbsenceFactory,
    ArrangementFactory,
    CarerFactory,
    DaySessionFactory,
    PaymentRateFactory,
    RateAmountFactory,
    RoomFactory,
    ShortBreakBookingFactory,
)

D = Decimal
NOV_1 = dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def membership(manager):
    return manager.memberships.get()


def weekly_band(scheme, name="Live-in band 1", care="350.00", rent="100.00", household="50.00", **dates):
    """£500 a week unless told otherwise: care £350, rent £100, household £50."""
    rate = PaymentRateFactory(scheme=scheme, name=name)
    RateAmountFactory(
        rate=rate,
        effective_from=dates.get("effective_from", dt.date(2026, 4, 1)),
        effective_to=dates.get("effective_to"),
        care_payment=D(care),
        rent=D(rent),
        household_contribution=D(household),
    )
    return rate


def single_rate(scheme, kind, name, amount, uplift=None, effective_from=dt.date(2026, 4, 1)):
    rate = PaymentRateFactory(scheme=scheme, kind=kind, name=name)
    RateAmountFactory(
        rate=rate,
        effective_from=effective_from,
        care_payment=None,
        rent=None,
        household_contribution=None,
        amount=D(amount),
        extra_person_uplift=D(uplift) if uplift else None,
    )
    return rate


def run_for(scheme, membership, length="month", day=NOV_1):
    return create_payment_run(scheme=scheme, membership=membership, length=length, day=day)


def lines_of(run, arrangement) -> list[tuple]:
    """(description, quantity, care, rent, household, total) for each line, in order."""
    return [
        (
            line.description,
            line.quantity,
            line.care_payment,
            line.rent,
            line.household_contribution,
            line.total,
        )
        for line in run.lines.filter(arrangement=arrangement).order_by("id")
    ]


# --- Stays paid by a weekly band ------------------------------------------------


def test_a_whole_month_of_live_in_is_thirty_sevenths_of_the_week(scheme, membership):
    arrangement = ArrangementFactory(scheme=scheme, payment_rate=weekly_band(scheme))

    run = run_for(scheme, membership)

    # 30 nights: care 350 x 30 / 7 = 1500.00; rent 100 x 30 / 7 = 428.571 -> 428.57;
    # household 50 x 30 / 7 = 214.286 -> 214.29; total 2142.86.
    assert lines_of(run, arrangement) == [
        (
            "Live-in band 1: 30 nights at £500.00 a week",
            30,
            D("1500.00"),
            D("428.57"),
            D("214.29"),
            D("2142.86"),
        )
    ]
    assert run.period_label == "November 2026"
    assert not run.problems.exists()


def test_an_arrangement_starting_inside_the_period_is_paid_from_its_first_night(scheme, membership):
    arrangement = ArrangementFactory(
        scheme=scheme, payment_rate=weekly_band(scheme), start_date=dt.date(2026, 11, 10)
    )

    run = run_for(scheme, membership)

    # Nights 10 to 30 Nov: 21 nights, three weeks exactly: 1050 + 300 + 150.
    assert lines_of(run, arrangement) == [
        (
            "Live-in band 1: 21 nights at £500.00 a week",
            21,
            D("1050.00"),
            D("300.00"),
            D("150.00"),
            D("1500.00"),
        )
    ]


def test_an_arrangement_ending_inside_the_period_is_not_paid_for_the_day_the_person_leaves(
    scheme, membership
):
    arrangement = ArrangementFactory(
        scheme=scheme,
        payment_rate=weekly_band(scheme),
        status=ArrangementStatus.ENDED,
        end_date=dt.date(2026, 11, 20),
        end_reason="planned_move",
    )

    run = run_for(scheme, membership)

    # Nights 1 to 19 Nov (they leave on the 20th): 19 nights.
    # care 350 x 19 / 7 = 950.00; rent 1900 / 7 = 271.43; household 950 / 7 = 135.71.
    assert lines_of(run, arrangement) == [
        (
            "Live-in band 1: 19 nights at £500.00 a week",
            19,
            D("950.00"),
            D("271.43"),
            D("135.71"),
            D("1357.14"),
        )
    ]


def test_planned_arrangements_are_not_paid(scheme, membership):
    arrangement = ArrangementFactory(
        scheme=scheme, payment_rate=weekly_band(scheme), status=ArrangementStatus.PLANNED
    )

    run = run_for(scheme, membership)

    assert lines_of(run, arrangement) == []


def test_a_rate_change_mid_period_gives_a_line_at_each_amount(scheme, membership):
    # Band 2: £480 a week (310 + 110 + 60) to 14 Nov, £510 (330 + 115 + 65) from 15 Nov.
    band = weekly_band(
        scheme, "Live-in band 2", "310.00", "110.00", "60.00", effective_to=dt.date(2026, 11, 14)
    )
    RateAmountFactory(
        rate=band,
        effective_from=dt.date(2026, 11, 15),
        care_payment=D("330.00"),
        rent=D("115.00"),
        household_contribution=D("65.00"),
    )
    arrangement = ArrangementFactory(scheme=scheme, payment_rate=band)

    run = run_for(scheme, membership)

    # 1 to 14 Nov, 14 nights = 2 weeks: 620 + 220 + 120 = 960.00.
    # 15 to 30 Nov, 16 nights: care 330 x 16 / 7 = 754.286 -> 754.29; rent 115 x 16 / 7
    # = 262.857 -> 262.86; household 65 x 16 / 7 = 148.571 -> 148.57; total 1165.72.
    assert lines_of(run, arrangement) == [
        (
            "Live-in band 2: 14 nights at £480.00 a week",
            14,
            D("620.00"),
            D("220.00"),
            D("120.00"),
            D("960.00"),
        ),
        (
            "Live-in band 2: 16 nights at £510.00 a week",
            16,
            D("754.29"),
            D("262.86"),
            D("148.57"),
            D("1165.72"),
        ),
    ]
    first, second = run.lines.filter(arrangement=arrangement).order_by("id")
    assert first.rate_amount.effective_to == dt.date(2026, 11, 14)
    assert second.rate_amount.effective_from == dt.date(2026, 11, 15)


def test_a_weekly_run_pays_a_part_week_pro_rata(scheme, membership):
    arrangement = ArrangementFactory(
        scheme=scheme, payment_rate=weekly_band(scheme), start_date=dt.date(2026, 11, 19)
    )

    run = run_for(scheme, membership, length="week", day=dt.date(2026, 11, 16))

    # The week of Mon 16 to Sun 22 Nov; they moved in on Thursday the 19th: 4 nights.
    # care 350 x 4 / 7 = 200.00; rent 400 / 7 = 57.14; household 200 / 7 = 28.57.
    assert run.dates_label == "16 Nov 2026 to 22 Nov 2026"
    assert lines_of(run, arrangement) == [
        ("Live-in band 1: 4 nights at £500.00 a week", 4, D("200.00"), D("57.14"), D("28.57"), D("285.71"))
    ]


@pytest.mark.parametrize(
    ("month", "nights", "rent", "household", "total"),
    [
        # A leap year: February 2028 has 29 nights. care 350 x 29 / 7 = 1450.00;
        # rent 2900 / 7 = 414.29; household 1450 / 7 = 207.14.
        (dt.date(2028, 2, 1), 29, "414.29", "207.14", "2071.43"),
        # February 2027 has 28: four weeks exactly.
        (dt.date(2027, 2, 1), 28, "400.00", "200.00", "2000.00"),
    ],
)
def test_february_in_a_leap_year_has_twenty_nine_nights(
    scheme, membership, month, nights, rent, household, total
):
    arrangement = ArrangementFactory(scheme=scheme, payment_rate=weekly_band(scheme))

    run = run_for(scheme, membership, day=month)

    [line] = lines_of(run, arrangement)
    assert line[1:] == (nights, D(350 * nights // 7), D(rent), D(household), D(total))


def test_a_stay_paid_by_a_nightly_rate_is_paid_for_each_night(scheme, membership):
    rate = single_rate(scheme, RateKind.SHORT_BREAK_NIGHTLY, "Emergency, a night", "80.00")
    arrangement = ArrangementFactory(
        scheme=scheme, kind=ArrangementKind.EMERGENCY, payment_rate=rate, start_date=dt.date(2026, 11, 27)
    )

    run = run_for(scheme, membership)

    # 27, 28, 29 and 30 Nov: 4 x 80.
    assert lines_of(run, arrangement) == [
        ("Emergency, a night: 4 nights at £80.00 a night", 4, D("320.00"), D("0.00"), D("0.00"), D("320.00"))
    ]


# --- Short breaks -----------------------------------------------------------------


def test_short_breaks_pay_the_booked_nights_inside_the_period(scheme, membership):
    nightly = single_rate(scheme, RateKind.SHORT_BREAK_NIGHTLY, "Short breaks, a night", "72.00")
    arrangement = ArrangementFactory(scheme=scheme, kind=ArrangementKind.SHORT_BREAKS, payment_rate=nightly)
    room = RoomFactory(carer=arrangement.carer)
    # Across the start: nights of 29, 30, 31 Oct and 1, 2 Nov; two of them in November.
    ShortBreakBookingFactory(
        arrangement=arrangement, room=room, dates=(dt.date(2026, 10, 29), dt.date(2026, 11, 3))
    )
    # Across the end: nights of 28, 29, 30 Nov and 1 Dec; three in November.
    ShortBreakBookingFactory(
        arrangement=arrangement, room=room, dates=(dt.date(2026, 11, 28), dt.date(2026, 12, 2))
    )
    # Cancelled: not paid.
    ShortBreakBookingFactory(
        arrangement=arrangement,
        room=room,
        dates=(dt.date(2026, 11, 10), dt.date(2026, 11, 12)),
        status=BookingStatus.CANCELLED,
    )

    run = run_for(scheme, membership)

    # 2 + 3 = 5 nights at £72.
    assert lines_of(run, arrangement) == [
        (
            "Short breaks, a night: 5 nights at £72.00 a night",
            5,
            D("360.00"),
            D("0.00"),
            D("0.00"),
            D("360.00"),
        )
    ]
    assert run.lines.get(arrangement=arrangement).unit == "night"


# --- Absences ---------------------------------------------------------------------


def test_nights_away_are_paid_at_the_schemes_percentage_for_the_reason(scheme, membership):
    PaymentSettings.objects.create(scheme=scheme, holiday_paid_percent=50)  # hospital: 100% for 28 nights
    arrangement = ArrangementFactory(scheme=scheme, payment_rate=weekly_band(scheme))
    # In hospital from the night of 20 Oct, back on 25 Nov. The stay's 28 paid nights are
    # 20 Oct to 16 Nov, so in November: 1 to 16 Nov paid (16 nights), 17 to 24 Nov not (8).
    AbsenceFactory(
        arrangement=arrangement,
        reason=AbsenceReason.HOSPITAL,
        dates=(dt.date(2026, 10, 20), dt.date(2026, 11, 25)),
    )
    # On holiday the nights of 26 and 27 Nov, paid at 50%.
    AbsenceFactory(
        arrangement=arrangement,
        reason=AbsenceReason.HOLIDAY,
        dates=(dt.date(2026, 11, 26), dt.date(2026, 11, 28)),
    )

    run = run_for(scheme, membership)

    assert lines_of(run, arrangement) == [
        # 16 nights in hospital at 100%: 800.00 + 1600/7 = 228.57 + 800/7 = 114.29.
        (
            "Live-in band 1: 16 nights in hospital at £500.00 a week",
            16,
            D("800.00"),
            D("228.57"),
            D("114.29"),
            D("1142.86"),
        ),
        # 8 more nights in hospital: not paid.
        (
            "Live-in band 1: 8 nights in hospital beyond the first 28 nights, not paid (£500.00 a week)",
            8,
            D("0.00"),
            D("0.00"),
            D("0.00"),
            D("0.00"),
        ),
        # At home the nights of 25, 28, 29, 30 Nov: 200.00 + 400/7 = 57.14 + 200/7 = 28.57.
        ("Live-in band 1: 4 nights at £500.00 a week", 4, D("200.00"), D("57.14"), D("28.57"), D("285.71")),
        # 2 nights on holiday at 50%: 350 x 2 x 0.5 / 7 = 50.00; 100 / 7 = 14.29; 50 / 7 = 7.14.
        (
            "Live-in band 1: 2 nights on holiday at 50% of £500.00 a week",
            2,
            D("50.00"),
            D("14.29"),
            D("7.14"),
            D("71.43"),
        ),
    ]
    assert {line.paid_percent for line in run.lines.all()} == {100, 0, 50}


def test_the_carers_leave_is_not_paid_by_default(scheme, membership):
    arrangement = ArrangementFactory(scheme=scheme, payment_rate=weekly_band(scheme))
    AbsenceFactory(
        arrangement=arrangement,
        reason=AbsenceReason.CARER_LEAVE,
        dates=(dt.date(2026, 11, 23), dt.date(2026, 12, 7)),
    )

    run = run_for(scheme, membership)

    # 1 to 22 Nov at home: 22 nights; care 350 x 22 / 7 = 1100.00; rent 2200/7 = 314.29;
    # household 1100/7 = 157.14. 23 to 30 Nov (8 nights) with the carer on leave: 0%.
    assert lines_of(run, arrangement) == [
        (
            "Live-in band 1: 22 nights at £500.00 a week",
            22,
            D("1100.00"),
            D("314.29"),
            D("157.14"),
            D("1571.43"),
        ),
        (
            "Live-in band 1: 8 nights while the carer was on leave, not paid (£500.00 a week)",
            8,
            D("0.00"),
            D("0.00"),
            D("0.00"),
            D("0.00"),
        ),
    ]


# --- Day support ------------------------------------------------------------------


def test_day_sessions_pay_the_first_person_the_session_and_each_extra_person_the_uplift(scheme, membership):
    session = single_rate(
        scheme, RateKind.DAY_SUPPORT_SESSION, "Day support, 4 hours", "35.00", uplift="12.00"
    )
    carer = CarerFactory(scheme=scheme)
    day = ArrangementKind.DAY_SUPPORT
    first = ArrangementFactory(scheme=scheme, carer=carer, kind=day, payment_rate=session)
    second = ArrangementFactory(
        scheme=scheme,
        carer=carer,
        kind=day,
        payment_rate=session,
        status=ArrangementStatus.ENDED,
        end_date=dt.date(2026, 11, 26),
        end_reason="completed",
    )
    # Someone with another carer at the same time: not an extra person for this carer.
    elsewhere = ArrangementFactory(scheme=scheme, kind=day, payment_rate=session)
    T = dt.time
    DaySessionFactory(arrangement=first, weekday=1, starts_at=T(10), ends_at=T(14))  # Tuesdays
    DaySessionFactory(arrangement=second, weekday=1, starts_at=T(12), ends_at=T(16))  # overlaps
    DaySessionFactory(arrangement=second, weekday=3, starts_at=T(10), ends_at=T(14))  # Thursdays
    DaySessionFactory(arrangement=elsewhere, weekday=1, starts_at=T(10), ends_at=T(14))
    # The first person is away on Tuesday 17 Nov: no session for them that day.
    AbsenceFactory(
        arrangement=first, reason=AbsenceReason.HOSPITAL, dates=(dt.date(2026, 11, 17), dt.date(2026, 11, 18))
    )

    run = run_for(scheme, membership)

    # First: Tuesdays 3, 10 and 24 Nov (not the 17th): 3 x 35 = 105.00.
    assert lines_of(run, first) == [
        (
            "Day support, 4 hours: 3 sessions at £35.00 a session",
            3,
            D("105.00"),
            D("0.00"),
            D("0.00"),
            D("105.00"),
        )
    ]
    # Second: on Tuesdays 3, 10 and 24 an extra person (3 x 12 = 36.00); on Tuesday 17 the
    # only one (35.00); Thursdays 5, 12 and 19 (the arrangement ended on the 26th):
    # 4 sessions x 35 = 140.00.
    assert sorted(lines_of(run, second)) == [
        (
            "Day support, 4 hours: 3 sessions as an extra person at £12.00 uplift a session",
            3,
            D("36.00"),
            D("0.00"),
            D("0.00"),
            D("36.00"),
        ),
        (
            "Day support, 4 hours: 4 sessions at £35.00 a session",
            4,
            D("140.00"),
            D("0.00"),
            D("0.00"),
            D("140.00"),
        ),
    ]
    # Elsewhere: all four Tuesdays at the full amount.
    assert lines_of(run, elsewhere)[0][1:] == (4, D("140.00"), D("0.00"), D("0.00"), D("140.00"))


def test_a_third_person_at_the_same_time_is_another_extra_person_and_ones_own_sessions_never_are(
    scheme, membership
):
    session = single_rate(
        scheme, RateKind.DAY_SUPPORT_SESSION, "Day support, 4 hours", "35.00", uplift="12.00"
    )
    carer = CarerFactory(scheme=scheme)
    people = [
        ArrangementFactory(scheme=scheme, carer=carer, kind=ArrangementKind.DAY_SUPPORT, payment_rate=session)
        for _ in range(3)
    ]
    T = dt.time
    # On Mondays (2, 9, 16, 23, 30 Nov) the first person has two sessions that overlap each
    # other; the second and third overlap the first.
    DaySessionFactory(arrangement=people[0], weekday=0, starts_at=T(9), ends_at=T(12))
    DaySessionFactory(arrangement=people[0], weekday=0, starts_at=T(11), ends_at=T(15))
    DaySessionFactory(arrangement=people[1], weekday=0, starts_at=T(10), ends_at=T(13))
    DaySessionFactory(arrangement=people[2], weekday=0, starts_at=T(14), ends_at=T(16))

    run = run_for(scheme, membership)

    # First: both sessions at the full amount, 10 x 35. Second and third: 5 x 12 each.
    assert [lines_of(run, a)[0][1:3] for a in people] == [(10, D("350.00")), (5, D("60.00")), (5, D("60.00"))]


# --- Problems ---------------------------------------------------------------------


def test_a_missing_rate_or_amount_is_a_problem_never_a_payment_of_nothing(scheme, membership):
    no_rate = ArrangementFactory(
        scheme=scheme,
        person__first_name="Sam",
        person__last_name="Cole",
        carer__first_name="Ruth",
        carer__last_name="Hale",
    )
    # Band 3 has an amount only from 10 Nov.
    late = ArrangementFactory(
        scheme=scheme,
        person__first_name="Ben",
        person__last_name="Ives",
        carer__first_name="Ann",
        carer__last_name="Lee",
        payment_rate=weekly_band(scheme, "Live-in band 3", effective_from=dt.date(2026, 11, 10)),
    )

    run = run_for(scheme, membership)

    assert lines_of(run, no_rate) == []
    # Paid from 10 Nov: 21 nights.
    assert [line[:2] for line in lines_of(run, late)] == [("Live-in band 3: 21 nights at £500.00 a week", 21)]
    assert sorted(run.problems.values_list("description", flat=True)) == [
        "Ben Ives with Ann Lee: Live-in band 3 has no amount in force for 9 nights from 1 Nov 2026 "
        "to 9 Nov 2026. Add the amount for those dates to the rate in admin.",
        "Sam Cole with Ruth Hale: no payment band or rate is chosen. Choose one on the arrangement's page.",
    ]


def test_an_extra_person_with_no_uplift_is_a_problem(scheme, membership):
    session = single_rate(scheme, RateKind.DAY_SUPPORT_SESSION, "Day support, 6 hours", "52.50")
    carer = CarerFactory(scheme=scheme, first_name="Ruth", last_name="Hale")
    first = ArrangementFactory(
        scheme=scheme, carer=carer, kind=ArrangementKind.DAY_SUPPORT, payment_rate=session
    )
    second = ArrangementFactory(
        scheme=scheme,
        carer=carer,
        kind=ArrangementKind.DAY_SUPPORT,
        payment_rate=session,
        person__first_name="Sam",
        person__last_name="Cole",
    )
    DaySessionFactory(arrangement=first, weekday=0, starts_at=dt.time(9), ends_at=dt.time(15))
    DaySessionFactory(arrangement=second, weekday=0, starts_at=dt.time(9), ends_at=dt.time(15))

    run = run_for(scheme, membership)

    # Mondays 2, 9, 16, 23 and 30 Nov: the first person's five sessions are paid.
    assert lines_of(run, first)[0][1:] == (5, D("262.50"), D("0.00"), D("0.00"), D("262.50"))
    assert lines_of(run, second) == []
    assert list(run.problems.values_list("description", flat=True)) == [
        "Sam Cole with Ruth Hale: Day support, 6 hours has no uplift for an extra person in force for "
        "5 sessions from 2 Nov 2026 to 30 Nov 2026. Add it to the rate in admin."
    ]


def test_another_schemes_arrangements_are_not_in_the_run(scheme, other_scheme, membership):
    ArrangementFactory(scheme=other_scheme, payment_rate=weekly_band(other_scheme))

    run = run_for(scheme, membership)

    assert not run.lines.exists()
    assert not run.problems.exists()
