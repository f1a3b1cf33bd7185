"""Scheme at a glance: every figure against a scheme built by hand, where
the right answer is known, with records on the first and last day of the
period (and just outside it, in the scheme's time zone), a leap year, and a
constant number of queries however many records there are."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carers.models import ApprovalTerms, CarerStatus
from placements.models import ArrangementStatus, BookingStatus, ReferralStage, ReferralStageChange
from sharedlives.choices import ArrangementKind
from tests.factories import (
    ApprovalDecisionFactory,
    ArrangementFactory,
    CarerFactory,
    PersonFactory,
    ReferralFactory,
    RoomFactory,
    ShortBreakBookingFactory,
    StageChangeFactory,
    UserFactory,
    approved_carer,
)
from tests.sharedlives.reports import csv_figures, section_of, table

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=LONDON)
TODAY = NOW.date()
URL = reverse("report_at_a_glance")
FIRST_HALF = {"start": "2026-01-01", "end": "2026-06-30", "format": "csv"}
S = CarerStatus
K = ArrangementKind


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def at(year, month, day, hour=10, minute=0) -> dt.datetime:
    """A moment in the scheme's time zone (British Summer Time in summer)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def report(client, user, **params) -> dict:
    client.force_login(user)
    return csv_figures(client.get(URL, {"format": "csv", **params}))


def move(carer, frm, to, when):
    return StageChangeFactory(carer=carer, from_status=frm, to_status=to, changed_at=when)


# --- The scheme today ---------------------------------------------------------


def test_the_scheme_today(client, coordinator, scheme, other_scheme):
    grace, tom, asha = (approved_carer(scheme) for _ in range(3))
    CarerFactory(scheme=scheme, status=S.SUSPENDED)
    CarerFactory(scheme=scheme, status=S.ENQUIRY)
    CarerFactory(scheme=scheme, status=S.ASSESSMENT)
    CarerFactory(scheme=scheme, status=S.RESIGNED)
    lena = PersonFactory(scheme=scheme)
    ArrangementFactory(scheme=scheme, carer=grace, person=lena)
    ArrangementFactory(scheme=scheme, carer=tom)
    ArrangementFactory(scheme=scheme, carer=asha, person=lena, kind=K.SHORT_BREAKS)
    ArrangementFactory(scheme=scheme, carer=asha, kind=K.DAY_SUPPORT, status=ArrangementStatus.PLANNED)
    ArrangementFactory(
        scheme=scheme,
        carer=tom,
        status=ArrangementStatus.ENDED,
        end_date=dt.date(2026, 3, 1),
        end_reason="planned_move",
    )
    ArrangementFactory(scheme=other_scheme)

    today = section_of(report(client, coordinator), "The scheme today")

    assert today == {
        ("Approved carer households", ""): "3",
        ("Suspended carer households", ""): "1",
        ("Applicant households", ""): "2",
        ("People supported (with a current arrangement)", ""): "2",
        ("Current arrangements", ""): "3",
        ("Current arrangements", "Kind of arrangement: Live-in"): "2",
        ("Current arrangements", "Kind of arrangement: Short breaks"): "1",
        ("Current arrangements", "Kind of arrangement: Day support"): "0",
        ("Current arrangements", "Kind of arrangement: Home from hospital"): "0",
        ("Current arrangements", "Kind of arrangement: Emergency"): "0",
    }


# --- Vacancies ----------------------------------------------------------------


@pytest.fixture
def households(scheme):
    """Four approved households with terms in force today, and two without."""
    since = dt.date(2024, 1, 1)
    grace = approved_carer(
        scheme, kinds=[K.LIVE_IN, K.SHORT_BREAKS], max_people=2, starts_on=since, postcode="LS6 2AB"
    )
    tom = approved_carer(scheme, kinds=[K.LIVE_IN], max_people=3, starts_on=since, postcode="LS6 3CD")
    asha = approved_carer(
        scheme, kinds=[K.SHORT_BREAKS, K.DAY_SUPPORT], max_people=1, starts_on=since, postcode="BD1 1AA"
    )
    omar = approved_carer(scheme, kinds=[K.DAY_SUPPORT], max_people=2, starts_on=since, postcode="WF1 2AB")
    # Living with Grace; with Tom, someone living in and an emergency stay that ends today.
    ArrangementFactory(scheme=scheme, carer=grace)
    ArrangementFactory(scheme=scheme, carer=tom)
    ArrangementFactory(
        scheme=scheme, carer=tom, kind=K.EMERGENCY, start_date=dt.date(2026, 11, 10), end_date=TODAY
    )
    # Asha: a short break that ended this morning, one that starts today, one cancelled.
    breaks = ArrangementFactory(scheme=scheme, carer=asha, kind=K.SHORT_BREAKS)
    room, other_room = RoomFactory(carer=asha), RoomFactory(carer=asha, name="Box room")
    ShortBreakBookingFactory(arrangement=breaks, room=room, dates=(dt.date(2026, 11, 17), TODAY))
    ShortBreakBookingFactory(arrangement=breaks, room=room, dates=(TODAY, dt.date(2026, 11, 22)))
    ShortBreakBookingFactory(
        arrangement=breaks,
        room=other_room,
        dates=(dt.date(2026, 11, 19), dt.date(2026, 11, 23)),
        status=BookingStatus.CANCELLED,
    )
    # Omar: day support takes no place.
    ArrangementFactory(scheme=scheme, carer=omar, kind=K.DAY_SUPPORT)
    # Between terms today (the old ended last month, the new starts next month).
    between = CarerFactory(scheme=scheme, status=S.APPROVED)
    decision = ApprovalDecisionFactory(carer=between)
    for starts_on, ends_on in [(since, dt.date(2026, 10, 31)), (dt.date(2026, 12, 1), None)]:
        ApprovalTerms.objects.create(
            carer=between,
            decision=decision,
            kinds=[K.LIVE_IN],
            max_people=2,
            needs_groups=[],
            starts_on=starts_on,
            ends_on=ends_on,
        )
    # Suspended: no places to offer.
    suspended = approved_carer(scheme, starts_on=since)
    suspended.status = S.SUSPENDED
    suspended.save()
    return {"grace": grace, "tom": tom, "asha": asha, "omar": omar}


def test_vacancies_by_kind_and_by_area(client, coordinator, households):
    vacancies = section_of(report(client, coordinator), "Vacancies")

    assert vacancies[("Approved households with terms in force", "")] == "4"
    assert vacancies[("Approved places", "")] == "8"
    assert vacancies[("Places in use tonight", "")] == "3"
    assert vacancies[("Free places", "")] == "5"
    by_kind = {
        kind: (
            vacancies[("Households approved for it", f"Kind of arrangement: {kind}")],
            vacancies[("Free places", f"Kind of arrangement: {kind}")],
        )
        for kind in ["Live-in", "Short breaks", "Day support", "Home from hospital", "Emergency"]
    }
    assert by_kind == {
        "Live-in": ("2", "3"),
        "Short breaks": ("2", "1"),
        "Day support": ("2", "2"),
        "Home from hospital": ("0", "0"),
        "Emergency": ("0", "0"),
    }
    assert {
        (measure, area): value for (measure, area), value in vacancies.items() if area.startswith("Area")
    } == {
        ("Approved households", "Area: LS6"): "2",
        ("Approved places", "Area: LS6"): "5",
        ("Free places", "Area: LS6"): "3",
        ("Approved households", "Area: WF1"): "1",
        ("Approved places", "Area: WF1"): "2",
        ("Free places", "Area: WF1"): "2",
        ("Approved households", "Area: BD1"): "1",
        ("Approved places", "Area: BD1"): "1",
        ("Free places", "Area: BD1"): "0",
    }


def test_the_areas_with_most_free_places_come_first_on_the_page(client, coordinator, households):
    client.force_login(coordinator)

    by_area = table(client.get(URL), "Free places by area")

    assert list(by_area) == ["LS6", "WF1", "BD1"]
    assert by_area["LS6"] == ["2", "5", "3"]


# --- The approval pipeline ----------------------------------------------------


@pytest.fixture
def applicants(scheme):
    """Households that enquired, and were approved, either side of the
    period 1 Jan to 30 Jun 2026 (the clocks go forward on 29 Mar 2026)."""

    def household(status, enquired_at):
        carer = CarerFactory(scheme=scheme, status=status)
        move(carer, "", S.ENQUIRY, enquired_at)
        return carer

    # Enquired on the first day of the period, approved 59 days later.
    first = household(S.APPROVED, at(2026, 1, 1, 9))
    move(first, S.PANEL, S.APPROVED, at(2026, 3, 1))
    # Enquired late on the last day (22:30 in UTC: the same day).
    household(S.INITIAL_VISIT, at(2026, 6, 30, 23, 30))
    # Enquired the evening before the period; approved in it, 41 days later.
    before = household(S.APPROVED, at(2025, 12, 31, 23, 30))
    move(before, S.PANEL, S.APPROVED, at(2026, 2, 10))
    withdrew = household(S.WITHDRAWN, at(2026, 3, 15))
    move(withdrew, S.ENQUIRY, S.WITHDRAWN, at(2026, 4, 1))
    household(S.DECLINED, at(2026, 4, 1))
    # Half past midnight on 1 Jul in summer time is still 30 Jun in UTC: after the period.
    household(S.ENQUIRY, at(2026, 7, 1, 0, 30))
    # Reinstated after a suspension: not a new approval.
    reinstated = household(S.APPROVED, at(2020, 5, 1))
    move(reinstated, S.SUSPENDED, S.APPROVED, at(2026, 5, 1))
    # Enquired in the period, approved after it.
    later = household(S.APPROVED, at(2026, 5, 5))
    move(later, S.PANEL, S.APPROVED, at(2026, 7, 10))
    # Enquired in the period, approved on its last day, 171 days later.
    last = household(S.APPROVED, at(2026, 1, 10))
    move(last, S.PANEL, S.APPROVED, at(2026, 6, 30, 18))
    # Added through the form today, with no stage history: enquired today.
    CarerFactory(scheme=scheme, status=S.ENQUIRY)


def test_applicants_in_each_stage_today(client, coordinator, applicants):
    pipeline = section_of(report(client, coordinator, **FIRST_HALF), "The approval pipeline")

    stages = {
        breakdown.removeprefix("Stage: "): value
        for (measure, breakdown), value in pipeline.items()
        if measure == "Applicant households"
    }
    assert stages == {
        "Enquiry": "2",
        "Initial visit": "1",
        "Application": "0",
        "Assessment": "0",
        "Ready for panel": "0",
        "Panel": "0",
    }


def test_enquiries_to_approvals_over_the_period(client, coordinator, applicants):
    pipeline = section_of(report(client, coordinator, **FIRST_HALF), "The approval pipeline")

    assert {measure: value for (measure, breakdown), value in pipeline.items() if not breakdown} == {
        "Households that enquired": "6",
        "Of these, approved since": "3",
        "Of these, approved since (%)": "50",
        "Of these, still applying": "1",
        "Of these, declined": "1",
        "Of these, withdrew": "1",
        "Households approved": "3",
        "Median days from enquiry to approval": "59",
        "Average days from enquiry to approval": "90.3",
    }


def test_a_household_added_today_enquired_today(client, coordinator, applicants):
    today_only = {"start": TODAY.isoformat(), "end": TODAY.isoformat()}

    pipeline = section_of(report(client, coordinator, **today_only), "The approval pipeline")

    assert pipeline[("Households that enquired", "")] == "1"
    assert pipeline[("Median days from enquiry to approval", "")] == ""


# --- Referrals ----------------------------------------------------------------


def closed(referral, to, when):
    ReferralStageChange.objects.create(
        referral=referral, from_stage=ReferralStage.MATCHING, to_stage=to, changed_at=when, reason="Closed"
    )


def test_referrals_received_and_their_outcomes(client, coordinator, scheme, other_scheme):
    R = ReferralStage
    first = ReferralFactory(scheme=scheme, received_on=dt.date(2026, 1, 1), stage=R.ARRANGEMENT_STARTED)
    closed(first, R.ARRANGEMENT_STARTED, at(2026, 3, 1))
    ReferralFactory(scheme=scheme, received_on=dt.date(2026, 6, 30), stage=R.MATCHING)
    before = ReferralFactory(scheme=scheme, received_on=dt.date(2025, 12, 1), stage=R.ARRANGEMENT_STARTED)
    closed(before, R.ARRANGEMENT_STARTED, at(2026, 1, 1, 0, 30))
    declined = ReferralFactory(scheme=scheme, received_on=dt.date(2025, 12, 31), stage=R.DECLINED)
    closed(declined, R.DECLINED, at(2026, 6, 30, 23, 59))
    after = ReferralFactory(scheme=scheme, received_on=dt.date(2026, 7, 1), stage=R.NO_MATCH)
    closed(after, R.NO_MATCH, at(2026, 7, 1, 0, 30))
    withdrawn = ReferralFactory(scheme=scheme, received_on=dt.date(2025, 11, 1), stage=R.WITHDRAWN)
    closed(withdrawn, R.WITHDRAWN, at(2025, 12, 31, 23, 59))
    closed(ReferralFactory(scheme=other_scheme, stage=R.DECLINED), R.DECLINED, at(2026, 3, 1))

    referrals = section_of(report(client, coordinator, **FIRST_HALF), "Referrals")

    received = {b: v for (m, b), v in referrals.items() if m == "Referrals received"}
    assert received == {
        "Stage: Referral received": "0",
        "Stage: Assessment visit": "0",
        "Stage: Matching": "1",
        "Stage: Introductions": "0",
        "Stage: Arrangement started": "1",
        "Stage: Declined": "0",
        "Stage: Withdrawn": "0",
        "Stage: No match found": "0",
    }
    outcomes = {b: v for (m, b), v in referrals.items() if m == "Referrals closed"}
    assert outcomes == {
        "Outcome: Arrangement started": "2",
        "Outcome: Declined": "1",
        "Outcome: Withdrawn": "0",
        "Outcome: No match found": "0",
    }
    assert referrals[("All referrals closed", "")] == "3"
    assert referrals[("Closed with an arrangement started (%)", "")] == "66.7"
    # 59 days (1 Jan to 1 Mar) and 31 (1 Dec to 1 Jan).
    assert referrals[("Median days from referral to the arrangement starting", "")] == "45"


# --- Endings, joining and leaving ---------------------------------------------


def ended(scheme, on, reason, **fields):
    return ArrangementFactory(
        scheme=scheme,
        start_date=dt.date(2024, 1, 1),
        status=ArrangementStatus.ENDED,
        end_date=on,
        end_reason=reason,
        **fields,
    )


def test_endings_by_reason(client, coordinator, scheme):
    ended(scheme, dt.date(2026, 1, 1), "breakdown")
    ended(scheme, dt.date(2026, 6, 30), "death")
    ended(scheme, dt.date(2026, 6, 30), "breakdown", kind=K.DAY_SUPPORT)
    ended(scheme, dt.date(2025, 12, 31), "hospital")
    ended(scheme, dt.date(2026, 7, 1), "hospital")
    # A current arrangement with a planned end in the period has not ended.
    ArrangementFactory(scheme=scheme, end_date=dt.date(2026, 3, 1))

    endings = section_of(report(client, coordinator, **FIRST_HALF), "Endings")

    assert {b.removeprefix("Reason: "): v for (m, b), v in endings.items() if v != "0"} == {
        "Arrangement broke down": "2",
        "Death": "1",
    }


def test_carers_joining_and_leaving_by_month(client, coordinator, scheme):
    move(CarerFactory(scheme=scheme), S.PANEL, S.APPROVED, at(2026, 1, 1, 0, 30))
    move(CarerFactory(scheme=scheme), S.SUSPENDED, S.APPROVED, at(2026, 2, 10))
    # Half past midnight on 1 Apr in summer time: 31 Mar in UTC, April here.
    move(CarerFactory(scheme=scheme, status=S.RESIGNED), S.APPROVED, S.RESIGNED, at(2026, 4, 1, 0, 30))
    move(
        CarerFactory(scheme=scheme, status=S.APPROVAL_ENDED),
        S.SUSPENDED,
        S.APPROVAL_ENDED,
        at(2026, 6, 30, 20),
    )
    move(CarerFactory(scheme=scheme, status=S.RESIGNED), S.APPROVED, S.RESIGNED, at(2026, 7, 1, 0, 30))
    move(CarerFactory(scheme=scheme), S.PANEL, S.APPROVED, at(2025, 12, 31, 23, 59))
    client.force_login(coordinator)

    page = client.get(URL, {"start": "2026-01-01", "end": "2026-06-30"})

    assert table(page, "Carer households joining and leaving") == {
        "Jan 2026": ["1", "0", "0", "0"],
        "Feb 2026": ["0", "0", "0", "0"],
        "Mar 2026": ["0", "0", "0", "0"],
        "Apr 2026": ["0", "1", "0", "1"],
        "May 2026": ["0", "0", "0", "0"],
        "Jun 2026": ["0", "0", "1", "1"],
    }
    figures = section_of(report(client, coordinator, **FIRST_HALF), "Carers joining and leaving")
    assert figures[("Approved", "Month: Jan 2026")] == "1"
    assert figures[("Left in all", "Month: Apr 2026")] == "1"


# --- A leap year --------------------------------------------------------------


def test_the_default_period_in_a_leap_year_ends_on_29_february(client, coordinator, scheme):
    with time_machine.travel(dt.datetime(2028, 2, 29, 18, tzinfo=LONDON), tick=False):
        enquired = CarerFactory(scheme=scheme)
        move(enquired, "", S.ENQUIRY, at(2028, 1, 29))
        move(enquired, S.PANEL, S.APPROVED, at(2028, 2, 29, 16))
        ended(scheme, dt.date(2028, 2, 29), "completed")
        ended(scheme, dt.date(2027, 2, 28), "completed")

        figures = report(client, coordinator)

    assert (figures[("Report", "From", "")], figures[("Report", "To", "")]) == ("2027-03-01", "2028-02-29")
    assert figures[("Endings", "Arrangements ended", "Reason: Completed as planned")] == "1"
    pipeline = section_of(figures, "The approval pipeline")
    assert pipeline[("Households approved", "")] == "1"
    # 29 Jan to 29 Feb: 31 days, the 29th of February among them.
    assert pipeline[("Median days from enquiry to approval", "")] == "31"
    months = [b for (s, m, b) in figures if s == "Carers joining and leaving" and m == "Approved"]
    assert months[0] == "Month: Mar 2027" and months[-1] == "Month: Feb 2028" and len(months) == 12
    assert figures[("Carers joining and leaving", "Approved", "Month: Feb 2028")] == "1"


# --- Fast at any size ---------------------------------------------------------


def _add_records(scheme, n):
    """``n`` more of every record the report counts."""
    user = UserFactory()
    for i in range(n):
        carer = approved_carer(scheme, postcode=f"LS{i + 1} 1AA", max_people=3)
        move(carer, "", S.ENQUIRY, at(2026, 2, 1 + i))
        move(carer, S.PANEL, S.APPROVED, at(2026, 5, 1 + i))
        ArrangementFactory(scheme=scheme, carer=carer)
        ended(scheme, dt.date(2026, 3, 1 + i), "planned_move", carer=carer)
        referral = ReferralFactory(scheme=scheme, stage=ReferralStage.DECLINED)
        closed(referral, ReferralStage.DECLINED, at(2026, 4, 1 + i))
        CarerFactory(scheme=scheme, status=S.ASSESSMENT, coordinator=user)


def test_the_report_costs_the_same_queries_for_many_records_as_for_few(
    client, coordinator, scheme, django_assert_max_num_queries
):
    # Every figure is counted by the database (one aggregate per table), so
    # the page makes the same queries for 12 households as for 2.
    client.force_login(coordinator)
    _add_records(scheme, 2)
    client.get(URL)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, FIRST_HALF).status_code == 200

    _add_records(scheme, 10)
    with django_assert_max_num_queries(len(few)):
        figures = csv_figures(client.get(URL, FIRST_HALF))
    with django_assert_max_num_queries(len(few)):
        assert client.get(URL).status_code == 200
    assert figures[("The scheme today", "Approved carer households", "")] == "12"
    # The session, the user and their membership, then the report's own.
    assert len(few) <= 3 + 8
