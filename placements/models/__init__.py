"""Referrals, matching, arrangements, bookings and rates."""

from placements.models.arrangements import (
    OPEN_STATUSES,
    STAYING_KINDS,
    Arrangement,
    ArrangementStatus,
    BookingStatus,
    DaySession,
    EndReason,
    ShortBreakBooking,
)
from placements.models.matching import MatchingSettings, PostcodeLocation
from placements.models.rates import PaymentRate, RateAmount, RateKind
from placements.models.referrals import (
    CLOSED_REFERRAL_STAGES,
    MATCHING_STAGES,
    OPEN_REFERRAL_STAGES,
    Answer,
    Funder,
    Introduction,
    IntroductionKind,
    IntroductionStatus,
    Proposal,
    Referral,
    ReferralSource,
    ReferralStage,
    ReferralStageChange,
    WantedSession,
    WantedStay,
)
from sharedlives.ranges import Range  # noqa: F401 (migrations name it here)

__all__ = [
    "CLOSED_REFERRAL_STAGES",
    "MATCHING_STAGES",
    "OPEN_REFERRAL_STAGES",
    "OPEN_STATUSES",
    "STAYING_KINDS",
    "Answer",
    "Arrangement",
    "ArrangementStatus",
    "BookingStatus",
    "DaySession",
    "EndReason",
    "Funder",
    "Introduction",
    "IntroductionKind",
    "IntroductionStatus",
    "MatchingSettings",
    "PaymentRate",
    "PostcodeLocation",
    "Proposal",
    "RateAmount",
    "RateKind",
    "Referral",
    "ReferralSource",
    "ReferralStage",
    "ReferralStageChange",
    "ShortBreakBooking",
    "WantedSession",
    "WantedStay",
]
