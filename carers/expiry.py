"""When checks and training lapse, worked out in SQL.

The same rules as ``carers.checklist`` (which works on one household in
Python): a record lapses on its own expiry date, or else the scheme's renewal
period after it was issued (or received); only the newest record of each kind
counts (for DBS, the newest for each person). Lists use these expressions so
that flagging a page of households, or listing a caseload's renewals, is one
query however many records there are. ``tests/carers/test_expiry.py`` holds
the two versions to the same answers."""

import datetime

from django.db.models import (
    Case,
    DateField,
    Exists,
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
from carers.models import Check, CheckKind, CheckSubject
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


def flags_household(rules: dict[str, CheckRule], today: datetime.date, carer="pk") -> Exists:
    """The lapsed-check flag, for ``annotate``: ``has_lapsed_checks`` for a
    household the scheme still relies on. One declined, withdrawn, resigned
    or whose approval ended is not flagged, as ``expiring_checks`` leaves it
    out: a flagged household always has a lapsed record on that list."""
    lapsed = lapsed_required_checks(rules, today, carer=OuterRef(carer))
    return Exists(lapsed.exclude(carer__status__in=CLOSED_STATUSES))


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
