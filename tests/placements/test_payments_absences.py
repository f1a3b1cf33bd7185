"""Nights away on an arrangement's page: recording them (refusals in words,
the input kept), the list, removing them, and the database's rule that one
arrangement's nights away never overlap."""

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from placements.models import Absence, AbsenceReason, ArrangementStatus
from placements.payment_runs import approve_payment_run, create_payment_run, mark_reviewed
from tests.factories import AbsenceFactory, ArrangementFactory, RateAmountFactory
from tests.sharedlives.pages import Page


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC), tick=False):
        yield


def _new_url(arrangement):
    return reverse("arrangement_absence_new", args=[arrangement.pk])


def _data(reason="hospital", first="2026-12-10", back="2026-12-14", note="Hip operation"):
    return {"reason": reason, "first_night": first, "back_on": back, "note": note}


def _absences_text(client, arrangement) -> str:
    page = Page(client.get(reverse("arrangement_detail", args=[arrangement.pk])))
    return page.find("section", id="absences").text


def test_a_coordinator_records_a_hospital_stay_and_it_is_listed(client, coordinator, arrangement):
    client.force_login(coordinator)

    response = client.post(_new_url(arrangement), _data(), follow=True)

    assert Page(response).messages == [
        "Done: Hospital stay: 4 nights away from 10 Dec 2026, back on 14 Dec 2026, has been recorded."
    ]
    absence = Absence.objects.get()
    assert (absence.dates.lower, absence.dates.upper, absence.recorded_by) == (
        dt.date(2026, 12, 10),
        dt.date(2026, 12, 14),
        coordinator,
    )
    assert "Hospital stay Thu 10 Dec 2026 Mon 14 Dec 2026 4 Hip operation" in _absences_text(
        client, arrangement
    )


def test_back_before_the_first_night_is_refused_next_to_the_field(client, coordinator, arrangement):
    client.force_login(coordinator)

    page = Page(client.post(_new_url(arrangement), _data(first="2026-12-10", back="2026-12-10")))

    assert page.error_for("back_on") == "The day they come back must be after the first night away."
    assert page.value_of("note") == "Hip operation"
    assert not Absence.objects.exists()


def test_overlapping_nights_away_are_refused_in_words(client, coordinator, arrangement):
    AbsenceFactory(
        arrangement=arrangement,
        reason=AbsenceReason.HOLIDAY,
        dates=(dt.date(2026, 12, 12), dt.date(2026, 12, 19)),
    )
    client.force_login(coordinator)

    page = Page(client.post(_new_url(arrangement), _data()))

    assert (
        "The person's holiday from 12 Dec 2026 to 19 Dec 2026 is already recorded; change the dates so they "
        "do not overlap."
    ) in page.main_text
    assert Absence.objects.count() == 1


def test_nights_away_must_fall_within_the_arrangements_dates(client, coordinator, arrangement):
    client.force_login(coordinator)

    page = Page(client.post(_new_url(arrangement), _data(first="2024-12-30", back="2025-01-08")))

    assert "The nights away must fall within the arrangement's dates (6 Jan 2025)." in page.main_text


def test_a_planned_arrangement_has_no_nights_away(client, coordinator, scheme):
    planned = ArrangementFactory(
        scheme=scheme, status=ArrangementStatus.PLANNED, start_date=dt.date(2026, 12, 1)
    )
    client.force_login(coordinator)

    page = Page(client.post(_new_url(planned), _data()))

    assert "The arrangement has not started yet." in page.main_text


def test_nights_away_in_an_approved_run_say_the_run_does_not_change(
    client, coordinator, manager, scheme, arrangement
):
    arrangement.payment_rate = RateAmountFactory(rate__scheme=scheme).rate
    arrangement.save()
    run = create_payment_run(
        scheme=scheme, membership=coordinator.memberships.get(), length="month", day=dt.date(2026, 11, 1)
    )
    mark_reviewed(run=run, membership=coordinator.memberships.get())
    approve_payment_run(run=run, membership=manager.memberships.get())
    client.force_login(coordinator)

    response = client.post(_new_url(arrangement), _data(first="2026-11-28", back="2026-12-03"), follow=True)

    assert (
        "The payment run for November 2026 is already approved, so what it paid does not change: "
        "the registered manager can add an adjustment to it."
    ) in Page(response).messages


def test_nights_away_recorded_by_mistake_are_removed(client, coordinator, arrangement):
    absence = AbsenceFactory(arrangement=arrangement)
    client.force_login(coordinator)

    response = client.post(
        reverse("arrangement_absence_remove", args=[arrangement.pk, absence.pk]), follow=True
    )

    assert (
        "The person's holiday from 2 Nov 2026 to 5 Nov 2026 has been removed." in Page(response).messages[0]
    )
    assert not Absence.objects.exists()
    assert "No nights away recorded." in _absences_text(client, arrangement)


def test_a_carer_cannot_record_or_remove_nights_away(client, carer, arrangement):
    absence = AbsenceFactory(arrangement=arrangement)
    client.force_login(carer)

    assert client.get(_new_url(arrangement)).status_code == 403
    assert client.post(_new_url(arrangement), _data()).status_code == 403
    assert (
        client.post(reverse("arrangement_absence_remove", args=[arrangement.pk, absence.pk])).status_code
        == 403
    )
    assert Absence.objects.count() == 1


def test_another_schemes_coordinator_cannot_find_the_page(client, other_coordinator, arrangement):
    client.force_login(other_coordinator)

    assert client.get(_new_url(arrangement)).status_code == 404


def test_removing_takes_only_a_post(client, coordinator, arrangement):
    absence = AbsenceFactory(arrangement=arrangement)
    client.force_login(coordinator)

    assert (
        client.get(reverse("arrangement_absence_remove", args=[arrangement.pk, absence.pk])).status_code
        == 405
    )


def test_the_database_keeps_one_arrangements_nights_away_apart(arrangement):
    AbsenceFactory(arrangement=arrangement, dates=(dt.date(2026, 11, 2), dt.date(2026, 11, 5)))
    AbsenceFactory(
        arrangement=arrangement, dates=(dt.date(2026, 11, 5), dt.date(2026, 11, 6))
    )  # back-to-back is fine

    with pytest.raises(IntegrityError, match="absence_nights_do_not_overlap"), transaction.atomic():
        AbsenceFactory(arrangement=arrangement, dates=(dt.date(2026, 11, 4), dt.date(2026, 11, 8)))
