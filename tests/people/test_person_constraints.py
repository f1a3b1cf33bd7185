"""What the database refuses about a person, whatever writes it."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from people.models import Person
from tests.factories import ContactFactory, PersonFactory


def _refused(**changes):
    try:
        with transaction.atomic():
            Person.objects.update(**changes)
    except IntegrityError:
        return True
    return False


@pytest.fixture
def person(scheme):
    return PersonFactory(scheme=scheme)


def test_it_accepts_known_needs_groups(person):
    assert not _refused(needs_groups=["autism", "dementia"])


def test_it_refuses_an_unknown_needs_group(person):
    assert _refused(needs_groups=["autism", "challenging"])


def test_it_refuses_an_unknown_animal_to_avoid(person):
    assert _refused(pets_to_avoid=["snake"])


def test_it_refuses_an_unknown_smoking_preference(person):
    assert _refused(smoking_preference="vapes")


def test_it_refuses_a_date_of_birth_before_1900(person):
    assert _refused(date_of_birth=dt.date(1899, 12, 31))


def test_it_refuses_an_unknown_kind_of_contact(person):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFactory(person=person, kind="neighbour")
