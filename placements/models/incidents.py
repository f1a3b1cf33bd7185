"""Incidents, the CQC notifications some of them need, and compliments and
complaints. Staff only: a carer does not see these records in the portal."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from sharedlives.choices import array_values_check, values_check
from sharedlives.models import VersionedModel, audited


class StaffOnlyQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """The scheme's staff see its records; nobody else does."""
        if membership is None or not membership.is_staff_role:
            return self.none()
        return self.filter(scheme_id=membership.scheme_id)


class IncidentCategory(models.TextChoices):
    ACCIDENT = "accident", "Accident or injury"
    MEDICATION = "medication", "Medication error"
    SAFEGUARDING = "safeguarding", "Safeguarding concern"
    POLICE = "police", "Police involvement"
    COMPLAINT = "complaint", "Complaint"
    MISSING = "missing", "Missing person"
    OTHER = "other", "Other"


class NotifiableEvent(models.TextChoices):
    """What CQC must be told about without delay (the registration
    regulations 16 and 18)."""

    DEATH = "death", "The death of a person using the service"
    SERIOUS_INJURY = "serious_injury", "A serious injury"
    ABUSE = "abuse", "Abuse or an allegation of abuse"
    POLICE = "police", "An incident reported to or investigated by the police"
    DOLS = "dols", "A Deprivation of Liberty application or its outcome"
    SERVICE_STOPPED = "service_stopped", "An event that stops the service running"


@audited
class Incident(VersionedModel):
    """Something that happened and must be looked into: recorded through
    ``placements.incidents.record_incident``, which works out whether CQC
    must be notified."""

    scheme = models.ForeignKey("sharedlives.Scheme", on_delete=models.PROTECT, related_name="incidents")
    occurred_at = models.DateTimeField("date and time it happened")
    category = models.CharField(max_length=20, choices=IncidentCategory.choices)
    what_happened = models.TextField()
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    carer = models.ForeignKey(
        "carers.Carer", on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    arrangement = models.ForeignKey(
        "placements.Arrangement", on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    others_involved = models.CharField(
        "anyone else involved", max_length=300, blank=True, help_text="Names and how they were involved."
    )
    notifiable_events = ArrayField(
        models.CharField(max_length=20, choices=NotifiableEvent.choices),
        verbose_name="did any of these happen?",
        default=list,
        blank=True,
    )
    actions_taken = models.TextField("actions taken at the time", blank=True)
    follow_up = models.TextField("follow-up", blank=True)
    outcome = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["scheme", "-occurred_at"], name="incident_scheme_occurred_idx"),
            models.Index(
                fields=["scheme", "occurred_at"],
                condition=models.Q(closed_on__isnull=True),
                name="incident_open_idx",
            ),
        ]
        constraints = [
            values_check("category", IncidentCategory, "incident_category_valid"),
            array_values_check("notifiable_events", NotifiableEvent, "incident_events_valid"),
            models.CheckConstraint(
                condition=models.Q(what_happened__regex=r"\S"), name="incident_says_what_happened"
            ),
            # A closed incident says how it ended and who closed it.
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | (models.Q(closed_by__isnull=False) & models.Q(outcome__regex=r"\S")),
                name="incident_closed_has_outcome",
                violation_error_message="Record the outcome before closing the incident.",
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} on {self.occurred_at:%-d %b %Y}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def get_notifiable_events_display(self) -> list[str]:
        return [NotifiableEvent(value).label for value in self.notifiable_events]


class NotificationQuerySet(StaffOnlyQuerySet):
    def unsent(self):
        return self.filter(sent_on__isnull=True)


@audited
class CqcNotification(models.Model):
    """A notification CQC must receive about an incident. The app creates it
    when an incident needs one; the registered manager sees it until it is
    marked sent, with the date and CQC's reference."""

    scheme = models.ForeignKey(
        "sharedlives.Scheme", on_delete=models.PROTECT, related_name="cqc_notifications"
    )
    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="notification")
    reasons = ArrayField(models.CharField(max_length=20, choices=NotifiableEvent.choices))
    # When the scheme knew it had to notify: the clock for "without delay".
    due_from = models.DateTimeField()
    sent_on = models.DateField(null=True, blank=True)
    reference = models.CharField("CQC reference", max_length=50, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-due_from", "-id"]
        indexes = [
            models.Index(
                fields=["scheme", "due_from"],
                condition=models.Q(sent_on__isnull=True),
                name="notification_unsent_idx",
            )
        ]
        constraints = [
            array_values_check("reasons", NotifiableEvent, "notification_reasons_valid"),
            models.CheckConstraint(condition=~models.Q(reasons=[]), name="notification_has_a_reason"),
            models.CheckConstraint(
                condition=models.Q(sent_on__isnull=True)
                | (models.Q(reference__regex=r"\S") & models.Q(sent_by__isnull=False)),
                name="notification_sent_has_reference",
                violation_error_message="Record CQC's reference for the notification.",
            ),
        ]

    def __str__(self):
        return f"CQC notification: {self.incident}"

    def get_reasons_display(self) -> list[str]:
        return [NotifiableEvent(value).label for value in self.reasons]

    @property
    def days_taken(self) -> int | None:
        """Whole days from knowing to sending (0: the same day)."""
        if self.sent_on is None:
            return None
        # The day the scheme knew, in the scheme's time zone (not UTC's).
        return (self.sent_on - timezone.localtime(self.due_from).date()).days


class FeedbackKind(models.TextChoices):
    COMPLIMENT = "compliment", "Compliment"
    COMPLAINT = "complaint", "Complaint"


class ComplaintOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    PARTLY_UPHELD = "partly_upheld", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"
    WITHDRAWN = "withdrawn", "Withdrawn"


@audited
class Feedback(VersionedModel):
    """A compliment or a complaint about the scheme, a carer or an arrangement."""

    scheme = models.ForeignKey("sharedlives.Scheme", on_delete=models.PROTECT, related_name="feedback")
    kind = models.CharField(max_length=10, choices=FeedbackKind.choices)
    received_on = models.DateField()
    from_whom = models.CharField(
        "from", max_length=200, help_text="Their name and who they are, for example: Jo Bell, sister."
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="feedback"
    )
    carer = models.ForeignKey(
        "carers.Carer", on_delete=models.PROTECT, null=True, blank=True, related_name="feedback"
    )
    summary = models.TextField("what they said")
    response = models.TextField("what we did", blank=True)
    outcome = models.CharField(
        max_length=20, choices=ComplaintOutcome.choices, blank=True, help_text="Complaints only."
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "compliments and complaints"
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["scheme", "kind", "-received_on"], name="feedback_scheme_kind_idx")]
        constraints = [
            values_check("kind", FeedbackKind, "feedback_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(outcome="") | models.Q(outcome__in=ComplaintOutcome.values),
                name="feedback_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=FeedbackKind.COMPLIMENT) | models.Q(outcome=""),
                name="feedback_compliment_has_no_outcome",
            ),
            models.CheckConstraint(condition=models.Q(summary__regex=r"\S"), name="feedback_says_what"),
            # A closed complaint has its outcome; anything closed, who closed it.
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | (
                    models.Q(closed_by__isnull=False)
                    & (models.Q(kind=FeedbackKind.COMPLIMENT) | ~models.Q(outcome=""))
                ),
                name="feedback_closed_has_outcome",
                violation_error_message="Record the complaint's outcome before closing it.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.from_whom} on {self.received_on:%-d %b %Y}"
