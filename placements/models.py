from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models

from sharedlives.choices import ArrangementKind, values_check
from sharedlives.models import VersionedModel, audited
from sharedlives.ranges import Range  # noqa: F401 (migrations name it here)


class ArrangementStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    CURRENT = "current", "Current"
    ENDED = "ended", "Ended"


OPEN_STATUSES = (ArrangementStatus.PLANNED, ArrangementStatus.CURRENT)


class EndReason(models.TextChoices):
    PLANNED_MOVE = "planned_move", "Planned move"
    PERSONS_CHOICE = "persons_choice", "The person's choice"
    BREAKDOWN = "breakdown", "Arrangement broke down"
    HOSPITAL = "hospital", "Hospital admission"
    DEATH = "death", "Death"
    CARER_RESIGNED = "carer_resigned", "Carer resigned"
    COMPLETED = "completed", "Completed as planned"
    OTHER = "other", "Other"


class ArrangementQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """Staff see their scheme's arrangements; a carer only their own."""
        if membership is None:
            return self.none()
        if membership.is_staff_role:
            return self.filter(scheme_id=membership.scheme_id)
        return self.filter(carer_id=membership.carer_id, scheme_id=membership.scheme_id)

    def open(self):
        """Planned or current: the person lives with or visits the carer."""
        return self.filter(status__in=OPEN_STATUSES)

    def current(self):
        return self.filter(status=ArrangementStatus.CURRENT)


@audited
class Arrangement(VersionedModel):
    """An arrangement (placement): a person living with or visiting a carer."""

    scheme = models.ForeignKey("sharedlives.Scheme", on_delete=models.PROTECT, related_name="arrangements")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="arrangements")
    carer = models.ForeignKey("carers.Carer", on_delete=models.PROTECT, related_name="arrangements")
    kind = models.CharField(max_length=20, choices=ArrangementKind.choices)
    status = models.CharField(
        max_length=10, choices=ArrangementStatus.choices, default=ArrangementStatus.PLANNED
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Leave blank if it has no planned end.")
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    notes = models.TextField("staff notes", blank=True)

    objects = ArrangementQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "id"]
        indexes = [
            models.Index(fields=["scheme", "-start_date", "id"], name="arrangement_scheme_start_idx"),
            models.Index(fields=["scheme", "status", "kind"], name="arrangement_scheme_status_idx"),
            models.Index(fields=["carer", "status"], name="arrangement_carer_status_idx"),
            models.Index(fields=["person", "status"], name="arrangement_person_status_idx"),
        ]
        constraints = [
            values_check("kind", ArrangementKind, "arrangement_kind_valid"),
            values_check("status", ArrangementStatus, "arrangement_status_valid"),
            models.CheckConstraint(
                condition=models.Q(end_reason="") | models.Q(end_reason__in=EndReason.values),
                name="arrangement_end_reason_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="arrangement_ends_after_it_starts",
                violation_error_message="The end date must be on or after the start date.",
            ),
            # An ended arrangement says when and why it ended.
            models.CheckConstraint(
                condition=~models.Q(status=ArrangementStatus.ENDED)
                | (models.Q(end_date__isnull=False) & ~models.Q(end_reason="")),
                name="arrangement_ended_has_date_and_reason",
                violation_error_message="An ended arrangement needs its end date and the reason it ended.",
            ),
            # A person has one home at a time: two live-in arrangements for the
            # same person never overlap. The person's id goes in as a one-value
            # range because plain integer equality in a GiST index would need
            # the btree_gist extension, which the embedded server lacks. It is
            # named "person", not "person_id": form validation substitutes the
            # new row's values by field name, and an unmatched "person_id"
            # would compare every row with itself (any overlap would clash).
            ExclusionConstraint(
                name="arrangement_one_live_in_home_at_a_time",
                expressions=[
                    (Range("person", "person", function="int8range"), RangeOperators.OVERLAPS),
                    # The end day is left out of the range so that someone can
                    # move out of one home and into the next on the same day.
                    (
                        Range(
                            "start_date",
                            "end_date",
                            function="daterange",
                            bounds="[)",
                            output_field=DateRangeField(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=models.Q(kind=ArrangementKind.LIVE_IN),
                violation_error_message=(
                    "This person already has a live-in arrangement for some of these dates. "
                    "End that one first, or change the dates."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.person} with {self.carer}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
