"""What matching needs beyond the records: the scheme's weights and where
postcodes are."""

from django.db import models

from sharedlives.models import audited


@audited
class MatchingSettings(models.Model):
    """A scheme's weights for ranking carers, and its limits. A scheme
    without a row uses the defaults below (``MatchingSettings.for_scheme``)."""

    scheme = models.OneToOneField(
        "sharedlives.Scheme", on_delete=models.CASCADE, related_name="matching_settings"
    )
    max_distance_miles = models.PositiveSmallIntegerField(
        "usual furthest distance, in miles",
        default=25,
        help_text="Carers further away than this are left out (a referral can set its own).",
    )
    probation_max_people = models.PositiveSmallIntegerField(
        "most people a carer on probation supports",
        default=1,
        help_text="During a probationary first year, a carer takes no more than this many people.",
    )
    points_per_shared_interest = models.PositiveSmallIntegerField(default=3)
    most_interest_points = models.PositiveSmallIntegerField("most points for shared interests", default=12)
    points_for_language = models.PositiveSmallIntegerField(
        "points for speaking the person's language", default=8
    )
    points_for_faith = models.PositiveSmallIntegerField("points for sharing a faith or belief", default=4)
    points_per_year_of_experience = models.PositiveSmallIntegerField(
        "points for each year of supporting people with the same needs", default=2
    )
    most_experience_points = models.PositiveSmallIntegerField("most points for experience", default=10)
    points_for_nearby = models.PositiveSmallIntegerField(
        "points for living close by",
        default=10,
        help_text="Full points next door, falling to none at the furthest distance.",
    )
    points_for_same_district = models.PositiveSmallIntegerField(
        "points for the same postcode district, where distance is unknown", default=6
    )
    points_for_same_area = models.PositiveSmallIntegerField(
        "points for the same postcode area, where distance is unknown", default=2
    )
    points_for_own_bathroom = models.PositiveSmallIntegerField(
        "points for a room with its own bathroom", default=2
    )

    class Meta:
        verbose_name_plural = "matching settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_distance_miles__range=(1, 500)), name="matching_max_distance_1_to_500"
            ),
            models.CheckConstraint(
                condition=models.Q(probation_max_people__range=(1, 3)),
                name="matching_probation_people_1_to_3",
            ),
        ]

    def __str__(self):
        return f"Matching settings for {self.scheme}"

    @classmethod
    def for_scheme(cls, scheme) -> "MatchingSettings":
        """The scheme's settings, or the defaults if it has none saved."""
        found = cls.objects.filter(scheme=scheme).first()
        return found or cls(scheme=scheme)


class PostcodeLocation(models.Model):
    """Where a postcode is, from the Office for National Statistics postcode
    directory (``manage.py import_postcodes``)."""

    # As people write it: "LS6 2AB" (the directory's ``pcds`` column).
    postcode = models.CharField(max_length=8, primary_key=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__range=(-90, 90), longitude__range=(-180, 180)),
                name="postcode_location_on_earth",
            )
        ]

    def __str__(self):
        return self.postcode
