"""The decisive test of retention: a unique string is planted in every text
field of every record held about a person and about a carer household (and,
through an edit and a removal, in the history of changes too); after
``anonymise_expired`` no column of any table in the database still holds
one of them, and no uploaded file is left."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessLog
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, models
from django.utils import timezone

from carers.models import CarerStatus, Recommendation
from people.models import Person
from placements.models import (
    ArrangementStatus,
    IntroductionStatus,
    LineKind,
    PaymentLine,
    PaymentProblem,
    ReferralStage,
    ReferralStageChange,
    RunStatus,
)
from sharedlives.choices import ArrangementKind
from sharedlives.models import RecordView, Role
from tests.factories import (
    AbsenceFactory,
    ApprovalTermsFactory,
    ArrangementFactory,
    ArrangementReviewFactory,
    AssessmentFactory,
    CarerFactory,
    CarerReviewFactory,
    CertificateFactory,
    ChangeRequestFactory,
    CheckFactory,
    ContactFactory,
    CqcNotificationFactory,
    DaySessionFactory,
    FeedbackFactory,
    HouseholdMemberFactory,
    IncidentFactory,
    IntroductionFactory,
    MembershipFactory,
    MonitoringVisitFactory,
    OnePageProfileFactory,
    PanelItemFactory,
    PaymentRunFactory,
    PersonFactory,
    PetFactory,
    ProposalFactory,
    RateAmountFactory,
    ReferralFactory,
    ReviewActionFactory,
    RoomFactory,
    ShortBreakBookingFactory,
    StageChangeFactory,
    UnavailabilityFactory,
    UserFactory,
    WantedSessionFactory,
    WantedStayFactory,
)

TODAY = dt.datetime(2036, 6, 1, 9, tzinfo=dt.UTC)
ENDED = dt.date(2026, 11, 30)  # more than 8 years before TODAY
LEFT = dt.datetime(2027, 1, 15, 12, tzinfo=dt.UTC)  # more than 6 years before TODAY
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
# Text that is a fixed vocabulary, not anything anyone wrote.
NOT_WRITTEN = {"content_type"}


class Planter:
    """Unique strings, "PLANT-" and a short number (so that even an
    eight-character postcode takes one), and where each was planted."""

    def __init__(self):
        self.count = 0
        self.where: dict[str, str] = {}

    def new(self, where: str) -> str:
        self.count += 1
        number, digits = self.count, ""
        while number:
            number, digit = divmod(number, len(DIGITS))
            digits = DIGITS[digit] + digits
        value = f"PLANT-{digits}"
        self.where[value] = where
        return value

    def plant(self, obj) -> None:
        """A new string in every text field of ``obj`` that someone writes,
        saved (so that the history records it)."""
        model = type(obj)
        for model_field in model._meta.concrete_fields:
            where = f"{model._meta.label}.{model_field.name}"
            if model_field.is_relation or model_field.primary_key or model_field.generated:
                continue
            if isinstance(model_field, ArrayField):
                if not model_field.base_field.choices:
                    setattr(obj, model_field.name, [self.new(where)])
            elif isinstance(model_field, models.JSONField):
                empty = model_field.get_default()
                value = {"note": self.new(where)} if isinstance(empty, dict) else [self.new(where)]
                setattr(obj, model_field.name, value)
            elif isinstance(model_field, models.FileField) or model_field.name in NOT_WRITTEN:
                continue
            elif isinstance(model_field, models.CharField | models.TextField) and not model_field.choices:
                setattr(obj, model_field.name, self.new(where))
        obj.save()


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _ended(**fields):
    return ArrangementFactory(
        status=ArrangementStatus.ENDED, end_date=ENDED, end_reason="planned_move", **fields
    )


def _the_persons_records(scheme, person, household, room, run, staff) -> list:
    """A record of every kind about ``person``: the text the planter fills
    in later is "x" where a constraint needs some."""
    referral = ReferralFactory(scheme=scheme, person=person, stage=ReferralStage.ARRANGEMENT_STARTED)
    proposal = ProposalFactory(referral=referral, carer=household)
    live_in = _ended(scheme=scheme, person=person, carer=household, referral=referral, room=room)
    breaks = _ended(scheme=scheme, person=person, carer=household, kind=ArrangementKind.SHORT_BREAKS)
    day = _ended(scheme=scheme, person=person, carer=household, kind=ArrangementKind.DAY_SUPPORT)
    review = ArrangementReviewFactory(arrangement=live_in)
    incident = IncidentFactory(
        scheme=scheme,
        person=person,
        carer=household,
        arrangement=live_in,
        notifiable_events=["serious_injury"],
    )
    next_run = PaymentRunFactory(scheme=scheme, period=(dt.date(2026, 12, 1), dt.date(2027, 1, 1)))
    return [
        person,
        ContactFactory(person=person),
        OnePageProfileFactory(person=person),
        referral,
        ReferralStageChange(referral=referral, to_stage=ReferralStage.ARRANGEMENT_STARTED, changed_at=LEFT),
        WantedStayFactory(referral=referral),
        WantedSessionFactory(referral=referral),
        proposal,
        IntroductionFactory(proposal=proposal, status=IntroductionStatus.HELD, for_person="x", for_carer="x"),
        live_in,
        breaks,
        day,
        ShortBreakBookingFactory(
            arrangement=breaks, room=room, dates=(dt.date(2026, 3, 5), dt.date(2026, 3, 8))
        ),
        DaySessionFactory(arrangement=day),
        AbsenceFactory(arrangement=live_in, dates=(dt.date(2026, 6, 1), dt.date(2026, 6, 8))),
        review,
        ReviewActionFactory(review=review),
        MonitoringVisitFactory(arrangement=live_in, held_on=dt.date(2025, 2, 6), visited_by=staff, notes="x"),
        incident,
        CqcNotificationFactory(incident=incident, sent_on=dt.date(2026, 11, 3), sent_by=staff, reference="x"),
        FeedbackFactory(scheme=scheme, person=person),
        PaymentLine(
            run=run,
            carer=household,
            arrangement=live_in,
            person=person,
            kind=LineKind.LIVE_IN,
            quantity=29,
            rate_amount=RateAmountFactory(rate__scheme=scheme),
            care_payment=Decimal("900.00"),
            total=Decimal("900.00"),
            created_by=staff,
        ),
        PaymentProblem(run=next_run, arrangement=live_in),
    ]


def _the_households_records(scheme, household, room, run, staff, login) -> list:
    """A record of every kind about ``household``, and its carer's login."""
    member = HouseholdMemberFactory(carer=household)
    terms = ApprovalTermsFactory(carer=household, ends_on=dt.date(2027, 1, 15))
    resigned = {"from_status": CarerStatus.APPROVED, "to_status": CarerStatus.RESIGNED, "changed_at": LEFT}
    with_conditions = {
        "recommendation": Recommendation.APPROVE_WITH_CONDITIONS,
        "reasons": "x",
        "conditions": "x",
    }
    return [
        household,
        member,
        PetFactory(carer=household),
        room,
        CheckFactory(carer=household, household_member=member, kind="dbs"),
        AssessmentFactory(carer=household),
        StageChangeFactory(carer=household, **resigned),
        PanelItemFactory(carer=household, **with_conditions),
        terms.decision,
        terms,
        CarerReviewFactory(carer=household),
        ChangeRequestFactory(carer=household),
        UnavailabilityFactory(carer=household),
        CertificateFactory(carer=household, file=ContentFile(b"%PDF-1.4 PLANT-certificate", name="dbs.pdf")),
        IncidentFactory(scheme=scheme, carer=household),
        FeedbackFactory(scheme=scheme, carer=household),
        PaymentLine(
            run=run,
            carer=household,
            kind=LineKind.ADJUSTMENT,
            care_payment=Decimal("20.00"),
            total=Decimal("20.00"),
            reason="x",
            created_by=staff,
        ),
        login,
        EmailAddress.objects.create(user=login, email="x@example.org", primary=True, verified=True),
        Authenticator.objects.create(user=login, type=Authenticator.Type.TOTP, data={"secret": "x"}),
    ]


@pytest.fixture
def planted(scheme, manager, admin_user):
    """A person and the household they lived with, everything they hold
    planted twice over; the person's last arrangement ended in 2026, the
    household resigned in January 2027."""
    planter = Planter()
    household = CarerFactory(scheme=scheme, joint_first_name="Lee", joint_last_name="Patel")
    person = PersonFactory(scheme=scheme)
    login = UserFactory()
    MembershipFactory(user=login, scheme=scheme, role=Role.CARER, carer=household)
    room = RoomFactory(carer=household)
    run = PaymentRunFactory(scheme=scheme, period=(dt.date(2026, 11, 1), dt.date(2026, 12, 1)))
    records = _the_persons_records(scheme, person, household, room, run, manager)
    records += _the_households_records(scheme, household, room, run, manager, login)
    for obj in records * 2:  # planted once, then changed: the history holds both
        planter.plant(obj)
    ContactFactory(person=person, name=planter.new("a removed contact")).delete()
    AccessLog.objects.create(username=login.username, ip_address="127.0.0.1", user_agent="Firefox")
    # The payment run is approved: its lines are locked from now on.
    run.status, run.reviewed_by, run.reviewed_at = RunStatus.APPROVED, manager, timezone.now()
    run.approved_by, run.approved_at = manager, timezone.now()
    run.save()
    household.status, household.status_changed_at = CarerStatus.RESIGNED, LEFT
    household.save()
    person_page = f"/people/{person.pk}/?q={planter.new('RecordView.path')}"
    RecordView.objects.create(scheme=scheme, user=manager, person=person, path=person_page)
    RecordView.objects.create(scheme=scheme, user=login, carer=household, path=f"/my/?{planter.new('path')}")
    for obj in (person, household):
        LogEntry.objects.create(
            user=admin_user,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            object_repr=planter.new("LogEntry.object_repr"),
            action_flag=CHANGE,
            change_message=planter.new("LogEntry.change_message"),
        )
    return planter, person, household


def _text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_schema, c.table_name, c.column_name
            FROM information_schema.columns c
            JOIN information_schema.tables t USING (table_schema, table_name)
            WHERE t.table_type = 'BASE TABLE'
              AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
              AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'tsvector')
                   OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar', '_bpchar')))
            """
        )
        return [(f'"{schema}"."{table}"', f'"{column}"') for schema, table, column in cursor.fetchall()]


def _planted_strings_anywhere() -> list[str]:
    """Every value of every text, JSON, text-array or search column of every
    table that still holds a planted string (a search column lowercases it)."""
    found = []
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            cursor.execute(f"SELECT {column}::text FROM {table} WHERE {column}::text ILIKE %s", ["%plant-%"])
            found += [f"{table}.{column}: {value}" for (value,) in cursor.fetchall()]
    return found


def test_the_plants_are_everywhere_before(planted):
    planter, _, _ = planted

    tables = {leak.split(".", 2)[1] for leak in _planted_strings_anywhere()}

    # Every text field of every kind of record, in the records and in the
    # history of their changes, and the sign-in packages' tables.
    assert len(planter.where) > 150
    assert {'"people_person"', '"people_personevent"', '"people_contactevent"'} <= tables
    assert {'"placements_paymentline"', '"carers_certificateevent"', '"sharedlives_recordview"'} <= tables
    assert {
        '"sharedlives_user"',
        '"account_emailaddress"',
        '"mfa_authenticator"',
        '"axes_accesslog"',
    } <= tables


def test_no_planted_string_survives_anywhere_in_the_database(
    planted, settings, django_capture_on_commit_callbacks
):
    planter, person, household = planted

    with django_capture_on_commit_callbacks(execute=True):
        call_command("anonymise_expired")

    leaks = _planted_strings_anywhere()
    assert leaks == [], "\n".join(
        f"{leak} (planted in {planter.where.get(leak.rsplit(': ', 1)[1], '?')})" for leak in leaks
    )
    person.refresh_from_db()
    household.refresh_from_db()
    assert person.name == f"Anonymised person {person.pk}"
    assert household.name == f"Anonymised household {household.pk} and Anonymised joint carer"
    assert person.date_of_birth == dt.date(1990, 7, 1)
    uploads = [path for path in settings.UPLOADS_ROOT.rglob("*") if path.is_file()]
    assert uploads == []


def test_the_records_reports_count_are_kept(planted, django_capture_on_commit_callbacks):
    _, person, household = planted

    with django_capture_on_commit_callbacks(execute=True):
        call_command("anonymise_expired")

    person = Person.objects.get(pk=person.pk)
    assert sorted(person.arrangements.values_list("kind", "start_date", "end_date", "end_reason")) == sorted(
        [
            (kind, dt.date(2025, 1, 6), ENDED, "planned_move")
            for kind in ("live_in", "short_breaks", "day_support")
        ]
    )
    assert person.needs_groups == ["learning_disability"]
    assert person.referrals.get().stage == ReferralStage.ARRANGEMENT_STARTED
    assert list(household.stage_changes.values_list("to_status", "changed_at")) == [("resigned", LEFT)]
    assert household.incidents.count() == 2
    assert not person.contacts.exists() and not household.certificates.exists()
