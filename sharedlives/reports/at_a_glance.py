"""Scheme at a glance: the scheme today (carers, people, arrangements and free
places) and what happened over a period (enquiries and approvals, referrals,
endings, carers joining and leaving).

Every figure is counted by the database in a fixed number of queries, so the
report costs the same for a scheme of 40 households or of 10,000."""

import datetime

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest, Least, TruncMonth

from carers.models import APPLICANT_STATUSES, ApprovalTerms, Carer, CarerStatus, StageChange
from placements.models import (
    CLOSED_REFERRAL_STAGES,
    STAYING_KINDS,
    Arrangement,
    ArrangementStatus,
    BookingStatus,
    EndReason,
    Referral,
    ReferralStage,
    ReferralStageChange,
    ShortBreakBooking,
)
from sharedlives.choices import ArrangementKind
from sharedlives.reports.base import Report, Section, Table, breakdown, figures, percent, rounded
from sharedlives.reports.periods import Period
from sharedlives.reports.sql import DaysBetween, Median, PostcodeDistrict, count_of, local_date

S = CarerStatus
# A household that leaves: it resigns, or its approval is ended.
LEAVING = (S.RESIGNED, S.APPROVAL_ENDED)


def build(membership, period: Period, today: datetime.date) -> Report:
    carers = Carer.objects.visible_to(membership)
    # The households in each stage, for the first two sections.
    stages = (*APPLICANT_STATUSES, S.APPROVED, S.SUSPENDED)
    counts = carers.aggregate(**{status: Count("pk", filter=Q(status=status)) for status in stages})
    sections = [
        _now(membership, counts, today),
        _vacancies(carers, today),
        _pipeline(carers, counts, period),
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


def _now(membership, counts: dict, today) -> Section:
    current = Arrangement.objects.visible_to(membership).current()
    arrangements = current.aggregate(
        total=Count("pk"),
        people=Count("person", distinct=True),
        **{kind: Count("pk", filter=Q(kind=kind)) for kind in ArrangementKind.values},
    )
    headline = figures(
        "The scheme today",
        [
            ("Approved carer households", counts[S.APPROVED]),
            ("Suspended carer households", counts[S.SUSPENDED]),
            ("Applicant households", sum(counts[status] for status in APPLICANT_STATUSES)),
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


def _households_with_places(carers, today):
    """Approved households with the terms in force today, one row for each
    (the terms themselves: the latest, should two overlap), with the places
    they are approved for and how many are taken tonight. A place is taken as
    the capacity check counts it: someone staying (live-in, home from
    hospital, emergency) or a short break booked for tonight; day support
    takes none.

    Read from the terms, not looked up for each household: the places and
    kinds are then columns, where a lookup was made again for every figure
    that used them (about ten for each of 10,000 households)."""
    in_force = Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    later = ApprovalTerms.objects.filter(in_force, carer=OuterRef("carer")).filter(
        Q(starts_on__gt=OuterRef("starts_on")) | Q(starts_on=OuterRef("starts_on"), pk__gt=OuterRef("pk"))
    )
    staying = Arrangement.objects.filter(
        carer=OuterRef("carer"),
        kind__in=STAYING_KINDS,
        status=ArrangementStatus.CURRENT,
        start_date__lte=today,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
    # Tonight is within the booking's nights, written as two bounds rather
    # than "contains": the planner then finds the household's few bookings
    # by its index, not every booking of the night by the range index.
    booked = ShortBreakBooking.objects.filter(
        carer=OuterRef("carer"),
        status=BookingStatus.BOOKED,
        dates__startswith__lte=today,
        dates__endswith__gt=today,
    )
    return (
        ApprovalTerms.objects.filter(in_force, carer__in=carers.filter(status=S.APPROVED))
        .exclude(Exists(later))
        .annotate(places=F("max_people"), taken=count_of(staying) + count_of(booked))
        .order_by()
    )


def _free():
    return Greatest(F("places") - F("taken"), 0)


def _vacancies(carers, today) -> Section:
    households = _households_with_places(carers, today)
    # One aggregate over the households, each kind's figures filtered by the
    # kinds approved for. Django puts the households in a subquery (they
    # hold subqueries); DISTINCT (the rows are distinct anyway) stops
    # PostgreSQL from flattening it, which would count each household's
    # places taken again for every figure that uses them.
    totals = households.distinct().aggregate(
        households=Count("pk"),
        kinds_places=Coalesce(Sum("places"), 0),
        in_use=Coalesce(Sum(Least("places", "taken")), 0),
        free=Coalesce(Sum(_free()), 0),
        **{
            name: aggregate
            for kind in ArrangementKind.values
            for name, aggregate in [
                (f"households_{kind}", Count("pk", filter=Q(kinds__contains=[kind]))),
                (f"free_{kind}", Coalesce(Sum(_free(), filter=Q(kinds__contains=[kind])), 0)),
            ]
        },
    )
    areas = (
        households.values(area=PostcodeDistrict("carer__postcode"))
        .annotate(households=Count("pk"), area_places=Sum("places"), area_free=Sum(_free()))
        .order_by("-area_free", "area")
    )
    headline = figures(
        "Approved places today",
        [
            ("Approved households with terms in force", totals["households"]),
            ("Approved places", totals["kinds_places"]),
            ("Places in use tonight", totals["in_use"]),
            ("Free places", totals["free"]),
        ],
    )
    by_kind = Table(
        "Free places by kind of arrangement",
        "Kind of arrangement",
        ["Households approved for it", "Free places"],
        [
            (label, [totals[f"households_{kind}"], totals[f"free_{kind}"]])
            for kind, label in ArrangementKind.choices
        ],
        note="A household approved for several kinds counts under each, so these do not add up to the total.",
    ).with_chart("Free places by kind of arrangement", summary="Bar chart of free places", index=1)
    by_area = Table(
        "Free places by area (postcode district)",
        "Area",
        ["Approved households", "Approved places", "Free places"],
        [(row["area"], [row["households"], row["area_places"], row["area_free"]]) for row in areas],
    )
    return Section(
        "Vacancies",
        [headline, by_kind, by_area],
        intro="Places not in use tonight: each approved household's number of people from its terms in "
        "force, less the people staying tonight (live-in, home from hospital, emergency and short breaks "
        "booked). Day support takes no place.",
    )


def _enquired_on():
    """The day a household first enquired: when it was added, or its first
    recorded stage change if that is earlier (records brought in from before)."""
    first_change = (
        StageChange.objects.filter(carer=OuterRef("pk")).order_by("changed_at").values("changed_at")[:1]
    )
    return local_date(Least("created_at", Subquery(first_change)))


def _pipeline(carers, stages: dict, period: Period) -> Section:
    in_pipeline = breakdown(
        "Applicants in each stage today",
        "Stage",
        "Applicant households",
        [(S(status).label, stages[status]) for status in APPLICANT_STATUSES],
    ).with_chart("Applicants in each stage today", summary="Bar chart of applicant households by stage")

    ever_approved = StageChange.objects.filter(carer=OuterRef("pk"), to_status=S.APPROVED)
    cohort = carers.annotate(enquired_on=_enquired_on(), was_approved=Exists(ever_approved)).filter(
        enquired_on__range=(period.starts_on, period.ends_on)
    )
    outcomes = cohort.aggregate(
        enquiries=Count("pk"),
        approved=Count("pk", filter=Q(was_approved=True)),
        applying=Count("pk", filter=Q(status__in=APPLICANT_STATUSES)),
        declined=Count("pk", filter=Q(status=S.DECLINED)),
        withdrawn=Count("pk", filter=Q(status=S.WITHDRAWN)),
    )
    approvals = (
        StageChange.objects.filter(carer__in=carers, to_status=S.APPROVED)
        .exclude(from_status=S.SUSPENDED)  # reinstated after a suspension: not a new approval
        .annotate(on=local_date("changed_at"))
        .filter(on__range=(period.starts_on, period.ends_on))
        .annotate(
            enquired_on=Subquery(
                Carer.objects.filter(pk=OuterRef("carer")).annotate(day=_enquired_on()).values("day")[:1]
            )
        )
        .annotate(days=DaysBetween("on", "enquired_on"))
        .aggregate(count=Count("carer", distinct=True), median=Median("days"), average=Avg("days"))
    )
    conversion = figures(
        f"Enquiries and approvals, {period}",
        [
            ("Households that enquired", outcomes["enquiries"]),
            ("Of these, approved since", outcomes["approved"]),
            ("Of these, approved since (%)", percent(outcomes["approved"], outcomes["enquiries"])),
            ("Of these, still applying", outcomes["applying"]),
            ("Of these, declined", outcomes["declined"]),
            ("Of these, withdrew", outcomes["withdrawn"]),
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
        .annotate(on=local_date("changed_at"))
        .filter(on__range=(period.starts_on, period.ends_on))
        .annotate(days=DaysBetween("on", "referral__received_on"))
    )
    closed = closing.aggregate(
        **{
            stage: Count("referral", distinct=True, filter=Q(to_stage=stage))
            for stage in CLOSED_REFERRAL_STAGES
        },
        median=Median("days", filter=Q(to_stage=ReferralStage.ARRANGEMENT_STARTED)),
    )
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
            ("Median days from referral to the arrangement starting", rounded(closed["median"])),
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
