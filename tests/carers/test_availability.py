"""A carer's availability calendar: night by night for the coming months,
who stays, the places free of the approved number, and the dates away, in
words (no colour needed)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sharedlives.choices import ArrangementKind
from tests.factories import (
    ArrangementFactory,
    CarerFactory,
    RoomFactory,
    ShortBreakBookingFactory,
    UnavailabilityFactory,
    approved_carer,
)
from tests.sharedlives.pages import Page


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def household(scheme):
    """Mary Lowe, approved for two: Sam Jones lives with her; Zoe Clarke
    comes for short breaks; she is away over Christmas."""
    carer = approved_carer(scheme, first_name="Mary", last_name="Lowe", max_people=2)
    ArrangementFactory(
        scheme=scheme,
        carer=carer,
        person__first_name="Sam",
        person__last_name="Jones",
        start_date=dt.date(2026, 2, 1),
    )
    zoe = ArrangementFactory(
        scheme=scheme,
        carer=carer,
        kind=ArrangementKind.SHORT_BREAKS,
        person__first_name="Zoe",
        person__last_name="Clarke",
        start_date=dt.date(2026, 2, 1),
    )
    ShortBreakBookingFactory(
        arrangement=zoe, room=RoomFactory(carer=carer), dates=(dt.date(2026, 12, 4), dt.date(2026, 12, 7))
    )
    UnavailabilityFactory(
        carer=carer, starts_on=dt.date(2026, 12, 20), ends_on=dt.date(2027, 1, 3), note="family holiday"
    )
    return carer


def _url(carer, **query):
    url = reverse("carer_availability", args=[carer.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _months(page) -> list[str]:
    return [h.text for h in page.find("main").iter() if h.tag == "h2"]


def _nights(page) -> dict[str, str]:
    """Each night as the user reads it: "Fri 4 Dec" -> "Full / Sam Jones, Zoe Clarke"."""
    rows = {}
    for row in (e for e in page.find("main").iter() if e.tag == "tr" and e.attrs.get("class") == "night"):
        cells = [c.text for c in row.children if not isinstance(c, str)]
        rows[cells[0].replace(" Today", "")] = " / ".join(cells[1:])
    return rows


def test_it_shows_three_months_from_this_one(client, coordinator, household):
    client.force_login(coordinator)

    page = Page(client.get(_url(household)))

    assert _months(page) == ["November 2026", "December 2026", "January 2027"]
    assert len(_nights(page)) == 30 + 31 + 31


def test_each_night_says_who_stays_and_the_places_free(client, coordinator, household):
    client.force_login(coordinator)

    nights = _nights(Page(client.get(_url(household))))

    assert nights["Fri 20 Nov"] == "1 of 2 free / Sam Jones"
    assert nights["Fri 4 Dec"] == "Full / Sam Jones, Zoe Clarke"
    assert nights["Sun 6 Dec"] == "Full / Sam Jones, Zoe Clarke"
    assert nights["Mon 7 Dec"] == "1 of 2 free / Sam Jones"  # Zoe went home that day


def test_the_dates_away_are_shown_in_words(client, coordinator, household):
    client.force_login(coordinator)

    nights = _nights(Page(client.get(_url(household))))

    assert nights["Sat 19 Dec"] == "1 of 2 free / Sam Jones"
    assert nights["Sun 20 Dec"] == "Away: family holiday 1 of 2 free / Sam Jones"
    assert nights["Sun 3 Jan"] == "Away: family holiday 1 of 2 free / Sam Jones"
    assert nights["Mon 4 Jan"] == "1 of 2 free / Sam Jones"


def test_today_is_marked(client, coordinator, household):
    client.force_login(coordinator)

    page = Page(client.get(_url(household)))

    assert "Fri 20 Nov Today" in page.main_text


def test_a_household_with_nobody_staying(client, coordinator, scheme):
    carer = approved_carer(scheme, max_people=1)
    client.force_login(coordinator)

    nights = _nights(Page(client.get(_url(carer))))

    assert nights["Mon 30 Nov"] == "1 of 1 free / Nobody"


def test_a_household_with_no_terms_says_so(client, coordinator, scheme):
    carer = CarerFactory(scheme=scheme)
    client.force_login(coordinator)

    nights = _nights(Page(client.get(_url(carer))))

    assert nights["Mon 30 Nov"] == "No terms of approval / Nobody"


def test_other_months_are_a_link_away(client, coordinator, household):
    client.force_login(coordinator)

    page = Page(client.get(_url(household, **{"from": "2027-02"})))

    assert _months(page) == ["February 2027", "March 2027", "April 2027"]
    assert page.find("a", rel="prev").attrs["href"] == "?from=2026-11"
    assert page.find("a", rel="next").attrs["href"] == "?from=2027-05"


def test_a_month_it_cannot_read_shows_this_month(client, coordinator, household):
    client.force_login(coordinator)

    for bad in ("2027-13", "soon", "0001-01"):
        assert _months(Page(client.get(_url(household, **{"from": bad}))))[0] == "November 2026"


def test_the_carers_page_links_to_it(client, coordinator, household):
    client.force_login(coordinator)

    page = Page(client.get(reverse("carer_detail", args=[household.pk])))

    assert page.find("a", href=_url(household)).text == "Availability"


def test_the_calendar_costs_the_same_queries_however_busy_the_household(
    client, coordinator, scheme, household, django_assert_max_num_queries
):
    # capacity.nights reads the stays, bookings, terms and dates away in four
    # queries for the whole span, however many there are.
    client.force_login(coordinator)
    client.get(_url(household))
    with CaptureQueriesContext(connection) as few:
        client.get(_url(household))

    room = RoomFactory(carer=household)
    for week in range(8):
        breaks = ArrangementFactory(scheme=scheme, carer=household, kind=ArrangementKind.SHORT_BREAKS)
        arrives = dt.date(2026, 11, 23) + dt.timedelta(weeks=week)
        ShortBreakBookingFactory(
            arrangement=breaks, room=room, dates=(arrives, arrives + dt.timedelta(days=2))
        )
    with django_assert_max_num_queries(len(few)):
        response = client.get(_url(household))
    assert "Full" in Page(response).main_text
    # Two of them are the scheme's check rules and the household's lapsed
    # checks, for the lapsed-check flag in the header; one is the line in
    # the view log.
    assert len(few) <= 12


def test_a_carer_cannot_open_their_own_calendar(client, carer, carer_household):
    client.force_login(carer)

    assert client.get(_url(carer_household)).status_code == 403


def test_another_schemes_coordinator_cannot_find_it(client, other_coordinator, household):
    client.force_login(other_coordinator)

    assert client.get(_url(household)).status_code == 404


def test_the_calendar_is_read_only(client, coordinator, household):
    client.force_login(coordinator)

    assert client.post(_url(household)).status_code == 405
