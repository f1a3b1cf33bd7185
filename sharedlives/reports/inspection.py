"""For a CQC inspection: reviews on time and late, checks and training,
incidents and the notifications CQC received (and how long each took), and
compliments and complaints, over a period. Counted by the database in a
fixed number of queries; the notifications are listed one by one."""

import datetime

from django.db.models import Avg, Count, DateField, F, Max, Q, Value
from django.utils import timezone

from carers.checklist import rules_for
from carers.expiry import expiring_checks, lapse_date, lapsed_required_checks, latest_records
from carers.models import TRAINING_KINDS, Carer, CarerReview, CarerStatus, Check, CheckKind, CheckStatus
from placements.models import (
    Arrangement,
    ArrangementReview,
    ComplaintOutcome,
    CqcNotification,
    Feedback,
    FeedbackKind,
    Incident,
    IncidentCategory,
    MonitoringSettings,
)
from sharedlives.reports.base import Report, Section, Table, breakdown, figures, percent, rounded
from sharedlives.reports.periods import Period
from sharedlives.reports.sql import DaysBetween, Median, local_date

# Households the scheme relies on now: approved, or suspended pending a review.
RELIED_ON = (CarerStatus.APPROVED, CarerStatus.SUSPENDED)


def build(membership, period: Period, today: datetime.date) -> Report:
    scheme = membership.scheme
    rules = rules_for(scheme)
    warning_days = MonitoringSettings.for_scheme(scheme).expiry_warning_days
    carers = Carer.objects.visible_to(membership)
    relied_on = carers.filter(status__in=RELIED_ON)
    households = relied_on.count()
    return Report(
        title="For a CQC inspection",
        slug="cqc-inspection",
        scheme=scheme,
        period=period,
        made_on=today,
        sections=[
            _arrangement_reviews(membership, period, today),
            _carer_reviews(carers, period, today),
            _checks(relied_on, households, rules, today, warning_days),
            _training(relied_on, households, rules, today),
            _incidents(membership, period),
            _notifications(membership, period, today),
            _feedback(membership, period),
        ],
    )


def _timeliness(reviews, period: Period) -> dict:
    """Reviews held in the period: on time (on or before the day they were
    due), late, or with no due date recorded; and how late the late ones were."""
    late = Q(held_on__gt=F("due_on"))
    return (
        reviews.filter(held_on__range=(period.starts_on, period.ends_on))
        .annotate(days_late=DaysBetween("held_on", "due_on"))
        .aggregate(
            held=Count("pk"),
            on_time=Count("pk", filter=Q(held_on__lte=F("due_on"))),
            late=Count("pk", filter=late),
            undated=Count("pk", filter=Q(due_on__isnull=True)),
            median_late=Median("days_late", filter=late),
            most_late=Max("days_late", filter=late),
        )
    )


def _review_tables(title: str, held: dict, overdue: int, due_soon: int) -> list[Table]:
    on_time = breakdown(
        f"{title} held in the period",
        "Held",
        "Reviews",
        [
            ("On time (on or before the day due)", held["on_time"]),
            ("Late", held["late"]),
            ("No due date recorded", held["undated"]),
        ],
    ).with_chart(f"{title} held, on time and late", summary="Bar chart")
    summary = figures(
        f"{title}: on time, late and overdue",
        [
            ("Reviews held", held["held"]),
            ("Held on time (%)", percent(held["on_time"], held["on_time"] + held["late"])),
            ("Median days late, of those late", rounded(held["median_late"])),
            ("Most days late", held["most_late"]),
            ("Overdue today", overdue),
            ("Due in the next 30 days", due_soon),
        ],
    )
    return [on_time, summary]


def _arrangement_reviews(membership, period: Period, today) -> Section:
    arrangements = Arrangement.objects.visible_to(membership)
    held = _timeliness(ArrangementReview.objects.filter(arrangement__in=arrangements), period)
    due = arrangements.review_due_by(today + datetime.timedelta(days=30)).aggregate(
        overdue=Count("pk", filter=Q(next_review_due__lt=today)),
        soon=Count("pk", filter=Q(next_review_due__gte=today)),
    )
    return Section(
        "Arrangement reviews",
        _review_tables("Arrangement reviews", held, due["overdue"], due["soon"]),
        intro="A review is on time if it was held on or before the day it was due. Overdue today: current "
        "arrangements whose next review was due before today.",
    )


def _carer_reviews(carers, period: Period, today) -> Section:
    held = _timeliness(CarerReview.objects.filter(carer__in=carers), period)
    due = carers.review_due_by(today + datetime.timedelta(days=30)).aggregate(
        overdue=Count("pk", filter=Q(next_review_due__lt=today)),
        soon=Count("pk", filter=Q(next_review_due__gte=today)),
    )
    return Section(
        "Carers' annual reviews",
        _review_tables("Carers' annual reviews", held, due["overdue"], due["soon"]),
        intro="Approved and suspended households. Overdue today: the next annual review was due "
        "before today.",
        id="carer-reviews",
    )


def _checks(relied_on, households: int, rules, today, warning_days: int) -> Section:
    lapsed = lapsed_required_checks(rules, today).filter(carer__in=relied_on)
    lapsed_by_kind = dict(
        lapsed.order_by().values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    lapsed_households = lapsed.order_by().aggregate(n=Count("carer", distinct=True))["n"]
    soon = (
        expiring_checks(Check.objects.filter(carer__in=relied_on), rules, today, warning_days)
        .filter(lapses_on__gte=today)
        .order_by()
    )
    soon_by_kind = dict(soon.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    headline = figures(
        "Checks today",
        [
            ("Approved or suspended households", households),
            ("Households with a required check lapsed", lapsed_households),
            ("Required records lapsed", sum(lapsed_by_kind.values())),
            (f"Records that lapse in the next {warning_days} days", sum(soon_by_kind.values())),
        ],
    )
    kinds = [kind for kind, _ in CheckKind.choices if kind in lapsed_by_kind or kind in soon_by_kind]
    by_kind = Table(
        "Checks lapsed and lapsing, by kind",
        "Check",
        ["Required and lapsed", f"Lapse in the next {warning_days} days"],
        [(CheckKind(kind).label, [lapsed_by_kind.get(kind, 0), soon_by_kind.get(kind, 0)]) for kind in kinds],
        note="Only the newest record of each kind counts (for DBS, each person's newest). "
        "A kind with nothing lapsed or lapsing is left out.",
    )
    if kinds:
        by_kind.with_chart("Required checks lapsed, by kind", summary="Bar chart")
    return Section(
        "Checks",
        [headline, by_kind],
        intro="For the households the scheme relies on today: approved, or suspended.",
    )


def _training(relied_on, households: int, rules, today) -> Section:
    signed_off_concern = Q(status=CheckStatus.CONCERN, signed_off_by__isnull=False) & ~Q(risk_assessment="")
    complete = Q(status=CheckStatus.SATISFACTORY) | signed_off_concern
    newest = latest_records(Check.objects.filter(carer__in=relied_on, kind__in=TRAINING_KINDS))
    current = (
        newest.annotate(lapses_on=lapse_date(rules))
        .filter(complete)
        .filter(Q(lapses_on__isnull=True) | Q(lapses_on__gte=today))
        .order_by()
        .values_list("kind")
        .annotate(households=Count("carer", distinct=True))
    )
    by_kind = dict(current.values_list("kind", "households"))
    table = Table(
        "Training current, by course",
        "Training",
        ["Households with it current", "Of approved or suspended households (%)", "Required by the scheme"],
        [
            (
                CheckKind(kind).label,
                [
                    by_kind.get(kind, 0),
                    percent(by_kind.get(kind, 0), households),
                    "Yes" if rules[kind].required else "No",
                ],
            )
            for kind in TRAINING_KINDS
        ],
        note="Current: the newest record is satisfactory (or a concern signed off) and has not lapsed. "
        "The Care Certificate is only for carers new to care.",
    ).with_chart("Households with each training current", summary="Bar chart")
    return Section("Training", [table], intro=f"Of the {households} approved or suspended households.")


def _incidents(membership, period: Period) -> Section:
    incidents = (
        Incident.objects.visible_to(membership)
        .annotate(on=local_date("occurred_at"))
        .filter(on__range=(period.starts_on, period.ends_on))
        .values("category")
        .annotate(total=Count("pk"), open=Count("pk", filter=Q(closed_on__isnull=True)))
    )
    counted = {row["category"]: row for row in incidents}
    rows = []
    for category, label in IncidentCategory.choices:
        row = counted.get(category, {"total": 0, "open": 0})
        rows.append((label, [row["total"], row["open"], row["total"] - row["open"]]))
    table = Table(
        "Incidents in the period, by category", "Category", ["Incidents", "Still open", "Closed"], rows
    ).with_chart("Incidents, by category", summary="Bar chart of incidents in the period by category")
    # The total goes in the table once the chart, of the categories only, is drawn.
    rows.append(("All incidents", [sum(values[i] for _, values in rows) for i in range(3)]))
    return Section("Incidents", [table])


def _notifications(membership, period: Period, today) -> Section:
    notifications = CqcNotification.objects.visible_to(membership).annotate(
        known_on=local_date("due_from"), days=DaysBetween("sent_on", "known_on")
    )
    in_period = Q(known_on__range=(period.starts_on, period.ends_on))
    sent = in_period & Q(sent_on__isnull=False)
    unsent = Q(sent_on__isnull=True)
    counts = notifications.aggregate(
        due=Count("pk", filter=in_period),
        sent=Count("pk", filter=sent),
        same_day=Count("pk", filter=sent & Q(days=0)),
        median=Median("days", filter=sent),
        waiting=Count("pk", filter=unsent),
        longest_wait=Max(DaysBetween(Value(today, output_field=DateField()), "known_on"), filter=unsent),
    )
    listed = notifications.filter(in_period).select_related("incident").order_by("known_on", "pk")
    summary = figures(
        "CQC notifications",
        [
            ("Notifications due in the period", counts["due"]),
            ("Sent", counts["sent"]),
            ("Sent the same day", counts["same_day"]),
            ("Median days taken", rounded(counts["median"])),
            ("Not sent yet (any date)", counts["waiting"]),
            ("Longest wait so far, in days", counts["longest_wait"]),
        ],
    )
    listing = Table(
        "Each notification due in the period",
        "Incident",
        ["What CQC must be told of", "Known on", "Sent on", "CQC reference", "Days taken"],
        [
            (
                _incident_label(n.incident),
                [", ".join(n.get_reasons_display()), n.known_on, n.sent_on, n.reference or None, n.days],
            )
            for n in listed
        ],
        note="Days taken: from the day the scheme knew to the day it sent the notification "
        "(0: the same day). A notification not sent yet has no days taken.",
    )
    return Section("CQC notifications", [summary, listing], id="notifications")


def _incident_label(incident) -> str:
    """ "Accident or injury at 14:30 on 2 Nov 2026": the time keeps two
    incidents of one day apart."""
    when = timezone.localtime(incident.occurred_at)
    return f"{incident.get_category_display()} at {when:%H:%M} on {when:%-d %b %Y}"


def _feedback(membership, period: Period) -> Section:
    complaint = Q(kind=FeedbackKind.COMPLAINT)
    counts = (
        Feedback.objects.visible_to(membership)
        .filter(received_on__range=(period.starts_on, period.ends_on))
        .annotate(days_open=DaysBetween("closed_on", "received_on"))
        .aggregate(
            compliments=Count("pk", filter=Q(kind=FeedbackKind.COMPLIMENT)),
            complaints=Count("pk", filter=complaint),
            open=Count("pk", filter=complaint & Q(closed_on__isnull=True)),
            no_outcome=Count("pk", filter=complaint & Q(outcome="")),
            average_days=Avg("days_open", filter=complaint & Q(closed_on__isnull=False)),
            **{o: Count("pk", filter=complaint & Q(outcome=o)) for o in ComplaintOutcome.values},
        )
    )
    headline = figures(
        "Compliments and complaints received in the period",
        [
            ("Compliments", counts["compliments"]),
            ("Complaints", counts["complaints"]),
            ("Complaints still open", counts["open"]),
            ("Average days to close a complaint", rounded(counts["average_days"])),
        ],
    )
    outcomes = breakdown(
        "Complaints by outcome",
        "Outcome",
        "Complaints",
        [(label, counts[o]) for o, label in ComplaintOutcome.choices]
        + [("No outcome yet", counts["no_outcome"])],
    ).with_chart("Complaints, by outcome", summary="Bar chart of the period's complaints by outcome")
    return Section("Compliments and complaints", [headline, outcomes], id="feedback")
