"""Everything the scheme holds about one person or one carer household, as a
tree of record kinds: the subject access export reads it, and the retention
command (``anonymise_expired``) anonymises along it.

Each branch names the records of one model that belong to the records of
its parent, through one foreign key. A branch marked ``anonymise=KEEP`` is
exported but left alone when the subject is anonymised, because the records
belong to someone else first: a household's arrangements are the people's
records, and go when each person's retention period ends."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.db.models import Q

from carers.models import (
    ApprovalDecision,
    ApprovalTerms,
    Assessment,
    Carer,
    CarerReview,
    Certificate,
    ChangeRequest,
    Check,
    HouseholdMember,
    PanelItem,
    Pet,
    Room,
    StageChange,
    Unavailability,
)
from people.models import Contact, OnePageProfile, Person
from placements.models import (
    Absence,
    Arrangement,
    ArrangementReview,
    CqcNotification,
    DaySession,
    Feedback,
    Incident,
    Introduction,
    MonitoringVisit,
    PaymentLine,
    PaymentProblem,
    Proposal,
    Referral,
    ReferralStageChange,
    ReviewAction,
    ShortBreakBooking,
    WantedSession,
    WantedStay,
)
from sharedlives.models import Membership

# What anonymising does to a branch's records.
SCRUB = "scrub"  # keep the row (for the counts), empty what identifies anyone
DELETE = "delete"  # remove the row (its history is scrubbed)
KEEP = "keep"  # exported, not anonymised with this subject


@dataclass(frozen=True, eq=False)
class Branch:
    key: str  # the JSON key, stable
    title: str  # the heading in the readable export
    model: type
    link: str | None  # the foreign key to the parent branch's records
    children: tuple["Branch", ...] = ()
    anonymise: str = SCRUB
    # Only these of the branch's records are anonymised with the subject
    # (an incident about a household and a person goes with the person).
    only: Q | None = None
    # Extra values for the export, for records whose foreign keys say little.
    extra: Callable | None = None
    select_related: tuple[str, ...] = ()


def certificate_path(certificate) -> str:
    """Where an uploaded certificate is in the subject access ZIP (its stored
    name is random and says nothing)."""
    return f"files/certificate-{certificate.pk}{PurePosixPath(certificate.file.name).suffix}"


def _certificate_file(certificate) -> dict:
    return {"file_in_export": certificate_path(certificate) if certificate.file else None}


def _login_details(membership) -> dict:
    user = membership.user
    return {
        "username": user.username,
        "name": user.get_full_name(),
        "email": user.email,
        "last_login": user.last_login,
        "is_active": user.is_active,
    }


INCIDENTS = Branch(
    "incidents",
    "Incidents",
    Incident,
    "person",
    children=(Branch("cqc_notifications", "CQC notification", CqcNotification, "incident"),),
)

PERSON = Branch(
    "person",
    "The person",
    Person,
    None,
    children=(
        Branch("contacts", "Contacts", Contact, "person", anonymise=DELETE),
        Branch("one_page_profile", "One-page profile", OnePageProfile, "person", anonymise=DELETE),
        Branch(
            "referrals",
            "Referrals",
            Referral,
            "person",
            children=(
                Branch("stage_changes", "Stages", ReferralStageChange, "referral"),
                Branch("wanted_stays", "Dates wanted for a stay", WantedStay, "referral"),
                Branch("wanted_sessions", "Days and times wanted", WantedSession, "referral"),
                Branch(
                    "proposals",
                    "Carers proposed",
                    Proposal,
                    "referral",
                    children=(Branch("introductions", "Introductions", Introduction, "proposal"),),
                ),
            ),
        ),
        Branch(
            "arrangements",
            "Arrangements",
            Arrangement,
            "person",
            children=(
                Branch("bookings", "Short-break bookings", ShortBreakBooking, "arrangement"),
                Branch("day_sessions", "Day-support sessions", DaySession, "arrangement"),
                Branch("absences", "Nights away", Absence, "arrangement"),
                Branch(
                    "reviews",
                    "Reviews",
                    ArrangementReview,
                    "arrangement",
                    children=(Branch("actions", "Actions", ReviewAction, "review"),),
                ),
                Branch("visits", "Monitoring visits", MonitoringVisit, "arrangement"),
                Branch("payment_lines", "Payments to the carer", PaymentLine, "arrangement"),
                Branch("payment_problems", "Payment problems", PaymentProblem, "arrangement"),
            ),
        ),
        INCIDENTS,
        Branch("feedback", "Compliments and complaints", Feedback, "person"),
    ),
)

# Incidents, feedback and payments about a household and nobody else; those
# that name a person (or their arrangement) go with that person's records.
NO_PERSON = Q(person__isnull=True)

HOUSEHOLD = Branch(
    "household",
    "The household",
    Carer,
    None,
    children=(
        Branch("members", "Household members", HouseholdMember, "carer"),
        Branch("pets", "Pets", Pet, "carer"),
        Branch("rooms", "Rooms", Room, "carer"),
        Branch("checks", "Checks and training", Check, "carer"),
        Branch("assessment", "Assessment", Assessment, "carer"),
        Branch("stage_changes", "Stages", StageChange, "carer"),
        Branch("panel_items", "Approval panels", PanelItem, "carer"),
        Branch("decisions", "Approval decisions", ApprovalDecision, "carer"),
        Branch("terms", "Approval terms", ApprovalTerms, "carer"),
        Branch("reviews", "Annual reviews", CarerReview, "carer"),
        Branch("change_requests", "Changes asked for in the portal", ChangeRequest, "carer"),
        Branch(
            "certificates",
            "Certificates uploaded",
            Certificate,
            "carer",
            anonymise=DELETE,
            extra=_certificate_file,
        ),
        Branch("unavailability", "Dates away", Unavailability, "carer"),
        Branch(
            "logins",
            "Portal logins",
            Membership,
            "carer",
            anonymise=KEEP,
            extra=_login_details,
            select_related=("user",),
        ),
        Branch("arrangements", "Arrangements", Arrangement, "carer", anonymise=KEEP),
        Branch(
            "incidents",
            "Incidents",
            Incident,
            "carer",
            only=NO_PERSON,
            children=(Branch("cqc_notifications", "CQC notification", CqcNotification, "incident"),),
        ),
        Branch("feedback", "Compliments and complaints", Feedback, "carer", only=NO_PERSON),
        Branch(
            "payment_lines",
            "Payments",
            PaymentLine,
            "carer",
            only=NO_PERSON & Q(arrangement__isnull=True),
        ),
    ),
)


def walk(branch: Branch):
    """``branch`` and every branch below it, parents first."""
    yield branch
    for child in branch.children:
        yield from walk(child)
