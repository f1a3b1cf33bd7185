"""Short-break bookings on a short-breaks arrangement's page: booking one
(refusals said in words, the input kept), the lists, and cancelling."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import ArrangementStatus, BookingStatus, ShortBreakBooking
from sharedlives.choices import ArrangementKind
from sharedlives.models import Role
from tests.factories import (
    ArrangementFactory,
    MembershipFactory,
    RoomFactory,
    ShortBreakBookingFactory,
    UnavailabilityFactory,
    UserFactory,
    approved_carer,
)
from tests.sharedlives.pages import Page


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def household(scheme):
    """Mary Lowe, approved for two people, with two spare rooms."""
    carer = approved_carer(scheme, first_name="Mary", last_name="Lowe", max_people=2)
    RoomFactory(carer=carer, name="Front bedroom")
    RoomFactory(carer=carer, name="Back bedroom")
    return carer


@pytest.fixture
def breaks(scheme, household):
    """Ben Hughes's short breaks with Mary Lowe, since 6 Jan 2026."""
    return ArrangementFactory(
        scheme=scheme,
        carer=household,
        kind=ArrangementKind.SHORT_BREAKS,
        person__first_name="Ben",
        person__last_name="Hughes",
        start_date=dt.date(2026, 1, 6),
    )


def _room(household, name):
    return household.rooms.get(name=name)


def _new_url(arrangement):
    return reverse("arrangement_booking_create", args=[arrangement.pk])


def _cancel_url(booking):
    return reverse("arrangement_booking_cancel", args=[booking.arrangement_id, booking.pk])


def _detail(client, arrangement, **query):
    return Page(client.get(reverse("arrangement_detail", args=[arrangement.pk]), query))


def _data(household, room="Front bedroom", arrives="2027-03-05", leaves="2027-03-08", notes="Bring the bike"):
    return {"room": _room(household, room).pk, "arrives_on": arrives, "leaves_on": leaves, "notes": notes}


def _rows(page, section) -> list[str]:
    """The bookings listed under "Upcoming" or "Past", as "arrives / goes home / nights / room / status"."""
    tables = [t for t in page.find("section", id="bookings").iter() if t.tag == "table"]
    caption = {"Upcoming": "Upcoming", "Past": "Past"}[section]
    table = next((t for t in tables if t.first("caption").text.startswith(caption)), None)
    if table is None:
        return []
    rows = []
    for row in (e for e in table.iter() if e.tag == "tr" and e.attrs.get("class") == "booking"):
        cells = [c.text for c in row.children if not isinstance(c, str)]
        rows.append(" / ".join(cells[:5]))
    return rows


def _other_breaks(scheme, household, first_name, last_name):
    return ArrangementFactory(
        scheme=scheme,
        carer=household,
        kind=ArrangementKind.SHORT_BREAKS,
        person__first_name=first_name,
        person__last_name=last_name,
        start_date=dt.date(2026, 1, 6),
    )


def test_a_coordinator_books_a_short_break(client, coordinator, household, breaks):
    client.force_login(coordinator)

    response = client.post(_new_url(breaks), _data(household), follow=True)

    booking = ShortBreakBooking.objects.get()
    assert (booking.dates.lower, booking.dates.upper) == (dt.date(2027, 3, 5), dt.date(2027, 3, 8))
    assert (booking.room.name, booking.notes, booking.booked_by) == (
        "Front bedroom",
        "Bring the bike",
        coordinator,
    )
    page = Page(response)
    assert (
        "Done: A short break has been booked in Front bedroom from 5 Mar 2027 to 8 Mar 2027 (3 nights)."
        in page.messages
    )
    assert _rows(page, "Upcoming") == ["Fri 5 Mar 2027 / Mon 8 Mar 2027 / 3 / Front bedroom / Booked"]


def test_the_form_offers_the_carers_rooms_only(client, coordinator, scheme, breaks, other_carer_household):
    RoomFactory(carer=other_carer_household, name="Attic room")
    client.force_login(coordinator)

    page = Page(client.get(_new_url(breaks)))

    assert page.options_of("room") == ["Choose a room", "Back bedroom", "Front bedroom"]


def test_a_room_already_booked_is_refused_in_words(client, coordinator, scheme, household, breaks):
    zoe = _other_breaks(scheme, household, "Zoe", "Clarke")
    ShortBreakBookingFactory(
        arrangement=zoe,
        room=_room(household, "Front bedroom"),
        dates=(dt.date(2027, 3, 6), dt.date(2027, 3, 9)),
    )
    client.force_login(coordinator)

    response = client.post(_new_url(breaks), _data(household))

    page = Page(response)
    assert "Front bedroom is already booked for Zoe Clarke from 6 Mar 2027 to 9 Mar 2027." in page.main_text
    assert (page.value_of("arrives_on"), page.value_of("notes")) == ("2027-03-05", "Bring the bike")
    assert ShortBreakBooking.objects.count() == 1


def test_the_other_room_is_free_for_the_same_nights(client, coordinator, scheme, household, breaks):
    zoe = _other_breaks(scheme, household, "Zoe", "Clarke")
    ShortBreakBookingFactory(
        arrangement=zoe,
        room=_room(household, "Front bedroom"),
        dates=(dt.date(2027, 3, 6), dt.date(2027, 3, 9)),
    )
    client.force_login(coordinator)

    response = client.post(_new_url(breaks), _data(household, room="Back bedroom"))

    assert response.status_code == 302
    assert ShortBreakBooking.objects.count() == 2


def test_a_night_over_the_approved_number_is_refused_in_words(client, coordinator, scheme, household, breaks):
    ArrangementFactory(
        scheme=scheme,
        carer=household,
        person__first_name="Sam",
        person__last_name="Jones",
        start_date=dt.date(2026, 2, 1),
    )
    zoe = _other_breaks(scheme, household, "Zoe", "Clarke")
    ShortBreakBookingFactory(
        arrangement=zoe,
        room=_room(household, "Back bedroom"),
        dates=(dt.date(2027, 3, 7), dt.date(2027, 3, 9)),
    )
    client.force_login(coordinator)

    response = client.post(_new_url(breaks), _data(household))

    page = Page(response)
    assert (
        "Mary Lowe has no place free on 1 night from 7 Mar 2027: they are approved for 2 people "
        "and Sam Jones and Zoe Clarke are staying." in page.main_text
    )
    assert page.value_of("leaves_on") == "2027-03-08"
    assert ShortBreakBooking.objects.count() == 1


def test_nights_the_carer_is_away_are_refused_in_words(client, coordinator, household, breaks):
    UnavailabilityFactory(
        carer=household, starts_on=dt.date(2027, 3, 7), ends_on=dt.date(2027, 3, 14), note="family holiday"
    )
    client.force_login(coordinator)

    response = client.post(_new_url(breaks), _data(household))

    assert "Mary Lowe is away from 7 Mar 2027 to 14 Mar 2027 (family holiday)." in Page(response).main_text
    assert not ShortBreakBooking.objects.exists()


def test_going_home_before_arriving_is_refused(client, coordinator, household, breaks):
    client.force_login(coordinator)

    response = client.post(_new_url(breaks), _data(household, arrives="2027-03-05", leaves="2027-03-05"))

    assert Page(response).error_for("leaves_on") == "The day they go home must be after the day they arrive."
    assert not ShortBreakBooking.objects.exists()


def test_a_booking_outside_the_arrangements_dates_is_refused(client, coordinator, household, breaks):
    client.force_login(coordinator)

    response = client.post(_new_url(breaks), _data(household, arrives="2025-12-30", leaves="2026-01-02"))

    assert "The booking must fall within the arrangement's dates." in Page(response).main_text
    assert not ShortBreakBooking.objects.exists()


def test_an_ended_arrangement_takes_no_bookings(client, coordinator, household, breaks):
    breaks.status, breaks.end_date, breaks.end_reason = (
        ArrangementStatus.ENDED,
        dt.date(2027, 6, 1),
        "completed",
    )
    breaks.save()
    client.force_login(coordinator)

    response = client.post(_new_url(breaks), _data(household))

    assert "This arrangement has ended." in Page(response).main_text
    assert not ShortBreakBooking.objects.exists()
    assert "Book a short break" not in _detail(client, breaks).main_text


def test_a_live_in_arrangement_has_no_bookings(client, coordinator, arrangement):
    client.force_login(coordinator)

    response = client.get(_new_url(arrangement), follow=True)

    assert response.redirect_chain == [(reverse("arrangement_detail", args=[arrangement.pk]), 302)]
    assert "Problem: Only a short-breaks arrangement has bookings." in Page(response).messages


def test_the_page_lists_upcoming_and_past_short_breaks(client, coordinator, household, breaks):
    front, back = _room(household, "Front bedroom"), _room(household, "Back bedroom")
    ShortBreakBookingFactory(
        arrangement=breaks, room=front, dates=(dt.date(2026, 10, 2), dt.date(2026, 10, 4))
    )
    ShortBreakBookingFactory(
        arrangement=breaks, room=back, dates=(dt.date(2026, 11, 19), dt.date(2026, 11, 22))
    )
    ShortBreakBookingFactory(
        arrangement=breaks,
        room=front,
        dates=(dt.date(2027, 1, 8), dt.date(2027, 1, 10)),
        status=BookingStatus.CANCELLED,
    )
    client.force_login(coordinator)

    page = _detail(client, breaks)

    assert _rows(page, "Upcoming") == [
        "Thu 19 Nov 2026 / Sun 22 Nov 2026 / 3 / Back bedroom / Booked",
        "Fri 8 Jan 2027 / Sun 10 Jan 2027 / 2 / Front bedroom / Cancelled",
    ]
    assert _rows(page, "Past") == ["Fri 2 Oct 2026 / Sun 4 Oct 2026 / 2 / Front bedroom / Booked"]


def _book_weeks(arrangement, room, count, first=dt.date(2027, 1, 1)):
    for week in range(count):
        arrives = first + dt.timedelta(weeks=week)
        ShortBreakBookingFactory(
            arrangement=arrangement, room=room, dates=(arrives, arrives + dt.timedelta(days=2))
        )


def test_a_long_list_of_bookings_is_paginated(client, coordinator, settings, household, breaks):
    settings.PAGE_SIZE = 2
    _book_weeks(breaks, _room(household, "Front bedroom"), 3)
    client.force_login(coordinator)

    first, second = _detail(client, breaks), _detail(client, breaks, upcoming=2)

    assert len(_rows(first, "Upcoming")) == 2
    assert "Page 1 of 2" in first.main_text
    assert _rows(second, "Upcoming") == ["Fri 15 Jan 2027 / Sun 17 Jan 2027 / 2 / Front bedroom / Booked"]


def test_the_page_reads_the_bookings_in_a_fixed_number_of_queries(
    client, coordinator, household, breaks, django_assert_max_num_queries
):
    # Each list is one query with its rooms joined in (and one to count it),
    # so more bookings must not mean more queries.
    room = _room(household, "Front bedroom")
    url = reverse("arrangement_detail", args=[breaks.pk])
    _book_weeks(breaks, room, 2)
    _book_weeks(breaks, room, 2, first=dt.date(2026, 9, 1))
    client.force_login(coordinator)
    client.get(url)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    _book_weeks(breaks, room, 20, first=dt.date(2027, 2, 1))
    _book_weeks(breaks, room, 8, first=dt.date(2026, 1, 10))
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)

    assert len(_rows(Page(response), "Upcoming")) == 22
    assert len(_rows(Page(response), "Past")) == 10


def test_a_coordinator_cancels_a_booking(client, coordinator, household, breaks):
    booking = ShortBreakBookingFactory(arrangement=breaks, room=_room(household, "Front bedroom"))
    client.force_login(coordinator)

    response = client.post(_cancel_url(booking), follow=True)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    page = Page(response)
    assert "Done: The short break from 5 Mar 2027 to 8 Mar 2027 has been cancelled." in page.messages
    assert _rows(page, "Upcoming") == ["Fri 5 Mar 2027 / Mon 8 Mar 2027 / 3 / Front bedroom / Cancelled"]


def test_a_cancelled_booking_cannot_be_cancelled_again(client, coordinator, household, breaks):
    booking = ShortBreakBookingFactory(
        arrangement=breaks, room=_room(household, "Front bedroom"), status=BookingStatus.CANCELLED
    )
    client.force_login(coordinator)

    response = client.post(_cancel_url(booking), follow=True)

    assert (
        "Problem: The booking has not been cancelled. This booking is already cancelled."
        in Page(response).messages
    )


def test_a_booking_of_another_arrangement_is_not_found_here(client, coordinator, scheme, household, breaks):
    zoe = _other_breaks(scheme, household, "Zoe", "Clarke")
    theirs = ShortBreakBookingFactory(arrangement=zoe, room=_room(household, "Front bedroom"))
    client.force_login(coordinator)

    response = client.post(reverse("arrangement_booking_cancel", args=[breaks.pk, theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == BookingStatus.BOOKED


# --- Who may ---


@pytest.fixture
def marys_login(scheme, household):
    login = UserFactory(username="mary")
    MembershipFactory(user=login, scheme=scheme, role=Role.CARER, carer=household)
    return login


def test_the_carer_sees_the_bookings_but_cannot_book_or_cancel(client, marys_login, household, breaks):
    booking = ShortBreakBookingFactory(arrangement=breaks, room=_room(household, "Front bedroom"))
    client.force_login(marys_login)

    page = _detail(client, breaks)

    assert _rows(page, "Upcoming") == ["Fri 5 Mar 2027 / Mon 8 Mar 2027 / 3 / Front bedroom / Booked"]
    assert "Book a short break" not in page.main_text
    assert page.find("form", action=_cancel_url(booking)) is None
    assert client.get(_new_url(breaks)).status_code == 403
    assert (
        client.post(_new_url(breaks), _data(household, arrives="2027-04-01", leaves="2027-04-02")).status_code
        == 403
    )
    assert client.post(_cancel_url(booking)).status_code == 403
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    assert ShortBreakBooking.objects.count() == 1


def test_another_schemes_coordinator_cannot_find_them(client, other_coordinator, household, breaks):
    booking = ShortBreakBookingFactory(arrangement=breaks, room=_room(household, "Front bedroom"))
    client.force_login(other_coordinator)

    assert client.get(_new_url(breaks)).status_code == 404
    assert client.post(_new_url(breaks), _data(household)).status_code == 404
    assert client.post(_cancel_url(booking)).status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_cancelling_takes_only_a_post_and_booking_only_get_and_post(client, coordinator, household, breaks):
    booking = ShortBreakBookingFactory(arrangement=breaks, room=_room(household, "Front bedroom"))
    client.force_login(coordinator)

    assert client.get(_cancel_url(booking)).status_code == 405
    assert client.put(_new_url(breaks)).status_code == 405
