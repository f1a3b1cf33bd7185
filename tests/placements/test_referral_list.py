"""The list of referrals: open ones by default, with search, filters, counts
at each open stage, and pages."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import ReferralStage
from sharedlives.choices import ArrangementKind
from tests.factories import PersonFactory, ReferralFactory
from tests.sharedlives.pages import Page, text

URL = reverse("referral_list")
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))
S = ReferralStage


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    body = Page(response).find("tbody")
    if body is None:
        return []
    rows = [row for row in body.iter() if row.tag == "tr"]
    return [[cell.text for cell in row.children if not isinstance(cell, str)] for row in rows]


def _names(response) -> list[str]:
    return [row[0] for row in _rows(response)]


def _referral(scheme, first_name, last_name, **fields):
    person = PersonFactory(scheme=scheme, first_name=first_name, last_name=last_name)
    return ReferralFactory(scheme=scheme, person=person, **fields)


@pytest.fixture
def referrals(scheme, coordinator, manager):
    """Four open referrals and two closed ones, newest received first."""
    return {
        "peggy": _referral(
            scheme,
            "Peggy",
            "Hughes",
            stage=S.RECEIVED,
            received_on=dt.date(2026, 11, 10),
            stage_changed_at=dt.datetime(2026, 11, 10, 9, tzinfo=ZoneInfo("Europe/London")),
            coordinator=coordinator,
            funder="",
        ),
        "daniel": _referral(
            scheme,
            "Daniel",
            "Reid",
            kind=ArrangementKind.SHORT_BREAKS,
            stage=S.ASSESSMENT_VISIT,
            received_on=dt.date(2026, 11, 2),
            coordinator=manager,
        ),
        "lena": _referral(
            scheme,
            "Lena",
            "Ward",
            stage=S.MATCHING,
            received_on=dt.date(2026, 10, 20),
            coordinator=coordinator,
        ),
        "omar": _referral(
            scheme,
            "Omar",
            "Said",
            kind=ArrangementKind.DAY_SUPPORT,
            stage=S.INTRODUCTIONS,
            received_on=dt.date(2026, 10, 5),
        ),
        "ruth": _referral(scheme, "Ruth", "Kemp", stage=S.WITHDRAWN, received_on=dt.date(2026, 9, 1)),
        "sam": _referral(scheme, "Sam", "Cole", stage=S.ARRANGEMENT_STARTED, received_on=dt.date(2026, 8, 1)),
    }


def test_it_lists_the_schemes_open_referrals_newest_first(client, coordinator, referrals, other_scheme):
    _referral(other_scheme, "Adam", "Abbott", stage=S.RECEIVED)
    client.force_login(coordinator)

    response = client.get(URL)

    assert _names(response) == ["Peggy Hughes", "Daniel Reid", "Lena Ward", "Omar Said"]


def test_each_row_shows_kind_stage_since_when_received_coordinator_and_who_pays(
    client, coordinator, referrals
):
    client.force_login(coordinator)

    first = _rows(client.get(URL))[0]

    assert first == [
        "Peggy Hughes",
        "Live-in",
        "Referral received since 10 Nov 2026",
        "10 Nov 2026",
        coordinator.display_name,
        "Not yet known",
    ]


def test_the_counts_show_how_many_open_referrals_wait_at_each_stage(client, coordinator, referrals):
    client.force_login(coordinator)

    counts = Page(client.get(URL)).find(
        "ul", **{"class": "list-unstyled d-flex flex-wrap gap-4 mb-0 stage-counts"}
    )

    assert counts.text == "1 received 1 at assessment visit 1 in matching 1 in introductions"


@pytest.mark.parametrize(
    ("stage", "found"),
    [
        ("open", ["Peggy Hughes", "Daniel Reid", "Lena Ward", "Omar Said"]),
        ("closed", ["Ruth Kemp", "Sam Cole"]),
        ("matching", ["Lena Ward"]),
        ("withdrawn", ["Ruth Kemp"]),
        ("all", ["Peggy Hughes", "Daniel Reid", "Lena Ward", "Omar Said", "Ruth Kemp", "Sam Cole"]),
    ],
)
def test_the_stage_filter(client, coordinator, referrals, stage, found):
    client.force_login(coordinator)

    assert _names(client.get(URL, {"stage": stage})) == found


def test_search_finds_referrals_by_the_persons_name(client, coordinator, referrals):
    client.force_login(coordinator)

    assert _names(client.get(URL, {"q": "hug"})) == ["Peggy Hughes"]
    assert _names(client.get(URL, {"q": "ruth", "stage": "all"})) == ["Ruth Kemp"]
    assert _names(client.get(URL, {"q": "nobody"})) == []


def test_the_kind_filter(client, coordinator, referrals):
    client.force_login(coordinator)

    assert _names(client.get(URL, {"kind": "short_breaks"})) == ["Daniel Reid"]


def test_mine_shows_the_referrals_the_signed_in_coordinator_works_on(client, coordinator, manager, referrals):
    client.force_login(coordinator)

    assert _names(client.get(URL, {"coordinator": "mine"})) == ["Peggy Hughes", "Lena Ward"]
    assert _names(client.get(URL, {"coordinator": manager.pk})) == ["Daniel Reid"]


def test_the_counts_follow_the_coordinator_filter(client, coordinator, referrals):
    client.force_login(coordinator)

    page = Page(client.get(URL, {"coordinator": "mine"}))

    counts = page.find("ul", **{"class": "list-unstyled d-flex flex-wrap gap-4 mb-0 stage-counts"})
    assert counts.text == "1 received 0 at assessment visit 1 in matching 0 in introductions"
    links = [e.attrs["href"] for e in counts.iter() if e.tag == "a"]
    assert links[2] == "?stage=matching&coordinator=mine"


def test_a_filter_nobody_matches_says_so(client, coordinator, referrals):
    client.force_login(coordinator)

    assert "No referrals match these filters." in text(client.get(URL, {"kind": "emergency"}))


def test_page_two_shows_the_next_referrals(client, coordinator, scheme, settings):
    settings.PAGE_SIZE = 2
    for day, name in [(3, "Adams"), (2, "Baker"), (1, "Clarke")]:
        _referral(scheme, "Sam", name, stage=S.RECEIVED, received_on=dt.date(2026, 11, day))
    client.force_login(coordinator)

    assert _names(client.get(URL, {"page": 2})) == ["Sam Clarke"]
    assert _names(client.get(URL, {"page": "two"})) == ["Sam Adams", "Sam Baker"]


def test_the_list_costs_no_more_queries_for_thirty_referrals_than_for_three(
    client, coordinator, manager, scheme, django_assert_max_num_queries
):
    # Each row shows its person and coordinator, fetched by a join rather
    # than one query a row, and the counts are one aggregate.
    client.force_login(coordinator)
    ReferralFactory.create_batch(3, scheme=scheme, coordinator=manager)
    client.get(URL)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        assert len(_names(client.get(URL))) == 3

    ReferralFactory.create_batch(27, scheme=scheme, coordinator=coordinator)
    with django_assert_max_num_queries(len(few)):
        assert len(_names(client.get(URL))) == 25
    # The session, the user, their membership, the counts, the coordinator
    # choices, the number of referrals, and the page of them.
    assert len(few) <= 7


def test_a_carer_cannot_open_the_list(client, carer):
    client.force_login(carer)

    assert client.get(URL).status_code == 403


def test_the_list_takes_no_post(client, coordinator):
    client.force_login(coordinator)

    assert client.post(URL).status_code == 405
