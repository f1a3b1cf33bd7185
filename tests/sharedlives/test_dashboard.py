"""The first page after signing in: a summary of the scheme for staff, and
"My home" for a carer."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carers.models import CarerStatus
from placements.models import ArrangementStatus
from sharedlives.choices import ArrangementKind
from tests.factories import ArrangementFactory, CarerFactory, PersonFactory, UserFactory
from tests.sharedlives.pages import Page, text

URL = reverse("dashboard")


def _by_kind(response) -> dict[str, int]:
    """The "Current arrangements by kind" table."""
    section = Page(response).find("section", **{"aria-labelledby": "by-kind"})
    rows = [e for e in section.first("tbody").iter() if e.tag == "tr"]
    return {row.first("td").text: int(row.children[-1].text) for row in rows}


@pytest.fixture
def busy_scheme(scheme, other_scheme, carer_household, other_carer_household, coordinator):
    """Two approved households (the fixtures), one more, an applicant at each
    of two stages, a suspended carer; and arrangements of each status."""
    CarerFactory(scheme=scheme, first_name="Grace", last_name="Okafor", coordinator=coordinator)
    CarerFactory(scheme=scheme, status=CarerStatus.ENQUIRY)
    CarerFactory(scheme=scheme, status=CarerStatus.PANEL)
    CarerFactory(scheme=scheme, status=CarerStatus.SUSPENDED)
    CarerFactory(scheme=scheme, status=CarerStatus.RESIGNED)
    lena = PersonFactory(scheme=scheme, first_name="Lena", last_name="Ward", coordinator=coordinator)
    ArrangementFactory(scheme=scheme, carer=carer_household, person=lena)
    ArrangementFactory(scheme=scheme, carer=other_carer_household, person__first_name="Omar")
    # Lena also has short breaks: two current arrangements, one person.
    ArrangementFactory(
        scheme=scheme, carer=other_carer_household, person=lena, kind=ArrangementKind.SHORT_BREAKS
    )
    ArrangementFactory(
        scheme=scheme,
        carer=carer_household,
        kind=ArrangementKind.DAY_SUPPORT,
        status=ArrangementStatus.PLANNED,
        start_date=dt.date(2025, 9, 1),
        person__first_name="Priya",
        person__last_name="Shah",
    )
    ArrangementFactory(
        scheme=scheme,
        status=ArrangementStatus.ENDED,
        end_date=dt.date(2025, 3, 1),
        end_reason="planned_move",
    )
    # Another scheme's records count for nothing here.
    CarerFactory.create_batch(2, scheme=other_scheme)
    ArrangementFactory(scheme=other_scheme)


def test_the_counts_match_the_schemes_records(client, coordinator, busy_scheme):
    client.force_login(coordinator)

    page = text(client.get(URL))

    # Asha Patel, Tom Barker, Grace Okafor and the ended arrangement's carer.
    assert "4 approved carers" in page
    assert "2 applicants in progress" in page
    assert "2 people supported now" in page
    assert "3 current arrangements" in page
    assert "1 carer suspended." in page


def test_current_arrangements_are_counted_by_kind(client, coordinator, busy_scheme):
    client.force_login(coordinator)

    by_kind = _by_kind(client.get(URL))

    assert by_kind == {
        "Live-in": 2,
        "Short breaks": 1,
        "Day support": 0,
        "Home from hospital": 0,
        "Emergency": 0,
    }


def test_it_lists_the_coordinators_own_caseload_and_planned_arrangements(client, coordinator, busy_scheme):
    client.force_login(coordinator)

    page = text(client.get(URL))

    assert "My carers Grace Okafor · Approved All my carers" in page
    assert "People I support Lena Ward All the people I support" in page
    assert "1 Sep 2025 Priya Shah Asha Patel Day support" in page


def test_a_new_scheme_shows_zeros_rather_than_failing(client, manager):
    client.force_login(manager)

    page = text(client.get(URL))

    assert "0 approved carers" in page
    assert "No carers are assigned to you." in page
    assert "No arrangements are planned." in page


def test_the_dashboard_costs_the_same_queries_however_busy_the_scheme(
    client, coordinator, scheme, django_assert_max_num_queries
):
    # The counts are aggregates, and each list is one query with its people
    # and carers joined in, so more records must not mean more queries.
    def add_rows(n):
        for _ in range(n):
            carer = CarerFactory(scheme=scheme, coordinator=coordinator)
            PersonFactory(scheme=scheme, coordinator=coordinator)
            ArrangementFactory(scheme=scheme, carer=carer, status=ArrangementStatus.PLANNED)

    client.force_login(coordinator)
    add_rows(3)
    client.get(URL)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        client.get(URL)

    add_rows(27)
    with django_assert_max_num_queries(len(few)):
        response = client.get(URL)
    my_carers = Page(response).find("section", **{"aria-labelledby": "my-carers"})
    assert len([e for e in my_carers.iter() if e.tag == "li"]) == 10
    # The session, the user, their membership, the carer counts, the counts by
    # kind, the people supported, the scheme's check rules (for the
    # lapsed-check flag), and the three lists.
    assert len(few) <= 10


# --- A carer's "My home": "/" sends them to their portal (/my/) ---


def test_a_carer_sees_my_home_with_the_people_who_live_with_or_visit_them(
    client, carer, scheme, carer_household, other_carer_household
):
    ArrangementFactory(
        scheme=scheme, carer=carer_household, person__first_name="Lena", person__last_name="Ward"
    )
    ArrangementFactory(
        scheme=scheme,
        carer=carer_household,
        kind=ArrangementKind.SHORT_BREAKS,
        status=ArrangementStatus.PLANNED,
        person__first_name="Omar",
        person__last_name="Hussain",
    )
    ArrangementFactory(
        scheme=scheme, carer=other_carer_household, person__first_name="Ruth", person__last_name="Gale"
    )
    client.force_login(carer)

    response = client.get(URL, follow=True)

    page = Page(response)
    assert page.find("title").text.startswith("My home")
    assert "Lena Ward Live-in · Current since 6 Jan 2025" in page.main_text
    assert "Omar Hussain Short breaks · Planned" in page.main_text
    assert "Ruth Gale" not in page.main_text
    assert "Tom Barker" not in page.main_text
    assert "approved carers" not in page.main_text


def test_a_carer_does_not_see_someone_who_has_moved_on(client, carer, scheme, carer_household):
    ArrangementFactory(
        scheme=scheme,
        carer=carer_household,
        status=ArrangementStatus.ENDED,
        end_date=dt.date(2025, 3, 1),
        end_reason="planned_move",
        person__first_name="Ruth",
        person__last_name="Gale",
    )
    client.force_login(carer)

    page = text(client.get(URL, follow=True))

    assert "Ruth Gale" not in page
    assert "No one at the moment." in page


def test_a_carers_menu_links_to_their_household_only(client, carer, carer_household):
    client.force_login(carer)

    nav = Page(client.get(URL, follow=True)).find("nav", **{"aria-label": "Main"})

    links = {a.text: a.attrs["href"] for a in nav.iter() if a.tag == "a"}
    assert links["My household"] == reverse("portal_household")
    assert "Carers" not in links
    assert "People" not in links


def test_someone_in_no_scheme_is_told_to_ask_their_manager(client, db):
    client.force_login(UserFactory())

    response = client.get(URL, follow=True)

    assert response.redirect_chain == [(reverse("choose_scheme") + "?next=%2F", 302)]
    assert "Your account is not part of any scheme yet." in text(response)
