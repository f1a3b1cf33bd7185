"""The legal hold: the registered manager sets it, with the reason, or clears
it, on a person's or a household's edit page; nobody else can; the record's
page says it is on, and its history shows who changed it."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from people.models import Person
from tests.factories import CarerFactory, PersonFactory
from tests.sharedlives.pages import Page, form_data, history_entries

NOW = dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def person(scheme):
    return PersonFactory(scheme=scheme, first_name="Sam", last_name="Okafor")


@pytest.fixture
def household(scheme):
    return CarerFactory(scheme=scheme, first_name="Asha", last_name="Patel")


# Each record's edit page, and where saving it leads.
RECORDS = [("person", "person_edit", "person_detail"), ("household", "carer_edit", "carer_detail")]


def _opened(client, url) -> dict:
    return form_data(client.get(url).context["form"])


@pytest.mark.parametrize(("record", "edit", "detail"), RECORDS)
def test_the_manager_puts_a_record_on_legal_hold_with_the_reason(
    client, request, manager, record, edit, detail
):
    obj = request.getfixturevalue(record)
    url = reverse(edit, args=[obj.pk])
    client.force_login(manager)

    data = {**_opened(client, url), "legal_hold": "on", "legal_hold_reason": "Court of Protection case"}
    response = client.post(url, data, follow=True)

    obj.refresh_from_db()
    assert (obj.legal_hold, obj.legal_hold_reason) == (True, "Court of Protection case")
    assert response.redirect_chain == [(reverse(detail, args=[obj.pk]), 302)]
    assert "Legal hold Every record is kept past the retention period: Court of Protection case" in (
        Page(response).main_text
    )


def test_a_hold_without_a_reason_is_refused_and_nothing_is_saved(client, manager, person):
    url = reverse("person_edit", args=[person.pk])
    client.force_login(manager)

    data = {**_opened(client, url), "legal_hold": "on", "legal_hold_reason": "  ", "preferred_name": "Sammy"}
    response = client.post(url, data)

    page = Page(response)
    assert response.status_code == 200
    assert page.error_for("legal_hold_reason") == "Say why the records must be kept."
    assert page.value_of("preferred_name") == "Sammy"
    person.refresh_from_db()
    assert (person.legal_hold, person.preferred_name) == (False, "")


def test_clearing_the_hold_clears_its_reason_and_the_history_keeps_both(client, manager, person):
    person.legal_hold, person.legal_hold_reason = True, "Insurance claim"
    person.save()
    url = reverse("person_edit", args=[person.pk])
    client.force_login(manager)

    data = _opened(client, url)
    del data["legal_hold"]  # unticked
    client.post(url, data)

    person.refresh_from_db()
    assert (person.legal_hold, person.legal_hold_reason) == (False, "")
    history = history_entries(client.get(reverse("person_history", args=[person.pk])))
    assert ("Legal hold reason", "Insurance claim", "—") in history[0]["changes"]
    assert history[0]["byline"].endswith(f"by {manager.display_name}")


@pytest.mark.parametrize(("record", "edit", "detail"), RECORDS)
def test_a_coordinator_neither_sees_nor_changes_the_hold(client, request, coordinator, record, edit, detail):
    obj = request.getfixturevalue(record)
    url = reverse(edit, args=[obj.pk])
    client.force_login(coordinator)

    page = Page(client.get(url))
    data = {**_opened(client, url), "legal_hold": "on", "legal_hold_reason": "Because I say so"}
    client.post(url, data)

    assert page.find("input", name="legal_hold") is None
    obj.refresh_from_db()
    assert (obj.legal_hold, obj.legal_hold_reason) == (False, "")


def test_a_coordinator_editing_a_held_record_leaves_the_hold_on(client, coordinator, person):
    person.legal_hold, person.legal_hold_reason = True, "Insurance claim"
    person.save()
    url = reverse("person_edit", args=[person.pk])
    client.force_login(coordinator)

    client.post(url, {**_opened(client, url), "preferred_name": "Sammy"})

    person = Person.objects.get(pk=person.pk)
    assert (person.preferred_name, person.legal_hold, person.legal_hold_reason) == (
        "Sammy",
        True,
        "Insurance claim",
    )


def test_a_new_person_has_no_hold_field(client, manager):
    client.force_login(manager)

    page = Page(client.get(reverse("person_create")))

    assert page.find("input", name="legal_hold") is None
