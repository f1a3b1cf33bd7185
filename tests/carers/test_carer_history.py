"""The History tab of a carer household: who changed what, and when."""

from django.urls import reverse

from tests.factories import CarerFactory
from tests.sharedlives.pages import Page, form_data, history_entries


def _history(client, carer) -> list[dict]:
    response = client.get(reverse("carer_history", args=[carer.pk]))
    assert response.status_code == 200
    return history_entries(response)


def _edit(client, carer, **changes):
    url = reverse("carer_edit", args=[carer.pk])
    response = client.post(url, {**form_data(client.get(url).context["form"]), **changes})
    assert response.status_code == 302


def test_a_change_of_town_shows_who_made_it_and_the_old_and_new_values(client, coordinator, carer_household):
    client.force_login(coordinator)

    _edit(client, carer_household, town="Bradford")

    newest = _history(client, carer_household)[0]
    assert newest["title"] == "Carer changed"
    assert newest["byline"].endswith(f"by {coordinator.display_name}")
    assert newest["changes"] == [("Town or city", "Leeds", "Bradford")]


def test_only_the_fields_that_changed_are_listed(client, coordinator, carer_household):
    client.force_login(coordinator)

    _edit(client, carer_household, phone="07700 900123", smoking="outside")

    changes = _history(client, carer_household)[0]["changes"]
    assert sorted(changes) == [
        ("Phone", "0113 496 0000", "07700 900123"),
        ("Smoking", "No one smokes", "Someone smokes, outside only"),
    ]


def test_adding_a_household_member_shows_in_the_carers_history(client, manager, carer_household):
    client.force_login(manager)
    url = reverse("carer_household", args=[carer_household.pk])
    response = client.get(url)
    data = form_data(response.context["members"], response.context["pets"], response.context["rooms"])
    data.update({"version": "1", "members-0-name": "Priya Patel", "members-0-relationship": "daughter"})
    data["members-0-date_of_birth"] = "2008-09-14"
    assert client.post(url, data).status_code == 302

    entries = _history(client, carer_household)

    added = next(e for e in entries if e["title"] == "Household member added")
    assert added["byline"].endswith(f"by {manager.display_name}")
    assert ("Name", "—", "Priya Patel") in added["changes"]
    assert ("Relationship", "—", "daughter") in added["changes"]
    # Dates read as everywhere else in the app, not as the database stores them.
    assert ("Date of birth", "—", "14 Sep 2008") in added["changes"]


def test_a_record_added_outside_the_app_is_credited_to_the_system(client, coordinator, carer_household):
    client.force_login(coordinator)

    entries = _history(client, carer_household)

    assert [e["title"] for e in entries] == ["Carer added"]
    assert entries[0]["byline"].endswith("by System (no signed-in user)")


def test_another_households_changes_are_not_in_this_history(
    client, coordinator, carer_household, other_carer_household
):
    other_carer_household.town = "Harrogate"
    other_carer_household.save()
    client.force_login(coordinator)

    page = Page(client.get(reverse("carer_history", args=[carer_household.pk])))

    assert "Harrogate" not in page.main_text


def test_the_carer_cannot_open_their_own_households_history(client, carer, carer_household):
    client.force_login(carer)

    response = client.get(reverse("carer_history", args=[carer_household.pk]))

    assert response.status_code == 403


def test_the_history_of_another_schemes_household_cannot_be_found(client, coordinator, other_scheme):
    theirs = CarerFactory(scheme=other_scheme)
    client.force_login(coordinator)

    response = client.get(reverse("carer_history", args=[theirs.pk]))

    assert response.status_code == 404
