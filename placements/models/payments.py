"""Paying carers: how absences are paid, the nights an arrangement's person
is away, and payment runs with their lines.

A run's lines are worked out by ``placements.payments`` and moved on by
``placements.payment_runs``. Once a run is approved the database keeps it
as it was (the triggers below): a correction is a new adjusting line with
its reason, never an edit."""

import datetime

import pgtrigger
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models

from sharedlives.choices import values_check
from sharedlives.models import audited
from sharedlives.ranges import Range


@audited
class PaymentSettings(models.Model):
    """How a scheme pays a carer while the person is away. A scheme without
    a row uses the defaults below (``PaymentSettings.for_scheme``)."""

    scheme = models.OneToOneField(
        "sharedlives.Scheme", on_delete=models.CASCADE, related_name="payment_settings"
    )
    hospital_paid_percent = models.PositiveSmallIntegerField(
        "hospital stay: per cent of the usual payment",
        default=100,
        help_text="Paid for the first nights of a hospital stay (below), then nothing.",
    )
    hospital_paid_nights = models.PositiveSmallIntegerField(
        "hospital stay: nights paid", default=28, help_text="From the first night of each stay."
    )
    holiday_paid_percent = models.PositiveSmallIntegerField(
        "the person's holiday: per cent of the usual payment", default=100
    )
    carer_leave_paid_percent = models.PositiveSmallIntegerField(
        "the carer's leave (the person elsewhere): per cent of the usual payment", default=0
    )

    class Meta:
        verbose_name_plural = "payment settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hospital_paid_percent__range=(0, 100))
                & models.Q(holiday_paid_percent__range=(0, 100))
                & models.Q(carer_leave_paid_percent__range=(0, 100)),
                name="payment_settings_percent_0_to_100",
                violation_error_message="A percentage is between 0 and 100.",
            ),
            models.CheckConstraint(
                condition=models.Q(hospital_paid_nights__range=(0, 366)),
                name="payment_settings_hospital_nights_0_to_366",
            ),
        ]

    def __str__(self):
        return f"Payment settings for {self.scheme}"

    @classmethod
    def for_scheme(cls, scheme) -> "PaymentSettings":
        """The scheme's (a Scheme or its id) settings, or the defaults if it has none saved."""
        scheme_id = getattr(scheme, "pk", scheme)
        found = cls.objects.filter(scheme_id=scheme_id).first()
        return found or cls(scheme_id=scheme_id)


class AbsenceReason(models.TextChoices):
    HOSPITAL = "hospital", "Hospital stay"
    HOLIDAY = "holiday", "The person's holiday"
    CARER_LEAVE = "carer_leave", "The carer's leave (the person stays elsewhere)"


class AbsenceQuerySet(models.QuerySet):
    def visible_to(self, membership):
        from placements.models.arrangements import Arrangement

        return self.filter(arrangement__in=Arrangement.objects.visible_to(membership))


@audited
class Absence(models.Model):
    """Nights an arrangement's person is away from the carer's home. ``dates``
    runs from the first night away to the day they are back ('[)'), like a
    booking, so a stay can end the day the next one begins."""

    arrangement = models.ForeignKey(
        "placements.Arrangement", on_delete=models.CASCADE, related_name="absences"
    )
    dates = DateRangeField(help_text="From the first night away to the day they are back.")
    reason = models.CharField(max_length=20, choices=AbsenceReason.choices)
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = AbsenceQuerySet.as_manager()

    class Meta:
        ordering = ["-dates", "-id"]
        constraints = [
            values_check("reason", AbsenceReason, "absence_reason_valid"),
            models.CheckConstraint(
                condition=models.Q(dates__isempty=False)
                & models.Q(dates__startswith__isnull=False)
                & models.Q(dates__endswith__isnull=False),
                name="absence_has_nights",
                violation_error_message="An absence needs a first night away and a later day back.",
            ),
            # A night away has one reason, so it is paid one way. The
            # arrangement's id goes in as a one-value range (sharedlives.ranges).
            ExclusionConstraint(
                name="absence_nights_do_not_overlap",
                expressions=[
                    (Range("arrangement", "arrangement", function="int8range"), RangeOperators.OVERLAPS),
                    ("dates", RangeOperators.OVERLAPS),
                ],
                violation_error_message="Some of these nights are already recorded as away.",
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_reason_display()} from {self.dates.lower:%-d %b %Y} to {self.dates.upper:%-d %b %Y}"
        )

    @property
    def nights(self) -> int:
        return (self.dates.upper - self.dates.lower).days


class RunStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEWED = "reviewed", "Reviewed"
    APPROVED = "approved", "Approved"


class PaymentRunQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """Runs are the scheme staff's; what money each sees is PaymentLine's rule."""
        if membership is None or not membership.is_staff_role:
            return self.none()
        return self.filter(scheme_id=membership.scheme_id)


# Once approved, a run stays as it was approved: no change of status,
# period or anything else, and it cannot be deleted.
RUN_LOCK = (
    "IF OLD.status = 'approved' THEN"
    " RAISE EXCEPTION 'payment_run_locked: payment run % is approved and cannot be changed', OLD.id"
    " USING ERRCODE = 'integrity_constraint_violation';"
    " END IF;"
    " IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;"
    " RETURN NEW;"
)
# An approved run's lines are never changed or removed, and the only line
# added to it is an adjustment (which says what it corrects and why). The
# one exception: the retention command anonymising a line's words (amounts
# untouched), inside sharedlives.audit.rewriting_history().
LINE_LOCK = (
    "IF TG_OP = 'UPDATE' AND coalesce(current_setting('sharedlives.rewriting_history', true), '') = 'on'"
    " AND (OLD.run_id, OLD.carer_id, OLD.arrangement_id, OLD.person_id, OLD.kind, OLD.quantity,"
    " OLD.rate_amount_id, OLD.paid_percent, OLD.care_payment, OLD.rent, OLD.household_contribution,"
    " OLD.total, OLD.adjusts_id, OLD.created_by_id, OLD.created_at)"
    " IS NOT DISTINCT FROM (NEW.run_id, NEW.carer_id, NEW.arrangement_id, NEW.person_id, NEW.kind,"
    " NEW.quantity, NEW.rate_amount_id, NEW.paid_percent, NEW.care_payment, NEW.rent,"
    " NEW.household_contribution, NEW.total, NEW.adjusts_id, NEW.created_by_id, NEW.created_at) THEN"
    " RETURN NEW;"
    " END IF;"
    " IF TG_OP <> 'INSERT' AND EXISTS"
    " (SELECT 1 FROM placements_paymentrun r WHERE r.id = OLD.run_id AND r.status = 'approved') THEN"
    " RAISE EXCEPTION 'payment_run_locked: line % belongs to an approved payment run', OLD.id"
    " USING ERRCODE = 'integrity_constraint_violation';"
    " END IF;"
    " IF TG_OP <> 'DELETE' AND NEW.kind <> 'adjustment' AND EXISTS"
    " (SELECT 1 FROM placements_paymentrun r WHERE r.id = NEW.run_id AND r.status = 'approved') THEN"
    " RAISE EXCEPTION 'payment_run_locked: only an adjustment can be added to approved run %', NEW.run_id"
    " USING ERRCODE = 'integrity_constraint_violation';"
    " END IF;"
    " IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;"
    " RETURN NEW;"
)
# An approved run had no problems left; none is added to it afterwards.
PROBLEM_LOCK = (
    "IF EXISTS (SELECT 1 FROM placements_paymentrun r WHERE r.id = NEW.run_id AND r.status = 'approved') THEN"
    " RAISE EXCEPTION 'payment_run_locked: approved run % takes no new problems', NEW.run_id"
    " USING ERRCODE = 'integrity_constraint_violation';"
    " END IF;"
    " RETURN NEW;"
)


@audited
class PaymentRun(models.Model):
    """What the scheme pays its carers for a week (from a Monday) or a
    calendar month: drafted, reviewed by a coordinator, approved by the
    registered manager. ``period`` is '[)': it runs to the day after its last day."""

    scheme = models.ForeignKey("sharedlives.Scheme", on_delete=models.PROTECT, related_name="payment_runs")
    period = DateRangeField()
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    calculated_at = models.DateTimeField("worked out at")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = PaymentRunQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "-id"]
        constraints = [
            values_check("status", RunStatus, "payment_run_status_valid"),
            models.CheckConstraint(
                condition=models.Q(period__isempty=False)
                & models.Q(period__startswith__isnull=False)
                & models.Q(period__endswith__isnull=False),
                name="payment_run_has_days",
            ),
            # Reviewed and approved runs say who moved them on, and when;
            # an approved run was reviewed first.
            models.CheckConstraint(
                condition=models.Q(status=RunStatus.DRAFT)
                | models.Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                name="payment_run_reviewed_by_someone",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=RunStatus.APPROVED)
                | models.Q(approved_by__isnull=False, approved_at__isnull=False),
                name="payment_run_approved_by_someone",
            ),
            # A day is paid by one run only. The scheme's id goes in as a
            # one-value range (sharedlives.ranges).
            ExclusionConstraint(
                name="payment_runs_do_not_overlap",
                expressions=[
                    (Range("scheme", "scheme", function="int8range"), RangeOperators.OVERLAPS),
                    ("period", RangeOperators.OVERLAPS),
                ],
                violation_error_message="Another payment run already covers some of these days.",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="payment_run_locked_once_approved",
                when=pgtrigger.Before,
                operation=pgtrigger.Update | pgtrigger.Delete,
                func=RUN_LOCK,
            ),
        ]

    def __str__(self):
        return f"Payment run {self.period_label}"

    @property
    def last_day(self):
        return self.period.upper - datetime.timedelta(days=1)

    @property
    def is_month(self) -> bool:
        first = self.period.lower
        return first.day == 1 and self.period.upper == _next_month(first)

    @property
    def period_label(self) -> str:
        """ "November 2026", or "the week from 16 Nov 2026"."""
        if self.is_month:
            return f"{self.period.lower:%B %Y}"
        return f"the week from {self.period.lower:%-d %b %Y}"

    @property
    def dates_label(self) -> str:
        return f"{self.period.lower:%-d %b %Y} to {self.last_day:%-d %b %Y}"


def _next_month(day):
    return day.replace(year=day.year + day.month // 12, month=day.month % 12 + 1, day=1)


class LineKind(models.TextChoices):
    LIVE_IN = "live_in", "Live-in and other stays"
    SHORT_BREAKS = "short_breaks", "Short breaks"
    DAY_SUPPORT = "day_support", "Day support"
    ADJUSTMENT = "adjustment", "Adjustment"


UNITS = {LineKind.LIVE_IN: "night", LineKind.SHORT_BREAKS: "night", LineKind.DAY_SUPPORT: "session"}


class PaymentLineQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """Money is seen by the registered manager (all of the scheme's), a
        coordinator (the carers they coordinate) and a carer (their own, on
        approved runs only)."""
        if membership is None:
            return self.none()
        lines = self.filter(run__scheme_id=membership.scheme_id)
        if membership.is_manager:
            return lines
        if membership.is_staff_role:
            return lines.filter(carer__coordinator_id=membership.user_id)
        return lines.filter(carer_id=membership.carer_id, run__status=RunStatus.APPROVED)


def money(**kwargs):
    return models.DecimalField(max_digits=10, decimal_places=2, **kwargs)


class PaymentLine(models.Model):
    """One carer's payment for one arrangement at one rate amount (and paid
    percentage), or an adjustment. Not audited: a draft's lines are worked
    out again whole, and an approved run's lines never change."""

    run = models.ForeignKey(PaymentRun, on_delete=models.CASCADE, related_name="lines")
    carer = models.ForeignKey("carers.Carer", on_delete=models.PROTECT, related_name="payment_lines")
    arrangement = models.ForeignKey(
        "placements.Arrangement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_lines",
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="payment_lines"
    )
    kind = models.CharField(max_length=20, choices=LineKind.choices)
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField("nights or sessions", null=True, blank=True)
    rate_amount = models.ForeignKey(
        "placements.RateAmount", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_percent = models.PositiveSmallIntegerField(default=100)
    care_payment = money(default=0)
    rent = money(default=0)
    household_contribution = money(default=0)
    total = money()
    adjusts = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="adjustments"
    )
    reason = models.TextField("reason for the adjustment", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PaymentLineQuerySet.as_manager()

    class Meta:
        ordering = ["carer_id", "arrangement_id", "kind", "id"]
        indexes = [
            models.Index(fields=["run", "carer"], name="payment_line_run_carer_idx"),
            models.Index(fields=["person", "run"], name="payment_line_person_run_idx"),
        ]
        constraints = [
            values_check("kind", LineKind, "payment_line_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(paid_percent__range=(0, 100)), name="payment_line_percent_0_to_100"
            ),
            # The total is what the three parts add up to, so the export balances.
            models.CheckConstraint(
                condition=models.Q(
                    total=models.F("care_payment") + models.F("rent") + models.F("household_contribution")
                ),
                name="payment_line_total_adds_up",
            ),
            # A worked-out line says what it paid for and at which amount; an
            # adjustment says why, and only an adjustment corrects a line.
            models.CheckConstraint(
                condition=models.Q(kind=LineKind.ADJUSTMENT)
                | models.Q(
                    arrangement__isnull=False,
                    quantity__isnull=False,
                    rate_amount__isnull=False,
                    adjusts__isnull=True,
                ),
                name="payment_line_worked_out_has_its_basis",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=LineKind.ADJUSTMENT) | models.Q(reason__regex=r"\S"),
                name="payment_line_adjustment_has_reason",
                violation_error_message="Say why the adjustment is made.",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="payment_line_locked_once_approved",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                func=LINE_LOCK,
            ),
        ]

    def __str__(self):
        return self.description

    @property
    def unit(self) -> str:
        return UNITS.get(self.kind, "")


class PaymentProblem(models.Model):
    """Something that kept a run from paying for an arrangement: no payment
    rate, or no amount in force on some days. Never paid as £0 silently;
    the run cannot be reviewed or approved until it is fixed and worked out again."""

    run = models.ForeignKey(PaymentRun, on_delete=models.CASCADE, related_name="problems")
    arrangement = models.ForeignKey(
        "placements.Arrangement", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    description = models.CharField(max_length=400)

    class Meta:
        ordering = ["id"]
        triggers = [
            pgtrigger.Trigger(
                name="payment_problem_not_on_approved_run",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert,
                func=PROBLEM_LOCK,
            ),
        ]

    def __str__(self):
        return self.description
