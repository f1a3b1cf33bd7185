"""A person's contacts: family, friends and professionals, edited together."""

import pytest
from django.test import Client
from django.urls import reverse

from people.models import Contact
from sharedlives.forms import STALE_MESSAGE
from tests.factories import ContactFactory, PersonFactory
from tests.sharedlives.pages import Page, form_data


@pytest.fixture
def person(scheme):
    return PersonFactory(scheme=scheme, first_name="Daniel", last_name="Reid")


@pytest.fixture
def url(person):
    return reverse("person_contacts", args=[person.pk])


def _opened(client, url) -> dict:
    response = client.get(url)
    return {**form_data(response.context["formset"]), "version": Page(response).value_of("version")}


def test_a_coordinator_adds_a_contact(client, coordinator, person, url):
    client.force_login(coordinator)
    data = _opened(client, url)
    data.update(
        {
            "contacts-0-kind": "social_worker",
            "contacts-0-name": "Ann Lee",
            "contacts-0-organisation": "Leeds City Council",
            "contacts-0-phone": "0113 222 4444",
        }
    )

    response = client.post(url, data, follow=True)

    contact = Contact.objects.get(person=person)
    assert (contact.kind, contact.name, contact.organisation) == (
        "social_worker",
        "Ann Lee",
        "Leeds City Council",
    )
    page = Page(response)
    assert response.redirect_chain == [(reverse("person_detail", args=[person.pk]), 302)]
    assert "Done: Daniel Reid's contacts have been saved." in page.messages
    assert "Ann Lee Social worker or care manager, Leeds City Council 0113 222 4444" in page.main_text
    person.refresh_from_db()
    assert person.version == 2


def test_a_coordinator_changes_and_removes_contacts(client, coordinator, person, url):
    ContactFactory(person=person, kind="family", name="Beth Reid", relationship="sister")
    ContactFactory(person=person, kind="gp", name="Dr Shah", relationship="")
    client.force_login(coordinator)
    data = _opened(client, url)
    assert (data["contacts-0-name"], data["contacts-1-name"]) == ("Beth Reid", "Dr Shah")

    client.post(url, {**data, "contacts-0-phone": "07700 900555", "contacts-1-DELETE": "on"})

    assert list(person.contacts.values_list("name", "phone")) == [("Beth Reid", "07700 900555")]


def test_a_contact_needs_a_name_and_a_kind(client, coordinator, person, url):
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), "contacts-0-phone": "0113 222 4444"})

    page = Page(response)
    assert page.error_for("contacts-0-name") == "This field is required."
    assert page.error_for("contacts-0-kind") == "This field is required."
    assert page.value_of("contacts-0-phone") == "0113 222 4444"
    assert not person.contacts.exists()


def test_a_bad_email_is_refused(client, coordinator, person, url):
    client.force_login(coordinator)
    data = {
        **_opened(client, url),
        "contacts-0-kind": "family",
        "contacts-0-name": "Beth",
        "contacts-0-email": "beth@",
    }

    response = client.post(url, data)

    assert Page(response).error_for("contacts-0-email") == "Enter a valid email address."
    assert not person.contacts.exists()


def test_a_second_save_from_an_older_contacts_page_is_refused(client, coordinator, manager, person, url):
    client.force_login(coordinator)
    other = Client()
    other.force_login(manager)
    first, second = _opened(client, url), _opened(other, url)
    assert first["version"] == second["version"] == "1"

    client.post(url, {**first, "contacts-0-kind": "family", "contacts-0-name": "Beth Reid"})
    response = other.post(url, {**second, "contacts-0-kind": "gp", "contacts-0-name": "Dr Shah"})

    page = Page(response)
    assert response.status_code == 200
    assert STALE_MESSAGE in page.main_text
    assert page.value_of("contacts-0-name") == "Dr Shah"
    assert list(person.contacts.values_list("name", flat=True)) == ["Beth Reid"]
    person.refresh_from_db()
    assert person.version == 2


def test_a_contact_of_another_person_cannot_be_changed_through_this_page(
    client, coordinator, scheme, person, url
):
    theirs = ContactFactory(person=PersonFactory(scheme=scheme), name="Their contact")
    client.force_login(coordinator)
    data = _opened(client, url)
    data.update({"contacts-0-id": str(theirs.pk), "contacts-0-kind": "gp", "contacts-0-name": "Taken over"})

    client.post(url, data)

    theirs.refresh_from_db()
    assert theirs.name == "Their contact"
