"""The detail pages `make bench` measures cost the same queries for a full
record as for a sparse one, measured at two sizes (the list pages' tests do
the same for their rows)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sharedlives.choices import ArrangementKind
from tests.factories import (
    ArrangementFactory,
    CarerFactory,
    CheckFactory,
    ContactFactory,
    HouseholdMemberFactory,
    PersonFactory,
    PetFactory,
    ReferralFactory,
    RoomFactory,
)


def _queries(client, url) -> int:
    client.get(url)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _fill_household(scheme, carer, n):
    for i in range(n):
        HouseholdMemberFactory(carer=carer, name=f"Member {i}")
        PetFactory(carer=carer, kind="cat", name=f"Cat {i}")
        RoomFactory(carer=carer, name=f"Room {i}")
        CheckFactory(carer=carer)
        # Day support takes no place, so a household can have any number.
        ArrangementFactory(scheme=scheme, carer=carer, kind=ArrangementKind.DAY_SUPPORT)


def test_a_carers_page_costs_the_same_queries_for_a_full_household(
    client, coordinator, scheme, carer_household, django_assert_max_num_queries
):
    # Members, pets, rooms and the open arrangements with their people are
    # each one prefetch; checks and incidents are counted in SQL.
    client.force_login(coordinator)
    url = reverse("carer_detail", args=[carer_household.pk])
    _fill_household(scheme, carer_household, 1)
    few = _queries(client, url)

    _fill_household(scheme, carer_household, 8)
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200


def _fill_person(scheme, person, n, referral_kind):
    for i in range(n):
        ContactFactory(person=person, name=f"Contact {i}")
        ArrangementFactory(
            scheme=scheme, person=person, carer=CarerFactory(scheme=scheme), kind=ArrangementKind.DAY_SUPPORT
        )
    # One open referral for each kind of arrangement.
    ReferralFactory(scheme=scheme, person=person, kind=referral_kind)


def test_a_persons_page_costs_the_same_queries_however_many_contacts_arrangements_and_referrals(
    client, coordinator, scheme, django_assert_max_num_queries
):
    # Contacts, arrangements (with their carers) and referrals are one query each.
    person = PersonFactory(scheme=scheme)
    client.force_login(coordinator)
    url = reverse("person_detail", args=[person.pk])
    _fill_person(scheme, person, 1, ArrangementKind.LIVE_IN)
    few = _queries(client, url)

    _fill_person(scheme, person, 8, ArrangementKind.SHORT_BREAKS)
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200
