"""Certificates carers upload: served only to the carer who owns them and to
their scheme's staff, shown on the approval tab next to the check they
support, and marked verified by the staff."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carers.models import Certificate, CheckKind
from tests.factories import HouseholdMemberFactory, UserFactory
from tests.sharedlives.pages import Page

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 22, 10, tzinfo=LONDON)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path, monkeypatch):
    """Uploads go to a temporary folder, never into var/. The storage is made
    when the model loads, so it is pointed there as well as the setting."""
    settings.UPLOADS_ROOT = tmp_path
    monkeypatch.setattr(Certificate._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))
    return tmp_path


def _certificate(carer, uploaded_by, kind=CheckKind.DBS, name="DBS update.pdf", content=PDF, **extra):
    return Certificate.objects.create(
        carer=carer,
        kind=kind,
        file=SimpleUploadedFile(name, content, content_type="application/pdf"),
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        uploaded_by=uploaded_by,
        **extra,
    )


@pytest.fixture
def certificate(carer_household, carer):
    return _certificate(carer_household, carer, note="The update service check from this week.")


def _file_url(certificate):
    return reverse("certificate_file", args=[certificate.pk])


def _verify_url(certificate):
    return reverse("certificate_verify", args=[certificate.pk])


# --- The file ---


def test_the_file_is_stored_outside_the_web_root_under_a_name_that_reveals_nothing(certificate, uploads):
    stored = uploads / certificate.file.name
    assert stored.read_bytes() == PDF
    assert "DBS" not in certificate.file.name
    assert certificate.file.name.endswith(".pdf")


def test_the_carer_can_download_their_own_certificate(client, carer, certificate):
    client.force_login(carer)

    response = client.get(_file_url(certificate))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="DBS update.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"].split(", ")


@pytest.mark.parametrize("role", ["coordinator", "manager"])
def test_the_schemes_staff_can_download_it(client, certificate, role, request):
    client.force_login(request.getfixturevalue(role))

    response = client.get(_file_url(certificate))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_another_carer_of_the_same_scheme_cannot_find_it(client, other_carer, certificate):
    client.force_login(other_carer)

    assert client.get(_file_url(certificate)).status_code == 404


def test_another_schemes_coordinator_cannot_find_it(client, other_coordinator, certificate):
    client.force_login(other_coordinator)

    assert client.get(_file_url(certificate)).status_code == 404


def test_a_file_missing_from_the_disk_is_not_found_rather_than_an_error(
    client, coordinator, certificate, uploads
):
    (uploads / certificate.file.name).unlink()
    client.force_login(coordinator)

    assert client.get(_file_url(certificate)).status_code == 404


def test_an_image_is_served_as_the_image_it_is_but_still_as_a_download(client, carer, carer_household):
    photo = Certificate.objects.create(
        carer=carer_household,
        kind=CheckKind.GAS_SAFETY,
        file=SimpleUploadedFile("gas safety.jpg", b"\xff\xd8\xff\xe0 a photo", content_type="image/jpeg"),
        original_name="gas safety.jpg",
        content_type="image/jpeg",
        size=13,
        uploaded_by=carer,
    )
    client.force_login(carer)

    response = client.get(_file_url(photo))

    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment;")


def test_the_file_takes_no_post(client, carer, certificate):
    client.force_login(carer)

    assert client.post(_file_url(certificate)).status_code == 405


# --- Verifying ---


def test_a_coordinator_marks_a_certificate_verified(client, coordinator, carer_household, certificate):
    client.force_login(coordinator)

    response = client.post(_verify_url(certificate))

    assert response.status_code == 302
    assert response["Location"] == reverse("carer_approval", args=[carer_household.pk]) + "#checklist"
    certificate.refresh_from_db()
    assert (certificate.verified_by, certificate.verified_at) == (coordinator, NOW)
    assert Page(client.get(response["Location"])).messages == [
        "Done: Verified the certificate from Asha Patel (Enhanced DBS with adults' barred list). "
        "Record the check it supports, if you have not yet, so it counts."
    ]


def test_verifying_twice_says_who_already_did(client, coordinator, manager, certificate):
    client.force_login(manager)
    client.post(_verify_url(certificate))
    client.force_login(coordinator)

    response = client.post(_verify_url(certificate))

    certificate.refresh_from_db()
    assert certificate.verified_by == manager
    assert (
        Page(client.get(response["Location"]))
        .messages[-1]
        .endswith(f"{manager.display_name} has already verified it, on 22 Nov 2026.")
    )


def test_a_carer_cannot_verify_their_own_certificate(client, carer, certificate):
    client.force_login(carer)

    assert client.post(_verify_url(certificate)).status_code == 403
    certificate.refresh_from_db()
    assert certificate.verified_at is None


def test_another_schemes_coordinator_cannot_verify_it(client, other_coordinator, certificate):
    client.force_login(other_coordinator)

    assert client.post(_verify_url(certificate)).status_code == 404
    certificate.refresh_from_db()
    assert certificate.verified_at is None


def test_verifying_is_posted_only(client, coordinator, certificate):
    client.force_login(coordinator)

    response = client.get(_verify_url(certificate))

    assert response.status_code == 405
    assert response["Allow"] == "POST"


# --- On the approval tab ---


def _checklist_row(page, label):
    section = page.find("section", id="checklist")
    return next(e for e in section.iter() if e.tag == "tr" and e.first("th").text == label)


def test_a_certificate_waiting_to_be_verified_is_shown_next_to_its_check(
    client, coordinator, carer, carer_household, certificate
):
    client.force_login(coordinator)

    page = Page(client.get(reverse("carer_approval", args=[carer_household.pk])))

    row = _checklist_row(page, "Enhanced DBS with barred list: Asha Patel")
    assert (
        "Certificate to verify: Enhanced DBS with adults' barred list, "
        f"uploaded by {carer.display_name} on 22 Nov 2026" in row.text
    )
    assert "Their note: The update service check from this week." in row.text
    view = next(e for e in row.iter() if e.tag == "a" and e.text.startswith("View"))
    assert view.attrs["href"] == _file_url(certificate)
    form = next(
        e for e in row.iter() if e.tag == "form" and e.attrs.get("action") == _verify_url(certificate)
    )
    assert form.first("button").text.startswith("Mark verified")


def test_a_dbs_certificate_is_shown_once_however_many_dbs_checks(
    client, coordinator, carer_household, certificate
):
    HouseholdMemberFactory(carer=carer_household, name="Sam Patel", date_of_birth=dt.date(2000, 1, 1))
    client.force_login(coordinator)

    page = Page(client.get(reverse("carer_approval", args=[carer_household.pk])))

    assert page.main_text.count("Certificate to verify") == 1


def test_a_certificate_for_a_check_not_on_the_list_is_shown_below_it(
    client, coordinator, carer, carer_household
):
    first_aid = _certificate(carer_household, carer, kind=CheckKind.FIRST_AID, name="First aid.pdf")
    client.force_login(coordinator)

    page = Page(client.get(reverse("carer_approval", args=[carer_household.pk])))

    assert "Other certificates to verify" in page.main_text
    assert page.find("a", href=_file_url(first_aid)) is not None


def test_a_verified_certificate_is_no_longer_shown_to_verify(
    client, coordinator, carer_household, certificate
):
    client.force_login(coordinator)
    client.post(_verify_url(certificate))

    page = Page(client.get(reverse("carer_approval", args=[carer_household.pk])))

    assert "Certificate to verify" not in page.main_text


def test_the_tab_costs_the_same_queries_however_many_certificates(client, coordinator, carer_household):
    # The certificates and who uploaded them are one prefetch.
    _certificate(carer_household, UserFactory())
    client.force_login(coordinator)
    url = reverse("carer_approval", args=[carer_household.pk])
    client.get(url)  # the first page of a session also saves the scheme chosen
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    for kind in (CheckKind.HOME_INSURANCE, CheckKind.GAS_SAFETY, CheckKind.FIRST_AID, CheckKind.DBS):
        _certificate(carer_household, UserFactory(), kind=kind)
    with CaptureQueriesContext(connection) as many:
        page = Page(client.get(url))

    assert page.main_text.count("Certificate to verify") == 5
    assert len(many) == len(few)
