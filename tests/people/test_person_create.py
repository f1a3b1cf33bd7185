"""Adding a person the scheme supports, or has been asked to support."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from people.models import Person
from tests.sharedlives.pages import Page

URL = reverse("person_create")
TODAY = dt.datetime(2025, 6, 2, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def referral(coordinator):
    return {
        "first_name": "Margaret",
        "last_name": "Hughes",
        "preferred_name": "Peggy",
        "date_of_birth": "1948-02-11",
        "needs_groups": ["dementia", "older_person"],
        "interests": "Baking, brass bands",
        "languages": "English",
        "pets_to_avoid": ["cat"],
        "smoking_preference": "smoke_free",
        "preferred_area": "Headingley",
        "postcode": "ls6 3hn",
        "coordinator": coordinator.pk,
    }


@time_machine.travel(TODAY, tick=False)
def test_a_coordinator_adds_a_person(client, coordinator, scheme, referral):
    client.force_login(coordinator)

    response = client.post(URL, referral)

    person = Person.objects.get(last_name="Hughes")
    assert response.status_code == 302
    assert response.url == reverse("person_detail", args=[person.pk])
    assert person.scheme == scheme
    assert person.name == "Peggy Hughes"
    assert person.date_of_birth == dt.date(1948, 2, 11)
    assert person.needs_groups == ["dementia", "older_person"]
    assert person.interests == ["baking", "brass bands"]
    assert person.pets_to_avoid == ["cat"]
    assert person.postcode == "LS6 3HN"
    assert person.coordinator == coordinator


@time_machine.travel(TODAY, tick=False)
def test_the_new_persons_page_says_they_were_added(client, coordinator, referral):
    client.force_login(coordinator)

    response = client.post(URL, referral, follow=True)

    page = Page(response)
    assert "Done: Peggy Hughes has been added." in page.messages
    assert "Full name: Margaret Hughes" in page.main_text
    assert "Animals to avoid Cat" in page.main_text


@time_machine.travel(TODAY, tick=False)
def test_a_date_of_birth_in_the_future_is_refused(client, coordinator, referral):
    client.force_login(coordinator)

    response = client.post(URL, {**referral, "date_of_birth": "2025-06-03"})

    page = Page(response)
    assert response.status_code == 200
    assert page.error_for("date_of_birth") == "This date is in the future."
    assert page.value_of("date_of_birth") == "2025-06-03"
    assert page.value_of("first_name") == "Margaret"
    assert not Person.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_a_postcode_is_optional_but_must_be_a_uk_postcode(client, coordinator, referral):
    client.force_login(coordinator)

    refused = client.post(URL, {**referral, "postcode": "LS6 ABC"})
    accepted = client.post(URL, {**referral, "postcode": ""})

    assert Page(refused).error_for("postcode") == "Enter a UK postcode, like LS6 2AB."
    assert Page(refused).value_of("postcode") == "LS6 ABC"
    assert accepted.status_code == 302
    assert Person.objects.get().postcode == ""


@time_machine.travel(TODAY, tick=False)
def test_an_unknown_needs_group_is_refused(client, coordinator, referral):
    client.force_login(coordinator)

    response = client.post(URL, {**referral, "needs_groups": ["dementia", "naughty"]})

    assert "Select a valid choice. naughty is not one of the available choices." in Page(response).main_text
    assert not Person.objects.exists()
