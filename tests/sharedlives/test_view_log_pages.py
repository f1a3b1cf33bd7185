"""The registered manager reads the view log: who has looked at a person's
or a household's record, and what one login has looked at. Nobody else
may, and no manager sees another scheme's log."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sharedlives.models import RecordView, RecordViewKind, Role
from tests.factories import CarerFactory, MembershipFactory, PersonFactory, UserFactory
from tests.sharedlives.pages import Page, text

NOW = dt.datetime(2026, 11, 22, 10, 30, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def person(arrangement):
    """Someone living with the ``carer`` fixture's household."""
    return arrangement.person


@pytest.fixture
def other_manager(other_scheme):
    return _member(other_scheme, Role.MANAGER, "other-manager", "Olu", "Adeyemi")


def _member(scheme, role, username, first_name, last_name, carer=None):
    user = UserFactory(username=username, first_name=first_name, last_name=last_name)
    MembershipFactory(user=user, scheme=scheme, role=role, carer=carer)
    return user


@pytest.fixture
def looked_at(client, coordinator, carer, person, carer_household):
    """The coordinator opened the person's profile and the household's
    approval tab; the carer then opened the person's profile to print."""
    client.force_login(coordinator)
    client.get(reverse("person_profile", args=[person.pk]))
    client.get(reverse("carer_approval", args=[carer_household.pk]))
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        client.force_login(carer)
        client.get(reverse("person_profile_print", args=[person.pk]))
    client.logout()
    assert RecordView.objects.count() == 3


def _rows(response) -> list[list[str]]:
    """The log's table as the manager reads it, row by row."""
    body = Page(response).find("tbody")
    if body is None:
        return []
    rows = [row for row in body.iter() if row.tag == "tr"]
    return [[cell.text for cell in row.iter() if cell.tag == "td"] for row in rows]


def test_the_manager_sees_who_has_looked_at_a_persons_record(
    client, manager, coordinator, carer, person, looked_at
):
    client.force_login(manager)

    response = client.get(reverse("person_viewers", args=[person.pk]))

    assert response.status_code == 200
    profile = reverse("person_profile", args=[person.pk])
    assert _rows(response) == [
        [
            "22 Nov 2026, 10:35",
            f"{carer.display_name} (Carer)",
            "Opened a page",
            f"One-page profile, to print {profile}print/",
        ],
        [
            "22 Nov 2026, 10:30",
            f"{coordinator.display_name} (Coordinator)",
            "Opened a page",
            f"One-page profile {profile}",
        ],
    ]
    link = Page(response).find("a", href=reverse("user_record_views", args=[coordinator.pk]))
    assert link.text == coordinator.display_name


def test_the_manager_sees_who_has_looked_at_a_households_record(
    client, manager, coordinator, carer_household, looked_at
):
    client.force_login(manager)

    response = client.get(reverse("carer_viewers", args=[carer_household.pk]))

    assert _rows(response) == [
        [
            "22 Nov 2026, 10:30",
            f"{coordinator.display_name} (Coordinator)",
            "Opened a page",
            f"Approval {reverse('carer_approval', args=[carer_household.pk])}",
        ]
    ]
    assert "Who has looked at this household's record" in text(response)


def test_a_record_nobody_has_looked_at_says_so(client, manager, scheme):
    quiet = PersonFactory(scheme=scheme)
    client.force_login(manager)

    response = client.get(reverse("person_viewers", args=[quiet.pk]))

    assert "Nobody has looked at this record since the log began." in text(response)


def test_the_manager_sees_everything_one_login_has_looked_at(
    client, manager, coordinator, person, carer_household, looked_at
):
    RecordView.objects.create(
        scheme=person.scheme, user=coordinator, kind=RecordViewKind.EXPORT, path="/payments/runs/1/csv/"
    )
    client.force_login(manager)

    response = client.get(reverse("user_record_views", args=[coordinator.pk]))

    assert response.status_code == 200
    assert Page(response).find("h1").text == f"What {coordinator.display_name} has looked at"
    assert [row[1:3] for row in _rows(response)] == [
        ["Several people or households", "Exported"],
        [f"{carer_household.name} (household)", "Opened a page"],
        [f"{person.name} (person)", "Opened a page"],
    ]
    assert Page(response).find("a", href=reverse("person_viewers", args=[person.pk])).text == person.name


def test_the_managers_tab_on_a_record_leads_to_the_log(client, manager, coordinator, person):
    viewers = reverse("person_viewers", args=[person.pk])
    client.force_login(coordinator)
    assert Page(client.get(reverse("person_detail", args=[person.pk]))).find("a", href=viewers) is None

    client.force_login(manager)
    tab = Page(client.get(reverse("person_detail", args=[person.pk]))).find("a", href=viewers)

    assert tab.text == "Who has looked"


def test_the_staff_list_leads_to_each_logins_log(client, manager, coordinator, carer, looked_at):
    client.force_login(manager)

    dashboard = Page(client.get(reverse("dashboard")))
    response = client.get(reverse("staff_list"))

    assert dashboard.find("a", href=reverse("staff_list")) is not None
    assert _rows(response) == [
        [manager.display_name, "Registered manager", "Never"],
        [coordinator.display_name, "Coordinator", "22 Nov 2026, 10:30"],
        [carer.display_name, "Carer: Asha Patel", "22 Nov 2026, 10:35"],
    ]
    assert Page(response).find("a", href=reverse("user_record_views", args=[carer.pk])) is not None


def test_someone_who_has_left_the_scheme_can_still_be_looked_up(client, manager, coordinator, looked_at):
    coordinator.memberships.all().delete()
    client.force_login(manager)

    response = client.get(reverse("user_record_views", args=[coordinator.pk]))

    assert response.status_code == 200
    assert "No longer a member of this scheme" in text(response)
    assert len(_rows(response)) == 2


# --- Who may read it ---


@pytest.mark.parametrize("name", ["person_viewers", "carer_viewers", "user_record_views", "staff_list"])
def test_a_coordinator_is_refused(client, coordinator, person, carer_household, name):
    args = {"person_viewers": [person.pk], "carer_viewers": [carer_household.pk]}
    args["user_record_views"] = [coordinator.pk]
    client.force_login(coordinator)

    response = client.get(reverse(name, args=args.get(name, [])))

    assert response.status_code == 403


def test_a_carer_is_refused_even_for_their_own_household(client, carer, person, carer_household):
    client.force_login(carer)

    assert client.get(reverse("carer_viewers", args=[carer_household.pk])).status_code == 403
    assert client.get(reverse("person_viewers", args=[person.pk])).status_code == 403
    assert client.get(reverse("user_record_views", args=[carer.pk])).status_code == 403
    assert client.get(reverse("staff_list")).status_code == 403


def test_a_carer_cannot_find_another_households_log(client, carer, other_carer_household):
    client.force_login(carer)

    assert client.get(reverse("carer_viewers", args=[other_carer_household.pk])).status_code == 404


def test_another_schemes_manager_cannot_find_our_records_or_logins(
    client, other_manager, coordinator, person, carer_household, looked_at
):
    client.force_login(other_manager)

    assert client.get(reverse("person_viewers", args=[person.pk])).status_code == 404
    assert client.get(reverse("carer_viewers", args=[carer_household.pk])).status_code == 404
    assert client.get(reverse("user_record_views", args=[coordinator.pk])).status_code == 404
    staff = client.get(reverse("staff_list"))
    assert coordinator.display_name not in text(staff)


def test_a_login_in_two_schemes_shows_each_manager_only_their_own_schemes_log(
    client, manager, other_manager, coordinator, other_scheme, looked_at
):
    MembershipFactory(user=coordinator, scheme=other_scheme, role=Role.COORDINATOR)
    theirs = PersonFactory(scheme=other_scheme, first_name="Yusuf", last_name="Khan")
    RecordView.objects.create(scheme=other_scheme, user=coordinator, person=theirs, path="/people/9/")

    client.force_login(other_manager)
    for_them = client.get(reverse("user_record_views", args=[coordinator.pk]))
    client.force_login(manager)
    for_us = client.get(reverse("user_record_views", args=[coordinator.pk]))

    assert [row[1] for row in _rows(for_them)] == ["Yusuf Khan (person)"]
    assert len(_rows(for_us)) == 2
    assert "Yusuf Khan" not in text(for_us)


@pytest.mark.parametrize("name", ["person_viewers", "carer_viewers"])
def test_the_log_takes_no_post(client, manager, person, carer_household, name):
    pk = person.pk if name == "person_viewers" else carer_household.pk
    client.force_login(manager)

    assert client.post(reverse(name, args=[pk])).status_code == 405


def test_reading_the_log_is_not_itself_logged(client, manager, person):
    client.force_login(manager)

    client.get(reverse("person_viewers", args=[person.pk]))

    assert not RecordView.objects.exists()


# --- Long logs: paginated, a fixed number of queries ---


def _viewers(scheme, n):
    users = [UserFactory() for _ in range(n)]
    for user in users:
        MembershipFactory(user=user, scheme=scheme, role=Role.COORDINATOR)
    return users


def _many_views(scheme, person, carer, users, n):
    RecordView.objects.bulk_create(
        RecordView(scheme=scheme, user=users[i % len(users)], person=person, path=f"/people/{person.pk}/")
        for i in range(n)
    )
    RecordView.objects.bulk_create(
        RecordView(scheme=scheme, user=users[0], carer=carer, path=f"/carers/{carer.pk}/") for _ in range(n)
    )


@pytest.mark.parametrize("name", ["person_viewers", "carer_viewers", "user_record_views", "staff_list"])
def test_each_page_of_the_log_costs_the_same_queries_however_long(
    client, manager, scheme, name, django_assert_max_num_queries
):
    # Each row's login (and its role here), person and household are joined
    # in, and a page holds at most 25 rows: a long log, or many logins, cost
    # no more queries than a short one.
    person, carer = PersonFactory(scheme=scheme), CarerFactory(scheme=scheme)
    users = _viewers(scheme, 2)
    _many_views(scheme, person, carer, users, 2)
    args = {"person_viewers": [person.pk], "carer_viewers": [carer.pk], "user_record_views": [users[0].pk]}
    url = reverse(name, args=args.get(name, []))
    client.force_login(manager)
    client.get(url)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    users += _viewers(scheme, 30)
    _many_views(scheme, person, carer, users, 40)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)

    assert len(_rows(response)) == 25
