"""The demo data a new user signs in to, and the benchmark data set."""

import datetime

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.contrib.auth import authenticate
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from carers.changes import accept_change
from carers.checklist import build_checklist
from carers.models import (
    APPLICANT_STATUSES,
    ApprovalDecision,
    Carer,
    CarerStatus,
    Certificate,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    Check,
    CheckKind,
    CheckStatus,
    CheckSubject,
    PanelMeeting,
    Unavailability,
)
from carers.services import ALLOWED_MOVES
from people.models import Person
from placements.models import Arrangement, ArrangementStatus
from sharedlives.choices import ArrangementKind
from sharedlives.demo_portal import pdf_document
from sharedlives.demo_second_factor import DEMO_TOTP_SECRET
from sharedlives.models import Membership, Role, Scheme

pytestmark = pytest.mark.django_db

# The demo's dates are relative to the day it is made; this is that day.
DEMO_DAY = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)
TODAY = DEMO_DAY.date()
S = CarerStatus


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path, monkeypatch):
    """The demo's certificates go to a temporary folder, not var/uploads."""
    settings.UPLOADS_ROOT = tmp_path
    # The file field made its storage when the model was imported, so that is pointed there too.
    monkeypatch.setattr(Certificate._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))
    return tmp_path


@pytest.fixture
def seeded(capsys):
    with time_machine.travel(DEMO_DAY, tick=False):
        call_command("seed_demo")
        yield capsys.readouterr().out


def leeds(**filters):
    return Carer.objects.filter(scheme__name="Leeds Shared Lives", **filters)


def with_checklist_records(carers):
    return carers.select_related("scheme").prefetch_related(
        "checks", "household_members", "scheme__check_settings"
    )


def test_every_demo_login_signs_in_with_the_demo_password(seeded):
    for username in ["manager", "coordinator", "manager2", "coordinator2", "carer", "carer2", "admin"]:
        # A request, as on the sign-in page: the lockout (django-axes) needs one.
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=username, password="sharedlives-demo") is not None, username
        assert username in seeded


def test_the_demo_staff_have_the_printed_authenticator_key_and_the_carers_none(seeded):
    staff = ["admin", "manager", "coordinator", "coordinator3", "manager2", "coordinator2"]
    with_app = Authenticator.objects.filter(type=Authenticator.Type.TOTP).select_related("user")

    assert sorted(a.user.username for a in with_app) == sorted(staff)
    assert {decrypt(a.data["secret"]) for a in with_app} == {DEMO_TOTP_SECRET}
    assert Authenticator.objects.filter(type=Authenticator.Type.RECOVERY_CODES).count() == len(staff)
    assert f"Add the key {DEMO_TOTP_SECRET} to any authenticator app" in seeded
    assert "print(totp_code('SHAREDLIVESDEMOTOTPSECRETKEY2345'))" in seeded


def test_the_scale_staff_have_the_key_too(seeded):
    with time_machine.travel(DEMO_DAY, tick=False):
        call_command("seed_demo", "--scale", "40", verbosity=0)

    scale_staff = Membership.objects.filter(user__username__startswith="scale-").exclude(role=Role.CARER)
    assert scale_staff.count() == 3  # the registered manager and two coordinators
    assert not scale_staff.exclude(user__authenticator__type=Authenticator.Type.TOTP).exists()


def test_the_demo_has_two_schemes_and_a_scheme_full_of_records(seeded):
    leeds = Scheme.objects.get(name="Leeds Shared Lives")
    assert Scheme.objects.count() == 2
    assert leeds.registered_manager.username == "manager"
    assert 35 <= leeds.carers.count() <= 45
    assert 55 <= leeds.people.count() <= 65
    assert 45 <= leeds.arrangements.count() <= 55
    assert Membership.objects.get(user__username="coordinator2").scheme != leeds


def test_the_demo_has_carers_at_every_stage_and_arrangements_of_every_kind(seeded):
    leeds = Carer.objects.filter(scheme__name="Leeds Shared Lives")
    assert set(leeds.values_list("status", flat=True)) == set(CarerStatus.values)
    kinds = Arrangement.objects.filter(scheme__name="Leeds Shared Lives").values_list("kind", flat=True)
    assert set(kinds) == set(ArrangementKind.values)


def test_the_two_demo_carers_have_different_approved_households_with_someone_living_with_them(seeded):
    households = [
        Membership.objects.get(user__username=username, role=Role.CARER).carer
        for username in ["carer", "carer2"]
    ]

    assert households[0] != households[1]
    for household in households:
        assert household.status == CarerStatus.APPROVED
        assert household.arrangements.filter(status=ArrangementStatus.CURRENT).exists()


def test_it_only_fills_an_empty_database(seeded, capsys):
    with pytest.raises(CommandError, match="already has schemes"):
        call_command("seed_demo")

    call_command("seed_demo", "--if-empty")

    output = capsys.readouterr().out
    assert "no demo data was added" in output
    assert "coordinator2" in output  # the logins are shown again
    assert Scheme.objects.count() == 2


def test_scale_adds_carers_people_and_arrangements_in_proportion(seeded):
    with time_machine.travel(DEMO_DAY, tick=False):
        call_command("seed_demo", "--scale", "40", verbosity=0)

    scale = Scheme.objects.exclude(name__in=["Leeds Shared Lives", "North Yorkshire Shared Lives"]).get()
    assert Carer.objects.filter(scheme=scale).count() == 40
    assert Person.objects.filter(scheme=scale).count() == 120
    assert Arrangement.objects.filter(scheme=scale).count() == 200


def test_scale_gives_every_carer_its_stage_and_approved_carers_terms_a_review_date_and_a_dbs_check(seeded):
    with time_machine.travel(DEMO_DAY, tick=False):
        call_command("seed_demo", "--scale", "200", verbosity=0)

    carers = Carer.objects.filter(scheme__name__startswith="Scale").prefetch_related(
        "stage_changes", "approvals", "checks"
    )
    for carer in carers:
        (change,) = carer.stage_changes.all()  # just the latest move, at scale
        assert (change.to_status, change.changed_at) == (carer.status, carer.status_changed_at)
        if carer.status in (S.APPROVED, S.SUSPENDED):
            assert [terms for terms in carer.approvals.all() if terms.ends_on is None]
            assert carer.next_review_due is not None
            assert any(check.kind == CheckKind.DBS for check in carer.checks.all())
    # Days in stage differ from household to household.
    assert len({carer.status_changed_at.date() for carer in carers}) > 100


# Approval ----------------------------------------------------------------------


def test_the_demo_has_applicants_at_every_stage_with_the_checks_their_stage_calls_for(seeded):
    assert set(leeds(status__in=APPLICANT_STATUSES).values_list("status", flat=True)) == set(
        APPLICANT_STATUSES
    )
    # Nothing is checked before the application; then references are asked for.
    assert not Check.objects.filter(carer__in=leeds(status__in=[S.ENQUIRY, S.INITIAL_VISIT])).exists()
    asked = Check.objects.filter(carer__in=leeds(status=S.APPLICATION))
    assert set(asked.values_list("status", flat=True)) == {CheckStatus.REQUESTED}


def test_applicants_at_assessment_show_checks_in_every_state(seeded):
    with time_machine.travel(DEMO_DAY, tick=False):
        checks = Check.objects.filter(carer__in=leeds(status=S.ASSESSMENT))
        statuses = set(checks.values_list("status", flat=True))
        assert {CheckStatus.SATISFACTORY, CheckStatus.REQUESTED, CheckStatus.RECEIVED} <= statuses
        # A DBS check with a concern, its risk assessment waiting for the manager's sign-off.
        concern = checks.get(status=CheckStatus.CONCERN)
        assert concern.kind == CheckKind.DBS and concern.risk_assessment and concern.needs_sign_off
        assert checks.filter(expires_on__lt=TODAY).exists()
        for carer in with_checklist_records(leeds(status=S.ASSESSMENT)):
            assert not build_checklist(carer, TODAY).complete


def test_applicants_ready_for_panel_or_at_panel_have_every_check_and_the_report_done(seeded):
    with time_machine.travel(DEMO_DAY, tick=False):
        applicants = with_checklist_records(
            Carer.objects.filter(status__in=[S.READY_FOR_PANEL, S.PANEL]).select_related("assessment")
        )
        assert len(applicants) >= 4
        for carer in applicants:
            checklist = build_checklist(carer, TODAY)
            assert checklist.complete, f"{carer}: {checklist.summary}"
            assert carer.assessment.outstanding() == [], carer


def test_every_stage_history_follows_the_allowed_moves_to_the_current_stage(seeded):
    staff = set(
        Membership.objects.filter(role__in=[Role.MANAGER, Role.COORDINATOR]).values_list("user", "scheme")
    )
    for carer in Carer.objects.prefetch_related("stage_changes"):
        changes = sorted(carer.stage_changes.all(), key=lambda change: change.changed_at)
        assert (changes[0].from_status, changes[0].to_status) == ("", S.ENQUIRY), carer
        for before, after in zip(changes, changes[1:], strict=False):
            assert after.from_status == before.to_status, carer
            assert after.to_status in ALLOWED_MOVES[before.to_status], carer
        assert changes[-1].to_status == carer.status, carer
        assert changes[-1].changed_at == carer.status_changed_at, carer
        for change in changes:
            assert change.reason and (change.changed_by_id, carer.scheme_id) in staff, carer
    # Applicants started between a few days and about six months ago.
    for carer in leeds(status__in=APPLICANT_STATUSES).prefetch_related("stage_changes"):
        started = min(change.changed_at for change in carer.stage_changes.all())
        assert DEMO_DAY - datetime.timedelta(days=200) < started < DEMO_DAY, carer


def test_declined_and_withdrawn_households_have_the_reason_in_their_history(seeded):
    for carer in leeds(status__in=[S.DECLINED, S.WITHDRAWN]):
        last = carer.stage_changes.latest("changed_at")
        assert last.to_status == carer.status and len(last.reason) > 20
    declined = leeds(status=S.DECLINED).first()
    assert declined.decisions.get().decided_by.username == "manager"


def test_every_approved_carer_has_terms_in_force_that_fit_their_arrangements(seeded):
    approved = Carer.objects.filter(status__in=[S.APPROVED, S.SUSPENDED]).select_related("scheme")
    assert approved.filter(scheme__name="North Yorkshire Shared Lives").exists()
    for carer in approved.prefetch_related("approvals__decision__decided_by", "arrangements__person"):
        (terms,) = [terms for terms in carer.approvals.all() if terms.ends_on is None]
        open_now = [a for a in carer.arrangements.all() if a.is_open]
        assert len(open_now) <= terms.max_people <= 3, carer
        assert {a.kind for a in open_now} <= set(terms.kinds), carer
        assert {group for a in open_now for group in a.person.needs_groups} <= set(terms.needs_groups)
        assert terms.decision.decided_by == carer.scheme.registered_manager, carer
        assert carer.next_review_due is not None, carer
    for carer in Carer.objects.filter(status__in=[S.RESIGNED, S.APPROVAL_ENDED]):
        assert carer.approvals.exists() and not carer.approvals.filter(ends_on__isnull=True).exists()


def test_annual_reviews_fall_due_at_different_times_and_some_have_been_held(seeded):
    due = list(leeds(status=S.APPROVED).values_list("next_review_due", flat=True))
    assert any(day < TODAY for day in due)  # overdue
    assert any(TODAY <= day <= TODAY + datetime.timedelta(days=30) for day in due)
    assert sum(day > TODAY + datetime.timedelta(days=30) for day in due) > len(due) / 2
    reviewed = leeds(reviews__isnull=False).distinct()
    assert reviewed.count() >= 3
    for carer in reviewed:
        assert carer.reviews.latest("held_on").next_due_on == carer.next_review_due


def test_approved_carers_checks_lapse_at_different_times(seeded):
    approved = Check.objects.filter(carer__in=leeds(status=S.APPROVED))
    soon = approved.filter(expires_on__range=(TODAY, TODAY + datetime.timedelta(days=31)))
    assert soon.count() >= 3
    assert 1 <= approved.filter(expires_on__lt=TODAY).count() <= 4
    assert approved.filter(kind=CheckKind.DBS, expires_on__lt=TODAY).exists()


def test_panel_meetings_past_and_upcoming_have_applicants_on_their_agendas(seeded):
    meetings = PanelMeeting.objects.filter(scheme__name="Leeds Shared Lives")
    upcoming = meetings.get(date__gt=TODAY)
    on_agenda = list(upcoming.items.all())
    assert on_agenda and all(item.carer.status == S.PANEL and not item.recommendation for item in on_agenda)
    last = meetings.filter(date__lt=TODAY).first()
    assert last.chair and len(last.member_list) >= 4
    assert all(item.recommendation and item.reasons for item in last.items.all())
    # The applicants the last panel recommended for approval were approved by the manager.
    for item in last.items.filter(carer__status=S.APPROVED):
        assert ApprovalDecision.objects.get(panel_item=item).decided_by.username == "manager"
    # One applicant waits for the manager's decision on the panel's recommendation.
    waiting = [item for item in last.items.all() if item.carer.status == S.PANEL]
    assert len(waiting) == 1 and not waiting[0].decisions.exists()
    panel_stage = set(leeds(status=S.PANEL))
    assert panel_stage == {item.carer for item in on_agenda} | {waiting[0].carer}


@pytest.mark.parametrize(
    "day",
    [
        datetime.datetime(2028, 2, 29, 9, 0, tzinfo=datetime.UTC),  # a leap day
        datetime.datetime(2026, 12, 31, 16, 0, tzinfo=datetime.UTC),
        datetime.datetime(2027, 6, 10, 12, 0, tzinfo=datetime.UTC),  # the day after a panel
    ],
)
def test_the_demo_holds_together_whatever_the_day(day, capsys):
    with time_machine.travel(day, tick=False):
        call_command("seed_demo")
        today = timezone.localdate()
        for carer in with_checklist_records(Carer.objects.filter(status__in=[S.READY_FOR_PANEL, S.PANEL])):
            assert build_checklist(carer, today).complete, carer
        for carer in Carer.objects.all():
            assert carer.stage_changes.latest("changed_at").to_status == carer.status
            assert carer.status_changed_at < timezone.now()
        assert not Carer.objects.filter(status=S.APPROVED, approvals__isnull=True).exists()


# Portal ------------------------------------------------------------------------


def household_of(username):
    return Membership.objects.select_related("carer").get(user__username=username).carer


def test_the_carer_has_changes_waiting_and_accepting_the_new_member_asks_for_a_dbs_check(seeded):
    household = household_of("carer")
    waiting = household.change_requests.pending()
    assert {ChangeKind.ADD_MEMBER, ChangeKind.ADD_PET} <= set(waiting.values_list("kind", flat=True))
    new_member = waiting.get(kind=ChangeKind.ADD_MEMBER)
    born = datetime.date.fromisoformat(new_member.data["date_of_birth"])
    assert (TODAY - born).days // 366 >= 16
    assert new_member.after["Name"] == new_member.data["name"]
    coordinator = Membership.objects.get(user=household.coordinator, scheme=household.scheme)

    with time_machine.travel(DEMO_DAY, tick=False):
        accept_change(change=new_member, membership=coordinator)

    check = household.checks.get(kind=CheckKind.DBS, household_member__name=new_member.data["name"])
    assert (check.subject, check.status) == (CheckSubject.MEMBER, CheckStatus.NOT_STARTED)


def test_the_demo_has_changes_in_every_state_answered_and_noted_by_coordinators(seeded):
    changes = ChangeRequest.objects.filter(carer__scheme__name="Leeds Shared Lives")
    assert set(changes.values_list("status", flat=True)) == set(ChangeStatus.values)
    assert household_of("carer2").change_requests.pending().filter(kind=ChangeKind.CHANGE_ROOM).exists()
    assert changes.filter(status=ChangeStatus.DECLINED).count() >= 2
    assert changes.filter(status=ChangeStatus.ACCEPTED).count() >= 2
    assert changes.unseen().exists() and changes.filter(noted_at__isnull=False).exists()
    coordinators = set(Membership.objects.filter(role=Role.COORDINATOR).values_list("user", flat=True))
    for change in changes:
        assert DEMO_DAY - datetime.timedelta(days=30) < change.proposed_at < DEMO_DAY, change
        assert change.before or change.after, change.kind  # each shows what it is about
        if change.decided_at:
            assert change.proposed_at < change.decided_at < DEMO_DAY
            assert change.decided_by_id in coordinators
        if change.status == ChangeStatus.DECLINED:
            assert len(change.reason) > 20
        if change.noted_at:
            assert change.proposed_at < change.noted_at < DEMO_DAY
    # The carers told the scheme about their own changes.
    for username in ["carer", "carer2"]:
        mine = household_of(username).change_requests.all()
        assert mine and {change.proposed_by.username for change in mine} == {username}


def test_demo_certificates_are_real_files_some_verified_and_some_waiting(seeded, uploads):
    certificates = Certificate.objects.filter(carer__in=[household_of("carer"), household_of("carer2")])
    assert certificates.count() >= 3
    assert certificates.unverified().exists() and certificates.filter(verified_at__isnull=False).exists()
    magic = {"application/pdf": b"%PDF-1.", "image/png": b"\x89PNG\r\n\x1a\n"}
    for certificate in certificates:
        with certificate.file.open("rb") as file:
            data = file.read()
        assert data.startswith(magic[certificate.content_type]), certificate.original_name
        assert len(data) == certificate.size
        assert str(uploads) in certificate.file.path
        assert certificate.uploaded_at < DEMO_DAY
        if certificate.verified_at:
            assert certificate.uploaded_at < certificate.verified_at < DEMO_DAY


def test_the_demo_pdf_has_a_cross_reference_table_that_points_at_its_objects():
    data = pdf_document(["Gas safety record", "Checked: safe to use (boiler)"])

    xref = int(data.rsplit(b"startxref\n", 1)[1].split()[0])
    assert data[xref:].startswith(b"xref\n0 6\n")
    offsets = data[xref:].split(b"\n")[3:8]
    for number, entry in enumerate(offsets, 1):
        assert data[int(entry[:10]) :].startswith(b"%d 0 obj" % number)
    assert data.endswith(b"%%EOF\n")


def test_approved_households_have_dates_away_that_never_overlap(seeded):
    away = Unavailability.objects.filter(carer__scheme__name="Leeds Shared Lives")
    assert away.values("carer").distinct().count() >= 5
    assert away.filter(starts_on__gt=TODAY).exists()
    # The database refuses overlaps (an exclusion constraint); this checks the demo kept to it.
    last_day = {}
    for stretch in away.order_by("carer", "starts_on"):
        assert stretch.starts_on > last_day.get(stretch.carer_id, datetime.date.min), stretch
        last_day[stretch.carer_id] = stretch.ends_on
    # The carers with logins gave theirs through the portal.
    told = ChangeRequest.objects.filter(kind=ChangeKind.AVAILABILITY, status=ChangeStatus.DONE)
    assert told.filter(carer=household_of("carer")).count() == household_of("carer").unavailable_dates.count()


def test_scale_gives_some_approved_carers_dates_away(seeded):
    with time_machine.travel(DEMO_DAY, tick=False):
        call_command("seed_demo", "--scale", "40", verbosity=0)

    scale = Scheme.objects.exclude(name__in=["Leeds Shared Lives", "North Yorkshire Shared Lives"]).get()
    assert Unavailability.objects.filter(carer__scheme=scale, carer__status=S.APPROVED).exists()
