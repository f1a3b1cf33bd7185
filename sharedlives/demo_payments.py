"""Payments for the demo: a few nights away, the payment run for the month
before last (reviewed, approved, and corrected by an adjustment), and last
month's as a draft. Everything goes through the same services as the pages
(placements.payment_runs), so the demo's figures are worked out as real ones."""

import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from placements.models import AbsenceReason, Arrangement, ArrangementStatus
from placements.payment_runs import (
    add_adjustment,
    approve_payment_run,
    create_payment_run,
    mark_reviewed,
    record_absence,
)
from sharedlives.choices import ArrangementKind
from sharedlives.dates import add_months
from sharedlives.models import Membership, Scheme, User

DAY = datetime.timedelta(days=1)

# (kind, reason, first night after the start of the month before last, nights, note)
ABSENCES = (
    (
        ArrangementKind.LIVE_IN,
        AbsenceReason.HOSPITAL,
        9,
        35,
        "Hip replacement, then a slow recovery on the ward",
    ),
    (ArrangementKind.LIVE_IN, AbsenceReason.HOLIDAY, 40, 7, "A week in Scarborough with her brother"),
    (
        ArrangementKind.LIVE_IN,
        AbsenceReason.CARER_LEAVE,
        46,
        4,
        "Stayed with his sister while the carers were away",
    ),
    (ArrangementKind.DAY_SUPPORT, AbsenceReason.HOSPITAL, 35, 2, "Day surgery"),
)


def _membership(scheme: Scheme, user: User) -> Membership:
    return Membership.objects.select_related("scheme").get(scheme=scheme, user=user)


def _record_absences(scheme: Scheme, coordinator: Membership, first: datetime.date) -> int:
    """Nights away for the first current arrangements of each kind that run
    from before ``first`` to after the nights away."""
    used, count = set(), 0
    for kind, reason, offset, nights, note in ABSENCES:
        starts = first + offset * DAY
        back = starts + nights * DAY
        arrangement = (
            Arrangement.objects.filter(
                Q(end_date__isnull=True) | Q(end_date__gt=back),
                scheme=scheme,
                kind=kind,
                status=ArrangementStatus.CURRENT,
                start_date__lt=first,
            )
            .exclude(pk__in=used)
            .order_by("id")
            .first()
        )
        if arrangement is None:
            continue
        used.add(arrangement.pk)
        record_absence(
            arrangement=arrangement,
            membership=coordinator,
            reason=reason,
            first_night=starts,
            back_on=back,
            note=note,
        )
        count += 1
    return count


def build_payments(scheme: Scheme, manager: User, coordinator: User) -> str:
    """Nights away, an approved run with an adjustment and a draft run."""
    manager_role, coordinator_role = _membership(scheme, manager), _membership(scheme, coordinator)
    this_month = timezone.localdate().replace(day=1)
    before_last, last = add_months(this_month, -2), add_months(this_month, -1)
    away = _record_absences(scheme, coordinator_role, before_last)

    approved = create_payment_run(scheme=scheme, membership=coordinator_role, length="month", day=before_last)
    if approved.problems.exists():
        # Left as a draft to fix, rather than failing the whole demo.
        outcome = "left as a draft with problems to fix"
    else:
        mark_reviewed(run=approved, membership=coordinator_role)
        approve_payment_run(run=approved, membership=manager_role)
        line = approved.lines.filter(kind="live_in").select_related("carer").order_by("id").first()
        if line is not None:
            add_adjustment(
                run=approved,
                membership=manager_role,
                carer=line.carer,
                line=line,
                care_payment=Decimal("18.90"),
                reason="Mileage to the person's hospital appointment, agreed by the coordinator.",
            )
        outcome = "approved with an adjustment"
    draft = create_payment_run(scheme=scheme, membership=coordinator_role, length="month", day=last)
    return (
        f"payments: {away} stays away, the run for {approved.period_label} {outcome}, "
        f"{draft.period_label}'s a draft"
    )
