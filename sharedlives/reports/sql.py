"""SQL the reports share: medians, days between dates, postcode districts and
counts of related rows, so that figures are worked out by the database."""

from django.db.models import Aggregate, CharField, F, FloatField, Func, IntegerField, Subquery
from django.db.models.functions import Coalesce, TruncDate


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


class PostcodeDistrict(Func):
    """The outward code of a postcode: "LS6 2AB" -> "LS6" (spaces or not)."""

    template = r"upper(regexp_replace(regexp_replace(%(expressions)s, '\s', '', 'g'), '.{3}$', ''))"
    output_field = CharField()


def local_date(field: str) -> TruncDate:
    """The day a moment fell on in the scheme's time zone (TIME_ZONE)."""
    return TruncDate(field)


def count_of(queryset) -> Coalesce:
    """For ``annotate``: how many rows ``queryset`` (filtered by an
    ``OuterRef``) has, as one correlated subquery; 0 for none."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
