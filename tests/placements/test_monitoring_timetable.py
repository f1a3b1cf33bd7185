"""When reviews and monitoring visits fall due: the first review weeks
after the start, the next no later than a year (a scheme setting) after the
last, visits monthly for six months; calendar months across month ends and
leap years. Starting an arrangement schedules them; ending it cancels the
visits after the end and clears the review."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from placements.models import ArrangementStatus, MonitoringSettings, MonitoringVisit
from placements.monitoring import due_in_words, first_review_due, latest_next_review, visit_due_dates
from placements.services import end_arrangement, start_arrangement
from tests.factories import (
    ArrangementFactory,
    MonitoringVisitFactory,
    approved_carer,
    complete_required_checks,
)

LONDON = ZoneInfo("Europe/London")


def _settings(**fields) -> MonitoringSettings:
    return MonitoringSettings(**fields)


# --- The timetable itself ---------------------------------------------------


@pytest.mark.parametrize(
    ("weeks", "due"),
    [(4, dt.date(2028, 2, 28)), (6, dt.date(2028, 3, 13)), (8, dt.date(2028, 3, 27))],
)
def test_the_first_review_is_the_schemes_number_of_weeks_after_the_start(weeks, due):
    assert first_review_due(dt.date(2028, 1, 31), _settings(first_review_weeks=weeks)) == due


def test_the_first_review_runs_across_the_end_of_a_leap_february():
    # 4 weeks from 1 Feb 2028 is 29 Feb; from 2 Feb 2028 it is 1 Mar.
    assert first_review_due(dt.date(2028, 2, 1), _settings(first_review_weeks=4)) == dt.date(2028, 2, 29)
    assert first_review_due(dt.date(2028, 2, 2), _settings(first_review_weeks=4)) == dt.date(2028, 3, 1)


@pytest.mark.parametrize(
    ("held", "latest"),
    [
        (dt.date(2028, 2, 29), dt.date(2029, 2, 28)),  # no 29 Feb in 2029
        (dt.date(2027, 2, 28), dt.date(2028, 2, 28)),  # not the 29th, though 2028 has one
        (dt.date(2026, 12, 31), dt.date(2027, 12, 31)),
    ],
)
def test_the_next_review_is_due_at_the_latest_a_year_after_the_last(held, latest):
    assert latest_next_review(held, _settings(review_every_months=12)) == latest


def test_a_scheme_can_review_more_often():
    assert latest_next_review(dt.date(2026, 8, 31), _settings(review_every_months=6)) == dt.date(2027, 2, 28)


def test_monthly_visits_from_the_31st_fall_on_each_months_last_day_in_a_leap_year():
    assert visit_due_dates(dt.date(2028, 1, 31), _settings()) == [
        dt.date(2028, 2, 29),
        dt.date(2028, 3, 31),
        dt.date(2028, 4, 30),
        dt.date(2028, 5, 31),
        dt.date(2028, 6, 30),
        dt.date(2028, 7, 31),
    ]


def test_monthly_visits_from_the_31st_in_an_ordinary_year_start_on_28_february():
    assert visit_due_dates(dt.date(2027, 1, 31), _settings())[:2] == [
        dt.date(2027, 2, 28),
        dt.date(2027, 3, 31),
    ]


def test_visits_follow_the_schemes_settings():
    every_two = _settings(visit_every_months=2, visits_for_months=6)
    none = _settings(visits_for_months=0)

    assert visit_due_dates(dt.date(2026, 11, 30), every_two) == [
        dt.date(2027, 1, 30),
        dt.date(2027, 3, 30),
        dt.date(2027, 5, 30),
    ]
    assert visit_due_dates(dt.date(2026, 11, 30), none) == []


@pytest.mark.parametrize(
    ("due", "words"),
    [
        (dt.date(2026, 11, 20), "due today"),
        (dt.date(2026, 11, 21), "due in 1 day"),
        (dt.date(2026, 12, 1), "due in 11 days"),
        (dt.date(2026, 11, 19), "overdue by 1 day"),
        (dt.date(2026, 10, 31), "overdue by 20 days"),
    ],
)
def test_how_far_off_a_date_is_in_words(due, words):
    assert due_in_words(due, dt.date(2026, 11, 20)) == words


# --- Starting schedules them ------------------------------------------------


@pytest.fixture
def as_coordinator(coordinator):
    return coordinator.memberships.get()


def _planned(scheme, today, start, **fields):
    carer = approved_carer(scheme, first_name="Mary", last_name="Lowe", starts_on=dt.date(2025, 1, 6))
    complete_required_checks(carer, today)
    return ArrangementFactory(
        scheme=scheme, carer=carer, status=ArrangementStatus.PLANNED, start_date=start, **fields
    )


def _visits(arrangement) -> list[dt.date]:
    return list(MonitoringVisit.objects.filter(arrangement=arrangement).values_list("due_on", flat=True))


def test_starting_an_arrangement_sets_the_first_review_and_schedules_the_visits(scheme, as_coordinator):
    with time_machine.travel(dt.datetime(2028, 1, 31, 10, tzinfo=LONDON), tick=False):
        planned = _planned(scheme, dt.date(2028, 1, 31), dt.date(2028, 1, 31))

        start_arrangement(arrangement=planned, membership=as_coordinator, start_date=dt.date(2028, 1, 31))

    planned.refresh_from_db()
    assert planned.next_review_due == dt.date(2028, 3, 13)  # six weeks, the default
    assert _visits(planned) == visit_due_dates(dt.date(2028, 1, 31), _settings())
    assert _visits(planned)[0] == dt.date(2028, 2, 29)


@pytest.mark.parametrize(("weeks", "due"), [(4, dt.date(2028, 2, 28)), (8, dt.date(2028, 3, 27))])
def test_starting_follows_the_schemes_own_timetable(scheme, as_coordinator, weeks, due):
    MonitoringSettings.objects.create(
        scheme=scheme, first_review_weeks=weeks, visit_every_months=3, visits_for_months=6
    )
    with time_machine.travel(dt.datetime(2028, 1, 31, 10, tzinfo=LONDON), tick=False):
        planned = _planned(scheme, dt.date(2028, 1, 31), dt.date(2028, 1, 31))

        start_arrangement(arrangement=planned, membership=as_coordinator, start_date=dt.date(2028, 1, 31))

    assert planned.next_review_due == due
    assert _visits(planned) == [dt.date(2028, 4, 30), dt.date(2028, 7, 31)]


def test_no_visit_is_scheduled_after_a_planned_end(scheme, as_coordinator):
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=LONDON), tick=False):
        planned = _planned(
            scheme, dt.date(2026, 11, 20), dt.date(2026, 11, 30), end_date=dt.date(2027, 1, 30)
        )

        start_arrangement(arrangement=planned, membership=as_coordinator, start_date=dt.date(2026, 11, 30))

    assert _visits(planned) == [dt.date(2026, 12, 30), dt.date(2027, 1, 30)]


# --- Ending cancels them -----------------------------------------------------


def test_ending_cancels_the_visits_after_the_end_and_clears_the_review(scheme, as_coordinator, arrangement):
    arrangement.next_review_due = dt.date(2026, 12, 1)
    arrangement.save()
    held = MonitoringVisitFactory(
        arrangement=arrangement,
        due_on=dt.date(2026, 9, 6),
        held_on=dt.date(2026, 9, 8),
        visited_by=as_coordinator.user,
        notes="All well.",
    )
    missed = MonitoringVisitFactory(arrangement=arrangement, due_on=dt.date(2026, 10, 6))
    on_the_day = MonitoringVisitFactory(arrangement=arrangement, due_on=dt.date(2026, 11, 20))
    after = MonitoringVisitFactory(arrangement=arrangement, due_on=dt.date(2026, 12, 6))

    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=LONDON), tick=False):
        end_arrangement(
            arrangement=arrangement,
            membership=as_coordinator,
            end_date=dt.date(2026, 11, 20),
            reason="hospital",
        )

    arrangement.refresh_from_db()
    assert arrangement.next_review_due is None
    cancelled = {visit.pk: visit.cancelled for visit in MonitoringVisit.objects.all()}
    assert cancelled == {held.pk: False, missed.pk: False, on_the_day.pk: False, after.pk: True}
    assert MonitoringVisit.objects.due_by(dt.date(2027, 1, 1)).count() == 2
