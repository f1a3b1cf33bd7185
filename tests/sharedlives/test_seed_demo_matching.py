"""The demo's referrals, matching, bookings and rates, and the benchmark
scheme's in proportion."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db.models import F

from carers.models import Certificate
from people.models import OnePageProfile, Person
from placements.capacity import nights
from placements.forms.arrangements import RATE_KINDS
from placements.models import (
    OPEN_REFERRAL_STAGES,
    STAYING_KINDS,
    Answer,
    Arrangement,
    ArrangementStatus,
    BookingStatus,
    DaySession,
    Funder,
    Introduction,
    IntroductionStatus,
    MatchingSettings,
    PaymentRate,
    PostcodeLocation,
    Proposal,
    RateKind,
    Referral,
    ReferralSource,
    ReferralStage,
    ShortBreakBooking,
)
from placements.services import ALLOWED_MOVES, wanted_dates_missing
from sharedlives.choices import ArrangementKind
from sharedlives.models import Membership, Role

pytestmark = pytest.mark.django_db

DEMO_DAY = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)
TODAY = DEMO_DAY.date()
LEEDS = "Leeds Shared Lives"
R = ReferralStage
K = ArrangementKind


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path, monkeypatch):
    """The demo's certificates go to a temporary folder, not var/uploads."""
    settings.UPLOADS_ROOT = tmp_path
    monkeypatch.setattr(Certificate._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))


@pytest.fixture
def seeded():
    with time_machine.travel(DEMO_DAY, tick=False):
        call_command("seed_demo", verbosity=0)


def scale(carers: int) -> None:
    with time_machine.travel(DEMO_DAY, tick=False):
        call_command("seed_demo", "--scale", str(carers), verbosity=0)


def referrals(**filters):
    return Referral.objects.filter(**filters).select_related("person", "scheme")


def assert_history_follows_the_allowed_moves(referral, staff) -> None:
    changes = sorted(referral.stage_changes.all(), key=lambda change: change.changed_at)
    assert (changes[0].from_stage, changes[0].to_stage) == ("", R.RECEIVED), referral
    for before, after in zip(changes, changes[1:], strict=False):
        assert after.from_stage == before.to_stage, referral
        assert after.to_stage in ALLOWED_MOVES[before.to_stage], referral
    assert changes[-1].to_stage == referral.stage, referral
    assert changes[-1].changed_at == referral.stage_changed_at < DEMO_DAY, referral
    assert changes[0].changed_at.date() == referral.received_on, referral
    for change in changes:
        assert change.reason and (change.changed_by_id, referral.scheme_id) in staff, referral


def staff_of_schemes() -> set:
    return set(
        Membership.objects.filter(role__in=[Role.MANAGER, Role.COORDINATOR]).values_list("user", "scheme")
    )


# Referrals ---------------------------------------------------------------------


def test_leeds_has_referrals_in_every_stage_with_a_history_that_follows_the_allowed_moves(seeded):
    leeds = referrals(scheme__name=LEEDS).prefetch_related("stage_changes")
    assert set(leeds.values_list("stage", flat=True)) == set(ReferralStage.values)
    staff = staff_of_schemes()
    for referral in referrals().prefetch_related("stage_changes"):
        assert_history_follows_the_allowed_moves(referral, staff)


def test_closed_referrals_say_why_in_their_last_move(seeded):
    for stage in (R.DECLINED, R.WITHDRAWN, R.NO_MATCH):
        for referral in referrals(scheme__name=LEEDS, stage=stage):
            last = referral.stage_changes.latest("changed_at")
            assert last.to_stage == stage and len(last.reason) > 40, referral


def test_referrals_come_from_every_kind_of_referrer_and_every_kind_of_funder(seeded):
    demo = referrals()
    assert set(demo.values_list("source", flat=True)) >= {
        ReferralSource.SOCIAL_WORKER,
        ReferralSource.HEALTH,
        ReferralSource.FAMILY,
        ReferralSource.SELF,
    }
    assert set(demo.values_list("funder", flat=True)) >= set(Funder.values)
    for referral in demo.filter(source=ReferralSource.SOCIAL_WORKER):
        assert referral.referrer_name and "Council" in referral.referrer_organisation
        assert referral.referrer_email.endswith("@example.org")
    # The amount agreed after support planning is sometimes not what was first indicated.
    agreed = demo.filter(agreed_amount__isnull=False)
    assert agreed.filter(indicative_allocation=F("agreed_amount")).exists()
    assert agreed.exclude(indicative_allocation=F("agreed_amount")).exists()
    assert not demo.filter(stage=R.RECEIVED, agreed_amount__isnull=False).exists()


def test_referrals_past_the_assessment_visit_have_what_matching_needs(seeded):
    """Each moved to matching, so each met the guards of that move."""
    later = (R.MATCHING, R.INTRODUCTIONS, R.ARRANGEMENT_STARTED, R.NO_MATCH)
    found = referrals(stage__in=later).prefetch_related("wanted_stays", "wanted_sessions")
    assert found.count() >= 15
    for referral in found:
        assert referral.assessment_visit_on and referral.assessment_visit_on <= TODAY, referral
        assert referral.needs_summary and referral.risks and referral.funder, referral
        assert wanted_dates_missing(referral) == [], referral
    assert referrals(kind=K.SHORT_BREAKS, wanted_stays__isnull=False).exists()
    assert referrals(kind=K.DAY_SUPPORT, wanted_sessions__isnull=False).exists()


def test_started_referrals_belong_to_an_arrangement_of_the_same_person_and_kind(seeded):
    started = referrals(stage=R.ARRANGEMENT_STARTED).select_related("arrangement")
    assert started.filter(scheme__name=LEEDS).count() >= 8
    assert {r.kind for r in started} >= {K.LIVE_IN, K.SHORT_BREAKS, K.DAY_SUPPORT}
    for referral in started:
        arrangement = referral.arrangement
        assert (arrangement.person_id, arrangement.kind) == (referral.person_id, referral.kind)
        assert arrangement.status in (ArrangementStatus.CURRENT, ArrangementStatus.ENDED)
        moved = referral.stage_changes.get(to_stage=R.ARRANGEMENT_STARTED)
        assert moved.changed_at.date() == arrangement.start_date <= TODAY
    # Arrangements still planned come from referrals still open.
    planned = Arrangement.objects.filter(status=ArrangementStatus.PLANNED, referral__isnull=False)
    assert planned.exists()
    assert set(planned.values_list("referral__stage", flat=True)) <= set(OPEN_REFERRAL_STAGES)


def test_nobody_has_two_open_referrals_for_one_kind_of_arrangement(seeded):
    open_ones = list(Referral.objects.open().values_list("person", "kind"))
    assert len(open_ones) == len(set(open_ones))


# Proposals and introductions ------------------------------------------------------


def test_carers_are_proposed_with_their_score_explained_and_both_sides_answer(seeded):
    proposals = Proposal.objects.filter(referral__scheme__name=LEEDS).select_related("referral", "carer")
    assert {p.referral.stage for p in proposals} >= {R.MATCHING, R.INTRODUCTIONS, R.ARRANGEMENT_STARTED}
    answers = {(p.person_answer, p.carer_answer) for p in proposals}
    assert (Answer.WAITING, Answer.WAITING) in answers
    assert (Answer.INTERESTED, Answer.INTERESTED) in answers
    assert {Answer.NOT_INTERESTED} <= {a for pair in answers for a in pair}
    for proposal in proposals:
        assert proposal.score == sum(int(text.rsplit("(", 1)[1].split()[0]) for text in proposal.reasons)
        assert proposal.referral.received_on <= proposal.proposed_on <= TODAY
        for side in ("person", "carer"):
            answer = getattr(proposal, f"{side}_answer")
            answered_on = getattr(proposal, f"{side}_answered_on")
            assert (answered_on is None) == (answer == Answer.WAITING), proposal
            assert answered_on is None or proposal.proposed_on <= answered_on <= TODAY
            if answer == Answer.NOT_INTERESTED:
                assert len(getattr(proposal, f"{side}_reason")) > 20
    assert any(p.reasons for p in proposals)


def test_referrals_in_introductions_have_visits_held_and_planned(seeded):
    for referral in referrals(stage=R.INTRODUCTIONS).prefetch_related("proposals"):
        assert any(p.both_interested for p in referral.proposals.all()), referral
    visits = Introduction.objects.filter(proposal__referral__scheme__name=LEEDS)
    held = visits.filter(status=IntroductionStatus.HELD)
    assert held.filter(planned_for__lt=TODAY).count() >= 10
    assert not held.filter(planned_for__gte=TODAY).exists()
    assert visits.filter(status=IntroductionStatus.PLANNED, planned_for__gte=TODAY).exists()
    assert {v.kind for v in held} >= {"first_meeting", "tea_visit", "overnight", "weekend"}
    for visit in held:
        assert len(visit.for_person) > 20 and len(visit.for_carer) > 20
    for visit in visits.select_related("proposal"):
        assert visit.proposal.both_interested or visit.proposal.declined


# Bookings and sessions -----------------------------------------------------------


def test_short_breaks_are_booked_over_the_past_months_and_the_months_ahead(seeded):
    bookings = ShortBreakBooking.objects.filter(arrangement__scheme__name=LEEDS).select_related(
        "arrangement", "room"
    )
    booked = bookings.filter(status=BookingStatus.BOOKED)
    assert booked.filter(dates__fully_lt=(TODAY - datetime.timedelta(days=60), TODAY)).exists()
    assert booked.filter(dates__fully_gt=(TODAY, TODAY + datetime.timedelta(days=90))).exists()
    assert booked.filter(dates__startswith__gt=TODAY + datetime.timedelta(days=90)).exists()
    assert bookings.filter(status=BookingStatus.CANCELLED).exists()
    for booking in bookings:
        arrangement = booking.arrangement
        assert arrangement.kind == K.SHORT_BREAKS and booking.room.carer_id == arrangement.carer_id
        assert arrangement.start_date <= booking.dates.lower < booking.dates.upper
        assert arrangement.end_date is None or booking.dates.upper <= arrangement.end_date
        assert booking.booked_at < DEMO_DAY


def test_no_room_is_booked_twice_and_no_household_has_more_staying_than_its_terms_allow(seeded):
    """The database refuses both; this checks the demo's spread of stays
    fills some households to the limit without going over it."""
    by_room = {}
    for booking in ShortBreakBooking.objects.booked().order_by("room", "dates"):
        assert booking.dates.lower >= by_room.get(booking.room_id, datetime.date.min), booking
        by_room[booking.room_id] = booking.dates.upper
    carers = {a.carer for a in Arrangement.objects.filter(kind=K.SHORT_BREAKS).select_related("carer")}
    full = 0
    with time_machine.travel(DEMO_DAY, tick=False):
        for carer in carers:
            span = (TODAY - datetime.timedelta(days=180), TODAY + datetime.timedelta(days=180))
            for night in nights(carer, *span):
                assert night.people <= (night.allowed or 3), (carer, night)
                full += night.people == night.allowed
    assert full > 0


def test_live_in_people_have_a_room_of_their_own(seeded):
    taken = {}
    stays = Arrangement.objects.filter(kind__in=STAYING_KINDS, room__isnull=False).order_by(
        "room", "start_date"
    )
    assert stays.filter(kind=K.LIVE_IN, status=ArrangementStatus.CURRENT).count() >= 10
    for stay in stays:
        assert stay.room.carer_id == stay.carer_id
        assert stay.start_date >= taken.get(stay.room_id, datetime.date.min), stay
        taken[stay.room_id] = stay.end_date or datetime.date.max


def test_day_support_arrangements_meet_every_week(seeded):
    for arrangement in Arrangement.objects.filter(kind=K.DAY_SUPPORT).prefetch_related("day_sessions"):
        sessions = list(arrangement.day_sessions.all())
        assert sessions, arrangement
        assert all(2 <= session.hours <= 8 for session in sessions)


# Agreements and rates ------------------------------------------------------------


def test_started_arrangements_have_their_agreements_and_live_in_ones_their_rent(seeded):
    started = Arrangement.objects.exclude(status=ArrangementStatus.PLANNED)
    for arrangement in started:
        assert arrangement.agreement_recorded_on <= arrangement.start_date, arrangement
    for arrangement in started.filter(kind=K.LIVE_IN):
        assert arrangement.licence_recorded_on <= arrangement.start_date
        assert Decimal(85) <= arrangement.weekly_rent <= Decimal(140)
    assert not started.exclude(kind=K.LIVE_IN).filter(weekly_rent__isnull=False).exists()


def test_each_scheme_has_rates_of_every_kind_with_their_history(seeded):
    for name in (LEEDS, "North Yorkshire Shared Lives"):
        rates = PaymentRate.objects.filter(scheme__name=name).prefetch_related("amounts")
        assert {rate.kind for rate in rates} == set(RateKind.values)
        for rate in rates:
            now = rate.amount_on(TODAY)
            assert now is not None, rate
            if rate.kind == RateKind.LIVE_IN_WEEKLY:
                assert 370 <= now.weekly_total <= 590, rate
            elif rate.kind == RateKind.SHORT_BREAK_NIGHTLY:
                assert 57 <= now.amount <= 85, rate
            else:
                assert now.session_hours and now.extra_person_uplift, rate
        # An uplift part-way: an older amount ended, a newer one in force.
        uplifted = [rate for rate in rates if len(rate.amounts.all()) > 1]
        assert len(uplifted) >= 3
        for rate in uplifted:
            older, newer = sorted(rate.amounts.all(), key=lambda amount: amount.effective_from)[-2:]
            assert older.effective_to < TODAY
            assert older.effective_to + datetime.timedelta(days=1) == newer.effective_from
    sessional = PaymentRate.objects.filter(scheme__name=LEEDS, kind=RateKind.DAY_SUPPORT_SESSION)
    assert {rate.amount_on(TODAY).amount for rate in sessional} == {
        Decimal("35"),
        Decimal("52.50"),
        Decimal("70"),
    }


def test_arrangements_are_paid_by_a_rate_of_their_kind(seeded):
    arrangements = Arrangement.objects.select_related("payment_rate")
    assert arrangements.filter(payment_rate__isnull=False).count() > arrangements.count() * 0.8
    for arrangement in arrangements.filter(payment_rate__isnull=False):
        assert arrangement.payment_rate.kind in RATE_KINDS[arrangement.kind], arrangement
        assert arrangement.payment_rate.scheme_id == arrangement.scheme_id


# Profiles and places ---------------------------------------------------------------


def test_most_people_have_a_one_page_profile_in_their_own_words(seeded):
    people = Person.objects.filter(scheme__name=LEEDS)
    profiles = OnePageProfile.objects.filter(person__in=people)
    assert profiles.count() >= people.count() * 0.7
    for profile in profiles:
        assert not profile.is_empty and profile.written_with and profile.written_on <= TODAY
        # In the first person.
        assert {"I", "I'm", "I've"} & set(profile.like_and_admire.split()), profile.like_and_admire
    assert profiles.filter(important_to_me__contains="Leeds United").exists()
    assert profiles.filter(how_to_support_me__contains="time to answer").exists()


def test_the_postcodes_people_and_carers_use_are_on_the_map_and_schemes_have_matching_settings(seeded):
    known = set(PostcodeLocation.objects.values_list("postcode", flat=True))
    postcodes = set(Person.objects.exclude(postcode="").values_list("postcode", flat=True))
    assert postcodes and postcodes <= known
    leeds = PostcodeLocation.objects.filter(postcode__startswith="LS")
    assert all(53.6 < location.latitude < 54.0 and -1.9 < location.longitude < -1.3 for location in leeds)
    settings = dict(MatchingSettings.objects.values_list("scheme__name", "max_distance_miles"))
    assert settings[LEEDS] == 25 and settings["North Yorkshire Shared Lives"] == 40


# The benchmark scheme ------------------------------------------------------------


def test_scale_adds_referrals_bookings_and_sessions_in_proportion(seeded):
    scale(200)

    name = "Scale test scheme 1 (200 carers)"
    found = referrals(scheme__name=name).prefetch_related("stage_changes")
    assert found.count() == 600 // 15
    assert len({r.stage for r in found}) >= 6
    staff = staff_of_schemes()
    for referral in found:
        assert_history_follows_the_allowed_moves(referral, staff)
    assert Proposal.objects.filter(referral__scheme__name=name).exists()
    bookings = ShortBreakBooking.objects.filter(arrangement__scheme__name=name)
    assert bookings.filter(dates__startswith__gt=TODAY).count() > 50
    assert DaySession.objects.filter(arrangement__scheme__name=name).count() > 100
    assert (
        PaymentRate.objects.filter(scheme__name=name).count()
        == PaymentRate.objects.filter(scheme__name=LEEDS).count()
    )
    assert not OnePageProfile.objects.filter(person__scheme__name=name).exists()  # the small demo's only
