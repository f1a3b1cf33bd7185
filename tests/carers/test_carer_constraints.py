"""What the database refuses about a carer household, whatever writes it:
a bulk update, a data fix in the shell, or a form with a bug."""

import pytest
from django.db import IntegrityError, transaction

from carers.models import Carer
from tests.factories import CarerFactory, PetFactory


def _refused(**changes):
    """Whether the database refuses ``changes`` to every carer."""
    try:
        with transaction.atomic():
            Carer.objects.update(**changes)
    except IntegrityError:
        return True
    return False


@pytest.fixture
def household(scheme):
    return CarerFactory(scheme=scheme)


@pytest.mark.parametrize("status", ["approved", "suspended", "approval_ended"])
def test_it_accepts_a_known_status(household, status):
    assert not _refused(status=status)


@pytest.mark.parametrize("status", ["Approved", "on_hold", ""])
def test_it_refuses_an_unknown_status(household, status):
    assert _refused(status=status)


def test_it_refuses_an_unknown_smoking_answer(household):
    assert _refused(smoking="sometimes")


def test_it_accepts_coordinates_as_a_pair(household):
    assert not _refused(latitude=53.8, longitude=-1.55)


@pytest.mark.parametrize(("latitude", "longitude"), [(53.8, None), (None, -1.55)])
def test_it_refuses_half_a_pair_of_coordinates(household, latitude, longitude):
    assert _refused(latitude=latitude, longitude=longitude)


@pytest.mark.parametrize(("latitude", "longitude"), [(91, 0), (-90.5, 0), (0, 180.5)])
def test_it_refuses_coordinates_off_the_earth(household, latitude, longitude):
    assert _refused(latitude=latitude, longitude=longitude)


def test_it_refuses_a_joint_carer_without_a_last_name(household):
    assert _refused(joint_first_name="Ravi", joint_last_name="")


def test_it_refuses_an_unknown_kind_of_pet(household):
    with pytest.raises(IntegrityError), transaction.atomic():
        PetFactory(carer=household, kind="dragon")
