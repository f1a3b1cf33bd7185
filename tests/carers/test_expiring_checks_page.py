"""The expiring checks page: every check or training record that has lapsed
or lapses within the scheme's window, longest lapsed first, in words, with
filters by coordinator, state and kind; for the scheme's staff only."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carers.models import CarerStatus, CheckKind
from placements.models import MonitoringSettings
from sharedlives.models import Role
from tests.factories import (
    CarerFactory,
    CheckFactory,
    HouseholdMemberFactory,
    MembershipFactory,
    UserFactory,
)
from tests.sharedlives.pages import Page

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))
TODAY = NOW.date()
URL = reverse("expiring_checks")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def _record(carer, kind, expires, **fields):
    return CheckFactory(
        carer=carer,
        kind=kind,
        requested_on=None,
        received_on=None,
        issued_on=dt.date(2024, 1, 1),
        expires_on=expires,
        **fields,
    )


@pytest.fixture
def colleague(scheme):
    user = UserFactory(username="coordinator3", first_name="Ben", last_name="Ola")
    MembershipFactory(user=user, scheme=scheme, role=Role.COORDINATOR)
    return user


@pytest.fixture
def households(scheme, coordinator, colleague):
    """Mary Lowe (the coordinator's), Tom Barker (their colleague's) and Ruth
    Gale (nobody's yet), with records lapsed, lapsing soon and in date."""
    coordinator.first_name, coordinator.last_name = "Claire", "Hughes"
    coordinator.save()
    mary = CarerFactory(scheme=scheme, first_name="Mary", last_name="Lowe", coordinator=coordinator)
    son = HouseholdMemberFactory(carer=mary, name="Jay Lowe", date_of_birth=dt.date(2000, 1, 1))
    _record(mary, CheckKind.DBS, dt.date(2026, 11, 17))  # expired 3 days ago
    _record(mary, CheckKind.DBS, dt.date(2026, 12, 2), household_member=son)  # in 12 days
    _record(mary, CheckKind.GAS_SAFETY, dt.date(2026, 11, 19))  # yesterday; not required
    _record(mary, CheckKind.HOME_INSURANCE, dt.date(2027, 6, 1))  # in date: not listed
    tom = CarerFactory(scheme=scheme, first_name="Tom", last_name="Barker", coordinator=colleague)
    _record(tom, CheckKind.FIRST_AID, dt.date(2026, 11, 20))  # its last day
    _record(tom, CheckKind.HOME_INSURANCE, dt.date(2026, 11, 21))  # tomorrow
    ruth = CarerFactory(scheme=scheme, first_name="Ruth", last_name="Gale", coordinator=None)
    _record(ruth, CheckKind.HEALTH_AND_SAFETY, dt.date(2027, 1, 4))  # in 45 days
    gone = CarerFactory(scheme=scheme, first_name="Ann", last_name="Gone", status=CarerStatus.RESIGNED)
    _record(gone, CheckKind.DBS, dt.date(2026, 11, 1))  # nobody relies on it now
    return {"mary": mary, "tom": tom, "ruth": ruth}


def _rows(response) -> list[list[str]]:
    table = Page(response).find("table")
    if table is None:
        return []
    body = table.first("tbody")
    return [[cell.text for cell in row.iter() if cell.tag == "td"] for row in body.iter() if row.tag == "tr"]


def test_the_manager_sees_every_record_longest_lapsed_first_in_words(client, manager, households):
    client.force_login(manager)

    response = client.get(URL)

    assert response.status_code == 200
    page = Page(response)
    assert page.find("h1").text == "Expiring checks and training"
    assert _rows(response) == [
        [
            "Mary Lowe : checks",
            "Mary Lowe",
            "Enhanced DBS with adults' barred list",
            "17 Nov 2026",
            "⚠ Expired 3 days ago",
            "Required",
            "Claire Hughes",
        ],
        [
            "Mary Lowe : checks",
            "The household",
            "Gas safety certificate",
            "19 Nov 2026",
            "⚠ Expired yesterday",
        ]
        + ["Not required", "Claire Hughes"],
        ["Tom Barker : checks", "The household", "First aid training", "20 Nov 2026", "Lapses today"]
        + ["Not required", "Ben Ola"],
        ["Tom Barker : checks", "The household", "Home insurance", "21 Nov 2026", "Lapses tomorrow"]
        + ["Required", "Ben Ola"],
        [
            "Mary Lowe : checks",
            "Jay Lowe",
            "Enhanced DBS with adults' barred list",
            "2 Dec 2026",
            "Lapses in 12 days",
        ]
        + ["Required", "Claire Hughes"],
        ["Ruth Gale : checks", "The household", "Health and safety check of the home", "4 Jan 2027"]
        + ["Lapses in 45 days", "Required", "None yet"],
    ]
    assert "Showing 1 to 6 of 6 checks and training records." in page.main_text


def test_each_household_links_to_its_checks(client, manager, households):
    client.force_login(manager)

    page = Page(client.get(URL))

    links = {e.attrs["href"] for e in page.find("tbody").iter() if e.tag == "a"}
    assert links == {reverse("carer_approval", args=[c.pk]) + "#checklist" for c in households.values()}


def test_a_coordinator_sees_their_own_households_first(client, coordinator, households):
    client.force_login(coordinator)

    response = client.get(URL)

    assert {row[0] for row in _rows(response)} == {"Mary Lowe : checks"}
    select = Page(response).find("select", name="coordinator")
    chosen = [e.text for e in select.iter() if e.tag == "option" and "selected" in e.attrs]
    assert chosen == ["Claire Hughes"]


@pytest.mark.parametrize(
    ("coordinator_choice", "households_shown"),
    [
        ("", {"Mary Lowe", "Tom Barker", "Ruth Gale"}),  # anyone
        ("none", {"Ruth Gale"}),
        ("colleague", {"Tom Barker"}),
    ],
)
def test_the_coordinator_filter(
    client, coordinator, colleague, households, coordinator_choice, households_shown
):
    choice = str(colleague.pk) if coordinator_choice == "colleague" else coordinator_choice
    client.force_login(coordinator)

    rows = _rows(client.get(URL, {"coordinator": choice}))

    assert {row[0].removesuffix(" : checks") for row in rows} == households_shown


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("lapsed", ["17 Nov 2026", "19 Nov 2026"]),
        ("soon", ["20 Nov 2026", "21 Nov 2026", "2 Dec 2026", "4 Jan 2027"]),
        ("", ["17 Nov 2026", "19 Nov 2026", "20 Nov 2026", "21 Nov 2026", "2 Dec 2026", "4 Jan 2027"]),
    ],
)
def test_the_state_filter(client, manager, households, state, expected):
    client.force_login(manager)

    rows = _rows(client.get(URL, {"state": state}))

    assert [row[3] for row in rows] == expected


def test_the_kind_filter(client, manager, households):
    client.force_login(manager)

    rows = _rows(client.get(URL, {"kind": CheckKind.DBS}))

    assert [row[1] for row in rows] == ["Mary Lowe", "Jay Lowe"]


def test_a_choice_that_is_not_offered_is_said_next_to_its_field_and_filters_nothing(
    client, manager, households
):
    client.force_login(manager)

    response = client.get(URL, {"coordinator": "999999", "state": "lapsed"})

    page = Page(response)
    assert "Select a valid choice" in page.error_for("coordinator")
    assert [row[3] for row in _rows(response)] == ["17 Nov 2026", "19 Nov 2026"]


def test_the_window_is_the_schemes_setting(client, manager, scheme, households):
    MonitoringSettings.objects.create(scheme=scheme, expiry_warning_days=30)
    client.force_login(manager)

    response = client.get(URL)

    assert "Ruth Gale" not in Page(response).main_text  # lapses in 45 days
    assert "Due soon (in the next 30 days)" in Page(response).options_of("state")


def test_the_list_is_paginated_and_costs_the_same_queries_for_many_pages(
    client, manager, scheme, django_assert_max_num_queries
):
    # The rows, their households, members and coordinators come in one query
    # (with the newest-record test and the lapse date worked out in SQL), and
    # one more counts them: never a query per row.
    carer = CarerFactory(scheme=scheme, first_name="Mary", last_name="Lowe")
    _record(carer, CheckKind.HOME_INSURANCE, dt.date(2026, 11, 30))
    client.force_login(manager)
    client.get(URL)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        assert len(_rows(client.get(URL))) == 1

    for n in range(29):
        household = CarerFactory(scheme=scheme, coordinator=manager)
        member = HouseholdMemberFactory(carer=household, date_of_birth=dt.date(1990, 1, 1))
        _record(household, CheckKind.DBS, TODAY + dt.timedelta(days=n), household_member=member)
    with django_assert_max_num_queries(len(few)):
        first = client.get(URL)
    second = client.get(URL, {"page": 2})

    assert len(_rows(first)) == 25
    assert len(_rows(second)) == 5
    assert "Page 2 of 2" in Page(second).main_text
    # The session, the user, their membership, the monitoring settings, the
    # coordinator choices, the scheme's check rules, the count and the rows.
    assert len(few) <= 8


def test_a_carer_cannot_open_it(client, carer, households):
    client.force_login(carer)

    assert client.get(URL).status_code == 403


def test_another_schemes_coordinator_sees_none_of_its_records(client, other_coordinator, households):
    client.force_login(other_coordinator)

    response = client.get(URL, {"coordinator": ""})

    assert response.status_code == 200
    assert _rows(response) == []
    assert "Mary Lowe" not in Page(response).main_text


def test_it_takes_no_post(client, manager):
    client.force_login(manager)

    assert client.post(URL).status_code == 405


def test_it_needs_a_login(client, households):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))


def test_the_carer_list_and_the_menu_lead_to_it(client, coordinator):
    client.force_login(coordinator)

    page = Page(client.get(reverse("carer_list")))

    links = [e for e in page.root.iter() if e.tag == "a" and e.attrs.get("href") == URL]
    assert [link.text for link in links] == ["Checks due", "Expiring checks and training"]
