"""The yearly count Shared Lives Plus collects, for a year from 1 April to
31 March: carers, staff, and the people supported by kind of arrangement and
by needs group. Counted by the database in a fixed number of queries."""

import datetime

from django.db.models import Count, Q

from carers.models import ApprovalTerms, Carer, CarerStatus, StageChange
from placements.models import Arrangement, ArrangementStatus
from sharedlives.choices import ArrangementKind, NeedsGroup
from sharedlives.models import STAFF_ROLES, Membership, Role
from sharedlives.reports.base import Report, Section, Table, breakdown
from sharedlives.reports.periods import Period, year_label, year_starting
from sharedlives.reports.sql import local_date

S = CarerStatus


def build(membership, year: int, today: datetime.date) -> Report:
    period = year_starting(year)
    as_of = period.as_of(today)
    carers = Carer.objects.visible_to(membership)
    report = Report(
        title=f"Yearly count, {year_label(year)}",
        slug=f"yearly-count-{year}-{year + 1}",
        scheme=membership.scheme,
        period=period,
        made_on=today,
        sections=[
            _carers(carers, period, as_of),
            _staff(membership),
            _people(membership, period, as_of),
        ],
    )
    return report


def _in_force(period_start, period_end) -> Q:
    """Terms in force on some day from ``period_start`` to ``period_end``."""
    return Q(starts_on__lte=period_end) & (Q(ends_on__isnull=True) | Q(ends_on__gte=period_start))


def _both(name: str, condition: Q, carer: str = "carer") -> dict:
    """Households meeting ``condition``, and carers (people): a joint
    approval is one household and two carers."""
    joint = ~Q(**{f"{carer}__joint_first_name": ""})
    return {
        f"{name}_households": Count(carer, distinct=True, filter=condition),
        f"{name}_joint": Count(carer, distinct=True, filter=condition & joint),
    }


def _carers(carers, period: Period, as_of: datetime.date) -> Section:
    terms = ApprovalTerms.objects.filter(carer__in=carers).filter(_in_force(period.starts_on, period.ends_on))
    approved = terms.aggregate(**_both("year", Q()), **_both("end", _in_force(as_of, as_of)))
    moves = (
        StageChange.objects.filter(carer__in=carers)
        .annotate(on=local_date("changed_at"))
        .filter(on__range=(period.starts_on, period.ends_on))
        .aggregate(
            **_both("new", Q(to_status=S.APPROVED) & ~Q(from_status=S.SUSPENDED)),
            **_both("resigned", Q(to_status=S.RESIGNED)),
            **_both("ended", Q(to_status=S.APPROVAL_ENDED)),
        )
    )
    counts = approved | moves

    def row(label, name):
        households = counts[f"{name}_households"]
        return (label, [households, households + counts[f"{name}_joint"]])

    end_label = (
        "Approved at the end of the year"
        if as_of == period.ends_on
        else f"Approved today ({as_of:%-d %b %Y})"
    )
    table = Table(
        "Approved carers",
        "Carers",
        ["Households", "Carers (people)"],
        [
            row("Approved at any time in the year", "year"),
            row(end_label, "end"),
            row("Newly approved in the year", "new"),
            row("Resigned in the year", "resigned"),
            row("Approval ended in the year", "ended"),
        ],
        note="A joint approval is one household and two carers. Suspended carers are still approved. "
        "A household counts as approved while its terms of approval are in force.",
        rows_are_measures=True,
    )
    return Section("Carers", [table])


def _staff(membership) -> Section:
    roles = dict(
        Membership.objects.filter(scheme_id=membership.scheme_id, role__in=STAFF_ROLES, user__is_active=True)
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    table = breakdown(
        "The scheme's staff, by role",
        "Role",
        "Staff",
        [
            (Role.MANAGER.label, roles.get(Role.MANAGER, 0)),
            ("Coordinators", roles.get(Role.COORDINATOR, 0)),
            ("All staff", sum(roles.values())),
        ],
        note="The staff with a login to the scheme today (staff records have no dates).",
    )
    return Section("Staff", [table])


def _running(period_start, period_end) -> Q:
    """Arrangements that had started and ran on some day of the period: on
    their last day (``end_date``) the person is still supported."""
    return (
        Q(status__in=(ArrangementStatus.CURRENT, ArrangementStatus.ENDED))
        & Q(start_date__lte=period_end)
        & (Q(end_date__isnull=True) | Q(end_date__gte=period_start))
    )


def _people(membership, period: Period, as_of: datetime.date) -> Section:
    arrangements = Arrangement.objects.visible_to(membership).filter(
        _running(period.starts_on, period.ends_on)
    )
    at_end = _running(as_of, as_of)
    kinds = {
        row["kind"]: row
        for row in arrangements.values("kind").annotate(
            year=Count("person", distinct=True), end=Count("person", distinct=True, filter=at_end)
        )
    }

    # Each person once, however many arrangements they had: counted over the
    # arrangements with the person joined in.
    def people(condition: Q | None = None):
        return Count("person", distinct=True, filter=condition)

    groups = arrangements.aggregate(
        year=people(),
        end=people(at_end),
        none_year=people(Q(person__needs_groups=[])),
        none_end=people(Q(person__needs_groups=[]) & at_end),
        **{f"{group}_year": people(Q(person__needs_groups__contains=[group])) for group in NeedsGroup.values},
        **{
            f"{group}_end": people(Q(person__needs_groups__contains=[group]) & at_end)
            for group in NeedsGroup.values
        },
    )
    end_column = "At the end of the year" if as_of == period.ends_on else f"Today ({as_of:%-d %b %Y})"
    columns = ["During the year", end_column]
    totals = Table(
        "People supported",
        "People",
        columns,
        [("People supported (any arrangement)", [groups["year"], groups["end"]])],
        rows_are_measures=True,
    )
    by_kind = Table(
        "People supported, by kind of arrangement",
        "Kind of arrangement",
        columns,
        [
            (label, [kinds.get(kind, {}).get("year", 0), kinds.get(kind, {}).get("end", 0)])
            for kind, label in ArrangementKind.choices
        ],
        note="Someone with two kinds of arrangement (live-in and day support, say) counts under each.",
    ).with_chart("People supported during the year, by kind of arrangement", summary="Bar chart")
    by_group = Table(
        "People supported, by needs group",
        "Needs group",
        columns,
        [(label, [groups[f"{group}_year"], groups[f"{group}_end"]]) for group, label in NeedsGroup.choices]
        + [("No needs group recorded", [groups["none_year"], groups["none_end"]])],
        note="Someone in several needs groups counts under each.",
    ).with_chart("People supported during the year, by needs group", summary="Bar chart")
    return Section(
        "People supported",
        [totals, by_kind, by_group],
        intro="People with an arrangement that had started and ran on at least one day of the year.",
    )
