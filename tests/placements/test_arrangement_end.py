"""Ending an arrangement: the date, the reason and a note. Short breaks
booked from the end on are cancelled; a death prompts the CQC notification."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from placements.models import ArrangementStatus, BookingStatus, EndReason
from sharedlives.choices import ArrangementKind
from tests.factories import ArrangementFactory, RoomFactory, ShortBreakBookingFactory
from tests.sharedlives.pages import Page

CQC = "CQC must be notified of Ben Hughes's death without delay."


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def current(scheme, carer_household):
    return ArrangementFactory(
        scheme=scheme, carer=carer_household, person__first_name="Ben", person__last_name="Hughes"
    )


def _url(arrangement):
    return reverse("arrangement_end", args=[arrangement.pk])


def test_a_coordinator_ends_an_arrangement(client, coordinator, current):
    client.force_login(coordinator)

    response = client.post(
        _url(current),
        {"end_date": "2026-11-30", "reason": "planned_move", "note": "Moving to supported living in Otley."},
        follow=True,
    )

    current.refresh_from_db()
    assert (current.status, current.end_date) == (ArrangementStatus.ENDED, dt.date(2026, 11, 30))
    assert (current.end_reason, current.end_note) == (
        EndReason.PLANNED_MOVE,
        "Moving to supported living in Otley.",
    )
    page = Page(response)
    assert response.redirect_chain == [(reverse("arrangement_detail", args=[current.pk]), 302)]
    assert "Done: The arrangement has ended on 30 Nov 2026 (planned move)." in page.messages
    assert "Why it ended Planned move" in page.main_text
    assert "About the ending Moving to supported living in Otley." in page.main_text
    assert "End the arrangement" not in page.main_text
    assert "CQC" not in page.main_text


def test_the_reason_is_needed(client, coordinator, current):
    client.force_login(coordinator)

    response = client.post(_url(current), {"end_date": "2026-11-30", "reason": "", "note": "Kept"})

    page = Page(response)
    assert page.error_for("reason") == "Choose why the arrangement is ending."
    assert page.value_of("note") == "Kept"
    current.refresh_from_db()
    assert current.status == ArrangementStatus.CURRENT


def test_the_end_date_is_needed_and_not_before_the_start(client, coordinator, current):
    client.force_login(coordinator)

    missing = Page(client.post(_url(current), {"end_date": "", "reason": "breakdown"}))
    early = Page(client.post(_url(current), {"end_date": "2025-01-05", "reason": "breakdown"}))

    assert missing.error_for("end_date") == "Enter the date the arrangement ends."
    assert early.error_for("end_date") == "The end date must be on or after the start date (6 Jan 2025)."
    current.refresh_from_db()
    assert (current.status, current.end_date) == (ArrangementStatus.CURRENT, None)


def test_the_form_offers_every_reason(client, coordinator, current):
    client.force_login(coordinator)

    page = Page(client.get(_url(current)))

    assert page.options_of("reason") == ["Choose a reason", *EndReason.labels]
    assert "If the person has died: CQC must be notified of the death without delay." in page.main_text


def test_ending_because_of_a_death_prompts_the_cqc_notification(client, coordinator, current):
    client.force_login(coordinator)

    response = client.post(
        _url(current),
        {"end_date": "2026-11-18", "reason": "death", "note": "Died peacefully at home."},
        follow=True,
    )

    page = Page(response)
    assert any(CQC in message for message in page.messages)
    # And the arrangement's page keeps saying so.
    later = Page(client.get(reverse("arrangement_detail", args=[current.pk])))
    assert "CQC notification: this arrangement ended because Ben Hughes died." in later.main_text
    assert "CQC must be notified of a death without delay." in later.main_text


def test_other_endings_say_nothing_of_cqc(client, coordinator, current):
    client.force_login(coordinator)

    response = client.post(_url(current), {"end_date": "2026-11-18", "reason": "hospital"}, follow=True)

    assert not any("CQC" in message for message in Page(response).messages)


def test_short_breaks_booked_after_the_end_are_cancelled(client, coordinator, scheme, carer_household):
    breaks = ArrangementFactory(scheme=scheme, carer=carer_household, kind=ArrangementKind.SHORT_BREAKS)
    room = RoomFactory(carer=carer_household)
    before = ShortBreakBookingFactory(
        arrangement=breaks, room=room, dates=(dt.date(2026, 11, 6), dt.date(2026, 11, 9))
    )
    after = ShortBreakBookingFactory(
        arrangement=breaks, room=room, dates=(dt.date(2027, 1, 8), dt.date(2027, 1, 10))
    )
    client.force_login(coordinator)

    response = client.post(_url(breaks), {"end_date": "2026-12-31", "reason": "persons_choice"}, follow=True)

    before.refresh_from_db()
    after.refresh_from_db()
    assert (before.status, after.status) == (BookingStatus.BOOKED, BookingStatus.CANCELLED)
    assert "1 short break booked from then on has been cancelled." in Page(response).messages


def test_a_short_break_under_way_ends_on_the_end_date(client, coordinator, scheme, carer_household):
    breaks = ArrangementFactory(scheme=scheme, carer=carer_household, kind=ArrangementKind.SHORT_BREAKS)
    under_way = ShortBreakBookingFactory(
        arrangement=breaks,
        room=RoomFactory(carer=carer_household),
        dates=(dt.date(2026, 12, 29), dt.date(2027, 1, 3)),
    )
    client.force_login(coordinator)

    client.post(_url(breaks), {"end_date": "2026-12-31", "reason": "persons_choice"})

    under_way.refresh_from_db()
    assert under_way.status == BookingStatus.BOOKED
    assert (under_way.dates.lower, under_way.dates.upper) == (dt.date(2026, 12, 29), dt.date(2026, 12, 31))


def test_a_planned_arrangement_that_never_starts_can_be_ended(client, coordinator, scheme, carer_household):
    planned = ArrangementFactory(
        scheme=scheme, carer=carer_household, status=ArrangementStatus.PLANNED, start_date=dt.date(2027, 1, 4)
    )
    client.force_login(coordinator)

    client.post(_url(planned), {"end_date": "2027-01-04", "reason": "persons_choice"})

    planned.refresh_from_db()
    assert (planned.status, planned.end_reason) == (ArrangementStatus.ENDED, EndReason.PERSONS_CHOICE)


def test_an_ended_arrangement_cannot_end_again(client, coordinator, scheme):
    ended = ArrangementFactory(
        scheme=scheme, status=ArrangementStatus.ENDED, end_date=dt.date(2026, 6, 1), end_reason="breakdown"
    )
    client.force_login(coordinator)

    shown = Page(client.get(_url(ended)))
    response = client.post(_url(ended), {"end_date": "2026-11-01", "reason": "death"})

    assert "This arrangement ended on 1 Jun 2026 (arrangement broke down)." in shown.main_text
    assert shown.find("select", name="reason") is None
    assert "This arrangement has already ended." in Page(response).main_text
    ended.refresh_from_db()
    assert (ended.end_date, ended.end_reason) == (dt.date(2026, 6, 1), "breakdown")


def test_a_carer_cannot_end_their_arrangement(client, carer, current):
    client.force_login(carer)

    assert client.get(_url(current)).status_code == 403
    assert client.post(_url(current), {"end_date": "2026-11-30", "reason": "breakdown"}).status_code == 403
    current.refresh_from_db()
    assert current.status == ArrangementStatus.CURRENT


def test_another_schemes_coordinator_cannot_find_it(client, other_coordinator, current):
    client.force_login(other_coordinator)

    assert client.get(_url(current)).status_code == 404
    assert client.post(_url(current), {"end_date": "2026-11-30", "reason": "breakdown"}).status_code == 404


def test_the_page_takes_no_other_method(client, coordinator, current):
    client.force_login(coordinator)

    assert client.put(_url(current)).status_code == 405
