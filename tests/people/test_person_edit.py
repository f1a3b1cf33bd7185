"""Editing a person's details."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from sharedlives.forms import STALE_MESSAGE
from tests.factories import PersonFactory
from tests.sharedlives.pages import Page, form_data

TODAY = dt.datetime(2025, 6, 2, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def person(scheme):
    return PersonFactory(
        scheme=scheme, first_name="Daniel", last_name="Reid", date_of_birth=dt.date(1990, 6, 15)
    )


@pytest.fixture
def url(person):
    return reverse("person_edit", args=[person.pk])


def _opened(client, url) -> dict:
    return form_data(client.get(url).context["form"])


@time_machine.travel(TODAY, tick=False)
def test_a_coordinator_changes_a_persons_details(client, coordinator, person, url):
    client.force_login(coordinator)
    data = {
        **_opened(client, url),
        "preferred_name": "Danny",
        "wheelchair_user": "on",
        "needs_groups": ["autism"],
    }

    response = client.post(url, data, follow=True)

    person.refresh_from_db()
    assert (person.preferred_name, person.wheelchair_user, person.needs_groups) == ("Danny", True, ["autism"])
    assert person.version == 2
    page = Page(response)
    assert response.redirect_chain == [(reverse("person_detail", args=[person.pk]), 302)]
    assert "Done: Danny Reid's details have been saved." in page.messages
    assert "Wheelchair user Yes" in page.main_text


@time_machine.travel(TODAY, tick=False)
def test_unticking_every_needs_group_clears_them(client, coordinator, person, url):
    client.force_login(coordinator)
    data = _opened(client, url)
    assert data["needs_groups"] == ["learning_disability"]
    del data["needs_groups"]

    client.post(url, data)

    person.refresh_from_db()
    assert person.needs_groups == []


@time_machine.travel(TODAY, tick=False)
def test_a_date_of_birth_in_the_future_is_refused(client, coordinator, person, url):
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), "date_of_birth": "2025-12-25"})

    assert Page(response).error_for("date_of_birth") == "This date is in the future."
    person.refresh_from_db()
    assert person.date_of_birth == dt.date(1990, 6, 15)


@time_machine.travel(TODAY, tick=False)
def test_a_date_of_birth_before_1900_is_refused_with_a_clear_message(client, coordinator, person, url):
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), "date_of_birth": "1890-06-15"})

    page = Page(response)
    assert response.status_code == 200
    # Every date the app takes falls between 1900 and 2100 (sharedlives.forms).
    assert page.error_for("date_of_birth") == "Check the year: give a date between 1900 and 2100."
    assert "Constraint" not in page.main_text
    person.refresh_from_db()
    assert person.date_of_birth == dt.date(1990, 6, 15)


@time_machine.travel(TODAY, tick=False)
def test_a_second_save_from_an_older_page_is_refused(client, coordinator, manager, person, url):
    client.force_login(coordinator)
    other = Client()
    other.force_login(manager)
    first, second = _opened(client, url), _opened(other, url)

    client.post(url, {**first, "faith": "Catholic"})
    response = other.post(url, {**second, "faith": "Methodist"})

    page = Page(response)
    assert STALE_MESSAGE in page.main_text
    assert page.value_of("faith") == "Methodist"
    person.refresh_from_db()
    assert person.faith == "Catholic"
