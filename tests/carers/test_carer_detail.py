"""A carer household's page."""

import datetime as dt

import pytest
from django.urls import reverse

from placements.models import ArrangementStatus
from sharedlives.choices import ArrangementKind
from tests.factories import ArrangementFactory, HouseholdMemberFactory, PetFactory, RoomFactory
from tests.sharedlives.pages import text


@pytest.fixture
def full_household(scheme, carer_household):
    """A household with several of everything the page shows."""
    for name in ["Sam", "Ravi", "Meera"]:
        HouseholdMemberFactory(carer=carer_household, name=f"{name} Patel")
    PetFactory(carer=carer_household, kind="dog", name="Biscuit")
    PetFactory(carer=carer_household, kind="cat", name="Mittens")
    RoomFactory(carer=carer_household, name="Back bedroom", step_free=True)
    RoomFactory(carer=carer_household, name="Box room")
    ArrangementFactory(
        scheme=scheme, carer=carer_household, person__first_name="Lena", person__last_name="Ward"
    )
    ArrangementFactory(
        scheme=scheme,
        carer=carer_household,
        kind=ArrangementKind.SHORT_BREAKS,
        status=ArrangementStatus.PLANNED,
        person__first_name="Omar",
        person__last_name="Hussain",
    )
    ArrangementFactory(
        scheme=scheme,
        carer=carer_household,
        status=ArrangementStatus.ENDED,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2021, 1, 1),
        end_reason="planned_move",
        person__first_name="Ruth",
        person__last_name="Gale",
    )
    return carer_household


def test_it_shows_who_lives_there_the_pets_and_the_rooms(client, coordinator, full_household):
    client.force_login(coordinator)

    page = text(client.get(reverse("carer_detail", args=[full_household.pk])))

    for shown in ["Sam Patel", "Ravi Patel", "Meera Patel", "Dog (Biscuit)", "Cat (Mittens)"]:
        assert shown in page
    assert "Back bedroom: step-free access" in page
    assert "Box room" in page


def test_it_lists_the_people_living_with_or_visiting_now_but_not_those_who_left(
    client, coordinator, full_household
):
    client.force_login(coordinator)

    page = text(client.get(reverse("carer_detail", args=[full_household.pk])))

    assert "Lena Ward Live-in Current" in page
    assert "Omar Hussain Short breaks Planned" in page
    assert "Ruth Gale" not in page


def test_staff_see_how_the_carer_heard_of_the_scheme(client, coordinator, carer_household):
    carer_household.how_heard = "Radio Leeds"
    carer_household.save()
    client.force_login(coordinator)

    assert "Radio Leeds" in text(client.get(reverse("carer_detail", args=[carer_household.pk])))


def test_the_page_costs_the_same_queries_however_full_the_household(
    client, coordinator, full_household, django_assert_max_num_queries
):
    client.force_login(coordinator)
    url = reverse("carer_detail", args=[full_household.pk])
    client.get(url)  # the first request of a session also records the scheme in it

    # The session, the user, their membership, the carer (with scheme and
    # coordinator), then one query each for members, pets, rooms and the
    # arrangements with their people: never one per row. Then the scheme's
    # check rules and the household's lapsed checks, for the flag and banner,
    # and the line in the view log.
    with django_assert_max_num_queries(11):
        response = client.get(url)
    assert "Meera Patel" in text(response)
