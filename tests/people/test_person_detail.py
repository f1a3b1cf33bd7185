"""A person's page."""

import datetime as dt

import pytest
from django.urls import reverse

from placements.models import ArrangementStatus
from sharedlives.choices import ArrangementKind
from tests.factories import ArrangementFactory, CarerFactory, ContactFactory, PersonFactory
from tests.sharedlives.pages import text


@pytest.fixture
def person(scheme, carer_household, other_carer_household):
    """Someone living with ``carer_household`` who once lived with, and still
    has short breaks with, ``other_carer_household``; with several contacts."""
    person = PersonFactory(scheme=scheme, first_name="Daniel", last_name="Reid", notes="Prefers mornings")
    ContactFactory(person=person, name="Beth Reid", relationship="sister")
    ContactFactory(
        person=person, kind="gp", name="Dr Shah", relationship="", organisation="Hyde Park Surgery"
    )
    ContactFactory(person=person, kind="social_worker", name="Ann Lee")
    ArrangementFactory(scheme=scheme, person=person, carer=carer_household, start_date=dt.date(2024, 5, 1))
    ArrangementFactory(
        scheme=scheme,
        person=person,
        carer=other_carer_household,
        status=ArrangementStatus.ENDED,
        start_date=dt.date(2022, 1, 10),
        end_date=dt.date(2024, 4, 30),
        end_reason="planned_move",
    )
    ArrangementFactory(
        scheme=scheme,
        person=person,
        carer=other_carer_household,
        kind=ArrangementKind.SHORT_BREAKS,
        start_date=dt.date(2024, 8, 1),
    )
    return person


def test_staff_see_the_contacts_and_every_arrangement(client, coordinator, person):
    client.force_login(coordinator)

    page = text(client.get(reverse("person_detail", args=[person.pk])))

    assert "Beth Reid Family or friend (sister)" in page
    assert "Dr Shah GP, Hyde Park Surgery" in page
    assert "Short breaks Tom Barker Current 1 Aug 2024 —" in page
    assert "Live-in Asha Patel Current 1 May 2024 —" in page
    assert "Live-in Tom Barker Ended 10 Jan 2022 30 Apr 2024" in page
    assert "Prefers mornings" in page


def test_a_carer_sees_only_their_own_arrangements_with_the_person(client, carer, person):
    client.force_login(carer)

    page = text(client.get(reverse("person_detail", args=[person.pk])))

    assert "Asha Patel" in page
    assert "Tom Barker" not in page
    assert "Prefers mornings" not in page


def test_the_page_costs_the_same_queries_however_many_contacts_and_arrangements(
    client, coordinator, scheme, person, django_assert_max_num_queries
):
    for _ in range(3):
        ContactFactory(person=person)
        ArrangementFactory(
            scheme=scheme, person=person, carer=CarerFactory(scheme=scheme), kind=ArrangementKind.DAY_SUPPORT
        )
    client.force_login(coordinator)
    url = reverse("person_detail", args=[person.pk])
    client.get(url)  # the first request of a session also records the scheme in it

    # The session, the user, their membership, the person (with scheme and
    # coordinator), the contacts, the scheme's check rules (for the
    # lapsed-check flag), the arrangements with their carers, the
    # referrals, and the line in the view log.
    with django_assert_max_num_queries(9):
        response = client.get(url)
    assert text(response).count("Day support") == 3
