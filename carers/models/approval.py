"""Carer approval: checks, assessment, panel, decision, terms and reviews.

The stage a household is at lives on ``Carer.status``; it only ever changes
through ``carers.services.move_carer``, which writes a ``StageChange``."""

import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from carers.models.household import Carer, CarerStatus, HouseholdMember
from sharedlives.choices import ArrangementKind, NeedsGroup, array_values_check, values_check
from sharedlives.models import audited


class CheckKind(models.TextChoices):
    DBS = "dbs", "Enhanced DBS with adults' barred list"
    REFERENCE = "reference", "Reference"
    GP_REFERENCE = "gp_reference", "GP or medical reference"
    HEALTH_AND_SAFETY = "health_and_safety", "Health and safety check of the home"
    GAS_SAFETY = "gas_safety", "Gas safety certificate"
    LANDLORD_PERMISSION = "landlord_permission", "Mortgage lender or landlord permission"
    HOME_INSURANCE = "home_insurance", "Home insurance"
    CAR_INSURANCE = "car_insurance", "Car insurance (business use)"
    INDUCTION = "induction", "Induction training"
    CARE_CERTIFICATE = "care_certificate", "Care Certificate"
    FIRST_AID = "first_aid", "First aid training"
    SAFEGUARDING = "safeguarding", "Safeguarding training"
    MENTAL_CAPACITY = "mental_capacity", "Mental Capacity Act training"
    EQUALITY = "equality", "Equality and diversity training"
    MEDICATION = "medication", "Medication training"
    DATA_PROTECTION = "data_protection", "Data protection training"


TRAINING_KINDS = (
    CheckKind.INDUCTION,
    CheckKind.CARE_CERTIFICATE,
    CheckKind.FIRST_AID,
    CheckKind.SAFEGUARDING,
    CheckKind.MENTAL_CAPACITY,
    CheckKind.EQUALITY,
    CheckKind.MEDICATION,
    CheckKind.DATA_PROTECTION,
)


class CheckStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    REQUESTED = "requested", "Requested"
    RECEIVED = "received", "Received"
    SATISFACTORY = "satisfactory", "Satisfactory"
    CONCERN = "concern", "Concern"


class CheckSubject(models.TextChoices):
    HOUSEHOLD = "household", "The household"
    APPLICANT = "applicant", "Main carer"
    JOINT_CARER = "joint_carer", "Joint carer"
    MEMBER = "member", "Household member"


@audited
class SchemeCheckSetting(models.Model):
    """A scheme's own rule for one kind of check, where it differs from the
    defaults in carers.checklist.DEFAULT_RULES."""

    scheme = models.ForeignKey("sharedlives.Scheme", on_delete=models.CASCADE, related_name="check_settings")
    kind = models.CharField(max_length=30, choices=CheckKind.choices)
    required = models.BooleanField(help_text="Must be complete before the applicant goes to panel.")
    renewal_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How long it lasts before it must be renewed; blank if it does not lapse.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "kind"], name="check_setting_one_per_kind"),
            values_check("kind", CheckKind, "check_setting_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(renewal_months__isnull=True) | models.Q(renewal_months__range=(1, 120)),
                name="check_setting_renewal_1_to_120_months",
            ),
        ]

    def __str__(self):
        return f"{self.scheme}: {self.get_kind_display()}"


class CheckQuerySet(models.QuerySet):
    def visible_to(self, membership):
        return self.filter(carer__in=Carer.objects.visible_to(membership))


@audited
class Check(models.Model):
    """One check or training record: a DBS certificate, a reference, an
    insurance policy, a course. A renewal is a new record; the newest counts."""

    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=30, choices=CheckKind.choices)
    subject = models.CharField(
        "who it is for", max_length=20, choices=CheckSubject.choices, default=CheckSubject.HOUSEHOLD
    )
    household_member = models.ForeignKey(
        HouseholdMember, on_delete=models.CASCADE, null=True, blank=True, related_name="checks"
    )
    status = models.CharField(max_length=20, choices=CheckStatus.choices, default=CheckStatus.NOT_STARTED)
    details = models.CharField(
        max_length=200,
        blank=True,
        help_text="The referee, the certificate or policy number, or the course provider.",
    )
    requested_on = models.DateField(null=True, blank=True)
    received_on = models.DateField(null=True, blank=True)
    issued_on = models.DateField("issued or completed on", null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    risk_assessment = models.TextField(
        blank=True, help_text="For a DBS or other check with a concern: the recorded risk assessment."
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    objects = CheckQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-issued_on", "-id"]
        indexes = [models.Index(fields=["carer", "kind"], name="check_carer_kind_idx")]
        constraints = [
            values_check("kind", CheckKind, "check_kind_valid"),
            values_check("status", CheckStatus, "check_status_valid"),
            values_check("subject", CheckSubject, "check_subject_valid"),
            # A household member's check names the member, and only theirs does.
            models.CheckConstraint(
                condition=(models.Q(subject=CheckSubject.MEMBER) & models.Q(household_member__isnull=False))
                | (~models.Q(subject=CheckSubject.MEMBER) & models.Q(household_member__isnull=True)),
                name="check_member_named_iff_member_subject",
            ),
            # A DBS check is always of a person.
            models.CheckConstraint(
                condition=~models.Q(kind=CheckKind.DBS) | ~models.Q(subject=CheckSubject.HOUSEHOLD),
                name="check_dbs_is_of_a_person",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(issued_on__isnull=True)
                | models.Q(expires_on__gt=models.F("issued_on")),
                name="check_expires_after_issue",
                violation_error_message="The expiry date must be after the date it was issued.",
            ),
            models.CheckConstraint(
                condition=models.Q(received_on__isnull=True)
                | models.Q(requested_on__isnull=True)
                | models.Q(received_on__gte=models.F("requested_on")),
                name="check_received_after_requested",
                violation_error_message="It cannot have been received before it was requested.",
            ),
            # Only a concern is signed off, and only once its risk assessment is written.
            models.CheckConstraint(
                condition=models.Q(signed_off_by__isnull=True)
                | (models.Q(status=CheckStatus.CONCERN) & ~models.Q(risk_assessment="")),
                name="check_sign_off_needs_concern_and_risk_assessment",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.subject_name})"

    @property
    def subject_name(self) -> str:
        if self.subject == CheckSubject.MEMBER:
            return self.household_member.name
        if self.subject == CheckSubject.APPLICANT:
            return f"{self.carer.first_name} {self.carer.last_name}"
        if self.subject == CheckSubject.JOINT_CARER:
            return f"{self.carer.joint_first_name} {self.carer.joint_last_name}"
        return "the household"

    def is_expired(self, today: datetime.date) -> bool:
        return self.expires_on is not None and self.expires_on < today

    def is_complete(self, today: datetime.date) -> bool:
        """Satisfactory, or a concern with a risk assessment a manager has
        signed off; and not lapsed."""
        if self.is_expired(today):
            return False
        if self.status == CheckStatus.SATISFACTORY:
            return True
        return (
            self.status == CheckStatus.CONCERN
            and bool(self.risk_assessment)
            and self.signed_off_by_id is not None
        )

    @property
    def needs_sign_off(self) -> bool:
        return self.status == CheckStatus.CONCERN and self.signed_off_by_id is None


@audited
class Assessment(models.Model):
    """The assessment of an applicant household and its report."""

    carer = models.OneToOneField(Carer, on_delete=models.CASCADE, related_name="assessment")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    home_visits = models.PositiveSmallIntegerField("home visits so far", default=0)
    report_summary = models.TextField(
        "assessment report summary", blank=True, help_text="The findings, strengths and any concerns."
    )
    report_written_on = models.DateField(null=True, blank=True)
    shared_with_applicant_on = models.DateField("report shared with the applicant on", null=True, blank=True)
    applicant_comments = models.TextField("the applicant's comments on the report", blank=True)
    applicant_declined_to_comment = models.BooleanField("the applicant chose not to comment", default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(shared_with_applicant_on__isnull=True)
                | (
                    models.Q(report_written_on__isnull=False)
                    & models.Q(shared_with_applicant_on__gte=models.F("report_written_on"))
                ),
                name="assessment_shared_after_written",
                violation_error_message="The report can only be shared on or after the day it was written.",
            ),
            models.CheckConstraint(
                condition=~(models.Q(applicant_declined_to_comment=True) & ~models.Q(applicant_comments="")),
                name="assessment_comments_or_declined_not_both",
                violation_error_message=(
                    "Record the applicant's comments, or that they chose not to comment, not both."
                ),
            ),
        ]

    def __str__(self):
        return f"Assessment of {self.carer}"

    def outstanding(self) -> list[str]:
        """What must still happen before panel, in plain words."""
        missing = []
        if not (self.report_written_on and self.report_summary):
            missing.append("the assessment report has not been written")
        if not self.shared_with_applicant_on:
            missing.append("the report has not been shared with the applicant")
        if not (self.applicant_comments or self.applicant_declined_to_comment):
            missing.append(
                "the applicant's comments on the report are not recorded (or that they chose not to comment)"
            )
        return missing


class PanelMeetingQuerySet(models.QuerySet):
    def visible_to(self, membership):
        if membership is None or not membership.is_staff_role:
            return self.none()
        return self.filter(scheme_id=membership.scheme_id)


@audited
class PanelMeeting(models.Model):
    """An approval panel: it recommends, the decision-maker decides."""

    scheme = models.ForeignKey("sharedlives.Scheme", on_delete=models.PROTECT, related_name="panel_meetings")
    date = models.DateField()
    location = models.CharField(max_length=200, blank=True)
    chair = models.CharField(max_length=200, blank=True)
    members = models.TextField(
        help_text="One a line: name and role, for example: Jo Khan, independent member."
    )
    notes = models.TextField(blank=True)

    objects = PanelMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "date"], name="panel_meeting_one_a_day")]

    def __str__(self):
        return f"Panel on {self.date:%-d %b %Y}"

    @property
    def member_list(self) -> list[str]:
        return [line.strip() for line in self.members.splitlines() if line.strip()]


class Recommendation(models.TextChoices):
    APPROVE = "approve", "Approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", "Approve with conditions"
    DEFER = "defer", "Defer"
    DO_NOT_APPROVE = "do_not_approve", "Do not approve"


@audited
class PanelItem(models.Model):
    """An applicant on a panel's agenda, and what the panel recommended."""

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="items")
    carer = models.ForeignKey(Carer, on_delete=models.PROTECT, related_name="panel_items")
    recommendation = models.CharField(max_length=30, choices=Recommendation.choices, blank=True)
    reasons = models.TextField(blank=True)
    conditions = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting__date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "carer"], name="panel_item_once_per_meeting"),
            models.CheckConstraint(
                condition=models.Q(recommendation="") | models.Q(recommendation__in=Recommendation.values),
                name="panel_item_recommendation_valid",
            ),
            # A recommendation always comes with its reasons.
            models.CheckConstraint(
                condition=models.Q(recommendation="") | ~models.Q(reasons=""),
                name="panel_item_recommendation_has_reasons",
            ),
            models.CheckConstraint(
                condition=~models.Q(recommendation=Recommendation.APPROVE_WITH_CONDITIONS)
                | ~models.Q(conditions=""),
                name="panel_item_conditions_stated",
            ),
        ]

    def __str__(self):
        return f"{self.carer} at {self.meeting}"


class DecisionOutcome(models.TextChoices):
    APPROVE = "approve", "Approve"
    DECLINE = "decline", "Decline"


@audited
class ApprovalDecision(models.Model):
    """The decision-maker's decision, in writing, with reasons."""

    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="decisions")
    panel_item = models.ForeignKey(
        PanelItem, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    outcome = models.CharField(max_length=10, choices=DecisionOutcome.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField()
    reasons = models.TextField()

    class Meta:
        ordering = ["-decided_on", "-id"]
        constraints = [
            values_check("outcome", DecisionOutcome, "decision_outcome_valid"),
            models.CheckConstraint(condition=~models.Q(reasons=""), name="decision_has_reasons"),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} – {self.carer}"


@audited
class ApprovalTerms(models.Model):
    """What a carer household is approved for. One set is in force at a time;
    a change of terms ends the old set and starts a new one."""

    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="approvals")
    decision = models.ForeignKey(ApprovalDecision, on_delete=models.PROTECT, related_name="terms")
    kinds = ArrayField(
        models.CharField(max_length=20, choices=ArrangementKind.choices), verbose_name="kinds of arrangement"
    )
    max_people = models.PositiveSmallIntegerField(
        "most people at a time", help_text="Live-in and short-break people together: 1 to 3."
    )
    needs_groups = ArrayField(
        models.CharField(max_length=30, choices=NeedsGroup.choices),
        verbose_name="needs they are approved to support",
    )
    conditions = models.TextField(blank=True)
    probation_ends_on = models.DateField("probation ends on", null=True, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name_plural = "approval terms"
        constraints = [
            # Shared Lives carers support at most three people at a time.
            models.CheckConstraint(
                condition=models.Q(max_people__range=(1, 3)),
                name="terms_max_people_1_to_3",
                violation_error_message="A carer can be approved for 1, 2 or 3 people.",
            ),
            array_values_check("kinds", ArrangementKind, "terms_kinds_valid"),
            array_values_check("needs_groups", NeedsGroup, "terms_needs_groups_valid"),
            models.CheckConstraint(condition=models.Q(kinds__len__gt=0), name="terms_at_least_one_kind"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="terms_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(probation_ends_on__isnull=True)
                | models.Q(probation_ends_on__gt=models.F("starts_on")),
                name="terms_probation_after_start",
            ),
            # One approval in force per household.
            models.UniqueConstraint(
                fields=["carer"],
                condition=models.Q(ends_on__isnull=True),
                name="terms_one_open_approval_per_carer",
            ),
        ]

    def __str__(self):
        return f"Terms for {self.carer} from {self.starts_on:%-d %b %Y}"

    def get_kinds_display(self) -> list[str]:
        labels = dict(ArrangementKind.choices)
        return [labels[k] for k in self.kinds]

    def get_needs_groups_display(self) -> list[str]:
        labels = dict(NeedsGroup.choices)
        return [labels[n] for n in self.needs_groups]


class StageChange(models.Model):
    """One move of a household from stage to stage: who, when, from, to and why."""

    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="stage_changes")
    from_status = models.CharField(max_length=20, choices=CarerStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CarerStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()
    reason = models.TextField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["carer", "-changed_at"], name="stage_change_carer_idx"),
            # The reports' moves into a stage over a period (approvals,
            # resignations), read from the index alone.
            models.Index(
                fields=["to_status", "changed_at"],
                include=["carer", "from_status"],
                name="stage_change_status_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(from_status="") | models.Q(from_status__in=CarerStatus.values),
                name="stage_change_from_valid",
            ),
            values_check("to_status", CarerStatus, "stage_change_to_valid"),
            models.CheckConstraint(
                condition=~models.Q(from_status=models.F("to_status")), name="stage_change_moves"
            ),
        ]

    def __str__(self):
        return f"{self.carer}: {self.from_status or 'new'} → {self.to_status}"

    # Shared with a referral's stage changes, for the stage history partial.
    @property
    def from_label(self) -> str:
        return self.get_from_status_display()

    @property
    def to_label(self) -> str:
        return self.get_to_status_display()


@audited
class CarerReview(models.Model):
    """The annual review of a carer's approval."""

    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="reviews")
    due_on = models.DateField(null=True, blank=True)
    held_on = models.DateField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    findings = models.TextField("the coordinator's findings")
    carer_views = models.TextField("the carer's views", help_text="In their words.")
    home_safety_checked = models.BooleanField(
        "the yearly health and safety check of the home was done", default=False
    )
    terms_change = models.TextField(
        "change of terms asked for", blank=True, help_text="A change of terms goes to the decision-maker."
    )
    next_due_on = models.DateField("next review due on")

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(next_due_on__gt=models.F("held_on")), name="review_next_after_held"
            ),
            models.CheckConstraint(condition=~models.Q(carer_views=""), name="review_has_carer_views"),
        ]

    def __str__(self):
        return f"Review of {self.carer} on {self.held_on:%-d %b %Y}"
