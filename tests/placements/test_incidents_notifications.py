"""CQC notifications: the registered manager's list (what waits, for how
long, what was sent and how long it took), marking one sent, and where else
staff are told: the dashboard, a death ending, a person's and a carer's page."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import CqcNotification, Incident
from tests.factories import ArrangementFactory, CqcNotificationFactory, IncidentFactory, PersonFactory
from tests.sharedlives.pages import Page, text

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=LONDON)
URL = reverse("notification_list")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def _known(day, hour=9):
    return dt.datetime(2026, 11, day, hour, tzinfo=LONDON)


def _notification(scheme, person_name, known, **fields):
    first, last = person_name.split()
    person = PersonFactory(scheme=scheme, first_name=first, last_name=last)
    return CqcNotificationFactory(
        incident__scheme=scheme,
        incident__person=person,
        incident__occurred_at=known,
        due_from=known,
        **fields,
    )


@pytest.fixture
def notifications(scheme, manager):
    return {
        "newer": _notification(scheme, "Lena Ward", _known(19)),
        "older": _notification(scheme, "Omar Hussain", _known(17)),
        "today": _notification(scheme, "Ruth Gale", _known(20, 8)),
        "quick": _notification(
            scheme, "Sam Reid", _known(2), sent_on=dt.date(2026, 11, 3), reference="CQC-1", sent_by=manager
        ),
        "slow": _notification(
            scheme, "Priya Shah", _known(4), sent_on=dt.date(2026, 11, 8), reference="CQC-2", sent_by=manager
        ),
        "same_day": _notification(
            scheme, "Jo Bell", _known(9), sent_on=dt.date(2026, 11, 9), reference="CQC-3", sent_by=manager
        ),
    }


def _to_send(response) -> list[str]:
    section = Page(response).find("section", **{"aria-labelledby": "to-send"})
    return [e.first("h3").text + " | " + e.first("p").text for e in section.iter() if e.tag == "li"]


def _sent(response) -> list[str]:
    section = Page(response).find("section", **{"aria-labelledby": "sent-heading"})
    return [row.text for row in section.first("tbody").iter() if row.tag == "tr"]


def test_unsent_ones_come_first_longest_waiting_first(client, manager, notifications):
    client.force_login(manager)

    response = client.get(URL)

    assert "To send (3)" in text(response)
    assert _to_send(response) == [
        "Accident or injury: Omar Hussain | Waiting 3 days (known since 17 Nov 2026; happened 17 Nov 2026).",
        "Accident or injury: Lena Ward | Waiting 1 day (known since 19 Nov 2026; happened 19 Nov 2026).",
        "Accident or injury: Ruth Gale | Waiting since today "
        "(known since 20 Nov 2026; happened 20 Nov 2026).",
    ]


def test_sent_ones_show_the_date_reference_and_days_taken_with_the_average(client, manager, notifications):
    client.force_login(manager)

    response = client.get(URL)

    name = manager.display_name
    assert _sent(response) == [
        f"Accident or injury: Jo Bell, 9 Nov 2026 9 Nov 2026 CQC-3 The same day {name}",
        f"Accident or injury: Priya Shah, 4 Nov 2026 8 Nov 2026 CQC-2 4 days {name}",
        f"Accident or injury: Sam Reid, 2 Nov 2026 3 Nov 2026 CQC-1 1 day {name}",
    ]
    # (0 + 4 + 1) / 3
    assert (
        "On average 1.7 days from knowing of an incident to notifying CQC, over 3 notifications sent."
        in text(response)
    )


def test_an_empty_list_says_so(client, manager):
    client.force_login(manager)

    page = text(client.get(URL))

    assert "None: every notification has been sent." in page
    assert "No notifications have been sent yet." in page
    assert "On average" not in page


def test_another_schemes_notifications_are_not_listed(client, manager, other_scheme):
    _notification(other_scheme, "Ann Other", _known(18))
    client.force_login(manager)

    assert "To send (0)" in text(client.get(URL))


def test_a_coordinator_sees_the_list_without_the_forms(client, coordinator, notifications):
    client.force_login(coordinator)

    response = client.get(URL)

    assert len(_to_send(response)) == 3
    assert "Only the registered manager records a notification as sent." in text(response)
    assert "Mark as sent" not in text(response)


def test_the_list_costs_the_same_queries_however_many_notifications(
    client, manager, scheme, django_assert_max_num_queries
):
    # Each row's incident and person are joined in, the manager's forms need
    # no query, and the average is one aggregate: more rows, no more queries.
    def add(n):
        for i in range(n):
            _notification(scheme, f"Person N{i}", _known(10))
            _notification(
                scheme,
                f"Sent S{i}",
                _known(10),
                sent_on=dt.date(2026, 11, 12),
                reference="R",
                sent_by=manager,
            )

    client.force_login(manager)
    add(1)
    client.get(URL)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        client.get(URL)

    add(10)
    with django_assert_max_num_queries(len(few)):
        response = client.get(URL)
    assert len(_to_send(response)) == 11
    assert len(_sent(response)) == 11


# --- Marking one sent -------------------------------------------------------


def _sent_url(notification):
    return reverse("notification_sent", args=[notification.incident_id])


def _sent_data(notification, **fields):
    prefix = f"sent-{notification.incident_id}-"
    return {
        prefix + name: value
        for name, value in ({"sent_on": "2026-11-19", "reference": "CQC-9"} | fields).items()
    }


def test_the_manager_marks_one_sent_from_the_list(client, manager, notifications):
    older = notifications["older"]
    client.force_login(manager)

    response = client.post(_sent_url(older), _sent_data(older) | {"next": "list"}, follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert (
        "Done: The CQC notification about the incident of 17 Nov 2026 "
        "has been recorded as sent on 19 Nov 2026." in Page(response).messages
    )
    assert "To send (2)" in text(response)
    assert _sent(response)[0].startswith(
        "Accident or injury: Omar Hussain, 17 Nov 2026 19 Nov 2026 CQC-9 2 days"
    )
    older.refresh_from_db()
    assert (older.sent_on, older.reference, older.sent_by) == (dt.date(2026, 11, 19), "CQC-9", manager)


def test_marked_sent_from_the_incident_it_goes_back_there(client, manager, notifications):
    older = notifications["older"]
    client.force_login(manager)

    response = client.post(_sent_url(older), _sent_data(older))

    assert response.url == reverse("incident_detail", args=[older.incident_id]) + "#notification"


def test_bad_input_is_shown_on_the_incidents_page_with_what_was_typed(client, manager, notifications):
    older = notifications["older"]
    client.force_login(manager)

    response = client.post(
        _sent_url(older), _sent_data(older, sent_on="2026-11-16", reference="") | {"next": "list"}
    )

    page = Page(response)
    prefix = f"sent-{older.incident_id}-"
    assert response.status_code == 200
    assert (
        page.error_for(prefix + "sent_on")
        == "The date it was sent cannot be before the incident was known (17 Nov 2026)."
    )
    assert page.error_for(prefix + "reference") == "Record CQC's reference for the notification."
    assert page.value_of(prefix + "sent_on") == "2026-11-16"
    assert CqcNotification.objects.get(pk=older.pk).sent_on is None


def test_a_date_still_to_come_is_refused(client, manager, notifications):
    older = notifications["older"]
    client.force_login(manager)

    page = Page(client.post(_sent_url(older), _sent_data(older, sent_on="2026-11-21")))

    assert (
        page.error_for(f"sent-{older.incident_id}-sent_on") == "The date it was sent cannot be in the future."
    )
    assert CqcNotification.objects.get(pk=older.pk).sent_on is None


def test_a_notification_already_sent_cannot_be_sent_again(client, manager, notifications):
    quick = notifications["quick"]
    client.force_login(manager)

    response = client.post(_sent_url(quick), _sent_data(quick, reference="CQC-NEW"), follow=True)

    assert "Problem: This notification was recorded as sent on 3 Nov 2026 (CQC-1)." in Page(response).messages
    assert CqcNotification.objects.get(pk=quick.pk).reference == "CQC-1"


def test_a_coordinator_cannot_mark_one_sent(client, coordinator, notifications):
    older = notifications["older"]
    client.force_login(coordinator)

    response = client.post(_sent_url(older), _sent_data(older))

    assert response.status_code == 403
    assert CqcNotification.objects.get(pk=older.pk).sent_on is None


def test_a_carer_and_another_schemes_staff_cannot_find_it(client, carer, other_coordinator, notifications):
    older = notifications["older"]
    for user in (carer, other_coordinator):
        client.force_login(user)
        assert client.post(_sent_url(older), _sent_data(older)).status_code == 404
    assert CqcNotification.objects.get(pk=older.pk).sent_on is None


def test_an_incident_without_a_notification_has_none_to_send(client, manager, scheme):
    incident = IncidentFactory(scheme=scheme)
    client.force_login(manager)

    assert client.post(reverse("notification_sent", args=[incident.pk]), {}).status_code == 404


def test_marking_sent_takes_only_a_post(client, manager, notifications):
    client.force_login(manager)

    assert client.get(_sent_url(notifications["older"])).status_code == 405
    assert client.post(URL).status_code == 405


# --- The dashboard ----------------------------------------------------------


def test_the_registered_manager_is_told_how_many_notifications_wait(client, manager, notifications):
    client.force_login(manager)

    page = Page(client.get(reverse("dashboard")))

    link = page.find("a", href=URL)
    assert link.text == "3 CQC notifications to send"


def test_a_coordinator_is_not_given_the_managers_notice(client, coordinator, notifications):
    client.force_login(coordinator)

    assert "CQC notifications to send" not in text(client.get(reverse("dashboard")))


def test_nothing_to_send_shows_no_notice(client, manager, scheme):
    client.force_login(manager)

    assert "to send" not in text(client.get(reverse("dashboard")))


def test_the_notice_costs_one_query(client, manager, coordinator, notifications):
    def queries(user):
        client.force_login(user)
        client.get(reverse("dashboard"))  # the first request of a session also records the scheme in it
        with CaptureQueriesContext(connection) as done:
            client.get(reverse("dashboard"))
        return len(done)

    assert queries(manager) == queries(coordinator) + 1


# --- A death ending, told through the pages ---------------------------------


def test_ending_for_a_death_tells_the_user_the_notification_now_waits(client, coordinator, manager, scheme):
    arrangement = ArrangementFactory(scheme=scheme, person__first_name="Ben", person__last_name="Hughes")
    client.force_login(coordinator)

    response = client.post(
        reverse("arrangement_end", args=[arrangement.pk]),
        {"end_date": "2026-11-18", "reason": "death", "note": "Died peacefully at home."},
        follow=True,
    )

    page = Page(response)
    assert (
        "CQC must be notified of Ben Hughes's death without delay. The death has been recorded as an "
        "incident, and its CQC notification is now waiting for the registered manager to send."
        in page.messages
    )
    assert "The notification is waiting for the registered manager to send." in page.main_text
    incident = Incident.objects.get()
    assert page.find("a", href=reverse("incident_detail", args=[incident.pk])) is not None
    client.force_login(manager)
    assert _to_send(client.get(URL)) == [
        "Other: Ben Hughes | Waiting since today (known since 20 Nov 2026; happened 18 Nov 2026)."
    ]


def test_once_sent_the_arrangement_says_when(client, coordinator, manager, scheme):
    arrangement = ArrangementFactory(
        scheme=scheme, status="ended", end_date=dt.date(2026, 11, 18), end_reason="death"
    )
    CqcNotificationFactory(
        incident__scheme=scheme,
        incident__person=arrangement.person,
        incident__notifiable_events=["death"],
        sent_on=dt.date(2026, 11, 19),
        reference="CQC-D1",
        sent_by=manager,
    )
    client.force_login(coordinator)

    page = text(client.get(reverse("arrangement_detail", args=[arrangement.pk])))

    assert "CQC was notified on 19 Nov 2026 (reference CQC-D1)." in page


# --- A person's and a carer's page ------------------------------------------


@pytest.fixture
def involved(scheme, arrangement, manager):
    """Two incidents about the person and the carer, one of them closed."""
    person, carer = arrangement.person, arrangement.carer
    IncidentFactory(scheme=scheme, person=person, carer=carer)
    IncidentFactory(
        scheme=scheme,
        person=person,
        carer=carer,
        closed_on=dt.date(2026, 11, 5),
        closed_by=manager,
        outcome="Ok",
    )
    IncidentFactory(scheme=scheme)  # someone else's
    return arrangement


@pytest.mark.parametrize(("name", "field"), [("person_detail", "person"), ("carer_detail", "carer")])
def test_staff_see_how_many_incidents_and_can_open_them(client, coordinator, involved, name, field):
    record = getattr(involved, field)
    client.force_login(coordinator)

    page = Page(client.get(reverse(name, args=[record.pk])))

    link = page.find("a", href=f"{reverse('incident_list')}?{field}={record.pk}&status=all")
    assert link.text == "2 incidents recorded, 1 open"
    assert page.find("a", href=f"{reverse('incident_new')}?{field}={record.pk}") is not None
    assert len(_rows_of(client.get(link.attrs["href"]))) == 2


def _rows_of(response):
    return [row for row in Page(response).find("table").first("tbody").iter() if row.tag == "tr"]


def test_a_carer_does_not_see_the_incidents_on_their_pages(client, carer, involved):
    client.force_login(carer)

    for name, record in (("carer_detail", involved.carer), ("person_detail", involved.person)):
        assert "Incidents" not in text(client.get(reverse(name, args=[record.pk])))


@pytest.mark.parametrize(("name", "field"), [("person_detail", "person"), ("carer_detail", "carer")])
def test_the_counts_cost_no_query_however_many_incidents(client, coordinator, involved, name, field):
    record = getattr(involved, field)
    url = reverse(name, args=[record.pk])
    client.force_login(coordinator)
    client.get(url)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    for _ in range(5):
        IncidentFactory(scheme=involved.scheme, **{field: record})
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    # Counted in the same query as the record itself.
    assert len(many) == len(few)
    assert "7 incidents recorded, 6 open" in text(response)
