"""The demo data a new user signs in to, and the benchmark data set."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from carers.models import Carer, CarerStatus
from people.models import Person
from placements.models import Arrangement, ArrangementStatus
from sharedlives.choices import ArrangementKind
from sharedlives.models import Membership, Role, Scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(capsys):
    call_command("seed_demo")
    return capsys.readouterr().out


def test_every_demo_login_signs_in_with_the_demo_password(seeded):
    for username in ["manager", "coordinator", "coordinator2", "carer", "carer2", "admin"]:
        assert authenticate(username=username, password="sharedlives-demo") is not None, username
        assert username in seeded


def test_the_demo_has_two_schemes_and_a_scheme_full_of_records(seeded):
    leeds = Scheme.objects.get(name="Leeds Shared Lives")
    assert Scheme.objects.count() == 2
    assert leeds.registered_manager.username == "manager"
    assert 35 <= leeds.carers.count() <= 45
    assert 55 <= leeds.people.count() <= 65
    assert 45 <= leeds.arrangements.count() <= 55
    assert Membership.objects.get(user__username="coordinator2").scheme != leeds


def test_the_demo_has_carers_at_every_stage_and_arrangements_of_every_kind(seeded):
    leeds = Carer.objects.filter(scheme__name="Leeds Shared Lives")
    assert set(leeds.values_list("status", flat=True)) == set(CarerStatus.values)
    kinds = Arrangement.objects.filter(scheme__name="Leeds Shared Lives").values_list("kind", flat=True)
    assert set(kinds) == set(ArrangementKind.values)


def test_the_two_demo_carers_have_different_approved_households_with_someone_living_with_them(seeded):
    households = [
        Membership.objects.get(user__username=username, role=Role.CARER).carer
        for username in ["carer", "carer2"]
    ]

    assert households[0] != households[1]
    for household in households:
        assert household.status == CarerStatus.APPROVED
        assert household.arrangements.filter(status=ArrangementStatus.CURRENT).exists()


def test_it_only_fills_an_empty_database(seeded, capsys):
    with pytest.raises(CommandError, match="already has schemes"):
        call_command("seed_demo")

    call_command("seed_demo", "--if-empty")

    output = capsys.readouterr().out
    assert "no demo data was added" in output
    assert "coordinator2" in output  # the logins are shown again
    assert Scheme.objects.count() == 2


def test_scale_adds_carers_people_and_arrangements_in_proportion(seeded):
    call_command("seed_demo", "--scale", "40", verbosity=0)

    scale = Scheme.objects.exclude(name__in=["Leeds Shared Lives", "North Yorkshire Shared Lives"]).get()
    assert Carer.objects.filter(scheme=scale).count() == 40
    assert Person.objects.filter(scheme=scale).count() == 120
    assert Arrangement.objects.filter(scheme=scale).count() == 200
