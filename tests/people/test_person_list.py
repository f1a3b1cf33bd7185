"""The list of people the scheme supports, with search and filters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sharedlives.choices import NeedsGroup
from tests.factories import PersonFactory
from tests.sharedlives.pages import Page

URL = reverse("person_list")


def _names(response) -> list[str]:
    assert response.status_code == 200
    body = Page(response).find("tbody")
    return [] if body is None else [row.first("a").text for row in body.iter() if row.tag == "tr"]


@pytest.fixture
def people(scheme, coordinator, manager):
    return [
        PersonFactory(
            scheme=scheme,
            first_name="Margaret",
            last_name="Hughes",
            preferred_name="Peggy",
            postcode="LS6 3HN",
            needs_groups=[NeedsGroup.DEMENTIA, NeedsGroup.OLDER_PERSON],
            coordinator=coordinator,
        ),
        PersonFactory(
            scheme=scheme,
            first_name="Daniel",
            last_name="Reid",
            postcode="BD1 1AA",
            needs_groups=[NeedsGroup.AUTISM],
            coordinator=manager,
        ),
        PersonFactory(
            scheme=scheme,
            first_name="Lena",
            last_name="Ward",
            preferred_area="Horsforth",
            needs_groups=[NeedsGroup.LEARNING_DISABILITY, NeedsGroup.AUTISM],
        ),
    ]


def test_it_lists_the_schemes_people_by_last_name(client, coordinator, people, other_scheme):
    PersonFactory(scheme=other_scheme, first_name="Adam", last_name="Abbott")
    client.force_login(coordinator)

    response = client.get(URL)

    assert _names(response) == ["Peggy Hughes", "Daniel Reid", "Lena Ward"]
    assert "Dementia, Older person" in Page(response).main_text


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("hug", ["Peggy Hughes"]),
        ("marg", ["Peggy Hughes"]),
        ("peg", ["Peggy Hughes"]),
        ("dan re", ["Daniel Reid"]),
    ],
)
def test_search_finds_people_by_the_start_of_any_of_their_names(client, coordinator, people, search, found):
    client.force_login(coordinator)

    assert _names(client.get(URL, {"q": search})) == found


def test_search_finds_people_by_postcode_or_area(client, coordinator, people):
    client.force_login(coordinator)

    assert _names(client.get(URL, {"q": "bd1"})) == ["Daniel Reid"]
    assert _names(client.get(URL, {"q": "horsf"})) == ["Lena Ward"]


def test_the_needs_group_filter(client, coordinator, people):
    client.force_login(coordinator)

    assert _names(client.get(URL, {"needs_group": "autism"})) == ["Daniel Reid", "Lena Ward"]
    assert _names(client.get(URL, {"needs_group": "sensory"})) == []


def test_the_coordinator_filter(client, coordinator, people):
    client.force_login(coordinator)

    assert _names(client.get(URL, {"coordinator": coordinator.pk})) == ["Peggy Hughes"]


def test_page_two_shows_the_next_people(client, coordinator, scheme, settings):
    settings.PAGE_SIZE = 2
    for last_name in ["Adams", "Baker", "Clarke"]:
        PersonFactory(scheme=scheme, first_name="Sam", last_name=last_name)
    client.force_login(coordinator)

    assert _names(client.get(URL, {"page": 2})) == ["Sam Clarke"]
    assert _names(client.get(URL, {"page": "two"})) == ["Sam Adams", "Sam Baker"]


def test_the_list_costs_no_more_queries_for_thirty_people_than_for_three(
    client, coordinator, manager, scheme, django_assert_max_num_queries
):
    # Each row shows its coordinator, fetched by a join rather than one query
    # a row, so the page costs the same however many people it shows.
    client.force_login(coordinator)
    PersonFactory.create_batch(3, scheme=scheme, coordinator=manager)
    client.get(URL)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        assert len(_names(client.get(URL))) == 3

    PersonFactory.create_batch(27, scheme=scheme, coordinator=coordinator)
    with django_assert_max_num_queries(len(few)):
        assert len(_names(client.get(URL))) == 25
    # The session, the user, their membership, the count, the coordinator
    # choices of the filter, and the page of people.
    assert len(few) <= 6
