"""Adding an arrangement: a person living with or visiting a carer."""

import datetime as dt

import pytest
from django.urls import reverse

from carers.models import CarerStatus
from placements.models import Arrangement, ArrangementStatus
from tests.factories import ArrangementFactory, CarerFactory, PersonFactory
from tests.sharedlives.pages import Page

URL = reverse("arrangement_create")
OVERLAP = (
    "This person already has a live-in arrangement for some of these dates. "
    "End that one first, or change the dates."
)


@pytest.fixture
def person(scheme):
    return PersonFactory(scheme=scheme, first_name="Daniel", last_name="Reid")


@pytest.fixture
def data(person, carer_household):
    return {
        "person": person.pk,
        "carer": carer_household.pk,
        "kind": "live_in",
        "status": "planned",
        "start_date": "2025-07-01",
        "end_date": "",
        "end_reason": "",
        "notes": "Introductions went well.",
    }


def test_a_coordinator_adds_an_arrangement(client, coordinator, scheme, person, carer_household, data):
    client.force_login(coordinator)

    response = client.post(URL, data, follow=True)

    arrangement = Arrangement.objects.get()
    assert response.redirect_chain == [(reverse("arrangement_detail", args=[arrangement.pk]), 302)]
    assert (arrangement.scheme, arrangement.person, arrangement.carer) == (scheme, person, carer_household)
    assert (arrangement.kind, arrangement.status) == ("live_in", "planned")
    assert arrangement.start_date == dt.date(2025, 7, 1)
    assert arrangement.end_date is None
    page = Page(response)
    assert "Done: The arrangement has been added." in page.messages
    assert "Live-in: Daniel Reid with Asha Patel" in page.main_text


def test_the_form_starts_with_the_person_it_was_opened_from(client, coordinator, person):
    client.force_login(coordinator)

    select = Page(client.get(URL, {"person": person.pk})).find("select", name="person")

    assert [o.text for o in select.iter() if o.tag == "option" and "selected" in o.attrs] == ["Daniel Reid"]


def test_the_form_ignores_a_person_of_another_scheme_it_was_opened_from(client, coordinator, other_scheme):
    theirs = PersonFactory(scheme=other_scheme, first_name="Hidden", last_name="Person")
    client.force_login(coordinator)

    response = client.get(URL, {"person": theirs.pk})

    assert response.status_code == 200
    assert "Hidden Person" not in response.content.decode()


def test_the_choices_are_this_schemes_people_and_carers_only(
    client, coordinator, person, carer_household, other_scheme
):
    CarerFactory(scheme=other_scheme, first_name="Far", last_name="Away")
    client.force_login(coordinator)

    page = Page(client.get(URL))

    assert page.options_of("person") == ["---------", "Daniel Reid"]
    assert page.options_of("carer") == ["---------", "Asha Patel (Approved)"]


def test_a_carer_of_another_scheme_is_refused(client, coordinator, other_scheme, data):
    theirs = CarerFactory(scheme=other_scheme)
    client.force_login(coordinator)

    response = client.post(URL, {**data, "carer": theirs.pk})

    assert "Select a valid choice" in Page(response).error_for("carer")
    assert not Arrangement.objects.exists()


@pytest.mark.parametrize("status", ["planned", "current"])
def test_a_planned_or_current_arrangement_needs_an_approved_carer(client, coordinator, scheme, data, status):
    applicant = CarerFactory(
        scheme=scheme, first_name="Grace", last_name="Okafor", status=CarerStatus.ASSESSMENT
    )
    client.force_login(coordinator)

    response = client.post(URL, {**data, "carer": applicant.pk, "status": status})

    page = Page(response)
    assert page.error_for("carer") == (
        "Grace Okafor is not an approved carer (assessment), "
        "so a planned or current arrangement cannot be made with them."
    )
    assert page.value_of("notes") == "Introductions went well."
    assert not Arrangement.objects.exists()


def test_an_ended_arrangement_with_a_carer_who_has_since_resigned_can_be_recorded(
    client, coordinator, scheme, data
):
    resigned = CarerFactory(scheme=scheme, status=CarerStatus.RESIGNED)
    client.force_login(coordinator)
    ended = {
        "status": "ended",
        "start_date": "2019-03-01",
        "end_date": "2021-09-30",
        "end_reason": "carer_resigned",
    }

    response = client.post(URL, {**data, "carer": resigned.pk, **ended})

    assert response.status_code == 302
    assert Arrangement.objects.get().carer == resigned


def test_an_end_before_the_start_is_refused(client, coordinator, data):
    client.force_login(coordinator)

    response = client.post(URL, {**data, "start_date": "2025-07-01", "end_date": "2025-06-30"})

    page = Page(response)
    assert page.error_for("end_date") == "The end date must be on or after the start date."
    assert page.value_of("end_date") == "2025-06-30"
    assert OVERLAP not in page.main_text
    assert not Arrangement.objects.exists()


def test_an_arrangement_may_end_on_the_day_it_starts(client, coordinator, data):
    client.force_login(coordinator)

    response = client.post(
        URL, {**data, "kind": "day_support", "start_date": "2025-07-01", "end_date": "2025-07-01"}
    )

    assert response.status_code == 302


def test_an_ended_arrangement_needs_its_end_date_and_reason(client, coordinator, data):
    client.force_login(coordinator)

    response = client.post(URL, {**data, "status": "ended"})

    page = Page(response)
    assert page.error_for("end_date") == "Enter the date the arrangement ended."
    assert page.error_for("end_reason") == "Choose why the arrangement ended."
    assert not Arrangement.objects.exists()


def test_a_second_live_in_home_for_the_same_dates_is_refused(client, coordinator, scheme, person, data):
    ArrangementFactory(scheme=scheme, person=person, start_date=dt.date(2025, 1, 6))  # no end date
    client.force_login(coordinator)

    response = client.post(URL, data)

    assert response.status_code == 200
    assert OVERLAP in Page(response).messages
    assert Arrangement.objects.count() == 1


def test_a_live_in_home_after_the_last_one_ended_is_accepted(client, coordinator, scheme, person, data):
    ArrangementFactory(
        scheme=scheme,
        person=person,
        status=ArrangementStatus.ENDED,
        start_date=dt.date(2024, 1, 6),
        end_date=dt.date(2025, 6, 30),
        end_reason="planned_move",
    )
    client.force_login(coordinator)

    assert client.post(URL, data).status_code == 302
    assert Arrangement.objects.count() == 2


def test_short_breaks_while_living_with_another_carer_are_accepted(client, coordinator, scheme, person, data):
    ArrangementFactory(scheme=scheme, person=person, start_date=dt.date(2025, 1, 6))
    client.force_login(coordinator)

    response = client.post(URL, {**data, "kind": "short_breaks"})

    assert response.status_code == 302
    assert Arrangement.objects.count() == 2


def test_another_persons_live_in_home_does_not_clash(client, coordinator, scheme, carer_household, data):
    ArrangementFactory(scheme=scheme, carer=carer_household, start_date=dt.date(2025, 1, 6))
    client.force_login(coordinator)

    assert client.post(URL, data).status_code == 302
