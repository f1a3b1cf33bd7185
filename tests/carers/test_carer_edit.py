"""Editing a carer household's details."""

import pytest
from django.test import Client
from django.urls import reverse

from sharedlives.forms import STALE_MESSAGE
from tests.sharedlives.pages import Page, form_data

POSTCODE_ERROR = "Enter a UK postcode, like LS6 2AB."


@pytest.fixture
def url(carer_household):
    return reverse("carer_edit", args=[carer_household.pk])


def _opened(client, url) -> dict:
    """What the edit form sends back if the user changes nothing."""
    return form_data(client.get(url).context["form"])


def test_a_coordinator_changes_a_carers_details(client, coordinator, carer_household, url):
    client.force_login(coordinator)
    data = {**_opened(client, url), "town": "Bradford", "postcode": "bd1 1aa", "phone": "07700 900123"}

    response = client.post(url, data)

    assert response.status_code == 302
    assert response.url == reverse("carer_detail", args=[carer_household.pk])
    carer_household.refresh_from_db()
    assert (carer_household.town, carer_household.postcode) == ("Bradford", "BD1 1AA")
    assert carer_household.phone == "07700 900123"
    assert carer_household.version == 2


def test_the_saved_change_is_confirmed_and_shown(client, coordinator, url):
    client.force_login(coordinator)

    response = client.post(
        url, {**_opened(client, url), "town": "Bradford", "postcode": "BD1 1AA"}, follow=True
    )

    page = Page(response)
    assert "Done: Asha Patel's details have been saved." in page.messages
    assert "Bradford, BD1 1AA" in page.main_text


def test_a_manager_can_edit_too(client, manager, carer_household, url):
    client.force_login(manager)

    response = client.post(url, {**_opened(client, url), "faith": "Sikh"})

    assert response.status_code == 302
    carer_household.refresh_from_db()
    assert carer_household.faith == "Sikh"


@pytest.mark.parametrize("typed", ["ls6", "LS6 2A", "123 456", "SW1A 1A1"])
def test_a_postcode_that_is_not_a_uk_postcode_is_refused(client, coordinator, carer_household, url, typed):
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), "postcode": typed, "town": "Otley"})

    page = Page(response)
    assert response.status_code == 200
    assert page.error_for("postcode") == POSTCODE_ERROR
    assert page.value_of("postcode") == typed
    assert page.value_of("town") == "Otley"
    carer_household.refresh_from_db()
    assert (carer_household.postcode, carer_household.town, carer_household.version) == (
        "LS6 2AB",
        "Leeds",
        1,
    )


@pytest.mark.parametrize(
    ("typed", "saved"), [("ls62ab", "LS6 2AB"), (" ec1a1bb ", "EC1A 1BB"), ("m1 1ae", "M1 1AE")]
)
def test_a_postcode_is_saved_in_capitals_with_one_space(
    client, coordinator, carer_household, url, typed, saved
):
    client.force_login(coordinator)

    client.post(url, {**_opened(client, url), "postcode": typed})

    carer_household.refresh_from_db()
    assert carer_household.postcode == saved


def test_a_joint_carer_needs_a_last_name_too(client, coordinator, carer_household, url):
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), "joint_first_name": "Ravi"})

    page = Page(response)
    assert page.error_for("joint_last_name") == "Enter the joint carer's last name too."
    assert page.value_of("joint_first_name") == "Ravi"
    carer_household.refresh_from_db()
    assert carer_household.joint_first_name == ""


def test_a_joint_carer_is_named_with_the_household(client, coordinator, carer_household, url):
    client.force_login(coordinator)

    client.post(url, {**_opened(client, url), "joint_first_name": "Ravi", "joint_last_name": "Patel"})

    carer_household.refresh_from_db()
    assert carer_household.name == "Asha and Ravi Patel"


def test_latitude_without_longitude_is_refused(client, coordinator, carer_household, url):
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), "latitude": "53.8"})

    assert Page(response).error_for("longitude") == "Enter both latitude and longitude, or neither."
    carer_household.refresh_from_db()
    assert carer_household.latitude is None


# --- Two staff editing the same household at once ---


def test_a_second_save_from_an_older_page_is_refused(client, coordinator, manager, carer_household, url):
    client.force_login(coordinator)
    other = Client()
    other.force_login(manager)
    first, second = _opened(client, url), _opened(other, url)
    assert first["version"] == second["version"] == "1"

    assert client.post(url, {**first, "town": "Bradford"}).status_code == 302
    response = other.post(url, {**second, "town": "Wakefield", "phone": "0113 496 0999"})

    page = Page(response)
    assert response.status_code == 200
    assert STALE_MESSAGE in page.main_text
    assert page.value_of("town") == "Wakefield"
    assert page.value_of("phone") == "0113 496 0999"
    carer_household.refresh_from_db()
    assert (carer_household.town, carer_household.phone, carer_household.version) == (
        "Bradford",
        "0113 496 0000",
        2,
    )


def test_sending_the_refused_form_again_is_still_refused(client, coordinator, manager, carer_household, url):
    client.force_login(coordinator)
    other = Client()
    other.force_login(manager)
    first, second = _opened(client, url), _opened(other, url)
    client.post(url, {**first, "town": "Bradford"})
    refused = other.post(url, {**second, "town": "Wakefield"})

    again = other.post(url, form_data(refused.context["form"]))

    assert STALE_MESSAGE in Page(again).main_text
    carer_household.refresh_from_db()
    assert carer_household.town == "Bradford"


def test_a_fresh_page_saves_after_a_refusal(client, coordinator, manager, carer_household, url):
    client.force_login(coordinator)
    other = Client()
    other.force_login(manager)
    first, second = _opened(client, url), _opened(other, url)
    client.post(url, {**first, "town": "Bradford"})
    other.post(url, {**second, "town": "Wakefield"})

    response = other.post(url, {**_opened(other, url), "phone": "0113 496 0999"})

    assert response.status_code == 302
    carer_household.refresh_from_db()
    assert (carer_household.town, carer_household.phone, carer_household.version) == (
        "Bradford",
        "0113 496 0999",
        3,
    )
