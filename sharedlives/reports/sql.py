"""SQL the reports share: medians, days between dates and
local days, so that figures are worked out by the database."""

import datetime

from django.db.models import Aggregate, FloatField, Func, IntegerField, Q
from django.db.models.functions import TruncDate


class Median(Aggregate):
    """The median (PostgreSQL's ``percentile_cont(0.5)``), or None with no rows."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


class DaysBetween(Func):
    """Whole days from ``earlier`` to ``later`` (two dates; 0 for the same day)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def __init__(self, later, earlier, **extra):
        super().__init__(later, earlier, **extra)


def local_date(field: str) -> TruncDate:
    """The day a moment fell on in the scheme's time zone (TIME_ZONE)."""
    return TruncDate(field)


def moments_within(field: str, period) -> Q:
    """The moments in ``field`` from the day before ``period`` to the day
    after it, in UTC: every moment whose local day is in the period (whatever
    the time zone), and a few either side. Put before a test of the local
    day, it rules out most rows by a plain comparison before the database
    works out any local day (for each row, the slow part); the test of the
    local day still decides."""
    one_day = datetime.timedelta(days=1)
    earliest = datetime.datetime.combine(period.starts_on - one_day, datetime.time.min, tzinfo=datetime.UTC)
    latest = datetime.datetime.combine(period.ends_on + 2 * one_day, datetime.time.min, tzinfo=datetime.UTC)
    return Q(**{f"{field}__gte": earliest}) & Q(**{f"{field}__lt": latest})
