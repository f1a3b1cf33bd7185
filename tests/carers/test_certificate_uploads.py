"""Misuse of the certificate upload: files are taken by what their content
is, never by their name or the browser's word; a file past the size limit is
refused without being kept; stored names are random; and a file goes back
only to its household and their scheme's staff, as a download the browser
must not second-guess."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from carers.forms.portal import file_name_as_shown
from carers.models import Certificate, CheckKind
from sharedlives.uploads import TooBigUpload
from tests.sharedlives.pages import Page

NOW = dt.datetime(2026, 11, 22, 10, tzinfo=ZoneInfo("Europe/London"))
UPLOAD = reverse("portal_certificates")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
# The start of a Windows program, and of a web page with a script.
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
WEB_PAGE = b"<!doctype html><script>alert(document.cookie)</script>"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def uploads(settings):
    return settings.UPLOADS_ROOT  # a temporary folder of the test's own (tests/conftest.py)


def _stored_files(uploads) -> list:
    return [path for path in uploads.rglob("*") if path.is_file()] if uploads.exists() else []


def _upload(client, content, name="certificate.pdf", content_type="application/pdf", **data):
    data = {"kind": CheckKind.GAS_SAFETY, "file": SimpleUploadedFile(name, content, content_type), **data}
    return client.post(UPLOAD, data)


def _error(response) -> str:
    return Page(response).error_for("file")


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (PROGRAM, "gas safety.pdf", "application/pdf"),
        (PROGRAM, "photo.jpg", "image/jpeg"),
        (WEB_PAGE, "scan.png", "image/png"),
        (b"", "empty.pdf", "application/pdf"),
    ],
)
def test_a_file_that_is_not_a_pdf_or_a_photo_is_refused_whatever_it_is_called(
    client, carer, uploads, content, name, content_type
):
    client.force_login(carer)

    response = _upload(client, content, name, content_type)

    assert response.status_code == 200
    assert _error(response) in (
        "This file is not a PDF or a photo (JPEG, PNG or HEIC). Choose another.",
        "The submitted file is empty.",
    )
    assert not Certificate.objects.exists()
    assert _stored_files(uploads) == []


def test_a_file_over_the_limit_is_refused_with_its_size_and_not_kept(client, carer, uploads, settings):
    settings.UPLOAD_MAX_BYTES = 2048
    client.force_login(carer)

    response = _upload(client, PDF + b"0" * 5000)

    assert response.status_code == 200
    assert _error(response) == (
        "This file is too big (4.9 KB): the most we can take is 2 KB. Try a smaller photo, or a PDF."
    )
    assert "up to 2 KB" in Page(response).main_text
    assert not Certificate.objects.exists()
    assert _stored_files(uploads) == []


def test_a_file_of_exactly_the_limit_is_kept(client, carer, uploads, settings):
    settings.UPLOAD_MAX_BYTES = 2048
    client.force_login(carer)

    response = _upload(client, PDF + b"0" * (2048 - len(PDF)))

    assert response.status_code == 302
    assert Certificate.objects.get().size == 2048


def test_past_the_limit_the_upload_is_not_read_into_memory_or_a_temporary_file(settings):
    settings.UPLOAD_MAX_BYTES = 2048
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 1_000_000, content_type="application/pdf")
    request = RequestFactory().post(UPLOAD, {"kind": "dbs", "file": big})

    upload = request.FILES["file"]

    assert isinstance(upload, TooBigUpload)
    assert upload.size == len(PDF) + 1_000_000
    assert upload.file is None  # nothing of its content was kept


def test_stored_names_are_random_and_say_nothing_of_the_file(client, carer, carer_household):
    client.force_login(carer)

    for _ in range(2):
        _upload(client, PDF, name="Asha Patel DBS.pdf", kind=CheckKind.DBS)

    names = [c.file.name for c in Certificate.objects.all()]
    assert len(set(names)) == 2
    for name in names:
        assert re.fullmatch(rf"certificates/{carer_household.pk}/[0-9a-f]{{32}}\.pdf", name)
    assert [c.original_name for c in Certificate.objects.all()] == ["Asha Patel DBS.pdf"] * 2


def test_a_photo_called_pdf_is_kept_and_served_as_the_photo_it_is(client, carer):
    client.force_login(carer)
    _upload(client, PNG, name="gas safety.pdf", content_type="application/pdf")
    certificate = Certificate.objects.get()

    response = client.get(reverse("certificate_file", args=[certificate.pk]))

    assert certificate.file.name.endswith(".png")
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG


def test_a_name_that_would_read_backwards_is_shown_as_it_is_stored(client, carer):
    client.force_login(carer)

    _upload(client, PDF, name="invoice\u202egpj.exe")

    assert Certificate.objects.get().original_name == "invoicegpj.exe"


def test_a_name_that_would_split_a_header_is_one_line():
    assert file_name_as_shown("C:\\scans\\gas\r\nSet-Cookie: a=b.pdf") == "gas Set-Cookie: a=b.pdf"
    assert file_name_as_shown("\x00\x1b") == "certificate"


@pytest.fixture
def certificate(client, carer):
    client.force_login(carer)
    _upload(client, PDF, name="gas safety.pdf")
    client.logout()
    return Certificate.objects.get()


@pytest.mark.parametrize("role", ["carer", "coordinator", "manager"])
def test_the_file_is_a_download_the_browser_must_not_second_guess(client, certificate, role, request):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("certificate_file", args=[certificate.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="gas safety.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("outsider", ["other_carer", "other_coordinator"])
def test_another_household_or_scheme_cannot_find_the_file(client, certificate, outsider, request):
    client.force_login(request.getfixturevalue(outsider))

    response = client.get(reverse("certificate_file", args=[certificate.pk]))

    assert response.status_code == 404
    assert not response.streaming
