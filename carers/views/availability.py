"""A carer household's availability calendar: night by night for the
coming months, who stays, how many of the approved places are free, and the
dates the carer is away. For the scheme's staff, when matching and booking."""

import datetime
from dataclasses import dataclass

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from carers.lapsed import lapsed_checks
from placements.capacity import Night, nights
from sharedlives.access import get_carer_for_user, require_staff
from sharedlives.dates import add_months
from sharedlives.viewlog import logs_view_of

MONTHS_SHOWN = 3


@dataclass
class Month:
    first: datetime.date
    nights: list[Night]


def _first_month(value: str, today: datetime.date) -> datetime.date:
    """The month in ?from=YYYY-MM, or this month if it is missing or wrong."""
    try:
        first = datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return today.replace(day=1)
    return first if 2000 <= first.year <= 2100 else today.replace(day=1)


def places_text(night: Night) -> str:
    """How a night reads, without colour: "Full", "1 of 2 free"."""
    if night.allowed == 0:
        return "No terms of approval"
    if night.full:
        return "Full"
    return f"{night.free_places} of {night.allowed} free"


@require_safe
@logs_view_of("carer")
def carer_availability(request, pk):
    carer, can_edit = get_carer_for_user(request, pk)
    require_staff(request)
    today = timezone.localdate()
    first = _first_month(request.GET.get("from", ""), today)
    after = add_months(first, MONTHS_SHOWN)
    # Four queries for the whole span, however many nights and stays.
    every_night = nights(carer, first, after - datetime.timedelta(days=1))
    months = []
    for night in every_night:
        if night.day.day == 1:
            months.append(Month(first=night.day, nights=[]))
        night.places = places_text(night)
        months[-1].nights.append(night)
    context = {
        "carer": carer,
        "can_edit": can_edit,
        "months": months,
        "today": today,
        "previous": add_months(first, -MONTHS_SHOWN),
        "next": after,
        "months_shown": MONTHS_SHOWN,
        "lapsed_checks": lapsed_checks(request, carer),
    }
    return render(request, "carers/carer_availability.html", context)
