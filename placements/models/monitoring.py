"""Monitoring an arrangement: reviews, their actions, and monitoring visits.

When a review or visit falls due lives on the records themselves
(``Arrangement.next_review_due``, ``MonitoringVisit.due_on``) so that the
"due and overdue" lists are plain indexed queries; only the services in
``placements.monitoring`` set them."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from sharedlives.choices import array_values_check, values_check
from sharedlives.models import VersionedModel, audited


class MonitoringSettings(models.Model):
    """A scheme's timetable for reviews, visits and renewals. A scheme
    without a row uses the defaults below (``MonitoringSettings.for_scheme``)."""

    scheme = models.OneToOneField(
        "sharedlives.Scheme", on_delete=models.CASCADE, related_name="monitoring_settings"
    )
    first_review_weeks = models.PositiveSmallIntegerField(
        "first review, weeks after the start",
        default=6,
        help_text="Between 4 and 8 weeks.",
    )
    review_every_months = models.PositiveSmallIntegerField(
        "then a review at least every, in months",
        default=12,
        help_text="Between 1 and 12 months.",
    )
    visit_every_months = models.PositiveSmallIntegerField(
        "a monitoring visit every, in months", default=1, help_text="Between 1 and 6 months."
    )
    visits_for_months = models.PositiveSmallIntegerField(
        "monitoring visits for the first, in months",
        default=6,
        help_text="0 for none; at most 24.",
    )
    expiry_warning_days = models.PositiveSmallIntegerField(
        "a check or training record is due soon this many days before it lapses",
        default=60,
        help_text="Between 7 and 180 days.",
    )

    class Meta:
        verbose_name_plural = "monitoring settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_review_weeks__range=(4, 8)),
                name="monitoring_first_review_4_to_8_weeks",
            ),
            models.CheckConstraint(
                condition=models.Q(review_every_months__range=(1, 12)),
                name="monitoring_review_every_1_to_12_months",
            ),
            models.CheckConstraint(
                condition=models.Q(visit_every_months__range=(1, 6)),
                name="monitoring_visit_every_1_to_6_months",
            ),
            models.CheckConstraint(
                condition=models.Q(visits_for_months__range=(0, 24)),
                name="monitoring_visits_for_0_to_24_months",
            ),
            models.CheckConstraint(
                condition=models.Q(expiry_warning_days__range=(7, 180)),
                name="monitoring_expiry_warning_7_to_180_days",
            ),
        ]

    def __str__(self):
        return f"Monitoring settings for {self.scheme}"

    @classmethod
    def for_scheme(cls, scheme) -> "MonitoringSettings":
        """The scheme's settings, or the defaults if it has none saved."""
        found = cls.objects.filter(scheme=scheme).first()
        return found or cls(scheme=scheme)


class Attendee(models.TextChoices):
    PERSON = "person", "The person"
    CARER = "carer", "The carer"
    FAMILY = "family", "Family or friends"
    SOCIAL_WORKER = "social_worker", "Social worker or care manager"
    ADVOCATE = "advocate", "Advocate"
    HEALTH = "health", "Health professional"
    COORDINATOR = "coordinator", "Scheme coordinator"


class Involvement(models.TextChoices):
    """How the person took part in their review."""

    SPOKE_FOR_THEMSELVES = "spoke", "Took part and spoke for themselves"
    WITH_SUPPORT = "with_support", "Took part with support (signs, pictures, someone they trust)"
    ADVOCATE = "advocate", "Their views were given by an advocate"
    BEFOREHAND = "beforehand", "Gave their views beforehand, did not attend"
    DID_NOT_TAKE_PART = "did_not", "Did not take part"


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """Staff see their scheme's reviews; a carer those of their own arrangements."""
        from placements.models.arrangements import Arrangement

        return self.filter(arrangement__in=Arrangement.objects.visible_to(membership))


@audited
class ArrangementReview(models.Model):
    """A review of an arrangement, with the person's own views in their own
    words. Written only through ``placements.monitoring.complete_review``,
    which also sets when the next one is due."""

    arrangement = models.ForeignKey(
        "placements.Arrangement", on_delete=models.CASCADE, related_name="reviews"
    )
    due_on = models.DateField("was due on", null=True, blank=True)
    held_on = models.DateField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="recorded by"
    )
    attendees = ArrayField(
        models.CharField(max_length=20, choices=Attendee.choices), verbose_name="who attended", default=list
    )
    other_attendees = models.CharField(
        "names of those who attended", max_length=300, blank=True, help_text="For example: Sam (brother)."
    )
    involvement = models.CharField("how the person took part", max_length=20, choices=Involvement.choices)
    person_views = models.TextField(
        "the person's own views, in their own words",
        help_text="Write what they said, as they said it. If they chose not to say anything, write "
        '"Did not wish to comment".',
    )
    carer_views = models.TextField("the carer's views", blank=True)
    working = models.TextField("what is working", blank=True)
    not_working = models.TextField("what is not working", blank=True)
    outcomes = models.TextField("outcomes and goals", blank=True)
    next_review_on = models.DateField("next review due on")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["arrangement", "-held_on"], name="review_arrangement_held_idx")]
        constraints = [
            # The person's views are the point of the review: "did not wish
            # to comment" is an answer, a blank is not.
            models.CheckConstraint(
                condition=models.Q(person_views__regex=r"\S"),
                name="review_has_person_views",
                violation_error_message="Write down the person's own views, in their words.",
            ),
            models.CheckConstraint(
                condition=models.Q(next_review_on__gt=models.F("held_on")),
                name="arrangement_review_next_after_held",
                violation_error_message="The next review must be after this one.",
            ),
            values_check("involvement", Involvement, "review_involvement_valid"),
            array_values_check("attendees", Attendee, "review_attendees_valid"),
        ]

    def __str__(self):
        return f"Review on {self.held_on:%-d %b %Y}"

    def get_attendees_display(self) -> list[str]:
        return [Attendee(value).label for value in self.attendees]


class ActionQuerySet(models.QuerySet):
    def visible_to(self, membership):
        return self.filter(review__in=ArrangementReview.objects.visible_to(membership))

    def open(self):
        return self.filter(done_on__isnull=True)

    def due_by(self, day):
        return self.open().filter(due_on__lte=day)


@audited
class ReviewAction(models.Model):
    """Something a review agreed to do: what, who, by when, and when it was done."""

    review = models.ForeignKey(ArrangementReview, on_delete=models.CASCADE, related_name="actions")
    what = models.CharField(max_length=300)
    who = models.CharField(max_length=200, help_text="Who will do it: a name or a role.")
    due_on = models.DateField("by when")
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["done_on", "due_on"], name="review_action_open_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done_on__isnull=True) | models.Q(done_by__isnull=False),
                name="review_action_done_by_someone",
            ),
        ]

    def __str__(self):
        return self.what


class VisitQuerySet(models.QuerySet):
    def visible_to(self, membership):
        from placements.models.arrangements import Arrangement

        return self.filter(arrangement__in=Arrangement.objects.visible_to(membership))

    def outstanding(self):
        return self.filter(held_on__isnull=True, cancelled=False)

    def due_by(self, day):
        """Visits not yet held that are due on or before ``day`` (overdue included)."""
        return self.outstanding().filter(due_on__lte=day)


@audited
class MonitoringVisit(VersionedModel):
    """A monitoring visit to the person at the carer's home: scheduled when
    the arrangement starts, recorded when it is held."""

    arrangement = models.ForeignKey("placements.Arrangement", on_delete=models.CASCADE, related_name="visits")
    due_on = models.DateField()
    held_on = models.DateField(null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    saw_the_person = models.BooleanField("saw the person", default=True)
    notes = models.TextField("how things are", blank=True)
    cancelled = models.BooleanField(default=False, help_text="No longer needed: the arrangement ended first.")

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=models.Q(held_on__isnull=True, cancelled=False),
                name="visit_outstanding_due_idx",
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "due_on"], name="visit_one_per_arrangement_day"),
            # A held visit says who went and how things are.
            models.CheckConstraint(
                condition=models.Q(held_on__isnull=True)
                | (models.Q(visited_by__isnull=False) & models.Q(notes__regex=r"\S")),
                name="visit_held_has_visitor_and_notes",
                violation_error_message="Say how things are.",
            ),
            models.CheckConstraint(
                condition=~(models.Q(cancelled=True) & models.Q(held_on__isnull=False)),
                name="visit_not_both_held_and_cancelled",
            ),
        ]

    def __str__(self):
        return f"Visit due {self.due_on:%-d %b %Y}"
