import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models

from sharedlives.choices import NeedsGroup, PetKind, array_values_check, values_check
from sharedlives.models import Role, VersionedModel, audited
from sharedlives.search import prefix_search_query
from sharedlives.validators import validate_uk_postcode


class SmokingPreference(models.TextChoices):
    NO_PREFERENCE = "no_preference", "No preference"
    SMOKE_FREE = "smoke_free", "Wants a smoke-free home"
    SMOKER = "smoker", "Smokes, and needs a home that allows it outside"


class PersonQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """Staff see their scheme's people; a carer sees only the people who
        live with or visit them (a planned or current arrangement)."""
        from placements.models import Arrangement

        if membership is None:
            return self.none()
        if membership.is_staff_role:
            return self.filter(scheme_id=membership.scheme_id)
        with_this_carer = Arrangement.objects.open().filter(
            person=models.OuterRef("pk"), carer_id=membership.carer_id
        )
        return self.filter(models.Exists(with_this_carer), scheme_id=membership.scheme_id)

    def search(self, text: str):
        query = prefix_search_query(text)
        return self.filter(search_document=query) if query else self


@audited
class Person(VersionedModel):
    """An adult who lives with or visits a carer, or has been referred to."""

    scheme = models.ForeignKey("sharedlives.Scheme", on_delete=models.PROTECT, related_name="people")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(
        max_length=100, blank=True, help_text="What they like to be called, if not their first name."
    )
    date_of_birth = models.DateField()
    needs_groups = ArrayField(
        models.CharField(max_length=30, choices=NeedsGroup.choices), default=list, blank=True
    )
    support_needs = models.TextField("support needs (summary)", blank=True)
    communication_needs = models.TextField(blank=True)
    interests = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    languages = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    faith = models.CharField("faith or belief", max_length=100, blank=True)
    wheelchair_user = models.BooleanField(default=False)
    pets_to_avoid = ArrayField(
        models.CharField(max_length=10, choices=PetKind.choices),
        default=list,
        blank=True,
        verbose_name="animals to avoid",
        help_text="Animals they are allergic to or afraid of.",
    )
    smoking_preference = models.CharField(
        max_length=20, choices=SmokingPreference.choices, default=SmokingPreference.NO_PREFERENCE
    )
    preferred_area = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_uk_postcode])
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person_caseload",
        limit_choices_to={"memberships__role__in": [Role.MANAGER, Role.COORDINATOR]},
        help_text="The coordinator responsible for supporting this person.",
    )
    notes = models.TextField("staff notes", blank=True)
    legal_hold = models.BooleanField(
        default=False,
        help_text="Keep every record, even past the retention period (for example, a court case).",
    )
    legal_hold_reason = models.CharField(max_length=300, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    search_document = models.GeneratedField(
        expression=SearchVector(
            "first_name",
            "last_name",
            "preferred_name",
            "postcode",
            "preferred_area",
            config="simple",
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "people"
        indexes = [
            GinIndex(fields=["search_document"], name="person_search_idx"),
            # The people list's default order within a scheme.
            models.Index(fields=["scheme", "last_name", "first_name", "id"], name="person_scheme_name_idx"),
            # The needs group filter.
            GinIndex(fields=["needs_groups"], name="person_needs_groups_idx"),
        ]
        constraints = [
            array_values_check("needs_groups", NeedsGroup, "person_needs_groups_valid"),
            array_values_check("pets_to_avoid", PetKind, "person_pets_to_avoid_valid"),
            values_check("smoking_preference", SmokingPreference, "person_smoking_preference_valid"),
            # A birth date before 1900 is a typing slip (the form also refuses
            # dates in the future, which a constraint cannot know about).
            models.CheckConstraint(
                condition=models.Q(date_of_birth__gt=datetime.date(1900, 1, 1)),
                name="person_date_of_birth_plausible",
                violation_error_message="Check the date of birth: it is before 1900.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The name to use: their preferred name, then their surname."""
        return f"{self.preferred_name or self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def get_needs_groups_display(self) -> list[str]:
        labels = dict(NeedsGroup.choices)
        return [labels[value] for value in self.needs_groups]

    def get_pets_to_avoid_display(self) -> list[str]:
        labels = dict(PetKind.choices)
        return [labels[value] for value in self.pets_to_avoid]

    @property
    def one_page_profile(self) -> "OnePageProfile | None":
        """Their one-page profile, or None if nobody has written it with them
        yet (no query when it was fetched with ``select_related("profile")``)."""
        try:
            return self.profile
        except OnePageProfile.DoesNotExist:
            return None

    def age_on(self, day: datetime.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class ContactKind(models.TextChoices):
    FAMILY = "family", "Family or friend"
    SOCIAL_WORKER = "social_worker", "Social worker or care manager"
    GP = "gp", "GP"
    ADVOCATE = "advocate", "Advocate"
    OTHER = "other", "Other"


@audited
class Contact(models.Model):
    """Someone in the person's life the scheme may need to reach."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=20, choices=ContactKind.choices)
    name = models.CharField(max_length=200)
    relationship = models.CharField(
        "relationship or role", max_length=100, blank=True, help_text="For example: sister."
    )
    organisation = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [values_check("kind", ContactKind, "contact_kind_valid")]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


@audited
class OnePageProfile(VersionedModel):
    """The person's one-page profile, written with them and in their words:
    theirs to keep and to share (it prints on one A4 page)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="profile")
    like_and_admire = models.TextField(
        "what people like and admire about me", blank=True, help_text="In the person's own words."
    )
    important_to_me = models.TextField("what is important to me", blank=True)
    how_to_support_me = models.TextField("how best to support me", blank=True)
    written_with = models.CharField(
        "written with",
        max_length=200,
        blank=True,
        help_text="Who helped the person write it, for example: Sam, with his sister Jo.",
    )
    written_on = models.DateField("written or last updated on", null=True, blank=True)

    # The three parts, in the order they are written and printed.
    PARTS = ("like_and_admire", "important_to_me", "how_to_support_me")

    class Meta:
        verbose_name = "one-page profile"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(written_on__isnull=True)
                | models.Q(written_on__gt=datetime.date(2000, 1, 1)),
                name="profile_written_on_plausible",
            )
        ]

    def __str__(self):
        return f"One-page profile: {self.person}"

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self.PARTS)

    def parts(self) -> list[tuple[str, str]]:
        """Each part as (its heading, in the first person; the person's words)."""
        return [
            (str(self._meta.get_field(name).verbose_name).capitalize(), getattr(self, name))
            for name in self.PARTS
        ]
