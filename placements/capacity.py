"""How many people stay with a household on each night, against the number
it is approved for.

The database has the last word (the ``placements_check_capacity`` trigger);
these functions give the same answer earlier and in words, for the guards
and the availability calendar."""

import datetime
from dataclasses import dataclass

from carers.models import ApprovalTerms, Carer, Unavailability
from placements.models import STAYING_KINDS, Arrangement, ShortBreakBooking

# The most any Shared Lives carer may support at a time.
LEGAL_MAXIMUM = 3


@dataclass
class Night:
    day: datetime.date
    staying: list[str]  # who stays that night, by name
    allowed: int
    away: str | None = None  # the carer's note if they are away

    @property
    def people(self) -> int:
        return len(self.staying)

    @property
    def free_places(self) -> int:
        return max(self.allowed - self.people, 0)

    @property
    def full(self) -> bool:
        return self.people >= self.allowed


def nights(
    carer: Carer, first: datetime.date, last: datetime.date, *, exclude_arrangement=None
) -> list[Night]:
    """Each night from ``first`` to ``last`` (inclusive) with who stays and
    how many the household may have: four queries whatever the span."""
    stays = list(
        Arrangement.objects.filter(carer=carer, kind__in=STAYING_KINDS, start_date__lte=last)
        .exclude(end_date__lte=first)
        .exclude(pk=getattr(exclude_arrangement, "pk", None))
        .select_related("person")
    )
    bookings = list(
        ShortBreakBooking.objects.booked()
        .filter(carer=carer, dates__overlap=(first, last + datetime.timedelta(days=1)))
        .select_related("arrangement__person")
    )
    terms = list(ApprovalTerms.objects.filter(carer=carer, starts_on__lte=last).exclude(ends_on__lt=first))
    away = list(Unavailability.objects.filter(carer=carer, starts_on__lte=last, ends_on__gte=first))
    result = []
    day = first
    while day <= last:
        staying = [
            a.person.name
            for a in stays
            if a.start_date <= day and (a.end_date is None or day < a.end_date) and a.start_date != a.end_date
        ]
        staying += [b.arrangement.person.name for b in bookings if b.dates.lower <= day < b.dates.upper]
        in_force = [t for t in terms if t.starts_on <= day and (t.ends_on is None or day <= t.ends_on)]
        allowed = max(in_force, key=lambda t: t.starts_on).max_people if in_force else 0
        note = next((u.note or "away" for u in away if u.starts_on <= day <= u.ends_on), None)
        result.append(Night(day=day, staying=staying, allowed=allowed, away=note))
        day += datetime.timedelta(days=1)
    return result


def full_nights(
    carer: Carer, first: datetime.date, last: datetime.date, *, adding: int = 1, exclude_arrangement=None
) -> list[Night]:
    """The nights from ``first`` to ``last`` on which ``adding`` more people
    would take the household over the number it is approved for."""
    return [
        night
        for night in nights(carer, first, last, exclude_arrangement=exclude_arrangement)
        if night.people + adding > night.allowed
    ]


def describe_full_nights(carer: Carer, full: list[Night]) -> str:
    """E.g. "Mary Smith has no place free on 3 nights from 4 Dec 2026: they are
    approved for 2 people and Sam Jones and Alex Brown are staying"."""
    first = full[0]
    # An open-ended stay is checked over two years; past one, the count says little.
    nights_text = f"on {len(full)} night{'s' if len(full) != 1 else ''}"
    count = "for over a year" if len(full) > 366 else nights_text
    if first.allowed == 0:
        return f"{carer.name} has no terms of approval in force on {first.day:%-d %b %Y}."
    who = " and ".join(first.staying) if first.staying else "nobody"
    return (
        f"{carer.name} has no place free {count} from {first.day:%-d %b %Y}: "
        f"they are approved for {first.allowed} {'person' if first.allowed == 1 else 'people'} "
        f"and {who} {'is' if len(first.staying) == 1 else 'are'} staying."
    )
