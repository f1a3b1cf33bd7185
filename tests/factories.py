"""factory-boy factories for the core records, with British fake data."""

import datetime
from decimal import Decimal

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
from people.models import Contact, ContactKind, OnePageProfile, Person
from placements.models import (
    Absence,
    AbsenceReason,
    Answer,
    Arrangement,
    ArrangementReview,
    ArrangementStatus,
    CqcNotification,
    DaySession,
    Feedback,
    FeedbackKind,
    Funder,
    Incident,
    IncidentCategory,
    Introduction,
    IntroductionKind,
    Involvement,
    MonitoringVisit,
    PaymentRate,
    PaymentRun,
    PostcodeLocation,
    Proposal,
    RateAmount,
    RateKind,
    Referral,
    ReferralSource,
    ReferralStage,
    ReviewAction,
    ShortBreakBooking,
    WantedSession,
    WantedStay,
)
from sharedlives.choices import ArrangementKind, NeedsGroup, PetKind
from sharedlives.dates import add_months
from sharedlives.models import Membership, ReminderDigest, Role, Scheme, User
from tests.second_factor import register_totp

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
    agreement_recorded_on = factory.SelfAttribute("start_date")
    licence_recorded_on = factory.LazyAttribute(
        lambda a: a.start_date if a.kind == ArrangementKind.LIVE_IN else None
    )
    weekly_rent = factory.LazyAttribute(
        lambda a: Decimal("110.00") if a.kind == ArrangementKind.LIVE_IN else None
    )


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    scheme = factory.SubFactory(SchemeFactory)
    role = Role.COORDINATOR

    @factory.post_generation
    def second_factor(membership, create, extracted, **kwargs):
        """Staff have set up their authenticator app, as they must before
        using the app (tests/second_factor.py); ``second_factor=False`` for
        one who has not yet."""
        if create and membership.role != Role.CARER and extracted is not False:
            register_totp(membership.user)


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


# Referrals, matching, bookings and rates.


class OnePageProfileFactory(DjangoModelFactory):
    class Meta:
        model = OnePageProfile

    person = factory.SubFactory(PersonFactory)
    like_and_admire = "I make people laugh and I always remember birthdays."
    important_to_me = "Seeing my sister on Sundays. Football on the radio. My own room."
    how_to_support_me = "Give me time to answer. Tell me what is happening today, in the morning."
    written_with = "my sister Jo"
    written_on = datetime.date(2026, 10, 1)


class ReferralFactory(DjangoModelFactory):
    """A live-in referral ready for matching: every guard before matching met."""

    class Meta:
        model = Referral

    scheme = factory.SubFactory(SchemeFactory)
    person = factory.SubFactory(PersonFactory, scheme=factory.SelfAttribute("..scheme"))
    kind = ArrangementKind.LIVE_IN
    stage = ReferralStage.MATCHING
    received_on = datetime.date(2026, 10, 1)
    source = ReferralSource.SOCIAL_WORKER
    referrer_name = "Priya Shah"
    referrer_organisation = "Leeds City Council adult social care"
    wanted_from = datetime.date(2027, 1, 4)
    needs_summary = "Needs prompting with personal care and support with money and appointments."
    risks = "Can become anxious in crowds; a calm home and warning of changes help."
    funder = Funder.COUNCIL
    indicative_allocation = Decimal("450.00")
    assessment_visit_on = datetime.date(2026, 10, 9)


class WantedStayFactory(DjangoModelFactory):
    class Meta:
        model = WantedStay

    referral = factory.SubFactory(ReferralFactory, kind=ArrangementKind.SHORT_BREAKS, wanted_from=None)
    dates = (datetime.date(2027, 2, 5), datetime.date(2027, 2, 8))


class WantedSessionFactory(DjangoModelFactory):
    class Meta:
        model = WantedSession

    referral = factory.SubFactory(ReferralFactory, kind=ArrangementKind.DAY_SUPPORT, wanted_from=None)
    weekday = 2
    starts_at = datetime.time(10, 0)
    ends_at = datetime.time(15, 0)


class ProposalFactory(DjangoModelFactory):
    class Meta:
        model = Proposal

    referral = factory.SubFactory(ReferralFactory)
    carer = factory.SubFactory(CarerFactory, scheme=factory.SelfAttribute("..referral.scheme"))
    proposed_on = datetime.date(2026, 10, 20)
    proposed_by = factory.SubFactory(UserFactory)
    person_answer = Answer.WAITING
    carer_answer = Answer.WAITING


class IntroductionFactory(DjangoModelFactory):
    class Meta:
        model = Introduction

    proposal = factory.SubFactory(
        ProposalFactory, person_answer=Answer.INTERESTED, carer_answer=Answer.INTERESTED
    )
    kind = IntroductionKind.FIRST_MEETING
    planned_for = datetime.date(2026, 11, 2)
    recorded_by = factory.SubFactory(UserFactory)


class ShortBreakBookingFactory(DjangoModelFactory):
    """Three nights in the carer's room. Pass ``arrangement`` and ``room``
    of one carer; the booking's carer follows the arrangement."""

    class Meta:
        model = ShortBreakBooking

    arrangement = factory.SubFactory(ArrangementFactory, kind=ArrangementKind.SHORT_BREAKS)
    carer = factory.SelfAttribute("arrangement.carer")
    room = factory.SubFactory(RoomFactory, carer=factory.SelfAttribute("..arrangement.carer"))
    dates = (datetime.date(2027, 3, 5), datetime.date(2027, 3, 8))
    booked_by = factory.SubFactory(UserFactory)


class DaySessionFactory(DjangoModelFactory):
    class Meta:
        model = DaySession

    arrangement = factory.SubFactory(ArrangementFactory, kind=ArrangementKind.DAY_SUPPORT)
    weekday = 1
    starts_at = datetime.time(10, 0)
    ends_at = datetime.time(14, 0)


class PaymentRateFactory(DjangoModelFactory):
    class Meta:
        model = PaymentRate

    scheme = factory.SubFactory(SchemeFactory)
    kind = RateKind.LIVE_IN_WEEKLY
    name = factory.Sequence(lambda n: f"Live-in band {n}")


class RateAmountFactory(DjangoModelFactory):
    """A live-in band's weekly amounts from 1 Apr 2026."""

    class Meta:
        model = RateAmount

    rate = factory.SubFactory(PaymentRateFactory)
    effective_from = datetime.date(2026, 4, 1)
    care_payment = Decimal("310.00")
    rent = Decimal("110.00")
    household_contribution = Decimal("60.00")


class PostcodeLocationFactory(DjangoModelFactory):
    class Meta:
        model = PostcodeLocation
        django_get_or_create = ["postcode"]

    postcode = "LS6 2AB"
    latitude = Decimal("53.81900")
    longitude = Decimal("-1.57100")


# Monitoring: reviews, visits, incidents, compliments and complaints.


class ArrangementReviewFactory(DjangoModelFactory):
    class Meta:
        model = ArrangementReview

    arrangement = factory.SubFactory(ArrangementFactory)
    held_on = datetime.date(2025, 2, 17)
    due_on = factory.SelfAttribute("held_on")
    reviewer = factory.SubFactory(UserFactory)
    attendees = factory.LazyFunction(lambda: ["person", "carer", "coordinator"])
    involvement = Involvement.SPOKE_FOR_THEMSELVES
    person_views = "I like living here. I want to go swimming more."
    working = "Settled well; enjoys the garden."
    next_review_on = factory.LazyAttribute(lambda r: add_months(r.held_on, 12))


class ReviewActionFactory(DjangoModelFactory):
    class Meta:
        model = ReviewAction

    review = factory.SubFactory(ArrangementReviewFactory)
    what = "Find a swimming club with a changing places toilet"
    who = "The carer"
    due_on = factory.LazyAttribute(lambda a: a.review.held_on + datetime.timedelta(days=28))


class MonitoringVisitFactory(DjangoModelFactory):
    class Meta:
        model = MonitoringVisit

    arrangement = factory.SubFactory(ArrangementFactory)
    due_on = factory.LazyAttribute(lambda v: add_months(v.arrangement.start_date, 1))


class IncidentFactory(DjangoModelFactory):
    class Meta:
        model = Incident

    scheme = factory.SubFactory(SchemeFactory)
    occurred_at = factory.LazyFunction(lambda: timezone.make_aware(datetime.datetime(2026, 11, 2, 14, 30)))
    category = IncidentCategory.ACCIDENT
    what_happened = "Tripped on the garden step and grazed a knee."
    recorded_by = factory.SubFactory(UserFactory)


class CqcNotificationFactory(DjangoModelFactory):
    class Meta:
        model = CqcNotification

    incident = factory.SubFactory(IncidentFactory, notifiable_events=["serious_injury"])
    scheme = factory.SelfAttribute("incident.scheme")
    reasons = factory.SelfAttribute("incident.notifiable_events")
    due_from = factory.SelfAttribute("incident.occurred_at")


class FeedbackFactory(DjangoModelFactory):
    class Meta:
        model = Feedback

    scheme = factory.SubFactory(SchemeFactory)
    kind = FeedbackKind.COMPLIMENT
    received_on = datetime.date(2026, 11, 3)
    from_whom = "Jo Bell, sister"
    summary = "Thank you for finding Sam such a lovely home."
    recorded_by = factory.SubFactory(UserFactory)


class ReminderDigestFactory(DjangoModelFactory):
    class Meta:
        model = ReminderDigest

    membership = factory.SubFactory(MembershipFactory)
    sent_on = datetime.date(2026, 11, 25)
    item_count = 3


# Payments: nights away, and payment runs.


class AbsenceFactory(DjangoModelFactory):
    class Meta:
        model = Absence

    arrangement = factory.SubFactory(ArrangementFactory)
    dates = (datetime.date(2026, 11, 2), datetime.date(2026, 11, 5))
    reason = AbsenceReason.HOLIDAY
    recorded_by = factory.SubFactory(UserFactory)


class PaymentRunFactory(DjangoModelFactory):
    """A draft run for November 2026, with no lines (the services work them out)."""

    class Meta:
        model = PaymentRun

    scheme = factory.SubFactory(SchemeFactory)
    period = (datetime.date(2026, 11, 1), datetime.date(2026, 12, 1))
    created_by = factory.SubFactory(UserFactory)
    calculated_at = factory.LazyFunction(timezone.now)


def approved_carer(scheme, *, kinds=None, max_people=2, needs_groups=None, starts_on=None, **fields) -> Carer:
    """An approved household with terms in force (live-in and short breaks,
    two people, learning disability and autism, unless told otherwise)."""
    carer = CarerFactory(scheme=scheme, status=CarerStatus.APPROVED, **fields)
    terms = {"carer": carer, "max_people": max_people}
    if kinds is not None:
        terms["kinds"] = kinds
    if needs_groups is not None:
        terms["needs_groups"] = needs_groups
    if starts_on is not None:
        terms["decision__decided_on"] = starts_on
    ApprovalTermsFactory(**terms)
    return carer
