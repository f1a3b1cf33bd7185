"""Monitoring an arrangement: when its reviews and visits fall due, and the
services that record them.

The timetable comes from the scheme's ``MonitoringSettings``: the first
review a number of weeks after the start, then at least every
``review_every_months``; monitoring visits every ``visit_every_months`` for
the first ``visits_for_months``. Months are calendar months: a visit due a
month after 31 Jan is due on the last day of February."""

import datetime

from placements.models import MonitoringSettings
from sharedlives.dates import add_months


def first_review_due(start_date: datetime.date, settings: MonitoringSettings) -> datetime.date:
    return start_date + datetime.timedelta(weeks=settings.first_review_weeks)


def latest_next_review(held_on: datetime.date, settings: MonitoringSettings) -> datetime.date:
    """The latest the review after one held on ``held_on`` may be."""
    return add_months(held_on, settings.review_every_months)


def visit_due_dates(start_date: datetime.date, settings: MonitoringSettings) -> list[datetime.date]:
    """The monitoring visits of an arrangement that starts on ``start_date``."""
    step, span = settings.visit_every_months, settings.visits_for_months
    return [add_months(start_date, months) for months in range(step, span + 1, step)]
