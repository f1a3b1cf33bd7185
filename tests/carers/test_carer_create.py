"""Adding an enquiry from someone who would like to become a carer."""

import pytest
from django.urls import reverse

from carers.models import Carer, CarerStatus
from tests.sharedlives.pages import Page, text

URL = reverse("carer_create")


@pytest.fixture
def enquiry(coordinator):
    return {
        "first_name": "Grace",
        "last_name": "Okafor",
        "email": "grace@example.org",
        "phone": "0113 496 0001",
        "address_line_1": "12 Cardigan Road",
        "town": "Leeds",
        "postcode": "ls62ab",
        "coordinator": coordinator.pk,
        "smoking": "no_one",
        "languages": "English, Igbo, english",
        "interests": "Gardening,  football",
        "how_heard": "Radio Leeds",
    }


def test_a_coordinator_adds_an_enquiry(client, coordinator, scheme, enquiry):
    client.force_login(coordinator)

    response = client.post(URL, enquiry)

    carer = Carer.objects.get(first_name="Grace")
    assert response.status_code == 302
    assert response.url == reverse("carer_detail", args=[carer.pk])
    assert carer.scheme == scheme
    assert carer.status == CarerStatus.ENQUIRY
    assert carer.coordinator == coordinator
    assert carer.postcode == "LS6 2AB"
    assert carer.languages == ["english", "igbo"]
    assert carer.interests == ["gardening", "football"]
    assert carer.version == 1


def test_the_new_carers_page_says_they_were_added(client, coordinator, enquiry):
    client.force_login(coordinator)

    response = client.post(URL, enquiry, follow=True)

    assert "Done: Grace Okafor has been added as an enquiry." in Page(response).messages
    assert "Enquiry" in text(response)


def test_the_form_offers_the_user_as_coordinator(client, coordinator):
    client.force_login(coordinator)

    select = Page(client.get(URL)).find("select", name="coordinator")

    selected = [o.text for o in select.iter() if o.tag == "option" and "selected" in o.attrs]
    assert selected == [coordinator.display_name]


def test_the_coordinator_choices_are_this_schemes_staff_only(client, coordinator, manager, other_coordinator):
    client.force_login(coordinator)

    choices = Page(client.get(URL)).options_of("coordinator")

    assert sorted(choices) == sorted(["---------", coordinator.display_name, manager.display_name])


def test_a_coordinator_of_another_scheme_cannot_be_made_coordinator(
    client, coordinator, other_coordinator, enquiry
):
    client.force_login(coordinator)

    response = client.post(URL, {**enquiry, "coordinator": other_coordinator.pk})

    assert response.status_code == 200
    assert "Select a valid choice" in Page(response).error_for("coordinator")
    assert not Carer.objects.exists()


def test_an_enquiry_without_a_name_or_address_is_refused(client, coordinator, enquiry):
    client.force_login(coordinator)

    response = client.post(URL, {**enquiry, "last_name": "", "address_line_1": ""})

    page = Page(response)
    assert response.status_code == 200
    assert page.error_for("last_name") == "This field is required."
    assert page.error_for("address_line_1") == "This field is required."
    assert page.value_of("first_name") == "Grace"
    assert not Carer.objects.exists()
