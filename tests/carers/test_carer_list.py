"""The list of the scheme's carer households, with search and filters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carers.models import CarerStatus
from tests.factories import CarerFactory
from tests.sharedlives.pages import Page

URL = reverse("carer_list")


def _names(response) -> list[str]:
    """The carers listed, in the order shown."""
    assert response.status_code == 200
    body = Page(response).find("tbody")
    return [] if body is None else [row.first("a").text for row in body.iter() if row.tag == "tr"]


@pytest.fixture
def households(scheme, coordinator, manager):
    return {
        "patel": CarerFactory(scheme=scheme, first_name="Asha", last_name="Patel", postcode="LS6 2AB"),
        "barker": CarerFactory(
            scheme=scheme, first_name="Tom", last_name="Barker", postcode="BD1 1AA", coordinator=coordinator
        ),
        "okafor": CarerFactory(
            scheme=scheme,
            first_name="Grace",
            last_name="Okafor",
            postcode="LS6 3HN",
            status=CarerStatus.ASSESSMENT,
            coordinator=manager,
        ),
    }


def test_it_lists_the_schemes_carers_by_last_name(client, coordinator, households, other_scheme):
    CarerFactory(scheme=other_scheme, first_name="Zoe", last_name="Anders")
    client.force_login(coordinator)

    response = client.get(URL)

    assert _names(response) == ["Tom Barker", "Grace Okafor", "Asha Patel"]
    assert "Showing 1 to 3 of 3 carers." in Page(response).main_text


@pytest.mark.parametrize(
    ("search", "found"), [("pat", ["Asha Patel"]), ("ASHA P", ["Asha Patel"]), ("gr ok", ["Grace Okafor"])]
)
def test_search_finds_carers_by_the_start_of_their_names(client, coordinator, households, search, found):
    client.force_login(coordinator)

    assert _names(client.get(URL, {"q": search})) == found


def test_search_finds_carers_by_postcode(client, coordinator, households):
    client.force_login(coordinator)

    assert _names(client.get(URL, {"q": "LS6"})) == ["Grace Okafor", "Asha Patel"]
    assert _names(client.get(URL, {"q": "bd1 1aa"})) == ["Tom Barker"]


def test_search_keeps_what_was_typed_and_says_when_nothing_matches(client, coordinator, households):
    client.force_login(coordinator)

    response = client.get(URL, {"q": "Nobody"})

    page = Page(response)
    assert _names(response) == []
    assert page.value_of("q") == "Nobody"
    assert "No carers match these filters." in page.main_text


def test_search_with_only_punctuation_lists_everyone(client, coordinator, households):
    client.force_login(coordinator)

    assert len(_names(client.get(URL, {"q": "&:*!"}))) == 3


def test_the_stage_filter(client, coordinator, households):
    client.force_login(coordinator)

    assert _names(client.get(URL, {"status": "assessment"})) == ["Grace Okafor"]
    assert _names(client.get(URL, {"status": "approved"})) == ["Tom Barker", "Asha Patel"]


def test_the_coordinator_filter(client, coordinator, households):
    client.force_login(coordinator)

    assert _names(client.get(URL, {"coordinator": coordinator.pk})) == ["Tom Barker"]


def test_filters_combine(client, coordinator, households):
    client.force_login(coordinator)

    assert _names(client.get(URL, {"q": "ls6", "status": "approved"})) == ["Asha Patel"]


def test_an_unknown_stage_is_reported_rather_than_crashing(client, coordinator, households):
    client.force_login(coordinator)

    response = client.get(URL, {"status": "retired"})

    assert "Select a valid choice" in Page(response).error_for("status")


# --- Pages ---


@pytest.fixture
def five_carers(scheme, settings):
    settings.PAGE_SIZE = 2
    for last_name in ["Adams", "Baker", "Clarke", "Davies", "Evans"]:
        CarerFactory(scheme=scheme, first_name="Jo", last_name=last_name)


def test_page_two_shows_the_next_carers(client, coordinator, five_carers):
    client.force_login(coordinator)

    response = client.get(URL, {"page": 2})

    assert _names(response) == ["Jo Clarke", "Jo Davies"]
    assert "Showing 3 to 4 of 5 carers." in Page(response).main_text
    assert "Page 2 of 3" in Page(response).main_text


@pytest.mark.parametrize(
    ("page", "shown"), [("x", ["Jo Adams", "Jo Baker"]), ("0", ["Jo Evans"]), ("99", ["Jo Evans"])]
)
def test_a_bad_page_number_shows_a_page_rather_than_an_error(client, coordinator, five_carers, page, shown):
    client.force_login(coordinator)

    assert _names(client.get(URL, {"page": page})) == shown


def test_the_next_page_link_keeps_the_search(client, coordinator, five_carers):
    client.force_login(coordinator)

    response = client.get(URL, {"q": "jo"})

    next_link = Page(response).find("a", rel="next")
    assert next_link.attrs["href"] == "?q=jo&page=2"


# --- Cost ---


def test_the_list_costs_no_more_queries_for_thirty_carers_than_for_three(
    client, coordinator, manager, scheme, django_assert_max_num_queries
):
    # Each row shows its coordinator: if that were fetched row by row, a page
    # of 25 would cost 25 more queries. One query for the page's coordinators
    # keeps the count fixed.
    client.force_login(coordinator)
    CarerFactory.create_batch(3, scheme=scheme, coordinator=manager)
    client.get(URL)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        assert len(_names(client.get(URL))) == 3

    CarerFactory.create_batch(27, scheme=scheme, coordinator=coordinator)
    with django_assert_max_num_queries(len(few)):
        assert len(_names(client.get(URL))) == 25
    # The session, the user, their membership, the count, the coordinator
    # choices of the filter, the page of carers, their coordinators, the
    # scheme's check rules and the lapsed-check flags of the page's rows.
    assert len(few) <= 9
