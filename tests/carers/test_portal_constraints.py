"""The database refuses portal records that break the rules, whatever code
writes them: a change whose status does not fit its kind, a decision with no
one behind it, overlapping dates away, and certificates that are too big, of
the wrong type, or half verified."""

import datetime as dt
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from carers.models import (
    CERTIFICATE_KINDS,
    Certificate,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    CheckKind,
    Unavailability,
)
from carers.models.portal import CERTIFICATE_CONTENT_TYPES, CERTIFICATE_MAX_BYTES
from tests.factories import (
    CarerFactory,
    CertificateFactory,
    ChangeRequestFactory,
    UnavailabilityFactory,
    UserFactory,
)

K, S = ChangeKind, ChangeStatus
DECIDED_AT = dt.datetime(2026, 11, 22, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    """Uploaded files go to a folder of the test's own."""
    settings.UPLOADS_ROOT = tmp_path / "uploads"
    return settings.UPLOADS_ROOT


def _refused(constraint: str):
    """Expect the database to refuse a write, naming the rule it breaks."""
    return pytest.raises(IntegrityError, match=constraint)


def _make(factory, **fields):
    with transaction.atomic():
        return factory(**fields)


# --- Changes ---


@pytest.mark.parametrize("kind", [K.CONTACT, K.INTERESTS, K.AVAILABILITY])
@pytest.mark.parametrize("status", [S.PENDING, S.ACCEPTED, S.DECLINED])
def test_a_change_done_at_once_is_never_left_waiting_or_decided(db, kind, status):
    decided = {} if status == S.PENDING else {"decided_by": UserFactory(), "decided_at": DECIDED_AT}

    with _refused("change_status_fits_kind"):
        _make(ChangeRequestFactory, kind=kind, status=status, reason="Because.", **decided)


@pytest.mark.parametrize("kind", [K.ADD_PET, K.REMOVE_MEMBER, K.CHANGE_ROOM, K.SMOKING])
def test_a_change_the_scheme_relies_on_is_never_marked_done(db, kind):
    with _refused("change_status_fits_kind"):
        _make(ChangeRequestFactory, kind=kind, status=S.DONE)


def test_a_contact_change_done_at_once_and_a_pet_change_waiting_are_kept(db):
    _make(ChangeRequestFactory, kind=K.CONTACT, status=S.DONE)
    _make(ChangeRequestFactory, kind=K.ADD_PET, status=S.PENDING)

    assert ChangeRequest.objects.count() == 2


@pytest.mark.parametrize("status", [S.ACCEPTED, S.DECLINED])
@pytest.mark.parametrize("missing", ["decided_by", "decided_at", "both"])
def test_a_decision_says_who_made_it_and_when(db, status, missing):
    decided = {"decided_by": UserFactory(), "decided_at": DECIDED_AT}
    for name in ("decided_by", "decided_at") if missing == "both" else (missing,):
        decided[name] = None

    with _refused("change_decided_iff_accepted_or_declined"):
        _make(ChangeRequestFactory, status=status, reason="We visited.", **decided)


@pytest.mark.parametrize(("kind", "status"), [(K.ADD_PET, S.PENDING), (K.CONTACT, S.DONE)])
def test_a_change_with_no_decision_names_no_decider(db, kind, status):
    with _refused("change_decided_iff_accepted_or_declined"):
        _make(ChangeRequestFactory, kind=kind, status=status, decided_by=UserFactory(), decided_at=DECIDED_AT)


def test_a_declined_change_says_why(db):
    with _refused("change_declined_has_reason"):
        _make(ChangeRequestFactory, status=S.DECLINED, decided_by=UserFactory(), decided_at=DECIDED_AT)


def test_an_accepted_change_needs_no_reason(db):
    change = _make(ChangeRequestFactory, status=S.ACCEPTED, decided_by=UserFactory(), decided_at=DECIDED_AT)

    assert change.reason == ""


@pytest.mark.parametrize(("field", "value"), [("kind", "move_house"), ("status", "lost")])
def test_a_change_has_a_known_kind_and_status(db, field, value):
    with _refused(f"change_{field}_valid"):
        _make(ChangeRequestFactory, **{field: value})


# --- Dates away ---


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [
        (dt.date(2026, 12, 20), dt.date(2027, 1, 3)),  # the same dates
        (dt.date(2026, 12, 24), dt.date(2026, 12, 27)),  # inside
        (dt.date(2026, 12, 1), dt.date(2026, 12, 20)),  # ends on the first day
        (dt.date(2027, 1, 3), dt.date(2027, 1, 10)),  # starts on the last day
        (dt.date(2026, 12, 1), dt.date(2027, 2, 1)),  # around
    ],
)
def test_one_households_dates_away_never_overlap(db, starts_on, ends_on):
    carer = CarerFactory()
    _make(UnavailabilityFactory, carer=carer, starts_on=dt.date(2026, 12, 20), ends_on=dt.date(2027, 1, 3))

    with _refused("unavailability_no_overlap"):
        _make(UnavailabilityFactory, carer=carer, starts_on=starts_on, ends_on=ends_on)

    assert Unavailability.objects.filter(carer=carer).count() == 1


def test_dates_away_back_to_back_are_kept(db):
    carer = CarerFactory()
    _make(UnavailabilityFactory, carer=carer, starts_on=dt.date(2026, 12, 20), ends_on=dt.date(2027, 1, 3))

    _make(UnavailabilityFactory, carer=carer, starts_on=dt.date(2027, 1, 4), ends_on=dt.date(2027, 1, 4))

    assert Unavailability.objects.filter(carer=carer).count() == 2


def test_two_households_can_be_away_on_the_same_dates(db):
    first, second = CarerFactory(), CarerFactory(scheme=CarerFactory().scheme)
    dates = {"starts_on": dt.date(2026, 12, 20), "ends_on": dt.date(2027, 1, 3)}

    _make(UnavailabilityFactory, carer=first, **dates)
    _make(UnavailabilityFactory, carer=second, **dates)

    assert Unavailability.objects.count() == 2


def test_the_last_day_away_is_not_before_the_first(db):
    with _refused("unavailability_ends_after_it_starts"):
        _make(UnavailabilityFactory, starts_on=dt.date(2026, 12, 20), ends_on=dt.date(2026, 12, 19))


# --- Certificates ---


def test_a_certificate_is_kept_in_the_uploads_folder_under_a_name_that_reveals_nothing(db, _uploads):
    certificate = _make(CertificateFactory)

    path = Path(certificate.file.path)
    assert path.is_relative_to(_uploads)
    assert path.read_bytes() == b"%PDF-1.4 test"
    assert certificate.file.name.startswith(f"certificates/{certificate.carer_id}/")
    assert path.suffix == ".pdf"
    assert "dbs" not in path.name


def test_a_certificate_of_10_mb_exactly_is_kept(db):
    certificate = _make(CertificateFactory, size=CERTIFICATE_MAX_BYTES)

    assert CERTIFICATE_MAX_BYTES == 10 * 1024 * 1024
    assert Certificate.objects.get(pk=certificate.pk).size == CERTIFICATE_MAX_BYTES


def test_a_certificate_over_10_mb_is_refused(db):
    with _refused("certificate_at_most_10mb"):
        _make(CertificateFactory, size=CERTIFICATE_MAX_BYTES + 1)


@pytest.mark.parametrize("content_type", CERTIFICATE_CONTENT_TYPES)
def test_a_pdf_or_an_image_is_kept(db, content_type):
    certificate = _make(CertificateFactory, content_type=content_type)

    assert certificate.pk is not None


@pytest.mark.parametrize(
    "content_type", ["text/html", "application/zip", "image/svg+xml", "application/msword", ""]
)
def test_a_certificate_of_another_type_is_refused(db, content_type):
    with _refused("certificate_pdf_or_image"):
        _make(CertificateFactory, content_type=content_type)


def test_a_certificate_is_for_something_a_carer_can_upload(db):
    assert CheckKind.REFERENCE not in CERTIFICATE_KINDS

    with _refused("certificate_kind_valid"):
        _make(CertificateFactory, kind=CheckKind.REFERENCE)


@pytest.mark.parametrize(
    "verified",
    [
        {"verified_at": DECIDED_AT},
        {"verified_by": "user"},
    ],
    ids=["at-without-by", "by-without-at"],
)
def test_a_verified_certificate_says_who_verified_it_and_when(db, verified):
    if verified.get("verified_by") == "user":
        verified = {"verified_by": UserFactory()}

    with _refused("certificate_verified_by_and_at"):
        _make(CertificateFactory, **verified)


def test_a_certificate_verified_by_someone_at_a_time_is_kept(db):
    certificate = _make(CertificateFactory, verified_by=UserFactory(), verified_at=timezone.now())

    assert not Certificate.objects.unverified().filter(pk=certificate.pk).exists()
