"""The yearly count for Shared Lives Plus: every figure against a scheme
built by hand, with records on 31 March and 1 April either side of the year
(in the scheme's time zone), a leap year, a year not over yet, and a
constant number of queries however many records there are."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carers.models import ApprovalTerms, CarerStatus
from placements.models import ArrangementStatus
from sharedlives.choices import ArrangementKind, NeedsGroup
from sharedlives.models import Role
from tests.factories import (
    ApprovalDecisionFactory,
    ArrangementFactory,
    CarerFactory,
    MembershipFactory,
    PersonFactory,
    StageChangeFactory,
    UserFactory,
)
from tests.sharedlives.reports import csv_figures, section_of, table

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=LONDON)
URL = reverse("report_yearly_count")
S = CarerStatus
K = ArrangementKind
G = NeedsGroup


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def at(year, month, day, hour=10, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def report(client, user, year) -> dict:
    client.force_login(user)
    return csv_figures(client.get(URL, {"year": year, "format": "csv"}))


def household(scheme, *terms, status=S.APPROVED, **fields):
    """A household with terms of approval from and to the dates given."""
    carer = CarerFactory(scheme=scheme, status=status, **fields)
    decision = ApprovalDecisionFactory(carer=carer)
    for starts_on, ends_on in terms:
        ApprovalTerms.objects.create(
            carer=carer,
            decision=decision,
            kinds=[K.LIVE_IN],
            max_people=2,
            needs_groups=[],
            starts_on=starts_on,
            ends_on=ends_on,
        )
    return carer


def move(carer, frm, to, when):
    StageChangeFactory(carer=carer, from_status=frm, to_status=to, changed_at=when)


@pytest.fixture
def carers(scheme, other_scheme):
    d = dt.date
    # Joint carers, approved before the year, with a change of terms in it.
    household(
        scheme,
        (d(2024, 1, 1), d(2025, 9, 30)),
        (d(2025, 10, 1), None),
        joint_first_name="Sam",
        joint_last_name="Okafor",
    )
    # Approved on the first day of the year, and on its last (late, in summer time).
    move(household(scheme, (d(2025, 4, 1), None)), S.PANEL, S.APPROVED, at(2025, 4, 1))
    move(household(scheme, (d(2026, 3, 31), None)), S.PANEL, S.APPROVED, at(2026, 3, 31, 23, 30))
    # Resigned on the last day of the year before (its terms ended then).
    before = household(scheme, (d(2023, 1, 1), d(2025, 3, 31)), status=S.RESIGNED)
    move(before, S.APPROVED, S.RESIGNED, at(2025, 3, 31, 23, 30))
    # Resigned at half past midnight on 1 Apr 2025: 31 Mar in UTC, but this year here.
    resigned = household(scheme, (d(2022, 1, 1), d(2025, 4, 1)), status=S.RESIGNED)
    move(resigned, S.APPROVED, S.RESIGNED, at(2025, 4, 1, 0, 30))
    ended = household(scheme, (d(2024, 6, 1), d(2025, 10, 1)), status=S.APPROVAL_ENDED)
    move(ended, S.SUSPENDED, S.APPROVAL_ENDED, at(2025, 10, 1))
    # Approved just after the year.
    move(household(scheme, (d(2026, 4, 1), None)), S.PANEL, S.APPROVED, at(2026, 4, 1, 0, 30))
    # Suspended, then reinstated in the year: approved all along, not new.
    reinstated = household(scheme, (d(2024, 1, 1), None))
    move(reinstated, S.APPROVED, S.SUSPENDED, at(2025, 5, 1))
    move(reinstated, S.SUSPENDED, S.APPROVED, at(2025, 6, 1))
    household(scheme, (d(2024, 1, 1), None), status=S.SUSPENDED)
    household(other_scheme, (d(2024, 1, 1), None))


def test_carers_approved_new_and_leaving_in_the_year(client, coordinator, carers):
    counted = section_of(report(client, coordinator, 2025), "Carers")

    assert counted == {
        ("Approved at any time in the year", "Households"): "7",
        ("Approved at any time in the year", "Carers (people)"): "8",
        ("Approved at the end of the year", "Households"): "5",
        ("Approved at the end of the year", "Carers (people)"): "6",
        ("Newly approved in the year", "Households"): "2",
        ("Newly approved in the year", "Carers (people)"): "2",
        ("Resigned in the year", "Households"): "1",
        ("Resigned in the year", "Carers (people)"): "1",
        ("Approval ended in the year", "Households"): "1",
        ("Approval ended in the year", "Carers (people)"): "1",
    }


def test_the_year_before_counts_its_own_last_day(client, coordinator, carers):
    counted = section_of(report(client, coordinator, 2024), "Carers")

    assert counted[("Resigned in the year", "Households")] == "1"
    assert counted[("Newly approved in the year", "Households")] == "0"


def test_a_year_not_over_yet_counts_to_today(client, coordinator, carers):
    client.force_login(coordinator)

    response = client.get(URL, {"year": 2026})

    assert table(response, "Approved carers")["Approved today (20 Nov 2026)"] == ["6", "7"]
    assert table(response, "Approved carers")["Newly approved in the year"] == ["1", "1"]


def test_staff_by_role(client, scheme, other_scheme, manager, coordinator, carer, other_coordinator):
    MembershipFactory(scheme=scheme, role=Role.COORDINATOR)
    MembershipFactory(scheme=scheme, role=Role.COORDINATOR, user=UserFactory(is_active=False))

    staff = section_of(report(client, coordinator, 2025), "Staff")

    assert staff == {
        ("Staff", "Role: Registered manager"): "1",
        ("Staff", "Role: Coordinators"): "2",
        ("Staff", "Role: All staff"): "3",
    }


@pytest.fixture
def people(scheme, other_scheme):
    d = dt.date

    def person(*groups):
        return PersonFactory(scheme=scheme, needs_groups=list(groups))

    def arrangement(who, kind, start, end=None, status=None):
        status = status or (ArrangementStatus.ENDED if end else ArrangementStatus.CURRENT)
        ArrangementFactory(
            scheme=scheme,
            person=who,
            kind=kind,
            start_date=start,
            end_date=end,
            end_reason="planned_move" if status == ArrangementStatus.ENDED else "",
            status=status,
        )

    lives_in = person(G.LEARNING_DISABILITY, G.AUTISM)
    arrangement(lives_in, K.LIVE_IN, d(2024, 1, 1))
    arrangement(lives_in, K.DAY_SUPPORT, d(2024, 1, 1), d(2025, 4, 1))  # its last day is in the year
    arrangement(person(G.MENTAL_HEALTH), K.SHORT_BREAKS, d(2024, 1, 1), d(2025, 3, 31))  # before
    arrangement(person(), K.SHORT_BREAKS, d(2026, 3, 31))  # from the year's last day
    arrangement(
        person(G.DEMENTIA, G.OLDER_PERSON), K.LIVE_IN, d(2026, 1, 1), status=ArrangementStatus.PLANNED
    )
    arrangement(person(G.PHYSICAL), K.EMERGENCY, d(2026, 4, 1))  # after
    arrangement(person(G.LEARNING_DISABILITY), K.HOME_FROM_HOSPITAL, d(2025, 6, 1), d(2025, 7, 1))
    ArrangementFactory(scheme=other_scheme)


def test_people_supported_by_kind_and_by_needs_group(client, coordinator, people):
    counted = section_of(report(client, coordinator, 2025), "People supported")

    during, at_end = "During the year", "At the end of the year"
    assert counted[("People supported (any arrangement)", during)] == "3"
    assert counted[("People supported (any arrangement)", at_end)] == "2"
    by_kind = {
        b.removeprefix("Kind of arrangement: "): (v, counted[(at_end, b)])
        for (m, b), v in counted.items()
        if m == during and b.startswith("Kind")
    }
    assert by_kind == {
        "Live-in": ("1", "1"),
        "Short breaks": ("1", "1"),
        "Day support": ("1", "0"),
        "Home from hospital": ("1", "0"),
        "Emergency": ("0", "0"),
    }
    by_group = {
        b.removeprefix("Needs group: "): (v, counted[(at_end, b)])
        for (m, b), v in counted.items()
        if m == during and b.startswith("Needs")
    }
    assert by_group == {
        "Learning disability": ("2", "1"),
        "Autism": ("1", "1"),
        "Mental ill-health": ("0", "0"),
        "Dementia": ("0", "0"),
        "Physical impairment": ("0", "0"),
        "Sensory impairment": ("0", "0"),
        "Older person": ("0", "0"),
        "No needs group recorded": ("1", "1"),
    }


def test_a_leap_year_counts_29_february(client, coordinator, scheme):
    with time_machine.travel(dt.datetime(2028, 5, 1, 10, tzinfo=LONDON), tick=False):
        move(household(scheme, (dt.date(2028, 2, 29), None)), S.PANEL, S.APPROVED, at(2028, 2, 29, 23, 30))
        ArrangementFactory(scheme=scheme, start_date=dt.date(2028, 2, 29))
        ArrangementFactory(
            scheme=scheme,
            kind=K.SHORT_BREAKS,
            start_date=dt.date(2027, 1, 1),
            end_date=dt.date(2028, 2, 29),
            end_reason="completed",
            status=ArrangementStatus.ENDED,
        )
        figures = report(client, coordinator, 2027)

    assert (figures[("Report", "From", "")], figures[("Report", "To", "")]) == ("2027-04-01", "2028-03-31")
    assert figures[("Carers", "Newly approved in the year", "Households")] == "1"
    people = section_of(figures, "People supported")
    assert people[("During the year", "Kind of arrangement: Live-in")] == "1"
    assert people[("During the year", "Kind of arrangement: Short breaks")] == "1"
    assert people[("At the end of the year", "Kind of arrangement: Short breaks")] == "0"


def _add_records(scheme, n):
    for i in range(n):
        carer = household(scheme, (dt.date(2024, 1, 1), None), joint_first_name="Jo", joint_last_name="Ng")
        move(carer, S.PANEL, S.APPROVED, at(2025, 5, 1 + i))
        ArrangementFactory(scheme=scheme, carer=carer, person__needs_groups=[G.AUTISM, G.SENSORY])
        ArrangementFactory(scheme=scheme, carer=carer, kind=K.DAY_SUPPORT)
        MembershipFactory(scheme=scheme, role=Role.COORDINATOR)


def test_the_count_costs_the_same_queries_for_many_records_as_for_few(
    client, coordinator, scheme, django_assert_max_num_queries
):
    # Every figure is counted by the database, one aggregate per table.
    client.force_login(coordinator)
    _add_records(scheme, 2)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, {"year": 2025}).status_code == 200

    _add_records(scheme, 10)
    with django_assert_max_num_queries(len(few)):
        figures = csv_figures(client.get(URL, {"year": 2025, "format": "csv"}))
    assert figures[("Carers", "Newly approved in the year", "Carers (people)")] == "24"
    assert figures[("Staff", "Staff", "Role: Coordinators")] == "13"
    # The session, the user and their membership, then the count's own five.
    assert len(few) <= 3 + 5
