"""The one-page profile where people read it: its tab on the person's page,
the carers' "People I support" page, and the person's History tab."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sharedlives.choices import ArrangementKind
from tests.factories import ArrangementFactory, OnePageProfileFactory, PersonFactory
from tests.sharedlives.pages import Page, form_data, history_entries, text

NOW = dt.datetime(2026, 11, 22, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def person(scheme, carer_household):
    """Danny, who lives with ``carer_household``."""
    person = PersonFactory(scheme=scheme, first_name="Daniel", preferred_name="Danny", last_name="Reid")
    ArrangementFactory(scheme=scheme, carer=carer_household, person=person)
    return person


@pytest.fixture
def profile(person):
    return OnePageProfileFactory(
        person=person,
        like_and_admire="I make people laugh.",
        important_to_me="Seeing my sister Beth on Sundays.",
        how_to_support_me="",
        written_with="my sister Beth",
        written_on=dt.date(2026, 11, 2),
    )


def _links(response) -> dict:
    return {e.text: e.attrs.get("href") for e in Page(response).find("main").iter() if e.tag == "a"}


# --- The tab on the person's page ---


def test_the_profile_tab_shows_the_persons_words_in_the_first_person(client, coordinator, person, profile):
    client.force_login(coordinator)

    response = client.get(reverse("person_profile", args=[person.pk]))

    assert response.status_code == 200
    main = text(response)
    assert (
        "What people like and admire about me I make people laugh. "
        "What is important to me Seeing my sister Beth on Sundays. "
        "How best to support me Not written yet. "
        "Written with my sister Beth on 2 Nov 2026."
    ) in main
    links = _links(response)
    assert links["Edit the profile"] == reverse("person_profile_edit", args=[person.pk])
    assert links["Open the page to print"] == reverse("person_profile_print", args=[person.pk])
    current = Page(response).find("a", **{"aria-current": "page"})
    assert current.text == "One-page profile"


def test_the_persons_page_leads_to_the_profile_tab(client, coordinator, person):
    client.force_login(coordinator)

    links = _links(client.get(reverse("person_detail", args=[person.pk])))

    assert links["One-page profile"] == reverse("person_profile", args=[person.pk])


def test_without_a_profile_staff_are_asked_to_write_it(client, coordinator, person):
    client.force_login(coordinator)

    response = client.get(reverse("person_profile", args=[person.pk]))

    assert "Nobody has written a one-page profile with Danny yet." in text(response)
    links = _links(response)
    assert links["Write the profile with Danny"] == reverse("person_profile_edit", args=[person.pk])
    assert "Open the page to print" not in links


def test_the_carer_the_person_lives_with_reads_it_but_cannot_edit_it(client, carer, person, profile):
    client.force_login(carer)

    response = client.get(reverse("person_profile", args=[person.pk]))

    assert response.status_code == 200
    assert "Seeing my sister Beth on Sundays." in text(response)
    links = _links(response)
    assert "Edit the profile" not in links
    assert "History" not in links
    assert links["Open the page to print"] == reverse("person_profile_print", args=[person.pk])


def test_another_carer_or_scheme_cannot_find_the_tab(client, other_carer, other_coordinator, person, profile):
    for user in (other_carer, other_coordinator):
        client.force_login(user)
        response = client.get(reverse("person_profile", args=[person.pk]))
        assert response.status_code == 404
        # Not in the page (the menu shows the signed-in user's own name,
        # which the factories may make "Beth" too).
        assert "Beth" not in text(response)


def test_the_tab_takes_no_post(client, coordinator, person):
    client.force_login(coordinator)

    assert client.post(reverse("person_profile", args=[person.pk])).status_code == 405


# --- The carers' "People I support" page ---


def test_the_carers_people_page_shows_each_persons_profile(client, carer, scheme, carer_household, profile):
    ruth = PersonFactory(scheme=scheme, first_name="Ruth", last_name="Gale")
    ArrangementFactory(scheme=scheme, carer=carer_household, person=ruth, kind=ArrangementKind.DAY_SUPPORT)
    client.force_login(carer)

    response = client.get(reverse("portal_people"))

    main = text(response)
    assert (
        "Danny's one-page profile What people like and admire about me I make people laugh. "
        "What is important to me Seeing my sister Beth on Sundays. "
        "Written with my sister Beth on 2 Nov 2026."
    ) in main
    assert "Ruth's one-page profile Not written yet. Your coordinator writes it with Ruth." in main
    links = _links(response)
    assert links["Open Danny's one-page profile to print"] == reverse(
        "person_profile_print", args=[profile.person.pk]
    )


def test_the_carers_people_page_costs_the_same_queries_however_many_profiles(
    client, carer, scheme, carer_household, django_assert_max_num_queries
):
    # Each person's profile comes with their arrangement, in the same query.
    def add_people(n):
        for _ in range(n):
            someone = PersonFactory(scheme=scheme)
            OnePageProfileFactory(person=someone)
            # Day support: any number may visit without going over the household's approval.
            ArrangementFactory(
                scheme=scheme, carer=carer_household, person=someone, kind=ArrangementKind.DAY_SUPPORT
            )

    client.force_login(carer)
    url = reverse("portal_people")
    add_people(2)
    client.get(url)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    add_people(8)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert text(response).count("Written with my sister Jo on 1 Oct 2026.") == 10


# --- The History tab ---


def test_writing_and_changing_the_profile_shows_in_the_persons_history(client, coordinator, person):
    client.force_login(coordinator)
    url = reverse("person_profile_edit", args=[person.pk])
    opened = form_data(client.get(url).context["form"])
    assert client.post(url, {**opened, "important_to_me": "Football."}).status_code == 302
    opened = form_data(client.get(url).context["form"])
    assert client.post(url, {**opened, "important_to_me": "Football and swimming."}).status_code == 302

    entries = history_entries(client.get(reverse("person_history", args=[person.pk])))

    # (In a test every change has the same time, so they are found by title.)
    titles = {entry["title"]: entry for entry in entries}
    changed, added = titles["One-page profile changed"], titles["One-page profile added"]
    assert changed["byline"].endswith(f"by {coordinator.display_name}")
    assert changed["changes"] == [("What is important to me", "Football.", "Football and swimming.")]
    assert ("Written or last updated on", "—", "22 Nov 2026") in added["changes"]
