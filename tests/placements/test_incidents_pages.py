"""The incident pages: the list and its filters, recording one, its page,
editing it (two editors at once), closing it, its history, and who may open
them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import CqcNotification, Incident
from sharedlives.forms import STALE_MESSAGE
from tests.factories import CqcNotificationFactory, IncidentFactory, PersonFactory
from tests.sharedlives.pages import Page, form_data, history_entries, text

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ben(scheme):
    return PersonFactory(scheme=scheme, first_name="Ben", last_name="Hughes")


def _at(day, hour=14, minute=30):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


def _rows(response) -> list[str]:
    table = Page(response).find("table")
    if table is None:
        return []
    return [row.text for row in table.first("tbody").iter() if row.tag == "tr"]


# --- The list ---------------------------------------------------------------


@pytest.fixture
def several(scheme, manager, ben, carer_household):
    """Open and closed incidents, with and without notifications, and another scheme's."""
    return {
        "fall": IncidentFactory(scheme=scheme, person=ben, occurred_at=_at(18), category="accident"),
        "tablets": IncidentFactory(
            scheme=scheme, occurred_at=_at(12), category="medication", carer=carer_household
        ),
        "police": CqcNotificationFactory(
            incident__scheme=scheme,
            incident__occurred_at=_at(10),
            incident__category="police",
            reasons=["police"],
            due_from=_at(10),
        ).incident,
        "sent": CqcNotificationFactory(
            incident__scheme=scheme,
            incident__occurred_at=_at(3),
            due_from=_at(3),
            sent_on=dt.date(2026, 11, 5),
            reference="N-1",
            sent_by=manager,
        ).incident,
        "closed": IncidentFactory(
            scheme=scheme,
            occurred_at=_at(1),
            closed_on=dt.date(2026, 11, 2),
            closed_by=manager,
            outcome="Done",
        ),
    }


def test_the_list_shows_open_incidents_latest_first_with_their_notification(client, coordinator, several):
    IncidentFactory(what_happened="Another scheme's")  # its own scheme
    client.force_login(coordinator)

    rows = _rows(client.get(reverse("incident_list")))

    assert rows == [
        "18 Nov 2026 14:30 Accident or injury Ben Hughes — Not needed Open",
        "12 Nov 2026 14:30 Medication error — Asha Patel Not needed Open",
        "10 Nov 2026 14:30 Police involvement — — To send: waiting 10 days Open",
        "3 Nov 2026 14:30 Accident or injury — — Sent 5 Nov 2026 (2 days) Open",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "closed"}, ["1 Nov"]),
        ({"status": "all"}, ["18 Nov", "12 Nov", "10 Nov", "3 Nov", "1 Nov"]),
        ({"category": "medication"}, ["12 Nov"]),
        ({"notification": "needed"}, ["10 Nov", "3 Nov"]),
        ({"notification": "to_send"}, ["10 Nov"]),
        ({"notification": "sent"}, ["3 Nov"]),
        ({"notification": "none"}, ["18 Nov", "12 Nov"]),
    ],
)
def test_the_list_filters(client, coordinator, several, query, expected):
    client.force_login(coordinator)

    rows = _rows(client.get(reverse("incident_list"), query))

    assert [" ".join(row.split()[:2]) for row in rows] == expected


def test_the_list_of_one_persons_incidents_says_whose(client, coordinator, several, ben):
    client.force_login(coordinator)

    response = client.get(reverse("incident_list"), {"person": ben.pk, "status": "all"})

    assert "Incidents involving Ben Hughes." in text(response)
    assert len(_rows(response)) == 1
    new = Page(response).find("a", **{"class": "btn btn-primary"})
    assert new.attrs["href"] == f"{reverse('incident_new')}?person={ben.pk}"


def test_the_list_is_paginated(client, coordinator, scheme, settings):
    settings.PAGE_SIZE = 2
    for day in (1, 2, 3):
        IncidentFactory(scheme=scheme, occurred_at=_at(day))
    client.force_login(coordinator)

    page_two = client.get(reverse("incident_list"), {"page": 2})

    assert "Showing 3 to 3 of 3 incidents." in text(page_two)
    assert [row.split()[0] for row in _rows(page_two)] == ["1"]


def test_the_list_costs_the_same_queries_however_many_incidents(
    client, coordinator, scheme, ben, django_assert_max_num_queries
):
    # Each row's person, carer and notification are joined into the one
    # query of the page, so more incidents must not mean more queries.
    def add(n):
        for _ in range(n):
            CqcNotificationFactory(incident__scheme=scheme, incident__person=ben)

    client.force_login(coordinator)
    add(2)
    client.get(reverse("incident_list"))  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("incident_list"))

    add(20)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("incident_list"))
    assert len(_rows(response)) == 22


# --- Recording one ----------------------------------------------------------


def _new_data(**changes):
    data = {
        "occurred_at": "2026-11-19T21:15",
        "category": "accident",
        "what_happened": "Ben fell in the bathroom and cut his head.",
        "person": "",
        "carer": "",
        "others_involved": "",
        "actions_taken": "First aid; taken to A&E.",
        "follow_up": "",
    }
    return data | changes


def test_a_coordinator_records_an_incident_that_needs_a_notification(client, coordinator, ben):
    client.force_login(coordinator)

    response = client.post(
        reverse("incident_new"),
        _new_data(person=ben.pk, notifiable_events=["serious_injury"]),
        follow=True,
    )

    incident = Incident.objects.get()
    assert response.redirect_chain == [(reverse("incident_detail", args=[incident.pk]), 302)]
    page = Page(response)
    assert "Done: The incident has been recorded." in page.messages
    assert (
        "CQC must be notified of this incident without delay (a serious injury). "
        "The notification is waiting for the registered manager to send." in page.messages
    )
    assert "To send: waiting since today" in page.main_text
    assert incident.occurred_at == dt.datetime(2026, 11, 19, 21, 15, tzinfo=LONDON)
    assert (incident.person, incident.recorded_by) == (ben, coordinator)
    assert incident.notification.reasons == ["serious_injury"]


def test_the_form_starts_with_the_person_it_was_opened_from(client, coordinator, ben):
    client.force_login(coordinator)

    page = Page(client.get(reverse("incident_new"), {"person": ben.pk}))

    selected = [e for e in page.find("select", name="person").iter() if "selected" in e.attrs]
    assert [e.text for e in selected] == ["Ben Hughes"]
    assert "Did any of these happen?" in page.main_text


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, coordinator):
    client.force_login(coordinator)

    response = client.post(
        reverse("incident_new"),
        _new_data(occurred_at="2026-11-21T09:00", what_happened="", others_involved="Sam, a neighbour"),
    )

    page = Page(response)
    assert page.error_for("occurred_at") == "The date and time it happened cannot be in the future."
    assert page.error_for("what_happened") == "Say what happened."
    assert page.value_of("others_involved") == "Sam, a neighbour"
    assert page.value_of("occurred_at") == "2026-11-21T09:00"
    assert not Incident.objects.exists()


def test_a_person_of_another_scheme_cannot_be_chosen(client, coordinator, other_scheme):
    stranger = PersonFactory(scheme=other_scheme)
    client.force_login(coordinator)

    response = client.post(reverse("incident_new"), _new_data(person=stranger.pk))

    assert "Select a valid choice" in Page(response).error_for("person")
    assert not Incident.objects.exists()


# --- Its page ---------------------------------------------------------------


def test_the_page_shows_everything_recorded(client, coordinator, scheme, ben, arrangement):
    incident = IncidentFactory(
        scheme=scheme,
        person=arrangement.person,
        carer=arrangement.carer,
        arrangement=arrangement,
        others_involved="Jo Bell, sister",
        actions_taken="Cleaned and dressed the graze.",
        follow_up="Fix the step.",
        recorded_by=coordinator,
    )
    client.force_login(coordinator)

    page = text(client.get(reverse("incident_detail", args=[incident.pk])))

    name = arrangement.person.name
    assert f"Accident or injury: {name}" in page
    assert "When 2 Nov 2026 at 14:30" in page
    assert f"Arrangement Live-in: {name} with Asha Patel" in page
    assert "Anyone else involved Jo Bell, sister" in page
    assert "Did any of these happen? None of them" in page
    assert "Actions taken at the time Cleaned and dressed the graze." in page
    assert "Follow-up Fix the step." in page
    assert "Outcome Open: not closed yet" in page
    assert "CQC notification Not needed" in page


def test_a_coordinator_sees_the_notification_waiting_for_the_manager(client, coordinator, scheme):
    notification = CqcNotificationFactory(incident__scheme=scheme, due_from=_at(17, 9))
    client.force_login(coordinator)

    page = Page(client.get(reverse("incident_detail", args=[notification.incident.pk])))

    assert "To send: waiting 3 days (known since 17 Nov 2026)." in page.main_text
    assert "CQC must be told without delay of: A serious injury." in page.main_text
    assert "Waiting for the registered manager to send it" in page.main_text
    assert page.find("input", name=f"sent-{notification.incident.pk}-reference") is None


def test_the_manager_gets_the_form_to_mark_it_sent(client, manager, scheme):
    notification = CqcNotificationFactory(incident__scheme=scheme)
    client.force_login(manager)

    page = Page(client.get(reverse("incident_detail", args=[notification.incident.pk])))

    form = page.find("form", action=reverse("notification_sent", args=[notification.incident.pk]))
    assert form is not None
    assert page.value_of(f"sent-{notification.incident.pk}-sent_on") == "2026-11-20"


def test_a_sent_notification_shows_when_its_reference_and_the_days_taken(
    client, coordinator, manager, scheme
):
    notification = CqcNotificationFactory(
        incident__scheme=scheme,
        due_from=_at(2),
        sent_on=dt.date(2026, 11, 3),
        reference="CQC-881",
        sent_by=manager,
    )
    client.force_login(coordinator)

    page = text(client.get(reverse("incident_detail", args=[notification.incident.pk])))

    assert "Sent on 3 Nov 2026 by" in page
    assert "1 day after the scheme knew of it" in page
    assert "CQC's reference CQC-881" in page
    assert "CQC needs an update" not in page


def test_the_history_tab_shows_the_notification_too(client, coordinator, scheme):
    incident = CqcNotificationFactory(incident__scheme=scheme).incident
    client.force_login(coordinator)

    detail = Page(client.get(reverse("incident_detail", args=[incident.pk])))
    history = client.get(reverse("incident_history", args=[incident.pk]))

    assert detail.find("a", href=reverse("incident_history", args=[incident.pk])) is not None
    assert {entry["title"] for entry in history_entries(history)} == {
        "Incident added",
        "Cqc notification added",
    }


# --- Editing ----------------------------------------------------------------


def _opened(client, incident) -> dict:
    response = client.get(reverse("incident_edit", args=[incident.pk]))
    assert response.status_code == 200
    return form_data(response.context["form"])


def test_an_edit_that_adds_a_reason_tells_the_user_a_notification_waits(client, coordinator, scheme):
    incident = IncidentFactory(scheme=scheme)
    client.force_login(coordinator)
    data = _opened(client, incident) | {"category": "safeguarding"}

    response = client.post(reverse("incident_edit", args=[incident.pk]), data, follow=True)

    page = Page(response)
    assert "Done: The incident has been saved." in page.messages
    assert any("CQC must be notified of this incident without delay (abuse" in m for m in page.messages)
    assert CqcNotification.objects.get(incident=incident).reasons == ["abuse"]


def test_an_edit_after_it_was_sent_says_cqc_needs_an_update(client, coordinator, manager, scheme):
    notification = CqcNotificationFactory(
        incident__scheme=scheme, sent_on=dt.date(2026, 11, 3), reference="CQC-881", sent_by=manager
    )
    incident = notification.incident
    client.force_login(coordinator)
    data = _opened(client, incident) | {"notifiable_events": ["serious_injury", "police"]}

    response = client.post(reverse("incident_edit", args=[incident.pk]), data, follow=True)

    page = Page(response)
    assert (
        "CQC needs an update: the notification was sent on 3 Nov 2026 (reference CQC-881), before this "
        "incident included an incident reported to or investigated by the police. "
        "Tell CQC about it without delay." in page.messages
    )
    # And the page keeps saying so.
    assert (
        "CQC needs an update: since the notification was sent, this incident also includes an incident "
        "reported to or investigated by the police." in page.main_text
    )
    notification.refresh_from_db()
    assert (notification.reasons, notification.reference) == (["serious_injury"], "CQC-881")


def test_an_edit_that_takes_every_reason_away_withdraws_the_waiting_notification(client, coordinator, scheme):
    incident = CqcNotificationFactory(incident__scheme=scheme).incident
    client.force_login(coordinator)
    data = _opened(client, incident)
    data.pop("notifiable_events")

    response = client.post(reverse("incident_edit", args=[incident.pk]), data, follow=True)

    assert (
        "This incident no longer needs a CQC notification, so the one waiting to be sent has been withdrawn."
        in Page(response).messages
    )
    assert not CqcNotification.objects.exists()


def test_two_staff_editing_at_once_cannot_overwrite_each_other(client, coordinator, manager, scheme):
    incident = IncidentFactory(scheme=scheme)
    client.force_login(coordinator)
    mine = _opened(client, incident) | {"follow_up": "Mine"}
    client.force_login(manager)
    theirs = _opened(client, incident) | {"follow_up": "Theirs"}
    client.post(reverse("incident_edit", args=[incident.pk]), theirs)
    client.force_login(coordinator)

    response = client.post(reverse("incident_edit", args=[incident.pk]), mine)

    page = Page(response)
    assert STALE_MESSAGE in page.main_text
    assert page.value_of("follow_up") == "Mine"
    incident.refresh_from_db()
    assert incident.follow_up == "Theirs"


def test_an_edit_with_bad_input_keeps_it_and_saves_nothing(client, coordinator, scheme):
    incident = IncidentFactory(scheme=scheme)
    client.force_login(coordinator)
    data = _opened(client, incident) | {"category": "", "follow_up": "Call the GP"}

    page = Page(client.post(reverse("incident_edit", args=[incident.pk]), data))

    assert page.error_for("category") == "Choose the kind of incident."
    assert page.value_of("follow_up") == "Call the GP"
    incident.refresh_from_db()
    assert (incident.category, incident.follow_up, incident.version) == ("accident", "", 1)


# --- Closing ----------------------------------------------------------------


def test_a_coordinator_closes_an_incident_with_its_outcome(client, coordinator, scheme):
    incident = IncidentFactory(scheme=scheme)
    client.force_login(coordinator)

    response = client.post(
        reverse("incident_close", args=[incident.pk]),
        {"closed_on": "2026-11-19", "outcome": "The step has been fixed."},
        follow=True,
    )

    page = Page(response)
    assert "Done: The incident has been closed on 19 Nov 2026." in page.messages
    assert "Outcome The step has been fixed." in page.main_text
    assert "Closed 19 Nov 2026 by" in page.main_text
    assert "Close the incident" not in page.main_text


def test_closing_without_an_outcome_keeps_the_date_and_saves_nothing(client, coordinator, scheme):
    incident = IncidentFactory(scheme=scheme)
    client.force_login(coordinator)

    page = Page(
        client.post(reverse("incident_close", args=[incident.pk]), {"closed_on": "2026-11-01", "outcome": ""})
    )

    assert page.error_for("outcome") == "Record the outcome before closing the incident."
    assert page.error_for("closed_on") == "The date it was closed cannot be before it happened (2 Nov 2026)."
    assert page.value_of("closed_on") == "2026-11-01"
    assert Incident.objects.get(pk=incident.pk).is_open


def test_an_incident_cannot_close_while_its_notification_waits(client, coordinator, scheme):
    incident = CqcNotificationFactory(incident__scheme=scheme).incident
    client.force_login(coordinator)

    shown = Page(client.get(reverse("incident_close", args=[incident.pk])))
    response = client.post(
        reverse("incident_close", args=[incident.pk]), {"closed_on": "2026-11-19", "outcome": "Ok"}
    )

    assert "Not yet: the CQC notification for this incident has not been sent." in shown.main_text
    assert "the registered manager must send it and record it as sent" in text(response)
    assert Incident.objects.get(pk=incident.pk).is_open


# --- Who may open them ------------------------------------------------------

RECORD_PAGES = ["incident_detail", "incident_edit", "incident_close", "incident_history"]


@pytest.mark.parametrize("role", ["manager", "coordinator"])
@pytest.mark.parametrize("name", RECORD_PAGES)
def test_the_schemes_staff_open_every_page_of_an_incident(client, request, scheme, role, name):
    incident = CqcNotificationFactory(incident__scheme=scheme).incident
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse(name, args=[incident.pk])).status_code == 200


@pytest.mark.parametrize("name", RECORD_PAGES)
def test_a_carer_finds_no_incident_not_even_one_about_them(client, carer, scheme, carer_household, name):
    incident = IncidentFactory(scheme=scheme, carer=carer_household)
    client.force_login(carer)

    assert client.get(reverse(name, args=[incident.pk])).status_code == 404
    assert client.post(reverse(name, args=[incident.pk]), {"outcome": "x"}).status_code in {404, 405}


@pytest.mark.parametrize("name", ["incident_list", "incident_new", "notification_list"])
def test_a_carer_cannot_open_the_lists(client, carer, name):
    client.force_login(carer)

    assert client.get(reverse(name)).status_code == 403


def test_a_carer_cannot_record_an_incident_by_posting(client, carer):
    client.force_login(carer)

    assert client.post(reverse("incident_new"), _new_data()).status_code == 403
    assert not Incident.objects.exists()


@pytest.mark.parametrize("name", RECORD_PAGES)
def test_another_schemes_staff_cannot_find_it(client, other_coordinator, scheme, name):
    incident = IncidentFactory(scheme=scheme)
    client.force_login(other_coordinator)

    assert client.get(reverse(name, args=[incident.pk])).status_code == 404


def test_another_schemes_incidents_are_not_in_the_list(client, other_coordinator, scheme):
    IncidentFactory(scheme=scheme)
    client.force_login(other_coordinator)

    assert "No incidents match these filters." in text(client.get(reverse("incident_list")))


@pytest.mark.parametrize("name", ["incident_detail", "incident_history"])
def test_reading_pages_take_no_change(client, coordinator, scheme, name):
    incident = IncidentFactory(scheme=scheme)
    client.force_login(coordinator)

    assert client.post(reverse(name, args=[incident.pk])).status_code == 405
    assert client.post(reverse("incident_list")).status_code == 405


@pytest.mark.parametrize("name", ["incident_edit", "incident_close"])
def test_form_pages_take_only_get_and_post(client, coordinator, scheme, name):
    incident = IncidentFactory(scheme=scheme)
    client.force_login(coordinator)

    response = client.put(reverse(name, args=[incident.pk]))

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"
    assert client.delete(reverse("incident_new")).status_code == 405
