"""Subject access: the registered manager downloads everything held about a
person or a carer household, as one ZIP of a readable page, JSON and the
uploaded files; the export is logged; nobody else can make one."""

import datetime as dt
import io
import json
import zipfile

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sharedlives.models import RecordView, RecordViewKind, Role
from tests.factories import (
    AbsenceFactory,
    ArrangementFactory,
    ArrangementReviewFactory,
    CarerFactory,
    CertificateFactory,
    CheckFactory,
    ContactFactory,
    CqcNotificationFactory,
    FeedbackFactory,
    HouseholdMemberFactory,
    IntroductionFactory,
    MembershipFactory,
    MonitoringVisitFactory,
    OnePageProfileFactory,
    PersonFactory,
    PetFactory,
    ProposalFactory,
    ReferralFactory,
    ReviewActionFactory,
    SchemeFactory,
    StageChangeFactory,
    UserFactory,
)
from tests.sharedlives.pages import Page, text

NOW = dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC)
CERTIFICATE_BYTES = b"%PDF-1.4 the household's DBS update"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def person(scheme, carer_household):
    """Sam, with a record of every kind, and one change in the history."""
    person = PersonFactory(scheme=scheme, first_name="Sam", last_name="Okafor", notes="Likes early nights")
    ContactFactory(person=person, name="Jo Okafor", relationship="sister")
    OnePageProfileFactory(person=person, important_to_me="Football on the radio")
    referral = ReferralFactory(scheme=scheme, person=person, referrer_name="Priya Shah")
    proposal = ProposalFactory(referral=referral, carer=carer_household, carer_reason="")
    IntroductionFactory(proposal=proposal, notes="Tea at the Patels' house")
    arrangement = ArrangementFactory(scheme=scheme, person=person, carer=carer_household, notes="Settled in")
    review = ArrangementReviewFactory(arrangement=arrangement, person_views="I like my room a lot")
    ReviewActionFactory(review=review, what="Find a swimming club")
    MonitoringVisitFactory(arrangement=arrangement)
    AbsenceFactory(arrangement=arrangement, note="Holiday in Whitby")
    CqcNotificationFactory(
        incident__scheme=scheme, incident__person=person, incident__what_happened="Slipped in the bath"
    )
    FeedbackFactory(scheme=scheme, person=person, summary="Thank you for Sam's new home")
    person.preferred_name = "Sammy"
    person.save()
    return person


def _post(client, name, pk):
    return client.post(reverse(name, args=[pk]))


def _unzip(response) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}


def test_the_manager_is_told_what_the_export_holds_before_downloading(client, manager, person):
    client.force_login(manager)

    response = client.get(reverse("person_export", args=[person.pk]))

    page = Page(response)
    assert response.status_code == 200
    assert "Export everything held about Sammy Okafor" in page.main_text
    assert "the history of every change to those records, and who has looked at them" in page.main_text
    assert "Download the export (ZIP)" in [b.text for b in page.root.iter() if b.tag == "button"]
    assert not RecordView.objects.filter(kind=RecordViewKind.SUBJECT_ACCESS).exists()


def test_the_manager_downloads_a_zip_of_everything_held_about_the_person(client, manager, person):
    client.force_login(manager)

    response = _post(client, "person_export", person.pk)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="subject-access-person-{person.pk}-2026-11-25.zip"'
    )
    assert "no-store" in response["Cache-Control"]
    files = _unzip(response)
    assert set(files) == {"records.html", "records.json"}
    data = json.loads(files["records.json"])
    assert data["format"] == "sharedlives-subject-access/1"
    assert data["subject"] == {"kind": "person", "id": person.pk, "name": "Sammy Okafor"}
    records = data["records"]["person"][0]
    assert records["first_name"] == "Sam"
    assert records["date_of_birth"] == "1990-06-15"
    assert [c["name"] for c in records["contacts"]] == ["Jo Okafor"]
    assert records["one_page_profile"][0]["important_to_me"] == "Football on the radio"
    referral = records["referrals"][0]
    assert referral["referrer_name"] == "Priya Shah"
    assert referral["proposals"][0]["introductions"][0]["notes"] == "Tea at the Patels' house"
    arrangement = records["arrangements"][0]
    assert arrangement["notes"] == "Settled in"
    assert arrangement["reviews"][0]["person_views"] == "I like my room a lot"
    assert arrangement["reviews"][0]["actions"][0]["what"] == "Find a swimming club"
    assert len(arrangement["visits"]) == 1
    assert arrangement["absences"][0]["dates"] == {"lower": "2026-11-02", "upper": "2026-11-05"}
    assert records["incidents"][0]["what_happened"] == "Slipped in the bath"
    assert len(records["incidents"][0]["cqc_notifications"]) == 1
    assert records["feedback"][0]["summary"] == "Thank you for Sam's new home"
    # The history holds the change of preferred name, and the records added.
    changed = [
        entry for entry in data["history"] if (entry["record"], entry["action"]) == ("Person", "changed")
    ]
    assert changed[0]["changes"] == [{"field": "Preferred name", "before": "—", "after": "Sammy"}]
    assert {entry["record"] for entry in data["history"]} >= {
        "Contact",
        "Referral",
        "Review action",
        "Incident",
    }


def test_the_readable_page_stands_alone_and_shows_the_records(client, manager, person):
    client.force_login(manager)

    html = _unzip(_post(client, "person_export", person.pk))["records.html"].decode()

    assert "<h1>Everything held about Sammy Okafor</h1>" in html
    for words in ("Jo Okafor", "Football on the radio", "I like my room a lot", "Slipped in the bath"):
        assert words in html
    assert "made on 25 Nov 2026 at 10:00 by" in " ".join(html.split())
    # Nothing fetched from elsewhere: no script, no linked file, no address.
    assert "<script" not in html and "<link" not in html and "http" not in html


def test_the_export_is_logged_as_a_subject_access_export(client, manager, person):
    client.force_login(manager)

    _post(client, "person_export", person.pk)

    view = RecordView.objects.get(kind=RecordViewKind.SUBJECT_ACCESS)
    assert (view.user, view.person, view.scheme) == (manager, person, person.scheme)


def test_the_export_names_who_has_looked_at_the_record(client, manager, coordinator, person):
    RecordView.objects.create(scheme=person.scheme, user=coordinator, person=person, path="/people/1/")
    client.force_login(manager)

    data = json.loads(_unzip(_post(client, "person_export", person.pk))["records.json"])

    assert [(v["user_id"], v["kind"]) for v in data["record_views"]] == [(coordinator.pk, "page")]


def test_a_household_export_holds_its_records_and_the_certificate_files(client, manager, carer_household):
    HouseholdMemberFactory(carer=carer_household, name="Ravi Patel")
    PetFactory(carer=carer_household, name="Biscuit")
    CheckFactory(carer=carer_household, details="DBS 001234")
    StageChangeFactory(carer=carer_household, reason="Approved at panel")
    certificate = CertificateFactory(
        carer=carer_household, file=ContentFile(CERTIFICATE_BYTES, name="dbs.pdf")
    )
    login = UserFactory(username="asha", email="asha@example.org")
    MembershipFactory(user=login, scheme=carer_household.scheme, role=Role.CARER, carer=carer_household)
    client.force_login(manager)

    response = _post(client, "carer_export", carer_household.pk)

    files = _unzip(response)
    assert files[f"files/certificate-{certificate.pk}.pdf"] == CERTIFICATE_BYTES
    records = json.loads(files["records.json"])["records"]["household"][0]
    assert records["first_name"] == "Asha"
    assert [m["name"] for m in records["members"]] == ["Ravi Patel"]
    assert [p["name"] for p in records["pets"]] == ["Biscuit"]
    assert records["checks"][0]["details"] == "DBS 001234"
    assert records["stage_changes"][0]["reason"] == "Approved at panel"
    assert records["certificates"][0]["file_in_export"] == f"files/certificate-{certificate.pk}.pdf"
    assert (records["logins"][0]["username"], records["logins"][0]["email"]) == ("asha", "asha@example.org")
    assert RecordView.objects.get(kind=RecordViewKind.SUBJECT_ACCESS).carer == carer_household


def test_a_household_export_leaves_out_other_peoples_referrals(client, manager, carer_household):
    referral = ReferralFactory(scheme=carer_household.scheme, person__first_name="Nadia")
    ProposalFactory(referral=referral, carer=carer_household, person_reason="Nadia wants a town flat")
    client.force_login(manager)

    files = _unzip(_post(client, "carer_export", carer_household.pk))

    assert "Nadia wants a town flat" not in files["records.json"].decode()
    assert "Nadia" not in files["records.html"].decode()


def test_the_export_costs_the_same_queries_however_many_records(client, manager, scheme):
    """One query for each kind of record, never one for each record."""
    few, many = PersonFactory(scheme=scheme), PersonFactory(scheme=scheme)
    for person, starts in ((few, [dt.date(2024, 1, 1)]), (many, [dt.date(2020, 1, 6), dt.date(2022, 1, 3)])):
        for start in starts:
            arrangement = ArrangementFactory(
                scheme=scheme,
                person=person,
                carer=CarerFactory(scheme=scheme),
                kind="short_breaks",
                start_date=start,
                status="ended",
                end_date=start + dt.timedelta(days=300),
                end_reason="completed",
            )
            for held_on in (start + dt.timedelta(days=40), start + dt.timedelta(days=200)):
                ReviewActionFactory(review=ArrangementReviewFactory(arrangement=arrangement, held_on=held_on))
            ContactFactory(person=person)
    client.force_login(manager)
    client.get(reverse("dashboard"))  # the first request of a session does more

    counts = []
    for person in (few, many):
        with CaptureQueriesContext(connection) as queries:
            assert _post(client, "person_export", person.pk).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


@pytest.mark.parametrize("name", ["person_export", "carer_export"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_coordinator_is_refused(client, coordinator, person, carer_household, name, method):
    client.force_login(coordinator)
    pk = person.pk if name == "person_export" else carer_household.pk

    response = getattr(client, method)(reverse(name, args=[pk]))

    assert response.status_code == 403
    assert not RecordView.objects.filter(kind=RecordViewKind.SUBJECT_ACCESS).exists()


@pytest.mark.parametrize("name", ["person_export", "carer_export"])
def test_a_carer_finds_no_export_even_of_their_own_records(client, carer, person, carer_household, name):
    client.force_login(carer)
    pk = person.pk if name == "person_export" else carer_household.pk

    assert client.get(reverse(name, args=[pk])).status_code == 404
    assert client.post(reverse(name, args=[pk])).status_code == 404


def test_another_schemes_manager_finds_nothing(client, person):
    other = UserFactory(username="york-manager")
    MembershipFactory(user=other, scheme=SchemeFactory(), role=Role.MANAGER)
    client.force_login(other)

    response = _post(client, "person_export", person.pk)

    assert response.status_code == 404
    assert "Sam" not in text(response)


def test_the_export_answers_only_get_and_post(client, manager, person):
    client.force_login(manager)

    assert client.put(reverse("person_export", args=[person.pk])).status_code == 405


def test_the_person_and_household_pages_offer_the_export_to_the_manager_only(
    client, manager, coordinator, person, carer_household
):
    client.force_login(manager)
    person_page = client.get(reverse("person_detail", args=[person.pk]))
    household_page = client.get(reverse("carer_detail", args=[carer_household.pk]))
    client.force_login(coordinator)
    coordinators_page = client.get(reverse("person_detail", args=[person.pk]))

    assert reverse("person_export", args=[person.pk]) in person_page.content.decode()
    assert reverse("carer_export", args=[carer_household.pk]) in household_page.content.decode()
    assert reverse("person_export", args=[person.pk]) not in coordinators_page.content.decode()
