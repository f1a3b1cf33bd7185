"""Referrals and matching: from a person referred to the scheme, through
proposals and introductions, to an arrangement.

The stage a referral is at lives on ``Referral.stage``; it only ever changes
through ``placements.services.move_referral``, which writes a
``ReferralStageChange``."""

from django.conf import settings
from django.contrib.postgres.fields import DateRangeField
from django.db import models
from django.utils import timezone

from placements.models.arrangements import WeeklySession
from sharedlives.choices import ArrangementKind, values_check
from sharedlives.models import Role, VersionedModel, audited


class ReferralSource(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker or care manager"
    HEALTH = "health", "Health (hospital, GP, community team)"
    SELF = "self", "The person themselves"
    FAMILY = "family", "Family or friend"
    OTHER = "other", "Other"


class Funder(models.TextChoices):
    COUNCIL = "council", "Council"
    NHS_CHC = "nhs_chc", "NHS continuing healthcare"
    PERSONAL_BUDGET = "personal_budget", "Personal budget or direct payment"
    SELF_FUNDED = "self_funded", "Self-funded"


class ReferralStage(models.TextChoices):
    RECEIVED = "received", "Referral received"
    ASSESSMENT_VISIT = "assessment_visit", "Assessment visit"
    MATCHING = "matching", "Matching"
    INTRODUCTIONS = "introductions", "Introductions"
    ARRANGEMENT_STARTED = "arrangement_started", "Arrangement started"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    NO_MATCH = "no_match", "No match found"


# A referral still being worked on: the person is waiting for an arrangement.
OPEN_REFERRAL_STAGES = (
    ReferralStage.RECEIVED,
    ReferralStage.ASSESSMENT_VISIT,
    ReferralStage.MATCHING,
    ReferralStage.INTRODUCTIONS,
)
# While these, carers are found, proposed and introduced.
MATCHING_STAGES = (ReferralStage.MATCHING, ReferralStage.INTRODUCTIONS)
CLOSED_REFERRAL_STAGES = (
    ReferralStage.ARRANGEMENT_STARTED,
    ReferralStage.DECLINED,
    ReferralStage.WITHDRAWN,
    ReferralStage.NO_MATCH,
)


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """Referrals are the scheme staff's work; carers see none of them."""
        if membership is None or not membership.is_staff_role:
            return self.none()
        return self.filter(scheme_id=membership.scheme_id)

    def open(self):
        return self.filter(stage__in=OPEN_REFERRAL_STAGES)


@audited
class Referral(VersionedModel):
    """A request for a Shared Lives arrangement for one person."""

    scheme = models.ForeignKey("sharedlives.Scheme", on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="referrals")
    kind = models.CharField("kind of arrangement wanted", max_length=20, choices=ArrangementKind.choices)
    stage = models.CharField(max_length=20, choices=ReferralStage.choices, default=ReferralStage.RECEIVED)
    # Set only by placements.services.move_referral, with the stage.
    stage_changed_at = models.DateTimeField("in this stage since", default=timezone.now)
    received_on = models.DateField("referral received on")
    source = models.CharField("referred by", max_length=20, choices=ReferralSource.choices)
    referrer_name = models.CharField("referrer's name", max_length=200, blank=True)
    referrer_organisation = models.CharField("referrer's organisation", max_length=200, blank=True)
    referrer_phone = models.CharField("referrer's phone", max_length=30, blank=True)
    referrer_email = models.EmailField("referrer's email", blank=True)
    wanted_from = models.DateField(
        "wanted from", null=True, blank=True, help_text="When the person would like it to start."
    )
    wanted_until = models.DateField(
        "wanted until", null=True, blank=True, help_text="Leave blank if it has no planned end."
    )
    needs_summary = models.TextField(
        "needs assessment summary", blank=True, help_text="From the referrer's needs assessment."
    )
    risks = models.TextField(
        "risks", blank=True, help_text="From the risk assessment, and how they are managed."
    )
    funder = models.CharField("who pays", max_length=20, choices=Funder.choices, blank=True)
    indicative_allocation = models.DecimalField(
        "upfront (indicative) allocation, £ a week",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The budget indicated before support planning.",
    )
    agreed_amount = models.DecimalField(
        "agreed amount, £ a week",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The budget agreed after support planning.",
    )
    assessment_visit_on = models.DateField("assessment visit held on", null=True, blank=True)
    max_distance_miles = models.PositiveSmallIntegerField(
        "furthest a carer may live, in miles",
        null=True,
        blank=True,
        help_text="Blank for the scheme's usual distance.",
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referral_caseload",
        limit_choices_to={"memberships__role__in": [Role.MANAGER, Role.COORDINATOR]},
        help_text="The coordinator working on this referral.",
    )
    notes = models.TextField("staff notes", blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            # The referral list, newest first, and its stage filter.
            models.Index(fields=["scheme", "-received_on", "-id"], name="referral_scheme_received_idx"),
            models.Index(fields=["scheme", "stage", "stage_changed_at"], name="referral_scheme_stage_idx"),
            models.Index(fields=["person", "stage"], name="referral_person_stage_idx"),
        ]
        constraints = [
            values_check("kind", ArrangementKind, "referral_kind_valid"),
            values_check("stage", ReferralStage, "referral_stage_valid"),
            values_check("source", ReferralSource, "referral_source_valid"),
            models.CheckConstraint(
                condition=models.Q(funder="") | models.Q(funder__in=Funder.values),
                name="referral_funder_valid",
            ),
            # One open referral per person for each kind of arrangement: a
            # second would split the work and the history between two records.
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=models.Q(stage__in=OPEN_REFERRAL_STAGES),
                name="referral_one_open_per_person_and_kind",
                violation_error_message=(
                    "This person already has an open referral for this kind of arrangement."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(wanted_until__isnull=True)
                | models.Q(wanted_from__isnull=True)
                | models.Q(wanted_until__gte=models.F("wanted_from")),
                name="referral_wanted_until_after_from",
                violation_error_message="The end date must be on or after the start date.",
            ),
            models.CheckConstraint(
                condition=models.Q(indicative_allocation__isnull=True)
                | models.Q(indicative_allocation__gte=0),
                name="referral_allocation_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(agreed_amount__isnull=True) | models.Q(agreed_amount__gte=0),
                name="referral_agreed_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(max_distance_miles__isnull=True)
                | models.Q(max_distance_miles__range=(1, 500)),
                name="referral_max_distance_1_to_500",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} referral for {self.person}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_REFERRAL_STAGES


@audited
class WantedStay(models.Model):
    """Dates a person would like a short break (or another stay) for."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="wanted_stays")
    # '[)': from the first night to the day they go home.
    dates = DateRangeField(help_text="From the day they arrive to the day they go home.")

    class Meta:
        ordering = ["dates", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dates__isempty=False)
                & models.Q(dates__startswith__isnull=False)
                & models.Q(dates__endswith__isnull=False),
                name="wanted_stay_has_nights",
                violation_error_message="A stay needs an arrival day and a later day to go home.",
            ),
        ]

    def __str__(self):
        return f"{self.dates.lower:%-d %b %Y} to {self.dates.upper:%-d %b %Y}"


@audited
class WantedSession(WeeklySession):
    """A day and time a person would like day support."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="wanted_sessions")

    class Meta(WeeklySession.Meta):
        constraints = WeeklySession.session_constraints("wanted_session")


class ReferralStageChange(models.Model):
    """One move of a referral from stage to stage: who, when, from, to and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=ReferralStage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=ReferralStage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()
    reason = models.TextField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["referral", "-changed_at"], name="referral_change_idx"),
            # Scheme at a glance: the referrals closed over a period, by outcome.
            models.Index(
                fields=["to_stage", "changed_at"], include=["referral"], name="referral_change_stage_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(from_stage="") | models.Q(from_stage__in=ReferralStage.values),
                name="referral_change_from_valid",
            ),
            values_check("to_stage", ReferralStage, "referral_change_to_valid"),
            models.CheckConstraint(
                condition=~models.Q(from_stage=models.F("to_stage")), name="referral_change_moves"
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="referral_change_has_reason"),
        ]

    def __str__(self):
        return f"{self.referral}: {self.from_stage or 'new'} → {self.to_stage}"

    # Shared with a household's stage changes, for the stage history partial.
    @property
    def from_label(self) -> str:
        return self.get_from_stage_display()

    @property
    def to_label(self) -> str:
        return self.get_to_stage_display()


class Answer(models.TextChoices):
    WAITING = "waiting", "Waiting for an answer"
    INTERESTED = "interested", "Interested"
    NOT_INTERESTED = "not_interested", "Not interested"


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, membership):
        return self.filter(referral__in=Referral.objects.visible_to(membership))


@audited
class Proposal(models.Model):
    """A carer suggested to the person (and the person to the carer), with
    each side's answer. The score and its reasons are kept as they were
    when the proposal was made."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="proposals")
    carer = models.ForeignKey("carers.Carer", on_delete=models.PROTECT, related_name="proposals")
    proposed_on = models.DateField()
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.IntegerField(default=0)
    reasons = models.JSONField("why they were suggested", default=list, blank=True)
    person_answer = models.CharField(
        "the person's answer", max_length=20, choices=Answer.choices, default=Answer.WAITING
    )
    person_reason = models.TextField("the person's reason", blank=True)
    person_answered_on = models.DateField(null=True, blank=True)
    carer_answer = models.CharField(
        "the carer's answer", max_length=20, choices=Answer.choices, default=Answer.WAITING
    )
    carer_reason = models.TextField("the carer's reason", blank=True)
    carer_answered_on = models.DateField(null=True, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["proposed_on", "id"]
        constraints = [
            # A carer is proposed once per referral; a change of mind is a new answer.
            models.UniqueConstraint(fields=["referral", "carer"], name="proposal_one_per_carer"),
            values_check("person_answer", Answer, "proposal_person_answer_valid"),
            values_check("carer_answer", Answer, "proposal_carer_answer_valid"),
            # "Not interested" always comes with the reason.
            models.CheckConstraint(
                condition=~models.Q(person_answer=Answer.NOT_INTERESTED) | ~models.Q(person_reason=""),
                name="proposal_person_no_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(carer_answer=Answer.NOT_INTERESTED) | ~models.Q(carer_reason=""),
                name="proposal_carer_no_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.carer} for {self.referral.person}"

    @property
    def both_interested(self) -> bool:
        return self.person_answer == Answer.INTERESTED and self.carer_answer == Answer.INTERESTED

    @property
    def declined(self) -> bool:
        return Answer.NOT_INTERESTED in (self.person_answer, self.carer_answer)


class IntroductionKind(models.TextChoices):
    FIRST_MEETING = "first_meeting", "First meeting"
    TEA_VISIT = "tea_visit", "Tea visit"
    DAY_VISIT = "day_visit", "Day visit"
    OVERNIGHT = "overnight", "Overnight stay"
    WEEKEND = "weekend", "Weekend stay"


class IntroductionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


@audited
class Introduction(models.Model):
    """A visit while the person and the carer get to know each other."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="introductions")
    kind = models.CharField(max_length=20, choices=IntroductionKind.choices)
    planned_for = models.DateField("date")
    status = models.CharField(
        max_length=10, choices=IntroductionStatus.choices, default=IntroductionStatus.PLANNED
    )
    for_person = models.TextField(
        "how it went for the person", blank=True, help_text="In their words if you can."
    )
    for_carer = models.TextField("how it went for the carer", blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["planned_for", "id"]
        constraints = [
            values_check("kind", IntroductionKind, "introduction_kind_valid"),
            values_check("status", IntroductionStatus, "introduction_status_valid"),
            # A visit that happened says how it went, for both of them.
            models.CheckConstraint(
                condition=~models.Q(status=IntroductionStatus.HELD)
                | (~models.Q(for_person="") & ~models.Q(for_carer="")),
                name="introduction_held_says_how_it_went",
                violation_error_message="Say how the visit went for the person and for the carer.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.planned_for:%-d %b %Y}"
