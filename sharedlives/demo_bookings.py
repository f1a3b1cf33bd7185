"""Rooms, short-break bookings and day-support sessions for the demo.

The database has the last word on a household's nights: a room is never
booked twice (an exclusion constraint) and nobody stays over the number the
household is approved for (the ``placements_check_capacity`` trigger). So
that the demo is never refused, the nights are planned here first, by the
same rules: ``Home`` counts who stays each night (live-in and other stays,
and short breaks booked) against the terms in force that night, or three
where there are none, as the trigger does.

``assign_rooms`` runs before the arrangements are saved (a live-in person
has their own room); ``plan_sessions`` chooses each day-support
arrangement's weekly sessions (its rate depends on their length); and
``BookingPlanner`` books short breaks once the carers' dates away are known:
a realistic spread over the past months and the months ahead, each in a
room, a few of them cancelled.
"""

import datetime
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from carers.models import ApprovalTerms, Room, Unavailability
from people.models import Person
from placements.capacity import LEGAL_MAXIMUM
from placements.models import (
    OPEN_STATUSES,
    STAYING_KINDS,
    Arrangement,
    ArrangementStatus,
    BookingStatus,
    DaySession,
    ShortBreakBooking,
)
from sharedlives.choices import ArrangementKind
from sharedlives.models import User

DAY = datetime.timedelta(days=1)
FOREVER = datetime.date.max
BATCH_SIZE = 2000

# Weekly sessions as (weekday, from, until), Monday = 0.
T = datetime.time
SESSION_PATTERNS = {
    "Tuesdays and Thursdays, 10am to 3pm.": ((1, T(10), T(15)), (3, T(10), T(15))),
    "Three days a week, including a trip to the allotment.": (
        (0, T(9, 30), T(15, 30)),
        (2, T(9, 30), T(15, 30)),
        (4, T(9, 30), T(13, 30)),
    ),
}
OTHER_PATTERNS = (
    ((1, T(10), T(15)),),
    ((2, T(10), T(14)),),
    ((0, T(9, 30), T(13, 30)), (3, T(9, 30), T(13, 30))),
    ((5, T(10), T(16)),),
    ((1, T(9), T(17)), (4, T(9), T(17))),
    ((3, T(10), T(16)),),
)
# A note for the usual bookings of an arrangement, and now and then one for a special occasion.
USUAL_NOTES = (
    "Usual monthly break.",
    "Brings own bedding and the night light.",
    "Regular weekend.",
    "",
    "",
    "",
)
SPECIAL_NOTES = (
    "While mum has her knee operation.",
    "Birthday weekend: cake planned.",
    "Family away at a wedding.",
    "Extra break while the family moves house.",
)
CANCELLED_NOTES = (
    "Cancelled: {name} had a chest infection.",
    "Cancelled by the family: plans changed.",
    "Cancelled: the carer's father was taken into hospital.",
    "Cancelled: {name} did not want to miss a friend's party.",
)


@contextmanager
def keeping_given_times(model, name: str):
    """Save ``model`` rows with the time given in ``name``, not the time of
    saving (the field is ``auto_now_add``): a demo booking made weeks ago says so."""
    field_ = model._meta.get_field(name)
    field_.auto_now_add = False
    try:
        yield
    finally:
        field_.auto_now_add = True


def analyze(*models) -> None:
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def plan_sessions(rng: random.Random, notes: str) -> tuple[tuple[int, T, T], ...]:
    """The weekly sessions of a day-support arrangement (its ``notes`` may say them)."""
    return SESSION_PATTERNS.get(notes) or rng.choice(OTHER_PATTERNS)


def session_hours(sessions) -> float:
    """The longest session, in hours."""
    return max(
        (end.hour * 60 + end.minute - start.hour * 60 - start.minute) / 60 for _, start, end in sessions
    )


def _overlaps(ranges, first: datetime.date, last: datetime.date) -> bool:
    """Whether any [start, end) range shares a night with [first, last)."""
    return any(start < last and first < end for start, end in ranges)


def assign_rooms(arrangements: Sequence[Arrangement], rooms: dict[int, list[Room]], people: dict) -> None:
    """Give each stay (live-in and other stays) a room of its household that
    nobody else has on its nights: a ground-floor, step-free one first for a
    wheelchair user. A stay with no room free keeps none."""
    taken: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    stays = [a for a in arrangements if a.kind in STAYING_KINDS]
    for arrangement in sorted(stays, key=lambda a: (a.start_date, a.status != ArrangementStatus.CURRENT)):
        person = people[arrangement.person_id]
        nights = (arrangement.start_date, arrangement.end_date or FOREVER)
        choices = sorted(
            rooms.get(arrangement.carer.pk, ()),
            key=lambda room: not (room.ground_floor and room.step_free) if person.wheelchair_user else 0,
        )
        for room in choices:
            if not _overlaps(taken[room.pk], *nights):
                arrangement.room = room
                taken[room.pk].append(nights)
                break


@dataclass
class Home:
    """One household's nights, as the capacity trigger counts them."""

    rooms: list[Room]
    terms: list[tuple[datetime.date, datetime.date, int]] = field(default_factory=list)
    away: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)  # [first, last)
    stays: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)
    taken: dict[int, list[tuple[datetime.date, datetime.date]]] = field(default_factory=dict)
    booked: Counter = field(default_factory=Counter)  # short breaks on each night

    def allowed(self, night: datetime.date) -> int:
        """The terms in force on ``night`` (the latest to start), or three."""
        in_force = [(starts, most) for starts, ends, most in self.terms if starts <= night <= ends]
        return max(in_force)[1] if in_force else LEGAL_MAXIMUM

    def has_place(self, first: datetime.date, last: datetime.date) -> bool:
        night = first
        while night < last:
            staying = sum(start <= night < end for start, end in self.stays) + self.booked[night]
            if staying + 1 > self.allowed(night):
                return False
            night += DAY
        return True

    def free_room(self, first: datetime.date, last: datetime.date, usual: Room | None) -> Room | None:
        rooms = sorted(self.rooms, key=lambda room: room is not usual)
        return next((room for room in rooms if not _overlaps(self.taken.get(room.pk, ()), first, last)), None)

    def book(self, room: Room, first: datetime.date, last: datetime.date) -> None:
        self.taken.setdefault(room.pk, []).append((first, last))
        night = first
        while night < last:
            self.booked[night] += 1
            night += DAY


class BookingPlanner:
    """Books short breaks for one scheme's short-breaks arrangements, and
    saves day-support sessions. ``detail``: the small demo's months of
    bookings; otherwise fewer, for a large scheme to build quickly."""

    def __init__(
        self,
        seed: int,
        arrangements: Sequence[Arrangement],
        rooms: dict[int, list[Room]],
        people: dict[int, Person],
        staff: Sequence[User],
        sessions: dict[int, tuple],
        *,
        detail: bool = True,
    ):
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.arrangements, self.people, self.staff = arrangements, people, list(staff)
        self.staff_by_id = {user.pk: user for user in staff}
        self.sessions, self.detail = sessions, detail
        self.homes: dict[int, Home] = {pk: Home(list(found)) for pk, found in rooms.items()}
        self.person_nights: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
        self.notes: list[str] = []  # the notes of the arrangement being booked: usual, then special

    def home(self, carer_id: int) -> Home:
        if carer_id not in self.homes:
            self.homes[carer_id] = Home([])
        return self.homes[carer_id]

    def _load(self) -> None:
        """The terms, dates away and stays of every household with short breaks."""
        carers = {a.carer_id for a in self.arrangements if a.kind == ArrangementKind.SHORT_BREAKS}
        for carer_id, starts, ends, most in ApprovalTerms.objects.filter(carer_id__in=carers).values_list(
            "carer_id", "starts_on", "ends_on", "max_people"
        ):
            self.home(carer_id).terms.append((starts, ends or FOREVER, most))
        for carer_id, starts, ends in Unavailability.objects.filter(carer_id__in=carers).values_list(
            "carer_id", "starts_on", "ends_on"
        ):
            self.home(carer_id).away.append((starts, ends + DAY))
        for a in self.arrangements:
            if a.kind in STAYING_KINDS and a.carer_id in carers:
                home = self.home(a.carer_id)
                home.stays.append((a.start_date, a.end_date or FOREVER))
                if a.room_id:
                    home.taken.setdefault(a.room_id, []).append((a.start_date, a.end_date or FOREVER))

    # Bookings -------------------------------------------------------------

    def _window(self, arrangement: Arrangement) -> tuple[datetime.date, datetime.date] | None:
        """The days to book within: months either side of today, inside the arrangement's dates."""
        back, ahead = (180, self.rng.randint(100, 180)) if self.detail else (75, 120)
        first = max(arrangement.start_date, self.today - back * DAY)
        last = self.today + ahead * DAY
        if arrangement.end_date:
            last = min(last, arrangement.end_date)
        if arrangement.status == ArrangementStatus.ENDED:
            first = max(first, last - 120 * DAY)
        return (first, last) if (last - first).days >= 7 else None

    def _pattern(self) -> tuple[int, int, int, int]:
        """(arrival weekday, nights, days between arrivals, spread in days)."""
        return self.rng.choice(
            (
                (4, 3, 28, 7),  # a long weekend a month, Friday to Monday
                (4, 2, 28, 7),  # a weekend a month
                (0, 4, 42, 7),  # a midweek break every six weeks
                (5, 1, 14, 0),  # a Saturday night every fortnight
                (4, 2, 21, 7),  # a weekend every three weeks
            )
        )

    def _bookings_for(self, arrangement: Arrangement) -> list[ShortBreakBooking]:
        window = self._window(arrangement)
        if window is None:
            return []
        rng, home = self.rng, self.home(arrangement.carer_id)
        weekday, nights, every, spread = self._pattern()
        if not self.detail:
            every *= 2  # a large scheme books half as often
        first, last = window
        day = first + rng.randint(0, every - 1) * DAY
        usual, made = None, []
        self.notes = [rng.choice(USUAL_NOTES), *rng.sample(SPECIAL_NOTES, 2)]
        summer_week = self.detail and rng.random() < 0.3
        while day < last:
            arrive = day + ((weekday - day.weekday()) % 7) * DAY
            stay = nights
            if summer_week and arrive.month in (7, 8):
                stay, summer_week = 7, False  # a week in the summer
            for shift in (0, 7, -7):
                booking = self._try(arrangement, home, arrive + shift * DAY, stay, usual, window)
                if booking is not None:
                    made.append(booking)
                    if booking.status == BookingStatus.BOOKED:
                        usual = booking.room
                    break
            day += (every + rng.randint(-spread, spread)) * DAY
        return made

    def _try(self, arrangement, home: Home, arrive, nights, usual, window) -> ShortBreakBooking | None:
        leave = arrive + nights * DAY
        if arrive < window[0] or leave > window[1]:
            return None
        if _overlaps(home.away, arrive, leave) or _overlaps(
            self.person_nights[arrangement.person_id], arrive, leave
        ):
            return None
        room = home.free_room(arrive, leave, usual)
        if room is None or not home.has_place(arrive, leave):
            return None
        person = self.people[arrangement.person_id]
        status, notes = BookingStatus.BOOKED, self.notes[0]
        if self.rng.random() < 0.12 and len(self.notes) > 1:
            notes = self.notes.pop()  # each special occasion once
        if self.rng.random() < 0.08:
            # Cancelled: it took no place, so the nights stay free for someone else.
            status = BookingStatus.CANCELLED
            notes = self.rng.choice(CANCELLED_NOTES).format(name=person.preferred_name or person.first_name)
        else:
            home.book(room, arrive, leave)
            self.person_nights[arrangement.person_id].append((arrive, leave))
        return ShortBreakBooking(
            arrangement=arrangement,
            carer_id=arrangement.carer_id,
            room=room,
            dates=(arrive, leave),
            status=status,
            notes=notes,
            booked_by=self._booked_by(person),
            booked_at=self._booked_at(arrangement, arrive),
        )

    def _booked_by(self, person: Person) -> User:
        return self.staff_by_id.get(person.coordinator_id) or self.rng.choice(self.staff)

    def _booked_at(self, arrangement: Arrangement, arrive: datetime.date) -> datetime.datetime:
        """Some weeks ahead, in office hours, and never later than now."""
        day = arrive - self.rng.randint(10, 75) * DAY
        if day >= self.today:  # booked ahead, some time in the last two months
            day = self.today - self.rng.randint(1, 60) * DAY
        day = max(day, arrangement.agreement_recorded_on or arrangement.start_date - 14 * DAY)
        day = min(day, self.today - DAY, arrive - DAY)
        time = datetime.time(self.rng.randint(9, 16), self.rng.choice((0, 15, 30, 45)))
        return timezone.make_aware(datetime.datetime.combine(day, time))

    # Saving -----------------------------------------------------------------

    def save(self) -> str:
        self._load()
        bookings = []
        short_breaks = [a for a in self.arrangements if a.kind == ArrangementKind.SHORT_BREAKS]
        # Open arrangements first: they are the ones the calendar shows ahead.
        for arrangement in sorted(short_breaks, key=lambda a: (a.status not in OPEN_STATUSES, a.start_date)):
            bookings += self._bookings_for(arrangement)
        # The capacity trigger looks up each household's stays and bookings;
        # fresh statistics (the arrangements are this transaction's) keep
        # those lookups on their indexes. See sharedlives.demo.refresh_statistics.
        analyze(Arrangement, ApprovalTerms, Room)
        with keeping_given_times(ShortBreakBooking, "booked_at"):
            ShortBreakBooking.objects.bulk_create(bookings[:BATCH_SIZE])
            analyze(ShortBreakBooking)
            ShortBreakBooking.objects.bulk_create(bookings[BATCH_SIZE:], batch_size=BATCH_SIZE)
        sessions = [
            DaySession(arrangement=a, weekday=weekday, starts_at=start, ends_at=end)
            for a in self.arrangements
            if a.kind == ArrangementKind.DAY_SUPPORT
            for weekday, start, end in self.sessions[id(a)]
        ]
        DaySession.objects.bulk_create(sessions, batch_size=BATCH_SIZE)
        cancelled = sum(b.status == BookingStatus.CANCELLED for b in bookings)
        return (
            f"{len(bookings):,} short-break bookings ({cancelled:,} cancelled), "
            f"{len(sessions):,} day sessions"
        )
