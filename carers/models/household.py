import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F
from django.utils import timezone

from sharedlives.choices import PetKind, values_check
from sharedlives.models import Role, VersionedModel, audited
from sharedlives.postcodes import PostcodeDistrict
from sharedlives.search import prefix_search_query
from sharedlives.validators import validate_uk_postcode


class CarerStatus(models.TextChoices):
    ENQUIRY = "enquiry", "Enquiry"
    INITIAL_VISIT = "initial_visit", "Initial visit"
    APPLICATION = "application", "Application"
    ASSESSMENT = "assessment", "Assessment"
    READY_FOR_PANEL = "ready_for_panel", "Ready for panel"
    PANEL = "panel", "Panel"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    SUSPENDED = "suspended", "Suspended"
    RESIGNED = "resigned", "Resigned"
    APPROVAL_ENDED = "approval_ended", "Approval ended"


# Stages before a decision: the applicant is still being recruited or assessed.
APPLICANT_STATUSES = (
    CarerStatus.ENQUIRY,
    CarerStatus.INITIAL_VISIT,
    CarerStatus.APPLICATION,
    CarerStatus.ASSESSMENT,
    CarerStatus.READY_FOR_PANEL,
    CarerStatus.PANEL,
)


class Smoking(models.TextChoices):
    NO_ONE = "no_one", "No one smokes"
    OUTSIDE = "outside", "Someone smokes, outside only"
    INSIDE = "inside", "Someone smokes indoors"


class CarerQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """The households this membership may see: staff see their scheme's,
        a carer only their own."""
        if membership is None:
            return self.none()
        if membership.is_staff_role:
            return self.filter(scheme_id=membership.scheme_id)
        return self.filter(pk=membership.carer_id, scheme_id=membership.scheme_id)

    def approved(self):
        return self.filter(status=CarerStatus.APPROVED)

    def applicants(self):
        return self.filter(status__in=APPLICANT_STATUSES)

    def review_due_by(self, day):
        """Approved (or suspended) households whose annual review is due on
        or before ``day`` (overdue ones included)."""
        return self.filter(status__in=(CarerStatus.APPROVED, CarerStatus.SUSPENDED), next_review_due__lte=day)

    def search(self, text: str):
        query = prefix_search_query(text)
        return self.filter(search_document=query) if query else self


@audited
class Carer(VersionedModel):
    """A Shared Lives carer household: the approved carer, or two joint
    carers, and the home they share."""

    scheme = models.ForeignKey("sharedlives.Scheme", on_delete=models.PROTECT, related_name="carers")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    joint_first_name = models.CharField("joint carer's first name", max_length=100, blank=True)
    joint_last_name = models.CharField("joint carer's last name", max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField("town or city", max_length=100)
    postcode = models.CharField(max_length=8, validators=[validate_uk_postcode])
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    status = models.CharField(max_length=20, choices=CarerStatus.choices, default=CarerStatus.ENQUIRY)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carer_caseload",
        limit_choices_to={"memberships__role__in": [Role.MANAGER, Role.COORDINATOR]},
        help_text="The coordinator responsible for this household.",
    )
    smoking = models.CharField(max_length=10, choices=Smoking.choices, default=Smoking.NO_ONE)
    languages = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    faith = models.CharField("faith or belief", max_length=100, blank=True)
    interests = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    how_heard = models.CharField("how they heard of us", max_length=200, blank=True)
    notes = models.TextField("staff notes", blank=True)
    legal_hold = models.BooleanField(
        default=False,
        help_text="Keep every record, even past the retention period (for example, a court case).",
    )
    legal_hold_reason = models.CharField(max_length=300, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    new_to_care = models.BooleanField(
        "new to care", default=False, help_text="New to care work, so they take the Care Certificate."
    )
    will_drive_people = models.BooleanField(
        "will drive the people they support", default=False, help_text="If so, car insurance must cover it."
    )
    # Set only by carers.services.move_carer, with the stage.
    status_changed_at = models.DateTimeField("in this stage since", default=timezone.now)
    # Set by the approval decision and by each annual review.
    next_review_due = models.DateField("next annual review due", null=True, blank=True)
    search_document = models.GeneratedField(
        expression=SearchVector(
            "first_name",
            "last_name",
            "joint_first_name",
            "joint_last_name",
            "town",
            "postcode",
            "email",
            config="simple",
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = CarerQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            # The carer list's search box.
            GinIndex(fields=["search_document"], name="carer_search_idx"),
            # The list's default order within a scheme, and its status filter.
            models.Index(fields=["scheme", "last_name", "first_name", "id"], name="carer_scheme_name_idx"),
            models.Index(fields=["scheme", "status"], name="carer_scheme_status_idx"),
            models.Index(fields=["coordinator", "status"], name="carer_coordinator_status_idx"),
            # The approval pipeline: each stage's applicants, longest waiting first.
            models.Index(fields=["scheme", "status", "status_changed_at"], name="carer_pipeline_idx"),
            # Annual reviews coming due.
            models.Index(
                fields=["scheme", "next_review_due"],
                name="carer_review_due_idx",
                condition=models.Q(next_review_due__isnull=False),
            ),
            # Scheme at a glance reads a scheme's households from this index
            # alone: how many are in each stage, when each was added, and each
            # one's postcode district, kept here rather than worked out again
            # for every household (sharedlives.reports.households).
            models.Index(
                F("scheme"),
                F("status"),
                PostcodeDistrict("postcode"),
                include=["id", "postcode", "created_at"],
                name="carer_scheme_district_idx",
            ),
        ]
        constraints = [
            values_check("status", CarerStatus, "carer_status_valid"),
            values_check("smoking", Smoking, "carer_smoking_valid"),
            # Coordinates come as a pair, or not at all, and lie on the Earth.
            # (The isnull=False terms matter: a comparison with NULL is
            # unknown, which a CHECK would let through as half a pair.)
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="carer_coordinates_pair_in_range",
            ),
            # A joint carer has both names, or there is no joint carer.
            models.CheckConstraint(
                condition=models.Q(joint_first_name="") | ~models.Q(joint_last_name=""),
                name="carer_joint_carer_named",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        main = f"{self.first_name} {self.last_name}"
        if not self.joint_first_name:
            return main
        if self.joint_last_name == self.last_name:
            return f"{self.first_name} and {self.joint_first_name} {self.last_name}"
        return f"{main} and {self.joint_first_name} {self.joint_last_name}"

    @property
    def address(self) -> str:
        parts = [self.address_line_1, self.address_line_2, self.town, self.postcode]
        return ", ".join(p for p in parts if p)

    @property
    def is_applicant(self) -> bool:
        return self.status in APPLICANT_STATUSES


@audited
class HouseholdMember(models.Model):
    """Someone else who lives in the carer's home (not the carers themselves,
    nor the people supported)."""

    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="household_members")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100, help_text="For example: son, partner, lodger.")
    date_of_birth = models.DateField()

    class Meta:
        ordering = ["date_of_birth", "id"]

    def __str__(self):
        return self.name

    def age_on(self, day: datetime.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@audited
class Pet(models.Model):
    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="pets")
    kind = models.CharField(max_length=10, choices=PetKind.choices)
    name = models.CharField(max_length=100, blank=True)
    notes = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [values_check("kind", PetKind, "pet_kind_valid")]

    def __str__(self):
        label = self.get_kind_display()
        return f"{label} ({self.name})" if self.name else label


@audited
class Room(models.Model):
    """A spare room the household offers, with the features matching needs."""

    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100, help_text="For example: back bedroom.")
    ground_floor = models.BooleanField(default=False)
    step_free = models.BooleanField("step-free access", default=False)
    own_bathroom = models.BooleanField(default=False)
    notes = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    @property
    def features(self) -> list[str]:
        found = [
            ("ground floor", self.ground_floor),
            ("step-free access", self.step_free),
            ("own bathroom", self.own_bathroom),
        ]
        return [label for label, present in found if present]
