"""What the database refuses about who stays where: a room booked twice, and
more people on a night than the household is approved for, whatever writes
the rows (a bulk update, a data fix, two coordinators at the same moment)."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from placements.models import BookingStatus, ShortBreakBooking
from sharedlives.choices import ArrangementKind
from tests.factories import (
    ArrangementFactory,
    RoomFactory,
    ShortBreakBookingFactory,
    UserFactory,
    approved_carer,
)


def _short_breaks(carer, **fields):
    return ArrangementFactory(scheme=carer.scheme, carer=carer, kind=ArrangementKind.SHORT_BREAKS, **fields)


def _book(arrangement, room, arrives, leaves):
    with transaction.atomic():
        return ShortBreakBookingFactory(arrangement=arrangement, room=room, dates=(arrives, leaves))


def test_a_room_cannot_be_booked_twice_for_the_same_night(scheme):
    carer = approved_carer(scheme, max_people=3)
    room = RoomFactory(carer=carer)
    _book(_short_breaks(carer), room, dt.date(2027, 3, 5), dt.date(2027, 3, 8))

    with pytest.raises(IntegrityError, match="booking_room_not_double_booked"):
        _book(_short_breaks(carer), room, dt.date(2027, 3, 7), dt.date(2027, 3, 9))


def test_a_stay_can_begin_the_day_another_goes_home(scheme):
    carer = approved_carer(scheme, max_people=1)
    room = RoomFactory(carer=carer)
    _book(_short_breaks(carer), room, dt.date(2027, 3, 5), dt.date(2027, 3, 8))

    _book(_short_breaks(carer), room, dt.date(2027, 3, 8), dt.date(2027, 3, 10))

    assert ShortBreakBooking.objects.filter(room=room).count() == 2


def test_a_cancelled_booking_frees_the_room(scheme):
    carer = approved_carer(scheme, max_people=1)
    room = RoomFactory(carer=carer)
    first = _book(_short_breaks(carer), room, dt.date(2027, 3, 5), dt.date(2027, 3, 8))
    ShortBreakBooking.objects.filter(pk=first.pk).update(status=BookingStatus.CANCELLED)

    _book(_short_breaks(carer), room, dt.date(2027, 3, 6), dt.date(2027, 3, 7))


def test_live_in_and_short_breaks_together_never_exceed_the_approved_number(scheme):
    # Approved for two: one person lives in, so one room is left for short breaks.
    carer = approved_carer(scheme, max_people=2)
    ArrangementFactory(
        scheme=scheme, carer=carer, kind=ArrangementKind.LIVE_IN, start_date=dt.date(2026, 1, 5)
    )
    back, front = RoomFactory(carer=carer, name="Back"), RoomFactory(carer=carer, name="Front")
    _book(_short_breaks(carer), back, dt.date(2027, 3, 5), dt.date(2027, 3, 8))

    with pytest.raises(IntegrityError, match="placements_capacity"):
        _book(_short_breaks(carer), front, dt.date(2027, 3, 7), dt.date(2027, 3, 9))
    # The night after the first goes home is free again.
    _book(_short_breaks(carer), front, dt.date(2027, 3, 8), dt.date(2027, 3, 9))


def test_a_new_live_in_arrangement_is_refused_when_short_breaks_fill_a_later_night(scheme):
    carer = approved_carer(scheme, max_people=1)
    _book(_short_breaks(carer), RoomFactory(carer=carer), dt.date(2027, 6, 1), dt.date(2027, 6, 3))

    with pytest.raises(IntegrityError, match="placements_capacity"), transaction.atomic():
        ArrangementFactory(
            scheme=scheme, carer=carer, kind=ArrangementKind.LIVE_IN, start_date=dt.date(2027, 1, 4)
        )


def test_moving_a_stay_earlier_is_checked_too(scheme):
    carer = approved_carer(scheme, max_people=1, starts_on=dt.date(2024, 6, 3))
    ArrangementFactory(
        scheme=scheme,
        carer=carer,
        kind=ArrangementKind.LIVE_IN,
        start_date=dt.date(2025, 1, 6),
        end_date=dt.date(2026, 1, 5),
    )
    later = ArrangementFactory(
        scheme=scheme, carer=carer, kind=ArrangementKind.EMERGENCY, start_date=dt.date(2026, 2, 1)
    )
    later.start_date = dt.date(2025, 12, 1)

    with pytest.raises(IntegrityError, match="placements_capacity"), transaction.atomic():
        later.save()


def test_a_booking_room_must_be_the_arrangements_carers(scheme):
    carer, other = approved_carer(scheme), approved_carer(scheme)
    with pytest.raises(IntegrityError, match="booking_room_same_carer"), transaction.atomic():
        ShortBreakBookingFactory(arrangement=_short_breaks(carer), room=RoomFactory(carer=other))
        connection.check_constraints()


def _book_at_the_same_moment(carer, rooms, arrangements) -> list[str]:
    """Two coordinators' bookings for 2 to 4 Apr 2027, made at the same
    moment: how each ended ("booked", or the constraint that refused it)."""
    booked_by = UserFactory()
    both_ready = threading.Barrier(2, timeout=10)
    outcomes = []

    def book(index):
        try:
            with transaction.atomic():
                both_ready.wait()
                ShortBreakBooking.objects.create(
                    arrangement=arrangements[index],
                    carer=carer,
                    room=rooms[index],
                    dates=(dt.date(2027, 4, 2), dt.date(2027, 4, 4)),
                    booked_by=booked_by,
                )
            outcomes.append("booked")
        except IntegrityError as error:
            refused_by = [name for name in REFUSALS if name in str(error)]
            outcomes.append(refused_by[0] if refused_by else str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return sorted(outcomes)


REFUSALS = ("placements_capacity", "booking_room_not_double_booked")


@pytest.mark.django_db(transaction=True)
def test_two_bookings_made_at_the_same_moment_cannot_both_take_the_last_place(scheme):
    """Different rooms, a household approved for one: the household's row
    lock makes the second wait and then see the first."""
    carer = approved_carer(scheme, max_people=1)
    rooms = [RoomFactory(carer=carer, name="Back"), RoomFactory(carer=carer, name="Front")]

    outcomes = _book_at_the_same_moment(carer, rooms, [_short_breaks(carer), _short_breaks(carer)])

    assert outcomes == ["booked", "placements_capacity"]
    assert ShortBreakBooking.objects.filter(carer=carer).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_one_room_made_at_the_same_moment_cannot_both_be_made(scheme):
    """The same room, a household approved for three: the exclusion
    constraint refuses the second booking whichever commits first."""
    carer = approved_carer(scheme, max_people=3)
    room = RoomFactory(carer=carer, name="Back")

    outcomes = _book_at_the_same_moment(carer, [room, room], [_short_breaks(carer), _short_breaks(carer)])

    assert outcomes == ["booked", "booking_room_not_double_booked"]
    assert ShortBreakBooking.objects.filter(room=room).count() == 1


def test_a_household_whose_approved_number_was_lowered_can_still_be_managed(scheme):
    """Approved for two with two living in, then for one: nobody new may
    come, but the records of those there can be edited and ended."""
    carer = approved_carer(scheme, max_people=2, starts_on=dt.date(2024, 6, 3))
    first, second = (
        ArrangementFactory(scheme=scheme, carer=carer, start_date=dt.date(2025, 1, 6)) for _ in range(2)
    )
    carer.approvals.update(max_people=1)

    first.notes = "Moving to her own flat in the spring."
    first.save()
    second.end_date = dt.date(2026, 12, 31)
    second.save()

    with pytest.raises(IntegrityError, match="placements_capacity"), transaction.atomic():
        ArrangementFactory(
            scheme=scheme, carer=carer, kind=ArrangementKind.EMERGENCY, start_date=dt.date(2027, 2, 1)
        )
