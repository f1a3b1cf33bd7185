"""The report for a CQC inspection: every figure against a scheme built by
hand, with records on the first and last day of the period (and just
outside it, in the scheme's time zone), a leap year, and a constant number
of queries however many records there are."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carers.models import CarerStatus, CheckKind, CheckStatus
from placements.models import ComplaintOutcome, FeedbackKind, IncidentCategory
from tests.factories import (
    ArrangementFactory,
    ArrangementReviewFactory,
    CarerFactory,
    CarerReviewFactory,
    CheckFactory,
    CqcNotificationFactory,
    FeedbackFactory,
    IncidentFactory,
    UserFactory,
)
from tests.sharedlives.reports import csv_figures, section_of, table

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=LONDON)
TODAY = NOW.date()
URL = reverse("report_inspection")
FIRST_HALF = {"start": "2026-01-01", "end": "2026-06-30"}
S = CarerStatus
d = dt.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def at(year, month, day, hour=10, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def report(client, user, **params) -> dict:
    client.force_login(user)
    return csv_figures(client.get(URL, {**FIRST_HALF, "format": "csv", **params}))


def headline(figures: dict, section: str) -> dict[str, str]:
    return {m: v for (m, b), v in section_of(figures, section).items() if not b}


# --- Reviews ------------------------------------------------------------------


def test_arrangement_reviews_on_time_late_and_overdue(client, coordinator, scheme, other_scheme):
    def review(held_on, due_on):
        ArrangementReviewFactory(arrangement__scheme=scheme, held_on=held_on, due_on=due_on)

    review(d(2026, 1, 1), d(2026, 1, 1))  # on the day due, the period's first
    review(d(2026, 5, 1), d(2026, 5, 15))  # early
    review(d(2026, 3, 10), d(2026, 3, 6))  # 4 days late
    review(d(2026, 6, 30), d(2026, 6, 20))  # 10 days late, the period's last day
    review(d(2026, 4, 1), None)
    review(d(2025, 12, 31), d(2025, 11, 1))
    review(d(2026, 7, 1), d(2026, 6, 1))
    ArrangementReviewFactory(arrangement__scheme=other_scheme, held_on=d(2026, 2, 1), due_on=d(2026, 1, 1))
    for due in [d(2026, 11, 19), TODAY, d(2026, 12, 20), d(2026, 12, 21)]:
        ArrangementFactory(scheme=scheme, next_review_due=due)
    ArrangementFactory(
        scheme=scheme,
        status="ended",
        end_date=d(2026, 8, 1),
        end_reason="completed",
        next_review_due=d(2026, 9, 1),
    )

    figures = report(client, coordinator)

    assert section_of(figures, "Arrangement reviews") == {
        ("Reviews", "Held: On time (on or before the day due)"): "2",
        ("Reviews", "Held: Late"): "2",
        ("Reviews", "Held: No due date recorded"): "1",
        ("Reviews held", ""): "5",
        ("Held on time (%)", ""): "50",
        ("Median days late, of those late", ""): "7",
        ("Most days late", ""): "10",
        ("Overdue today", ""): "1",
        ("Due in the next 30 days", ""): "2",
    }


def test_carers_annual_reviews_on_time_late_and_overdue(client, coordinator, scheme):
    def review(held_on, due_on):
        CarerReviewFactory(carer__scheme=scheme, held_on=held_on, due_on=due_on)

    review(d(2026, 1, 1), d(2026, 1, 1))
    review(d(2026, 6, 30), d(2026, 6, 1))
    review(d(2026, 2, 1), None)
    review(d(2025, 12, 31), d(2025, 12, 1))
    CarerFactory(scheme=scheme, next_review_due=d(2026, 11, 19))
    CarerFactory(scheme=scheme, status=S.SUSPENDED, next_review_due=d(2026, 11, 1))
    CarerFactory(scheme=scheme, next_review_due=d(2026, 11, 25))
    CarerFactory(scheme=scheme, status=S.RESIGNED, next_review_due=d(2026, 1, 1))

    reviews = headline(report(client, coordinator), "Carers' annual reviews")

    assert reviews == {
        "Reviews held": "3",
        "Held on time (%)": "50",
        "Median days late, of those late": "29",
        "Most days late": "29",
        "Overdue today": "2",
        "Due in the next 30 days": "1",
    }


# --- Checks and training --------------------------------------------------------


@pytest.fixture
def checks(scheme):
    K = CheckKind

    def check(carer, kind, issued_on, **fields):
        return CheckFactory(
            carer=carer, kind=kind, issued_on=issued_on, received_on=issued_on, requested_on=None, **fields
        )

    grace = CarerFactory(scheme=scheme, first_name="Grace")
    check(grace, K.DBS, d(2023, 1, 1))  # three years on: lapsed on 1 Jan 2026
    check(grace, K.HOME_INSURANCE, d(2025, 12, 1))  # lapses on 1 Dec: within 60 days
    check(grace, K.INDUCTION, d(2020, 1, 1))  # does not lapse
    tom = CarerFactory(scheme=scheme, first_name="Tom")
    check(tom, K.DBS, d(2020, 1, 1))  # renewed since
    check(tom, K.DBS, d(2025, 6, 1))
    check(tom, K.GAS_SAFETY, d(2025, 10, 1), expires_on=d(2026, 10, 1))  # lapsed, not required
    check(tom, K.FIRST_AID, d(2024, 1, 15))  # lapses on 15 Jan 2027
    check(tom, K.INDUCTION, None, status=CheckStatus.REQUESTED)
    check(
        tom,
        K.SAFEGUARDING,
        d(2025, 3, 1),
        status=CheckStatus.CONCERN,
        risk_assessment="Discussed; no risk to people supported.",
        signed_off_by=UserFactory(),
    )
    suspended = CarerFactory(scheme=scheme, status=S.SUSPENDED)
    check(suspended, K.HOME_INSURANCE, d(2025, 11, 20), expires_on=d(2026, 11, 19))
    check(suspended, K.SAFEGUARDING, d(2022, 1, 1))  # lapsed
    check(suspended, K.MEDICATION, d(2025, 12, 1))
    # Not relied on: resigned, or still applying.
    check(CarerFactory(scheme=scheme, status=S.RESIGNED), K.DBS, d(2020, 1, 1))
    check(CarerFactory(scheme=scheme, status=S.ASSESSMENT), K.HOME_INSURANCE, d(2024, 1, 1))


def test_checks_lapsed_and_lapsing(client, coordinator, checks):
    figures = report(client, coordinator)

    assert headline(figures, "Checks") == {
        "Approved or suspended households": "3",
        "Households with a required check lapsed": "2",
        "Required records lapsed": "2",
        "Records that lapse in the next 60 days": "2",
    }
    client.force_login(coordinator)
    assert table(client.get(URL, FIRST_HALF), "Checks lapsed and lapsing") == {
        "Enhanced DBS with adults' barred list": ["1", "0"],
        "Home insurance": ["1", "1"],
        "First aid training": ["0", "1"],
    }


def test_training_current(client, coordinator, checks):
    training = section_of(report(client, coordinator), "Training")

    current = {
        b.removeprefix("Training: "): (v, training[("Of approved or suspended households (%)", b)])
        for (m, b), v in training.items()
        if m == "Households with it current"
    }
    assert current == {
        "Induction training": ("1", "33.3"),
        "Care Certificate": ("0", "0"),
        "First aid training": ("1", "33.3"),
        "Safeguarding training": ("1", "33.3"),
        "Mental Capacity Act training": ("0", "0"),
        "Equality and diversity training": ("0", "0"),
        "Medication training": ("1", "33.3"),
        "Data protection training": ("0", "0"),
    }
    assert training[("Required by the scheme", "Training: Induction training")] == "Yes"
    assert training[("Required by the scheme", "Training: First aid training")] == "No"


# --- Incidents, notifications, compliments and complaints -------------------------


def test_incidents_by_category_open_and_closed(client, coordinator, scheme, other_scheme):
    closer = UserFactory()

    def incident(when, category, closed=False):
        extra = {"closed_on": when.date(), "closed_by": closer, "outcome": "Resolved."} if closed else {}
        IncidentFactory(scheme=scheme, occurred_at=when, category=category, **extra)

    incident(at(2026, 1, 1, 0, 30), IncidentCategory.ACCIDENT)
    incident(at(2026, 6, 30, 23, 30), IncidentCategory.ACCIDENT, closed=True)
    incident(at(2026, 3, 1), IncidentCategory.POLICE, closed=True)
    incident(at(2026, 7, 1, 0, 30), IncidentCategory.MEDICATION)  # 30 Jun in UTC
    incident(at(2025, 12, 31, 23, 59), IncidentCategory.SAFEGUARDING)
    IncidentFactory(scheme=other_scheme, occurred_at=at(2026, 3, 1))
    client.force_login(coordinator)

    incidents = table(client.get(URL, FIRST_HALF), "Incidents in the period")

    assert incidents == {
        "Accident or injury": ["2", "1", "1"],
        "Medication error": ["0", "0", "0"],
        "Safeguarding concern": ["0", "0", "0"],
        "Police involvement": ["1", "0", "1"],
        "Complaint": ["0", "0", "0"],
        "Missing person": ["0", "0", "0"],
        "Other": ["0", "0", "0"],
        "All incidents": ["3", "1", "2"],
    }


def test_cqc_notifications_and_how_long_each_took(client, manager, scheme):
    def notification(known_at, sent_on=None, reference=""):
        sent = {"sent_on": sent_on, "reference": reference, "sent_by": manager} if sent_on else {}
        return CqcNotificationFactory(
            incident__scheme=scheme, incident__occurred_at=known_at, due_from=known_at, **sent
        )

    notification(at(2026, 1, 1, 9), d(2026, 1, 1), "CQC-0001")
    # Half past midnight on 1 Apr in summer time (31 Mar in UTC): two days, not three.
    notification(at(2026, 4, 1, 0, 30), d(2026, 4, 3), "CQC-0002")
    notification(at(2026, 5, 1))  # not sent: 203 days so far
    notification(at(2025, 12, 1))  # not sent, before the period: 354 days
    notification(at(2026, 7, 2), d(2026, 7, 2), "CQC-0003")
    client.force_login(manager)

    page = client.get(URL, FIRST_HALF)
    figures = report(client, manager)

    assert headline(figures, "CQC notifications") == {
        "Notifications due in the period": "3",
        "Sent": "2",
        "Sent the same day": "1",
        "Median days taken": "1",
        "Not sent yet (any date)": "2",
        "Longest wait so far, in days": "354",
    }
    listed = table(page, "Each notification due in the period")
    assert [cells[1:] for cells in listed.values()] == [
        ["1 Jan 2026", "1 Jan 2026", "CQC-0001", "0"],
        ["1 Apr 2026", "3 Apr 2026", "CQC-0002", "2"],
        ["1 May 2026", "—", "—", "—"],
    ]
    assert all(cells[0] == "A serious injury" for cells in listed.values())


def test_compliments_and_complaints(client, coordinator, scheme):
    closer = UserFactory()

    def complaint(received_on, outcome="", closed_on=None):
        closed = {"closed_on": closed_on, "closed_by": closer} if closed_on else {}
        FeedbackFactory(
            scheme=scheme, kind=FeedbackKind.COMPLAINT, received_on=received_on, outcome=outcome, **closed
        )

    for day in [d(2026, 1, 1), d(2026, 6, 30), d(2025, 12, 31)]:
        FeedbackFactory(scheme=scheme, received_on=day)
    complaint(d(2026, 2, 1), ComplaintOutcome.UPHELD, d(2026, 2, 11))
    complaint(d(2026, 3, 1), ComplaintOutcome.NOT_UPHELD, d(2026, 3, 31))
    complaint(d(2026, 6, 30))
    complaint(d(2026, 7, 1))

    feedback = section_of(report(client, coordinator), "Compliments and complaints")

    assert feedback == {
        ("Compliments", ""): "2",
        ("Complaints", ""): "3",
        ("Complaints still open", ""): "1",
        ("Average days to close a complaint", ""): "20",
        ("Complaints", "Outcome: Upheld"): "1",
        ("Complaints", "Outcome: Partly upheld"): "0",
        ("Complaints", "Outcome: Not upheld"): "1",
        ("Complaints", "Outcome: Withdrawn"): "0",
        ("Complaints", "Outcome: No outcome yet"): "1",
    }


def test_a_leap_year_period_ends_on_29_february(client, coordinator, scheme):
    ArrangementReviewFactory(arrangement__scheme=scheme, held_on=d(2028, 2, 29), due_on=d(2028, 2, 28))
    IncidentFactory(scheme=scheme, occurred_at=at(2028, 2, 29, 23, 30))
    IncidentFactory(scheme=scheme, occurred_at=at(2028, 3, 1, 0, 30))
    FeedbackFactory(scheme=scheme, received_on=d(2028, 2, 29))

    figures = report(client, coordinator, start="2028-02-01", end="2028-02-29")

    assert figures[("Arrangement reviews", "Reviews", "Held: Late")] == "1"
    assert figures[("Arrangement reviews", "Most days late", "")] == "1"
    assert figures[("Incidents", "Incidents", "Category: All incidents")] == "1"
    assert figures[("Compliments and complaints", "Compliments", "")] == "1"


# --- Fast at any size -----------------------------------------------------------


def _add_records(scheme, n, manager, first=0):
    for i in range(first, first + n):
        carer = CarerFactory(scheme=scheme, next_review_due=d(2026, 11, 1))
        CheckFactory(carer=carer, kind=CheckKind.DBS, issued_on=d(2023, 1, 1 + i), requested_on=None)
        CheckFactory(carer=carer, kind=CheckKind.FIRST_AID, issued_on=d(2025, 1, 1 + i), requested_on=None)
        CarerReviewFactory(carer=carer, held_on=d(2026, 3, 1 + i), due_on=d(2026, 3, 1))
        arrangement = ArrangementFactory(scheme=scheme, carer=carer, next_review_due=d(2026, 11, 1))
        ArrangementReviewFactory(arrangement=arrangement, held_on=d(2026, 2, 1 + i), due_on=d(2026, 2, 3))
        CqcNotificationFactory(
            incident__scheme=scheme,
            incident__occurred_at=at(2026, 4, 1 + i),
            due_from=at(2026, 4, 1 + i),
            sent_on=d(2026, 4, 2 + i),
            reference="X",
            sent_by=manager,
        )
        IncidentFactory(scheme=scheme, occurred_at=at(2026, 5, 1 + i))
        FeedbackFactory(scheme=scheme, kind=FeedbackKind.COMPLAINT, received_on=d(2026, 6, 1 + i))


def test_the_report_costs_the_same_queries_for_many_records_as_for_few(
    client, manager, scheme, django_assert_max_num_queries
):
    # Every figure is counted by the database, one aggregate per table, and
    # the notifications are listed with their incidents joined in.
    client.force_login(manager)
    _add_records(scheme, 2, manager)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, FIRST_HALF).status_code == 200

    _add_records(scheme, 10, manager, first=2)
    with django_assert_max_num_queries(len(few)):
        response = client.get(URL, FIRST_HALF)
    assert len(table(response, "Each notification due in the period")) == 12
    # The session, the user and their membership, the scheme's settings, then the report's own.
    assert len(few) <= 3 + 2 + 13
