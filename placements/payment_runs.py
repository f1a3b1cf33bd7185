"""The steps of a payment run, and recording the nights a person is away.

A run is created (and worked out) by a coordinator or the registered
manager, worked out again as the records are fixed (a reviewed run goes
back to draft), marked reviewed by a coordinator or manager, and approved
by the registered manager: someone other than whoever reviewed it. Once approved, the database keeps it as it
is (see placements.models.payments); a correction is an adjustment line.
Each step runs in one transaction, locks the run, and says in words why it
is refused."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.backends.postgresql.psycopg_any import DateRange
from django.utils import timezone

from placements.models import (
    Absence,
    AbsenceReason,
    Arrangement,
    ArrangementStatus,
    LineKind,
    PaymentLine,
    PaymentProblem,
    PaymentRun,
    RunStatus,
)
from placements.payments import pounds, work_out
from sharedlives.dates import add_months
from sharedlives.models import Scheme
from sharedlives.workflow import Move, WorkflowRefused

WEEK, MONTH = "week", "month"


def run_period(length: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The days of a run as '[)': the week starting on ``day`` (a Monday), or
    the calendar month ``day`` falls in."""
    if length == WEEK:
        if day.weekday() != 0:
            raise WorkflowRefused([f"{day:%-d %b %Y} is a {day:%A}: a week's run starts on a Monday."])
        return day, day + datetime.timedelta(days=7)
    first = day.replace(day=1)
    return first, add_months(first, 1)


def _is_staff_of(membership, scheme_id) -> bool:
    return membership is not None and membership.is_staff_role and membership.scheme_id == scheme_id


def _locked(run: PaymentRun) -> PaymentRun:
    """The run's row, locked: two staff taking a step at once go one after the other."""
    return PaymentRun.objects.select_for_update().get(pk=run.pk)


def _overlapping(scheme_id, period) -> PaymentRun | None:
    return PaymentRun.objects.filter(scheme_id=scheme_id, period__overlap=period).order_by("period").first()


def _store(run: PaymentRun, user) -> None:
    """Replace a draft's lines and problems with those worked out now."""
    worked = work_out(run, created_by=user)
    # Straight deletes: a draft's lines have no adjustments pointing at them
    # (only an approved run takes adjustments), so nothing needs collecting.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM placements_paymentline WHERE run_id = %s", [run.pk])
        cursor.execute("DELETE FROM placements_paymentproblem WHERE run_id = %s", [run.pk])
    PaymentLine.objects.bulk_create(worked.lines, batch_size=1000)
    PaymentProblem.objects.bulk_create(worked.problems, batch_size=1000)


@transaction.atomic
def create_payment_run(*, scheme: Scheme, membership, length: str, day: datetime.date) -> PaymentRun:
    """A draft run for a week (from a Monday) or a calendar month, worked out
    at once. For a coordinator or the registered manager; refused where
    another run of the scheme covers any of its days."""
    if not _is_staff_of(membership, scheme.pk):
        raise WorkflowRefused(["Only the scheme's coordinators and registered manager can start a run."])
    first, after = run_period(length, day)
    clash = _overlapping(scheme.pk, (first, after))
    if clash:
        raise WorkflowRefused(
            [
                f"The run for {clash.period_label} ({clash.get_status_display().lower()}) already covers "
                f"some of these days, from {clash.dates_label}."
            ]
        )
    try:
        with transaction.atomic():
            run = PaymentRun.objects.create(
                scheme=scheme,
                period=DateRange(first, after, "[)"),
                created_by=membership.user,
                calculated_at=timezone.now(),
            )
    except IntegrityError as error:
        if "payment_runs_do_not_overlap" not in str(error):
            raise
        raise WorkflowRefused(["Someone else has just started a run for some of these days."]) from None
    _store(run, membership.user)
    return run


def recalculate_reasons(run: PaymentRun, membership) -> list[str]:
    if not _is_staff_of(membership, run.scheme_id):
        return ["Only the scheme's coordinators and registered manager can work out a run again."]
    if run.status == RunStatus.APPROVED:
        return ["The run is approved, so its payments are final. Add an adjustment to correct one."]
    return []


@transaction.atomic
def recalculate(*, run: PaymentRun, membership) -> PaymentRun:
    """Work a run out again from the records as they are now (after a rate,
    a booking or an absence was fixed). A reviewed run goes back to draft:
    what was reviewed has changed, so it is reviewed again."""
    locked = _locked(run)
    reasons = recalculate_reasons(locked, membership)
    if reasons:
        raise WorkflowRefused(reasons)
    _store(locked, membership.user)
    locked.calculated_at = timezone.now()
    locked.status, locked.reviewed_by, locked.reviewed_at = RunStatus.DRAFT, None, None
    locked.save(update_fields=["calculated_at", "status", "reviewed_by", "reviewed_at"])
    return locked


def _problem_reasons(run: PaymentRun, problems: list[str], step: str) -> list[str]:
    if not problems:
        return []
    return [
        f"The run cannot be {step} while {plural_problems(len(problems))} to fix: fix each, "
        "then work the run out again.",
        *problems,
    ]


def plural_problems(count: int) -> str:
    return "there is 1 problem" if count == 1 else f"there are {count} problems"


def review_reasons(run: PaymentRun, membership, problems: list[str]) -> list[str]:
    if not _is_staff_of(membership, run.scheme_id):
        return ["Only the scheme's coordinators and registered manager can review a run."]
    if run.status != RunStatus.DRAFT:
        return [f"The run is already {run.get_status_display().lower()}."]
    return _problem_reasons(run, problems, "reviewed")


@transaction.atomic
def mark_reviewed(*, run: PaymentRun, membership) -> PaymentRun:
    """A coordinator (or the registered manager) has checked the run's lines."""
    locked = _locked(run)
    problems = list(locked.problems.values_list("description", flat=True))
    reasons = review_reasons(locked, membership, problems)
    if reasons:
        raise WorkflowRefused(reasons)
    locked.status = RunStatus.REVIEWED
    locked.reviewed_by, locked.reviewed_at = membership.user, timezone.now()
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return locked


def approve_reasons(run: PaymentRun, membership, problems: list[str]) -> list[str]:
    if not _is_staff_of(membership, run.scheme_id) or not membership.is_manager:
        return ["Only the registered manager can approve a payment run."]
    if run.status == RunStatus.APPROVED:
        return ["The run is already approved."]
    if run.status == RunStatus.DRAFT:
        return ["A coordinator reviews the run first."]
    reasons = _problem_reasons(run, problems, "approved")
    if run.reviewed_by_id == membership.user_id:
        reasons.append("You reviewed this run, so someone else approves it: a run is checked by two people.")
    return reasons


@transaction.atomic
def approve_payment_run(
    *, run: PaymentRun, membership, seen_worked_out_at: datetime.datetime | None = None
) -> PaymentRun:
    """The registered manager approves a reviewed run; from then on the
    database refuses any change to it but an adjustment line. With
    ``seen_worked_out_at`` (when the figures the manager looked at were
    worked out), it is refused if the run has been worked out again since."""
    locked = _locked(run)
    problems = list(locked.problems.values_list("description", flat=True))
    reasons = approve_reasons(locked, membership, problems)
    if not reasons and seen_worked_out_at is not None and seen_worked_out_at != locked.calculated_at:
        reasons.append("The run has been worked out again since you opened it: check the new figures first.")
    if reasons:
        raise WorkflowRefused(reasons)
    locked.status = RunStatus.APPROVED
    locked.approved_by, locked.approved_at = membership.user, timezone.now()
    locked.save(update_fields=["status", "approved_by", "approved_at"])
    return locked


def adjust_reasons(run: PaymentRun, membership) -> list[str]:
    if not _is_staff_of(membership, run.scheme_id) or not membership.is_manager:
        return ["Only the registered manager can adjust an approved run."]
    if run.status != RunStatus.APPROVED:
        return [
            "Adjustments are for approved runs: while it is a draft, fix the records and work it out again."
        ]
    return []


@transaction.atomic
def add_adjustment(
    *,
    run: PaymentRun,
    membership,
    carer,
    reason: str,
    care_payment: Decimal = Decimal(0),
    rent: Decimal = Decimal(0),
    household_contribution: Decimal = Decimal(0),
    line: PaymentLine | None = None,
) -> PaymentLine:
    """A correction to an approved run: a new line (amounts may be
    negative) with its reason, and the line it corrects if there is one."""
    locked = _locked(run)
    reasons = adjust_reasons(locked, membership)
    if line is not None and line.run_id != locked.pk:
        reasons.append("The line corrected must be one of this run's.")
    if line is not None and line.carer_id != carer.pk:
        reasons.append(f"That line is for {line.carer.name}, not {carer.name}.")
    if carer.scheme_id != locked.scheme_id:
        reasons.append("Choose one of the scheme's carers.")
    if not reason.strip():
        reasons.append("Say why the adjustment is made.")
    total = care_payment + rent + household_contribution
    if not (care_payment or rent or household_contribution):
        reasons.append("Give the amount to add (or, with a minus sign, to take off).")
    if reasons:
        raise WorkflowRefused(reasons)
    what = f"Correction of line {line.pk}: {line.description}" if line else f"Adjustment for {carer.name}"
    return PaymentLine.objects.create(
        run=locked,
        carer=carer,
        arrangement_id=line.arrangement_id if line else None,
        person_id=line.person_id if line else None,
        kind=LineKind.ADJUSTMENT,
        description=f"{what} ({'+' if total >= 0 else '−'}{pounds(abs(total))})"[:300],
        care_payment=care_payment,
        rent=rent,
        household_contribution=household_contribution,
        total=total,
        adjusts=line,
        reason=reason.strip(),
        created_by=membership.user,
    )


def run_steps(run: PaymentRun, membership, problems: list[str]) -> list[Move]:
    """The steps that come next for the run, each with why it is not allowed
    (if it is not); ``via`` names the page that takes the step."""
    if run.status == RunStatus.APPROVED:
        return [Move("adjust", "Add an adjustment", adjust_reasons(run, membership), "payment_run_adjust")]
    steps = [
        Move("recalculate", "Work out again", recalculate_reasons(run, membership), "payment_run_recalculate")
    ]
    if run.status == RunStatus.DRAFT:
        steps.append(
            Move(
                "review", "Mark as reviewed", review_reasons(run, membership, problems), "payment_run_review"
            )
        )
    steps.append(
        Move("approve", "Approve the run", approve_reasons(run, membership, problems), "payment_run_approve")
    )
    return steps


# Absences ------------------------------------------------------------------


@transaction.atomic
def record_absence(
    *,
    arrangement: Arrangement,
    membership,
    reason: str,
    first_night: datetime.date,
    back_on: datetime.date,
    note: str = "",
) -> Absence:
    """Nights the person is away (in hospital, on holiday, or elsewhere
    while the carer is on leave), paid as the scheme's settings say."""
    locked = Arrangement.objects.select_for_update().get(pk=arrangement.pk)
    reasons = []
    if not _is_staff_of(membership, locked.scheme_id):
        reasons.append("Only the scheme's staff can record nights away.")
    if locked.status == ArrangementStatus.PLANNED:
        reasons.append("The arrangement has not started yet.")
    if reason not in AbsenceReason.values:
        reasons.append("Choose why they are away.")
    if back_on <= first_night:
        reasons.append("The day they are back must be after the first night away.")
    elif first_night < locked.start_date or (locked.end_date and back_on > locked.end_date):
        end = f" to {locked.end_date:%-d %b %Y}" if locked.end_date else ""
        reasons.append(
            f"The nights away must fall within the arrangement's dates ({locked.start_date:%-d %b %Y}{end})."
        )
    else:
        clash = locked.absences.filter(dates__overlap=(first_night, back_on)).first()
        if clash:
            reasons.append(f"{clash} is already recorded; change the dates so they do not overlap.")
    if reasons:
        raise WorkflowRefused(reasons)
    return Absence.objects.create(
        arrangement=locked,
        dates=DateRange(first_night, back_on, "[)"),
        reason=reason,
        note=note.strip(),
        recorded_by=membership.user,
    )


@transaction.atomic
def remove_absence(*, absence: Absence, membership) -> None:
    """Take back nights away recorded by mistake. Approved runs keep what
    they paid; a draft changes when it is worked out again."""
    locked = Absence.objects.select_for_update().select_related("arrangement").get(pk=absence.pk)
    if not _is_staff_of(membership, locked.arrangement.scheme_id):
        raise WorkflowRefused(["Only the scheme's staff can remove nights away."])
    locked.delete()


def approved_runs_covering(scheme_id, first: datetime.date, after: datetime.date) -> list[PaymentRun]:
    """Approved runs with any of these days: their payments do not change."""
    return list(
        PaymentRun.objects.filter(
            scheme_id=scheme_id, status=RunStatus.APPROVED, period__overlap=(first, after)
        ).order_by("period")
    )
