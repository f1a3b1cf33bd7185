"""factory-boy factories for the core records, with British fake data."""

import datetime

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from carers.checklist import build_checklist, rules_for
from carers.models import (
    ApprovalDecision,
    ApprovalTerms,
    Assessment,
    Carer,
    CarerReview,
    CarerStatus,
    Certificate,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    Check,
    CheckKind,
    CheckStatus,
    CheckSubject,
    DecisionOutcome,
    HouseholdMember,
    PanelItem,
    PanelMeeting,
    Pet,
    Room,
    SchemeCheckSetting,
    StageChange,
    Unavailability,
)
from people.models import Contact, ContactKind, Person
from placements.models import Arrangement, ArrangementStatus
from sharedlives.choices import ArrangementKind, NeedsGroup, PetKind
from sharedlives.dates import add_months
from sharedlives.models import Membership, Role, Scheme, User

factory.Faker._DEFAULT_LOCALE = "en_GB"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("a-long-test-password")


class SchemeFactory(DjangoModelFactory):
    class Meta:
        model = Scheme

    name = factory.Sequence(lambda n: f"Shared Lives scheme {n}")
    cqc_location_id = factory.Sequence(lambda n: f"1-{100000000 + n}")


class CarerFactory(DjangoModelFactory):
    class Meta:
        model = Carer

    scheme = factory.SubFactory(SchemeFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Faker("email")
    phone = "0113 496 0000"
    address_line_1 = factory.Faker("street_address")
    town = "Leeds"
    postcode = "LS6 2AB"
    status = CarerStatus.APPROVED


class HouseholdMemberFactory(DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    carer = factory.SubFactory(CarerFactory)
    name = factory.Faker("name")
    relationship = "son"
    date_of_birth = datetime.date(2005, 3, 1)


class PetFactory(DjangoModelFactory):
    class Meta:
        model = Pet

    carer = factory.SubFactory(CarerFactory)
    kind = PetKind.DOG
    name = "Biscuit"


class RoomFactory(DjangoModelFactory):
    class Meta:
        model = Room

    carer = factory.SubFactory(CarerFactory)
    name = "Back bedroom"


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    scheme = factory.SubFactory(SchemeFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = datetime.date(1990, 6, 15)
    needs_groups = factory.LazyFunction(lambda: [NeedsGroup.LEARNING_DISABILITY])


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    person = factory.SubFactory(PersonFactory)
    kind = ContactKind.FAMILY
    name = factory.Faker("name")
    relationship = "sister"


class ArrangementFactory(DjangoModelFactory):
    class Meta:
        model = Arrangement

    scheme = factory.SubFactory(SchemeFactory)
    person = factory.SubFactory(PersonFactory, scheme=factory.SelfAttribute("..scheme"))
    carer = factory.SubFactory(CarerFactory, scheme=factory.SelfAttribute("..scheme"))
    kind = ArrangementKind.LIVE_IN
    status = ArrangementStatus.CURRENT
    start_date = datetime.date(2025, 1, 6)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    scheme = factory.SubFactory(SchemeFactory)
    role = Role.COORDINATOR


# Carer approval: checks, assessment, panel, decision, terms and reviews.


class SchemeCheckSettingFactory(DjangoModelFactory):
    """A scheme's own rule for one kind of check."""

    class Meta:
        model = SchemeCheckSetting

    scheme = factory.SubFactory(SchemeFactory)
    kind = CheckKind.GAS_SAFETY
    required = True
    renewal_months = 12


def _check_subject(check) -> str:
    if check.household_member is not None:
        return CheckSubject.MEMBER
    return CheckSubject.APPLICANT if check.kind == CheckKind.DBS else CheckSubject.HOUSEHOLD


class CheckFactory(DjangoModelFactory):
    """A satisfactory check. A DBS is the applicant's unless it names a
    household member (then it is theirs); other kinds are the household's."""

    class Meta:
        model = Check

    carer = factory.SubFactory(CarerFactory, status=CarerStatus.ASSESSMENT)
    kind = CheckKind.REFERENCE
    household_member = None
    subject = factory.LazyAttribute(_check_subject)
    status = CheckStatus.SATISFACTORY
    details = "Checked by the coordinator"
    requested_on = datetime.date(2026, 8, 3)
    received_on = datetime.date(2026, 9, 1)
    issued_on = datetime.date(2026, 9, 1)
    expires_on = None
    recorded_by = factory.SubFactory(UserFactory)


class AssessmentFactory(DjangoModelFactory):
    """A finished assessment: report written, shared, and commented on."""

    class Meta:
        model = Assessment

    carer = factory.SubFactory(CarerFactory, status=CarerStatus.ASSESSMENT)
    home_visits = 7
    report_summary = "A warm, organised household with a spare room that meets the standard."
    report_written_on = datetime.date(2026, 10, 12)
    shared_with_applicant_on = datetime.date(2026, 10, 14)
    applicant_comments = "We agree with the report."
    applicant_declined_to_comment = False


class PanelMeetingFactory(DjangoModelFactory):
    class Meta:
        model = PanelMeeting

    scheme = factory.SubFactory(SchemeFactory)
    date = factory.Sequence(lambda n: datetime.date(2026, 12, 1) + datetime.timedelta(days=n))
    location = "Civic Hall, Leeds"
    chair = "Jo Khan"
    members = "Jo Khan, independent chair\nSam Reid, Shared Lives carer\nAmir Shah, social worker"


class PanelItemFactory(DjangoModelFactory):
    """An applicant on a panel's agenda; no recommendation yet."""

    class Meta:
        model = PanelItem

    carer = factory.SubFactory(CarerFactory, status=CarerStatus.PANEL)
    meeting = factory.SubFactory(PanelMeetingFactory, scheme=factory.SelfAttribute("..carer.scheme"))
    recommendation = ""
    reasons = ""
    conditions = ""


class ApprovalDecisionFactory(DjangoModelFactory):
    class Meta:
        model = ApprovalDecision

    carer = factory.SubFactory(CarerFactory)
    outcome = DecisionOutcome.APPROVE
    decided_by = factory.SubFactory(UserFactory)
    decided_on = datetime.date(2026, 1, 5)
    reasons = "The panel's recommendation, and a strong assessment."


class ApprovalTermsFactory(DjangoModelFactory):
    """Terms in force (no end date) from the decision's date."""

    class Meta:
        model = ApprovalTerms

    carer = factory.SubFactory(CarerFactory)
    decision = factory.SubFactory(ApprovalDecisionFactory, carer=factory.SelfAttribute("..carer"))
    kinds = factory.LazyFunction(lambda: [ArrangementKind.LIVE_IN, ArrangementKind.SHORT_BREAKS])
    max_people = 2
    needs_groups = factory.LazyFunction(lambda: [NeedsGroup.LEARNING_DISABILITY, NeedsGroup.AUTISM])
    conditions = ""
    starts_on = factory.SelfAttribute("decision.decided_on")
    ends_on = None


class StageChangeFactory(DjangoModelFactory):
    class Meta:
        model = StageChange

    carer = factory.SubFactory(CarerFactory, status=CarerStatus.INITIAL_VISIT)
    from_status = CarerStatus.ENQUIRY
    to_status = factory.SelfAttribute("carer.status")
    changed_by = factory.SubFactory(UserFactory)
    changed_at = factory.LazyFunction(lambda: datetime.datetime(2026, 9, 1, 10, tzinfo=datetime.UTC))
    reason = "They would like to go ahead."


class CarerReviewFactory(DjangoModelFactory):
    class Meta:
        model = CarerReview

    carer = factory.SubFactory(CarerFactory)
    due_on = datetime.date(2026, 11, 30)
    held_on = datetime.date(2026, 11, 20)
    reviewer = factory.SubFactory(UserFactory)
    findings = "The household continues to meet the standards."
    carer_views = "We are enjoying it and would like to offer short breaks too."
    home_safety_checked = True
    next_due_on = factory.LazyAttribute(lambda review: add_months(review.held_on, 12))


def complete_required_checks(
    carer: Carer, today: datetime.date | None = None, recorded_by=None
) -> list[Check]:
    """A satisfactory, in-date record for every check ``carer`` needs before
    panel (by the scheme's rules, on ``today``), issued a month before."""
    today = today or timezone.localdate()
    recorded_by = recorded_by or UserFactory()
    rules = rules_for(carer.scheme)
    issued = today - datetime.timedelta(days=30)
    made = []
    for item in build_checklist(carer, today, rules).outstanding:
        renewal = rules[item.kind].renewal_months
        for _ in range(item.needed - item.complete_count):
            made.append(
                CheckFactory(
                    carer=carer,
                    kind=item.kind,
                    subject=item.subject,
                    household_member=item.household_member,
                    requested_on=issued - datetime.timedelta(days=21),
                    received_on=issued,
                    issued_on=issued,
                    expires_on=add_months(issued, renewal) if renewal else None,
                    recorded_by=recorded_by,
                )
            )
    return made


def applicant_with_checks_complete(
    scheme=None, *, status=CarerStatus.ASSESSMENT, today=None, assessment=True, **fields
) -> Carer:
    """An applicant with every required check complete and (unless
    ``assessment=False``) a finished assessment: ready to go to panel."""
    carer = CarerFactory(scheme=scheme or SchemeFactory(), status=status, **fields)
    complete_required_checks(carer, today)
    if assessment:
        AssessmentFactory(carer=carer)
    return carer


# The carers' portal: changes they ask for, dates away, certificates.


class ChangeRequestFactory(DjangoModelFactory):
    """A new pet, waiting for the scheme to accept it."""

    class Meta:
        model = ChangeRequest

    carer = factory.SubFactory(CarerFactory)
    kind = ChangeKind.ADD_PET
    status = ChangeStatus.PENDING
    before = factory.LazyFunction(dict)
    after = factory.LazyFunction(lambda: {"Kind": "Cat", "Name": "Pepper", "Notes": "—"})
    data = factory.LazyFunction(lambda: {"kind": "cat", "name": "Pepper"})
    proposed_by = factory.SubFactory(UserFactory)
    proposed_at = factory.LazyFunction(lambda: datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC))


class UnavailabilityFactory(DjangoModelFactory):
    class Meta:
        model = Unavailability

    carer = factory.SubFactory(CarerFactory)
    starts_on = datetime.date(2026, 12, 20)
    ends_on = datetime.date(2027, 1, 3)
    note = "Family holiday"


class CertificateFactory(DjangoModelFactory):
    """A DBS update certificate, not yet verified. Tests that make one set
    settings.UPLOADS_ROOT to a temporary folder first."""

    class Meta:
        model = Certificate

    carer = factory.SubFactory(CarerFactory)
    kind = CheckKind.DBS
    file = factory.LazyFunction(lambda: ContentFile(b"%PDF-1.4 test", name="dbs.pdf"))
    original_name = "dbs.pdf"
    content_type = "application/pdf"
    size = len(b"%PDF-1.4 test")
    uploaded_by = factory.SubFactory(UserFactory)
