"""The list of arrangements, newest first, with search and filters."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import ArrangementStatus
from sharedlives.choices import ArrangementKind
from tests.factories import ArrangementFactory
from tests.sharedlives.pages import Page

URL = reverse("arrangement_list")


def _rows(response) -> list[str]:
    """Each arrangement listed as "person / carer / kind / status"."""
    assert response.status_code == 200
    body = Page(response).find("tbody")
    if body is None:
        return []
    rows = []
    for row in (e for e in body.iter() if e.tag == "tr"):
        cells = [c.text for c in row.children if not isinstance(c, str)]
        rows.append(" / ".join(cells[:4]))
    return rows


@pytest.fixture
def arrangements(scheme, carer_household, other_carer_household, other_scheme):
    ArrangementFactory(
        scheme=scheme,
        carer=carer_household,
        person__first_name="Lena",
        person__last_name="Ward",
        start_date=dt.date(2024, 3, 1),
    )
    ArrangementFactory(
        scheme=scheme,
        carer=other_carer_household,
        person__first_name="Omar",
        person__last_name="Hussain",
        kind=ArrangementKind.SHORT_BREAKS,
        status=ArrangementStatus.PLANNED,
        start_date=dt.date(2025, 8, 1),
    )
    ArrangementFactory(
        scheme=scheme,
        carer=other_carer_household,
        person__first_name="Ruth",
        person__last_name="Gale",
        status=ArrangementStatus.ENDED,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2023, 1, 1),
        end_reason="death",
    )
    ArrangementFactory(scheme=other_scheme, person__first_name="Adam", person__last_name="Abbott")


def test_it_lists_planned_and_current_arrangements_newest_first(client, coordinator, arrangements):
    client.force_login(coordinator)

    assert _rows(client.get(URL)) == [
        "Omar Hussain / Tom Barker / Short breaks / Planned",
        "Lena Ward / Asha Patel / Live-in / Current",
    ]


@pytest.mark.parametrize(
    ("status", "people"),
    [
        ("ended", ["Ruth Gale"]),
        ("current", ["Lena Ward"]),
        ("planned", ["Omar Hussain"]),
        ("all", ["Omar Hussain", "Lena Ward", "Ruth Gale"]),
    ],
)
def test_the_status_filter(client, coordinator, arrangements, status, people):
    client.force_login(coordinator)

    rows = _rows(client.get(URL, {"status": status}))

    assert [row.split(" / ")[0] for row in rows] == people


def test_the_kind_filter(client, coordinator, arrangements):
    client.force_login(coordinator)

    rows = _rows(client.get(URL, {"kind": "live_in", "status": "all"}))

    assert [row.split(" / ")[0] for row in rows] == ["Lena Ward", "Ruth Gale"]


@pytest.mark.parametrize(
    ("search", "people"), [("lena", ["Lena Ward"]), ("bark", ["Omar Hussain", "Ruth Gale"])]
)
def test_search_finds_arrangements_by_the_persons_or_the_carers_name(
    client, coordinator, arrangements, search, people
):
    client.force_login(coordinator)

    rows = _rows(client.get(URL, {"q": search, "status": "all"}))

    assert [row.split(" / ")[0] for row in rows] == people


def test_search_does_not_reach_another_schemes_arrangements(client, coordinator, arrangements):
    client.force_login(coordinator)

    assert _rows(client.get(URL, {"q": "abbott", "status": "all"})) == []


def test_an_unknown_status_falls_back_to_planned_and_current(client, coordinator, arrangements):
    client.force_login(coordinator)

    rows = _rows(client.get(URL, {"status": "archived"}))

    assert [row.split(" / ")[0] for row in rows] == ["Omar Hussain", "Lena Ward"]


def test_page_two_shows_the_next_arrangements(client, coordinator, scheme, settings):
    settings.PAGE_SIZE = 2
    for day in range(1, 6):
        ArrangementFactory(scheme=scheme, person__last_name=f"Day{day}", start_date=dt.date(2025, 1, day))
    client.force_login(coordinator)

    response = client.get(URL, {"page": 2})

    assert [row.split(" / ")[0].split()[-1] for row in _rows(response)] == ["Day3", "Day2"]
    assert "Showing 3 to 4 of 5 arrangements." in Page(response).main_text
    assert len(_rows(client.get(URL, {"page": "-1"}))) == 1  # the last page


def test_the_list_costs_no_more_queries_for_thirty_arrangements_than_for_three(
    client, coordinator, scheme, django_assert_max_num_queries
):
    # Each row shows its person and carer, joined in rather than fetched one
    # row at a time, so the page costs the same however many rows it shows.
    client.force_login(coordinator)
    ArrangementFactory.create_batch(3, scheme=scheme)
    client.get(URL)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        assert len(_rows(client.get(URL))) == 3

    ArrangementFactory.create_batch(27, scheme=scheme)
    with django_assert_max_num_queries(len(few)):
        assert len(_rows(client.get(URL))) == 25
    # The session, the user, their membership, the count, the page, the
    # scheme's check rules and the lapsed-check flags of the page's carers.
    assert len(few) <= 7
