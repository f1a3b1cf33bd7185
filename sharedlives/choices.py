"""Vocabularies that more than one app uses."""

from django.db import models


class NeedsGroup(models.TextChoices):
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    AUTISM = "autism", "Autism"
    MENTAL_HEALTH = "mental_health", "Mental ill-health"
    DEMENTIA = "dementia", "Dementia"
    PHYSICAL = "physical", "Physical impairment"
    SENSORY = "sensory", "Sensory impairment"
    OLDER_PERSON = "older_person", "Older person"


class PetKind(models.TextChoices):
    DOG = "dog", "Dog"
    CAT = "cat", "Cat"
    BIRD = "bird", "Bird"
    RABBIT = "rabbit", "Rabbit or guinea pig"
    HORSE = "horse", "Horse"
    OTHER = "other", "Other animal"


class ArrangementKind(models.TextChoices):
    LIVE_IN = "live_in", "Live-in"
    SHORT_BREAKS = "short_breaks", "Short breaks"
    DAY_SUPPORT = "day_support", "Day support"
    HOME_FROM_HOSPITAL = "home_from_hospital", "Home from hospital"
    EMERGENCY = "emergency", "Emergency"


def values_check(field: str, choices: type[models.TextChoices], name: str):
    """A constraint that keeps a text column to one of its choices."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)


def array_values_check(field: str, choices: type[models.TextChoices], name: str):
    """A constraint that keeps every item of an array column to its choices."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__contained_by": choices.values}), name=name)
