"""When checks and training lapse, worked out in SQL.

The same rules as ``carers.checklist`` (which works on one household in
Python): a record lapses on its own expiry date, or else the scheme's renewal
period after it was issued (or received); only the newest record of each kind
counts (for DBS, the newest for each person). Lists use these expressions so
that flagging a page of households, or listing a caseload's renewals, is one
query however many records there are. ``tests/carers/test_expiry.py`` holds
the two versions to the same answers."""

import datetime
import functools

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    Exists,
    Expression,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from carers.checklist import DBS_AGE, CheckRule
from carers.models import Carer, Check, CheckKind, CheckSubject
from sharedlives.dates import add_months

# Households whose checks the scheme still relies on (or will, once approved).
CLOSED_STATUSES = ("declined", "withdrawn", "resigned", "approval_ended")


class AddMonths(Func):
    """``day + months`` as a date (the month's last day where it is shorter,
    as ``sharedlives.dates.add_months`` does); NULL where either is NULL."""

    arity = 2
    output_field = DateField()

    def as_sql(self, compiler, connection, **extra_context):
        day, months = (compiler.compile(expression) for expression in self.get_source_expressions())
        return f"CAST(({day[0]} + make_interval(months => {months[0]})) AS date)", (*day[1], *months[1])


def lapse_date(rules: dict[str, CheckRule]):
    """The last day a record counts, or NULL if it does not lapse."""
    renewals = [(kind, rule.renewal_months) for kind, rule in rules.items() if rule.renewal_months]
    months = Case(
        *[When(kind=kind, then=Value(renewal)) for kind, renewal in renewals],
        default=Value(None),
        output_field=IntegerField(),
    )
    renewed_by = AddMonths(Coalesce("issued_on", "received_on"), months)
    return Coalesce("expires_on", renewed_by, output_field=DateField())


def _record_day():
    return Coalesce("issued_on", "received_on", Value(datetime.date.min), output_field=DateField())


def latest_records(checks: QuerySet) -> QuerySet:
    """Only the newest record of each kind (for DBS, of each person): a
    renewal supersedes the record before it."""
    newer = (
        Check.objects.annotate(day=_record_day())
        .filter(carer=OuterRef("carer"), kind=OuterRef("kind"))
        .filter(Q(day__gt=OuterRef("day")) | Q(day=OuterRef("day"), pk__gt=OuterRef("pk")))
        .filter(
            ~Q(kind=CheckKind.DBS)
            | (
                Q(subject=OuterRef("subject"))
                & (~Q(subject=CheckSubject.MEMBER) | Q(household_member=OuterRef("household_member")))
            )
        )
    )
    return checks.annotate(day=_record_day()).filter(~Exists(newer))


def still_relevant(today: datetime.date) -> Q:
    """Records about someone who still needs them: a DBS check of a joint
    carer the household still has, or of a member aged 16 or over."""
    sixteenth_birthday_on_or_before = add_months(today, -12 * DBS_AGE)
    return (~Q(subject=CheckSubject.JOINT_CARER) | ~Q(carer__joint_first_name="")) & (
        ~Q(subject=CheckSubject.MEMBER)
        | Q(household_member__date_of_birth__lte=sixteenth_birthday_on_or_before)
    )


def with_lapse_dates(checks: QuerySet, rules: dict[str, CheckRule]) -> QuerySet:
    return latest_records(checks).annotate(lapses_on=lapse_date(rules))


def required_kinds(rules: dict[str, CheckRule]) -> list[str]:
    return [kind for kind, rule in rules.items() if rule.required]


def required_and_relevant(rules: dict[str, CheckRule], today: datetime.date) -> Q:
    """Records the scheme requires of this household: as the checklist, car
    insurance only where they drive people, the Care Certificate only where
    they are new to care."""
    return (
        Q(kind__in=required_kinds(rules))
        & still_relevant(today)
        & (~Q(kind=CheckKind.CAR_INSURANCE) | Q(carer__will_drive_people=True))
        & (~Q(kind=CheckKind.CARE_CERTIFICATE) | Q(carer__new_to_care=True))
    )


def lapsed_required_checks(rules: dict[str, CheckRule], today: datetime.date, carer=None) -> QuerySet:
    """Required records whose newest has lapsed; for one household when
    ``carer`` is given (an ``OuterRef`` works, for an ``Exists``)."""
    checks = Check.objects.all() if carer is None else Check.objects.filter(carer=carer)
    return with_lapse_dates(checks.filter(required_and_relevant(rules, today)), rules).filter(
        lapses_on__lt=today
    )


def has_lapsed_checks(rules: dict[str, CheckRule], today: datetime.date, carer="pk") -> Exists:
    """For ``annotate``: whether the outer row's household (``carer`` names
    its column: "pk" on carers, "carer" on arrangements) has a required check
    or training record that has lapsed."""
    return Exists(lapsed_required_checks(rules, today, carer=OuterRef(carer)))


def flags_household(rules: dict[str, CheckRule], today: datetime.date, carer="pk") -> "HouseholdFlag":
    """The lapsed-check flag, for ``annotate``: ``has_lapsed_checks`` for a
    household the scheme still relies on. One declined, withdrawn, resigned
    or whose approval ended is not flagged, as ``expiring_checks`` leaves it
    out: a flagged household always has a lapsed record on that list.
    ``carer`` names the outer row's household ("pk", "carer", or a path such
    as "arrangement__carer")."""
    return HouseholdFlag(*_flag_sql(tuple(sorted(rules.items())), today), carer=F(carer))


# What stands for the outer row's household in the flag's SQL, until a query uses it.
_OUTER_CARER = '"carers_carer"."id"'


@functools.lru_cache(maxsize=64)
def _flag_sql(rules: tuple[tuple[str, CheckRule], ...], today: datetime.date) -> tuple[str, tuple]:
    """The flag's SQL for one scheme's rules on one day, built by the ORM once
    (building it took longer than running it on a page of rows), as
    ``EXISTS(... LIMIT 1 OFFSET 0)``. The OFFSET keeps PostgreSQL from
    answering it by hashing every lapsed household of every scheme (12 ms
    a list page at 10,000 households) rather than looking up the rows shown
    (under a millisecond)."""
    lapsed = lapsed_required_checks(dict(rules), today, carer=OuterRef("pk"))
    lapsed = lapsed.exclude(carer__status__in=CLOSED_STATUSES)
    outer = Carer.objects.all()
    # Every table of the flag's own query gets an alias (L0, L1, ...) with a
    # letter the queries that use the flag do not use (Django's run T, U,
    # V, ...), so the only reference to the carers table by name is the
    # outer row's.
    outer.query.alias_prefix = lapsed.query.alias_prefix = "K"
    query = outer.annotate(flag=Exists(lapsed)).query
    sql, params = query.get_compiler(connection=connection).compile(query.annotations["flag"])
    if sql.count(_OUTER_CARER) != 1 or not sql.endswith(" LIMIT 1)"):
        raise ValueError(f"The lapsed-check flag's SQL is not as expected: {sql}")
    return sql.removesuffix(")") + " OFFSET 0)", tuple(params)


class HouseholdFlag(Expression):
    """The lapsed-check flag as one expression (see ``flags_household``):
    the SQL built once, with the outer row's household put in."""

    output_field = BooleanField()

    def __init__(self, sql: str, params: tuple, carer):
        super().__init__()
        self.sql, self.params, self.carer = sql, params, carer

    def get_source_expressions(self):
        return [self.carer]

    def set_source_expressions(self, expressions):
        (self.carer,) = expressions

    def as_sql(self, compiler, connection):
        carer_sql, carer_params = compiler.compile(self.carer)
        if carer_params:
            raise ValueError("The household must be a column.")
        return self.sql.replace(_OUTER_CARER, carer_sql), self.params


def expiring_checks(
    checks: QuerySet, rules: dict[str, CheckRule], today: datetime.date, within_days: int
) -> QuerySet:
    """Every newest record with an expiry that has lapsed or lapses within
    ``within_days``, for households the scheme still relies on, soonest
    first, with ``lapses_on`` and ``required`` annotated."""
    return (
        with_lapse_dates(
            checks.filter(still_relevant(today)).exclude(carer__status__in=CLOSED_STATUSES), rules
        )
        .filter(lapses_on__lte=today + datetime.timedelta(days=within_days))
        .annotate(
            required=Case(
                When(required_and_relevant(rules, today), then=Value(True)),
                default=Value(False),
            )
        )
        .select_related("carer", "household_member")
        .order_by(F("lapses_on").asc(), "carer__last_name", "carer__first_name", "pk")
    )
