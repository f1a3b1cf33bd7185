"""Scheme at a glance: the scheme today (carers, people, arrangements and free
places) and what happened over a period (enquiries and approvals, referrals,
endings, carers joining and leaving).

Every figure is counted by the database in a fixed number of queries, so the
report costs the same for a scheme of 40 households or of 10,000."""

import datetime

from django.db.models import Avg, Count, OuterRef, Q, Subquery
from django.db.models.functions import Least, TruncMonth

from carers.models import APPLICANT_STATUSES, Carer, CarerStatus, StageChange
from placements.models import (
    CLOSED_REFERRAL_STAGES,
    Arrangement,
    ArrangementStatus,
    EndReason,
    Referral,
    ReferralStage,
    ReferralStageChange,
)
from sharedlives.choices import ArrangementKind
from sharedlives.reports.base import Report, Section, Table, breakdown, figures, percent, rounded
from sharedlives.reports.households import by_stage, free_places
from sharedlives.reports.periods import Period
from sharedlives.reports.sql import DaysBetween, Median, local_date, moments_within

S = CarerStatus
# A household that leaves: it resigns, or its approval is ended.
LEAVING = (S.RESIGNED, S.APPROVAL_ENDED)


def build(membership, period: Period, today: datetime.date) -> Report:
    carers = Carer.objects.visible_to(membership)
    stages = by_stage(carers, period)
    sections = [
        _now(membership, stages, today),
        _vacancies(membership, carers, today),
        _pipeline(carers, stages, period),
        _referrals(membership, period),
        _endings(membership, period),
        _joining_and_leaving(carers, period),
    ]
    return Report(
        title="Scheme at a glance",
        slug="scheme-at-a-glance",
        scheme=membership.scheme,
        period=period,
        made_on=today,
        sections=sections,
    )


def _now(membership, stages: dict, today) -> Section:
    current = Arrangement.objects.visible_to(membership).current()
    arrangements = current.aggregate(
        total=Count("pk"),
        people=Count("person", distinct=True),
        **{kind: Count("pk", filter=Q(kind=kind)) for kind in ArrangementKind.values},
    )
    headline = figures(
        "The scheme today",
        [
            ("Approved carer households", stages[S.APPROVED].households),
            ("Suspended carer households", stages[S.SUSPENDED].households),
            ("Applicant households", sum(stages[status].households for status in APPLICANT_STATUSES)),
            ("People supported (with a current arrangement)", arrangements["people"]),
            ("Current arrangements", arrangements["total"]),
        ],
    )
    by_kind = breakdown(
        "Current arrangements by kind",
        "Kind of arrangement",
        "Current arrangements",
        [(label, arrangements[kind]) for kind, label in ArrangementKind.choices],
    ).with_chart("Current arrangements by kind", summary="Bar chart of current arrangements by kind")
    return Section("The scheme today", [headline, by_kind], intro=f"As at {today:%-d %b %Y}.", id="today")


def _vacancies(membership, carers, today) -> Section:
    places = free_places(membership, carers, today)
    totals = places.total
    headline = figures(
        "Approved places today",
        [
            ("Approved households with terms in force", totals.households),
            ("Approved places", totals.places),
            ("Places in use tonight", totals.in_use),
            ("Free places", totals.free),
        ],
    )
    by_kind = Table(
        "Free places by kind of arrangement",
        "Kind of arrangement",
        ["Households approved for it", "Free places"],
        [
            (label, [places.by_kind[kind].households, places.by_kind[kind].free])
            for kind, label in ArrangementKind.choices
        ],
        note="A household approved for several kinds counts under each, so these do not add up to the total.",
    ).with_chart("Free places by kind of arrangement", summary="Bar chart of free places", index=1)
    by_area = Table(
        "Free places by area (postcode district)",
        "Area",
        ["Approved households", "Approved places", "Free places"],
        [(area, [there.households, there.places, there.free]) for area, there in places.by_area],
    )
    return Section(
        "Vacancies",
        [headline, by_kind, by_area],
        intro="Places not in use tonight: each approved household's number of people from its terms in "
        "force, less the people staying tonight (live-in, home from hospital, emergency and short breaks "
        "booked). Day support takes no place.",
    )


def _enquired_on():
    """For a stage change: the day its household first enquired, when it was
    added or at its first recorded stage change if that is earlier (records
    brought in from before); as ``households.by_stage`` works it out."""
    first_change = (
        StageChange.objects.filter(carer=OuterRef("carer")).order_by("changed_at").values("changed_at")[:1]
    )
    return local_date(Least("carer__created_at", Subquery(first_change)))


def _pipeline(carers, stages: dict, period: Period) -> Section:
    in_pipeline = breakdown(
        "Applicants in each stage today",
        "Stage",
        "Applicant households",
        [(S(status).label, stages[status].households) for status in APPLICANT_STATUSES],
    ).with_chart("Applicants in each stage today", summary="Bar chart of applicant households by stage")

    enquiries = sum(stage.enquired for stage in stages.values())
    approved_since = sum(stage.enquired_and_approved for stage in stages.values())
    approvals = (
        StageChange.objects.filter(carer__in=carers, to_status=S.APPROVED)
        .exclude(from_status=S.SUSPENDED)  # reinstated after a suspension: not a new approval
        .filter(moments_within("changed_at", period))
        .annotate(on=local_date("changed_at"))
        .filter(on__range=(period.starts_on, period.ends_on))
        .annotate(days=DaysBetween("on", _enquired_on()))
        .aggregate(count=Count("carer", distinct=True), median=Median("days"), average=Avg("days"))
    )
    conversion = figures(
        f"Enquiries and approvals, {period}",
        [
            ("Households that enquired", enquiries),
            ("Of these, approved since", approved_since),
            ("Of these, approved since (%)", percent(approved_since, enquiries)),
            ("Of these, still applying", sum(stages[status].enquired for status in APPLICANT_STATUSES)),
            ("Of these, declined", stages[S.DECLINED].enquired),
            ("Of these, withdrew", stages[S.WITHDRAWN].enquired),
            ("Households approved", approvals["count"]),
            ("Median days from enquiry to approval", rounded(approvals["median"])),
            ("Average days from enquiry to approval", rounded(approvals["average"])),
        ],
        note="Days from enquiry to approval are for the households approved in the period.",
    )
    return Section("The approval pipeline", [in_pipeline, conversion], id="pipeline")


def _referrals(membership, period: Period) -> Section:
    received = Referral.objects.visible_to(membership).filter(
        received_on__range=(period.starts_on, period.ends_on)
    )
    stages = dict(received.values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    by_stage = breakdown(
        f"Referrals received, {period}, by where they are now",
        "Stage",
        "Referrals received",
        [(label, stages.get(stage, 0)) for stage, label in ReferralStage.choices],
    ).with_chart("Referrals received, by stage now", summary="Bar chart of the period's referrals by stage")

    closing = (
        ReferralStageChange.objects.filter(
            referral__in=Referral.objects.visible_to(membership), to_stage__in=CLOSED_REFERRAL_STAGES
        )
        .filter(moments_within("changed_at", period))
        .annotate(on=local_date("changed_at"))
        .filter(on__range=(period.starts_on, period.ends_on))
        .annotate(days=DaysBetween("on", "referral__received_on"))
    )
    # One row for each outcome; only the median of those that started an arrangement is shown.
    by_outcome = closing.values("to_stage").annotate(
        referrals=Count("referral", distinct=True), median=Median("days")
    )
    closed = {stage: 0 for stage in CLOSED_REFERRAL_STAGES}
    median = None
    for row in by_outcome:
        closed[row["to_stage"]] = row["referrals"]
        if row["to_stage"] == ReferralStage.ARRANGEMENT_STARTED:
            median = row["median"]
    outcomes = breakdown(
        f"Referrals closed, {period}, by outcome",
        "Outcome",
        "Referrals closed",
        [(ReferralStage(stage).label, closed[stage]) for stage in CLOSED_REFERRAL_STAGES],
    ).with_chart(
        "Referrals closed, by outcome", summary="Bar chart of the period's closed referrals by outcome"
    )
    total_closed = sum(closed[stage] for stage in CLOSED_REFERRAL_STAGES)
    started = figures(
        "Referrals that became arrangements",
        [
            ("All referrals closed", total_closed),
            (
                "Closed with an arrangement started (%)",
                percent(closed[ReferralStage.ARRANGEMENT_STARTED], total_closed),
            ),
            ("Median days from referral to the arrangement starting", rounded(median)),
        ],
    )
    return Section("Referrals", [by_stage, outcomes, started])


def _endings(membership, period: Period) -> Section:
    ended = (
        Arrangement.objects.visible_to(membership)
        .filter(status=ArrangementStatus.ENDED, end_date__range=(period.starts_on, period.ends_on))
        .values_list("end_reason")
        .annotate(n=Count("pk"))
    )
    reasons = dict(ended.values_list("end_reason", "n"))
    table = breakdown(
        f"Arrangements that ended, {period}, by reason",
        "Reason",
        "Arrangements ended",
        [(label, reasons.get(reason, 0)) for reason, label in EndReason.choices],
    ).with_chart("Arrangements ended, by reason", summary="Bar chart of arrangements ended by reason")
    return Section("Endings", [table], intro=f"{sum(reasons.values())} arrangements ended in the period.")


def _joining_and_leaving(carers, period: Period) -> Section:
    moves = (
        StageChange.objects.filter(carer__in=carers)
        .filter((Q(to_status=S.APPROVED) & ~Q(from_status=S.SUSPENDED)) | Q(to_status__in=LEAVING))
        .filter(moments_within("changed_at", period))
        .annotate(on=local_date("changed_at"))
        .filter(on__range=(period.starts_on, period.ends_on))
        .annotate(month=TruncMonth("on"))
        .values("month", "to_status")
        .annotate(households=Count("carer", distinct=True))
    )
    counted = {(row["month"], row["to_status"]): row["households"] for row in moves}
    rows = []
    for month in period.months():
        joined = counted.get((month, S.APPROVED), 0)
        resigned = counted.get((month, S.RESIGNED), 0)
        ended = counted.get((month, S.APPROVAL_ENDED), 0)
        rows.append((f"{month:%b %Y}", [joined, resigned, ended, resigned + ended]))
    table = Table(
        "Carer households joining and leaving, by month",
        "Month",
        ["Approved", "Resigned", "Approval ended", "Left in all"],
        rows,
    )
    table.with_chart("Carer households approved, by month", summary="Bar chart of new approvals by month")
    table.with_chart(
        "Carer households leaving, by month", summary="Bar chart of households leaving by month", index=3
    )
    return Section(
        "Carers joining and leaving",
        [table],
        intro="Joining: approved after panel (not reinstated after a suspension). Leaving: resigned, or "
        "approval ended.",
        id="joining-and-leaving",
    )
