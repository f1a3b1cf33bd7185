"""Who looked at whose record: every page of a person or a household, each
export and each downloaded file writes one row to the view log, with what
was opened and when; nothing is written for a page that was refused."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sharedlives.models import RecordView, RecordViewKind
from tests.factories import CertificateFactory, PanelItemFactory, PanelMeetingFactory, PaymentRunFactory

NOW = dt.datetime(2026, 11, 22, 10, 30, tzinfo=ZoneInfo("Europe/London"))
PAGE, EXPORT, DOWNLOAD = RecordViewKind.PAGE, RecordViewKind.EXPORT, RecordViewKind.DOWNLOAD

PERSON_PAGES = ["person_detail", "person_history", "person_profile", "person_profile_print"]
PERSON_PAGES += ["person_edit", "person_contacts", "person_profile_edit"]
CARER_PAGES = ["carer_detail", "carer_approval", "carer_availability", "carer_history"]
CARER_PAGES += ["carer_edit", "carer_household", "assessment_edit"]


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


def _logged():
    return list(RecordView.objects.order_by("id").values("user__username", "kind", "person", "carer", "path"))


@pytest.mark.parametrize("name", PERSON_PAGES)
def test_opening_a_page_of_a_persons_record_is_logged(client, coordinator, arrangement, name):
    person = arrangement.person
    client.force_login(coordinator)
    url = reverse(name, args=[person.pk])

    assert client.get(url).status_code == 200

    view = RecordView.objects.get()
    assert (view.user, view.kind, view.person, view.carer, view.path) == (
        coordinator,
        PAGE,
        person,
        None,
        url,
    )
    assert view.scheme == person.scheme
    assert view.viewed_at == NOW


@pytest.mark.parametrize("name", CARER_PAGES)
def test_opening_a_page_of_a_households_record_is_logged(client, coordinator, carer_household, name):
    client.force_login(coordinator)
    url = reverse(name, args=[carer_household.pk])

    assert client.get(url).status_code == 200

    assert _logged() == [
        {
            "user__username": "coordinator",
            "kind": PAGE,
            "person": None,
            "carer": carer_household.pk,
            "path": url,
        }
    ]


def test_the_address_is_logged_with_its_query(client, coordinator, carer_household):
    client.force_login(coordinator)
    url = reverse("carer_history", args=[carer_household.pk]) + "?page=2"

    client.get(url)

    assert RecordView.objects.get().path == url


def test_each_opening_is_a_row_of_its_own(client, manager, arrangement):
    client.force_login(manager)
    url = reverse("person_profile_print", args=[arrangement.person.pk])

    client.get(url)
    client.get(url)

    assert RecordView.objects.filter(path=url, user=manager).count() == 2


def test_a_carer_opening_their_own_household_and_the_person_with_them_is_logged(client, carer, arrangement):
    # Still access to personal data (a partner's details, the person's
    # profile), so carers are in the log like staff.
    client.force_login(carer)

    client.get(reverse("carer_detail", args=[arrangement.carer.pk]))
    client.get(reverse("person_profile_print", args=[arrangement.person.pk]))

    assert [(v["carer"], v["person"]) for v in _logged()] == [
        (arrangement.carer.pk, None),
        (None, arrangement.person.pk),
    ]


def test_a_refused_page_is_not_logged(client, carer, other_coordinator, arrangement, other_carer_household):
    client.force_login(carer)
    assert client.get(reverse("person_history", args=[arrangement.person.pk])).status_code == 403
    assert client.get(reverse("carer_detail", args=[other_carer_household.pk])).status_code == 404
    client.force_login(other_coordinator)
    assert client.get(reverse("person_detail", args=[arrangement.person.pk])).status_code == 404

    assert _logged() == []


def test_saving_a_form_is_a_change_in_the_history_not_a_view(client, coordinator, carer_household):
    client.force_login(coordinator)
    url = reverse("carer_edit", args=[carer_household.pk])

    response = client.post(url, {"first_name": ""})  # refused: the form comes back with its error

    assert response.status_code == 200
    assert _logged() == []


def test_downloading_a_certificate_is_logged_against_the_household(client, coordinator, carer_household):
    certificate = CertificateFactory(carer=carer_household)
    client.force_login(coordinator)
    url = reverse("certificate_file", args=[certificate.pk])

    response = client.get(url)

    assert response.status_code == 200
    assert _logged() == [
        {
            "user__username": "coordinator",
            "kind": DOWNLOAD,
            "person": None,
            "carer": carer_household.pk,
            "path": url,
        }
    ]


def test_the_carer_downloading_their_own_certificate_is_logged(client, carer, carer_household):
    certificate = CertificateFactory(carer=carer_household)
    client.force_login(carer)

    client.get(reverse("certificate_file", args=[certificate.pk]))

    assert [(v["user__username"], v["kind"]) for v in _logged()] == [("carer", DOWNLOAD)]


def test_a_payment_runs_file_is_logged_as_an_export_by_the_user(client, manager, scheme):
    run = PaymentRunFactory(scheme=scheme)
    client.force_login(manager)
    url = reverse("payment_run_csv", args=[run.pk])

    response = client.get(url)

    assert response["Content-Type"].startswith("text/csv")
    # It names many carers and people: one row, against the user.
    assert _logged() == [
        {"user__username": "manager", "kind": EXPORT, "person": None, "carer": None, "path": url}
    ]


def test_the_allocations_file_is_logged_but_not_its_page(client, manager):
    client.force_login(manager)
    url = reverse("allocation_report")

    client.get(url)
    client.get(url, {"format": "csv"})

    assert [(v["kind"], v["path"]) for v in _logged()] == [(EXPORT, f"{url}?format=csv")]


def test_report_files_name_nobody_and_are_not_logged(client, manager):
    client.force_login(manager)

    response = client.get(reverse("report_at_a_glance"), {"format": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    assert _logged() == []


def test_a_panel_pack_logs_each_applicant_it_shows(client, manager, scheme):
    meeting = PanelMeetingFactory(scheme=scheme)
    applicants = [PanelItemFactory(meeting=meeting, carer__scheme=scheme).carer for _ in range(2)]
    client.force_login(manager)
    url = reverse("panel_pack", args=[meeting.pk])

    client.get(url)

    assert sorted(v["carer"] for v in _logged()) == sorted(c.pk for c in applicants)
    assert {(v["kind"], v["path"]) for v in _logged()} == {(PAGE, url)}


def test_logging_costs_one_insert_and_no_reads(client, coordinator, arrangement):
    client.force_login(coordinator)
    url = reverse("person_profile", args=[arrangement.person.pk])
    client.get(url)  # the first request of a session also records the scheme in it

    with CaptureQueriesContext(connection) as queries:
        client.get(url)

    logged = [q["sql"] for q in queries if "sharedlives_recordview" in q["sql"]]
    assert len(logged) == 1
    # (pghistory's middleware puts who is asking in front of every statement.)
    assert 'INSERT INTO "sharedlives_recordview"' in logged[0]
