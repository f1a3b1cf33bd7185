"""The household page: everyone else who lives in the home, the pets and the
spare rooms, edited together and saved as one change to the household."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from carers.models import HouseholdMember, Pet, Room
from sharedlives.forms import STALE_MESSAGE
from tests.factories import HouseholdMemberFactory, PetFactory, RoomFactory
from tests.sharedlives.pages import Page, form_data

TODAY = dt.datetime(2025, 6, 2, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def url(carer_household):
    return reverse("carer_household", args=[carer_household.pk])


def _opened(client, url) -> dict:
    """What the page sends back if the user changes nothing."""
    response = client.get(url)
    context = response.context
    return {
        **form_data(context["members"], context["pets"], context["rooms"]),
        "version": Page(response).value_of("version"),
    }


@time_machine.travel(TODAY, tick=False)
def test_a_coordinator_adds_a_household_member(client, coordinator, carer_household, url):
    client.force_login(coordinator)
    data = _opened(client, url)
    data.update(
        {
            "members-0-name": "Priya Patel",
            "members-0-relationship": "daughter",
            "members-0-date_of_birth": "2008-09-14",
        }
    )

    response = client.post(url, data, follow=True)

    member = HouseholdMember.objects.get(carer=carer_household)
    assert (member.name, member.relationship, member.date_of_birth) == (
        "Priya Patel",
        "daughter",
        dt.date(2008, 9, 14),
    )
    page = Page(response)
    assert response.redirect_chain == [(reverse("carer_detail", args=[carer_household.pk]), 302)]
    assert "Done: Asha Patel's household has been saved." in page.messages
    assert "Priya Patel, daughter (born 14 Sep 2008)" in page.main_text


def test_a_coordinator_adds_a_pet_and_a_room(client, coordinator, carer_household, url):
    client.force_login(coordinator)
    data = _opened(client, url)
    data.update({"pets-0-kind": "cat", "pets-0-name": "Mittens"})
    data.update({"rooms-0-name": "Front bedroom", "rooms-0-ground_floor": "on", "rooms-0-own_bathroom": "on"})

    response = client.post(url, data, follow=True)

    assert [str(pet) for pet in Pet.objects.filter(carer=carer_household)] == ["Cat (Mittens)"]
    room = Room.objects.get(carer=carer_household)
    assert (room.name, room.ground_floor, room.step_free, room.own_bathroom) == (
        "Front bedroom",
        True,
        False,
        True,
    )
    assert "Front bedroom: ground floor, own bathroom" in Page(response).main_text


def test_a_coordinator_removes_a_pet_and_keeps_the_other(client, coordinator, carer_household, url):
    PetFactory(carer=carer_household, kind="dog", name="Biscuit")
    PetFactory(carer=carer_household, kind="rabbit", name="Clover")
    client.force_login(coordinator)
    data = _opened(client, url)
    assert data["pets-0-name"] == "Biscuit"

    client.post(url, {**data, "pets-0-DELETE": "on"})

    assert list(Pet.objects.filter(carer=carer_household).values_list("name", flat=True)) == ["Clover"]


def test_a_coordinator_removes_a_household_member(client, coordinator, carer_household, url):
    HouseholdMemberFactory(carer=carer_household, name="Sam Patel")
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), "members-0-DELETE": "on"}, follow=True)

    assert not HouseholdMember.objects.filter(carer=carer_household).exists()
    assert "No one else lives in the household." in Page(response).main_text


def test_an_empty_extra_row_adds_nothing(client, coordinator, carer_household, url):
    client.force_login(coordinator)

    response = client.post(url, _opened(client, url))

    assert response.status_code == 302
    assert not carer_household.household_members.exists()
    assert not carer_household.pets.exists()
    assert not carer_household.rooms.exists()


def test_saving_the_household_is_one_change_to_the_carer(client, coordinator, carer_household, url):
    client.force_login(coordinator)

    client.post(url, {**_opened(client, url), "rooms-0-name": "Box room"})

    carer_household.refresh_from_db()
    assert carer_household.version == 2


@time_machine.travel(TODAY, tick=False)
def test_a_household_member_born_in_the_future_is_refused(client, coordinator, carer_household, url):
    client.force_login(coordinator)
    data = _opened(client, url)
    data.update(
        {
            "members-0-name": "Baby Patel",
            "members-0-relationship": "son",
            "members-0-date_of_birth": "2025-06-03",
        }
    )
    data.update({"pets-0-kind": "dog", "pets-0-name": "Rex"})

    response = client.post(url, data)

    page = Page(response)
    assert response.status_code == 200
    assert page.error_for("members-0-date_of_birth") == "This date is in the future."
    assert page.value_of("members-0-name") == "Baby Patel"
    assert page.value_of("pets-0-name") == "Rex"
    # All or nothing: the valid pet is not saved without the member.
    assert not carer_household.household_members.exists()
    assert not carer_household.pets.exists()


@time_machine.travel(TODAY, tick=False)
def test_a_household_member_born_today_is_accepted(client, coordinator, carer_household, url):
    client.force_login(coordinator)
    data = _opened(client, url)
    data.update(
        {
            "members-0-name": "Baby Patel",
            "members-0-relationship": "son",
            "members-0-date_of_birth": "2025-06-02",
        }
    )

    assert client.post(url, data).status_code == 302
    assert carer_household.household_members.get().name == "Baby Patel"


def test_a_household_member_needs_a_relationship(client, coordinator, carer_household, url):
    client.force_login(coordinator)
    data = {**_opened(client, url), "members-0-name": "Sam", "members-0-date_of_birth": "2001-01-01"}

    response = client.post(url, data)

    assert Page(response).error_for("members-0-relationship") == "This field is required."
    assert not carer_household.household_members.exists()


# --- Two staff editing the same household at once ---


def test_a_second_save_from_an_older_household_page_is_refused(
    client, coordinator, manager, carer_household, url
):
    client.force_login(coordinator)
    other = Client()
    other.force_login(manager)
    first, second = _opened(client, url), _opened(other, url)
    assert first["version"] == second["version"] == "1"

    assert client.post(url, {**first, "pets-0-kind": "dog", "pets-0-name": "Biscuit"}).status_code == 302
    response = other.post(url, {**second, "rooms-0-name": "Attic room"})

    page = Page(response)
    assert response.status_code == 200
    assert STALE_MESSAGE in page.main_text
    assert page.value_of("rooms-0-name") == "Attic room"
    # The refused page keeps the version first opened, so a second try is refused too.
    assert page.value_of("version") == "1"
    assert list(carer_household.pets.values_list("name", flat=True)) == ["Biscuit"]
    assert not carer_household.rooms.exists()
    carer_household.refresh_from_db()
    assert carer_household.version == 2


def test_a_household_page_without_its_version_saves_nothing(client, coordinator, carer_household, url):
    client.force_login(coordinator)
    data = {**_opened(client, url), "rooms-0-name": "Attic room"}
    del data["version"]

    response = client.post(url, data)

    assert STALE_MESSAGE in Page(response).main_text
    assert not carer_household.rooms.exists()


def test_a_room_of_another_household_cannot_be_changed_through_this_page(
    client, coordinator, carer_household, other_carer_household, url
):
    theirs = RoomFactory(carer=other_carer_household, name="Their room")
    client.force_login(coordinator)
    data = _opened(client, url)
    data.update({"rooms-0-id": str(theirs.pk), "rooms-0-name": "Taken over"})

    client.post(url, data)

    theirs.refresh_from_db()
    assert (theirs.name, theirs.carer) == ("Their room", other_carer_household)
