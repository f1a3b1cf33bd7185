"""The History tab of a person: who changed what, and when."""

import pytest
from django.urls import reverse

from tests.factories import PersonFactory
from tests.sharedlives.pages import form_data, history_entries


@pytest.fixture
def person(scheme):
    return PersonFactory(scheme=scheme, first_name="Daniel", last_name="Reid", preferred_area="Headingley")


def _history(client, person) -> list[dict]:
    response = client.get(reverse("person_history", args=[person.pk]))
    assert response.status_code == 200
    return history_entries(response)


def test_a_change_shows_who_made_it_and_the_old_and_new_values(client, coordinator, person):
    client.force_login(coordinator)
    url = reverse("person_edit", args=[person.pk])
    data = {
        **form_data(client.get(url).context["form"]),
        "preferred_area": "Armley",
        "needs_groups": ["autism"],
    }
    assert client.post(url, data).status_code == 302

    newest = _history(client, person)[0]

    assert newest["title"] == "Person changed"
    assert newest["byline"].endswith(f"by {coordinator.display_name}")
    assert sorted(newest["changes"]) == [
        ("Needs groups", "Learning disability", "Autism"),
        ("Preferred area", "Headingley", "Armley"),
    ]


def test_adding_a_contact_shows_in_the_persons_history(client, manager, person):
    client.force_login(manager)
    url = reverse("person_contacts", args=[person.pk])
    data = {**form_data(client.get(url).context["formset"]), "version": "1"}
    data.update({"contacts-0-kind": "advocate", "contacts-0-name": "Kim Noor"})
    assert client.post(url, data).status_code == 302

    added = next(e for e in _history(client, person) if e["title"] == "Contact added")

    assert added["byline"].endswith(f"by {manager.display_name}")
    assert ("Kind", "—", "Advocate") in added["changes"]
    assert ("Name", "—", "Kim Noor") in added["changes"]


def test_the_carer_cannot_open_the_history_of_the_person_living_with_them(client, carer, arrangement):
    client.force_login(carer)

    response = client.get(reverse("person_history", args=[arrangement.person.pk]))

    assert response.status_code == 403


def test_the_history_of_another_schemes_person_cannot_be_found(client, coordinator, other_scheme):
    theirs = PersonFactory(scheme=other_scheme)
    client.force_login(coordinator)

    assert client.get(reverse("person_history", args=[theirs.pk])).status_code == 404
