"""The matching workflow: a referral's stages, proposals and introductions,
and starting and ending arrangements and their short-break bookings.

Every change of a referral's stage goes through ``move_referral``; the
other services record a step of the work and call it when the step moves
the referral on. Each runs in one transaction and locks the rows two
coordinators could race for."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from carers.checklist import lapsed_required, training_outstanding
from carers.models import Carer, CarerStatus, Room, Unavailability
from people.models import Person
from placements.capacity import describe_full_nights, full_nights
from placements.incidents import record_death
from placements.matching import Exclusion, rank_carers
from placements.models import (
    MATCHING_STAGES,
    OPEN_STATUSES,
    STAYING_KINDS,
    Answer,
    Arrangement,
    ArrangementStatus,
    BookingStatus,
    EndReason,
    Introduction,
    IntroductionStatus,
    MatchingSettings,
    MonitoringSettings,
    Proposal,
    Referral,
    ReferralStage,
    ReferralStageChange,
    ShortBreakBooking,
)
from placements.monitoring import schedule_monitoring, stop_monitoring
from sharedlives.choices import ArrangementKind, NeedsGroup
from sharedlives.workflow import Move, WorkflowRefused

R = ReferralStage

# The allowed moves: from each stage, the stages it may go to next.
ALLOWED_MOVES = {
    R.RECEIVED: (R.ASSESSMENT_VISIT, R.DECLINED, R.WITHDRAWN),
    R.ASSESSMENT_VISIT: (R.MATCHING, R.DECLINED, R.WITHDRAWN),
    R.MATCHING: (R.INTRODUCTIONS, R.ARRANGEMENT_STARTED, R.NO_MATCH, R.WITHDRAWN),
    R.INTRODUCTIONS: (R.ARRANGEMENT_STARTED, R.MATCHING, R.NO_MATCH, R.WITHDRAWN),
    # When a new carer is approved, a referral with no match can be matched again.
    R.NO_MATCH: (R.MATCHING,),
    R.ARRANGEMENT_STARTED: (),
    R.DECLINED: (),
    R.WITHDRAWN: (),
}

# Moves that happen as part of another step, not from the stage buttons.
MADE_BY_ANOTHER_STEP = {
    (R.MATCHING, R.ARRANGEMENT_STARTED): "Start the arrangement from its page.",
    (R.INTRODUCTIONS, R.ARRANGEMENT_STARTED): "Start the arrangement from its page.",
}

# How long the horizon is when checking room for an arrangement with no end.
OPEN_ENDED_HORIZON = datetime.timedelta(days=730)


def _is_staff_of(membership, record) -> bool:
    """The views check access first; the services check again so that no
    other caller can act on another scheme's records."""
    return membership is not None and membership.is_staff_role and membership.scheme_id == record.scheme_id


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


# Referrals ----------------------------------------------------------------


def referral_move_reasons(referral: Referral, to: str, membership) -> list[str]:
    """Why ``referral`` cannot move to ``to`` now (empty if it can). Prefetch
    ``wanted_stays``, ``wanted_sessions`` and ``proposals`` for many."""
    if not _is_staff_of(membership, referral):
        return ["Only the staff of this person's scheme can move the referral."]
    frm = referral.stage
    if to not in ALLOWED_MOVES.get(frm, ()):
        return [f"A referral cannot go from {R(frm).label.lower()} to {R(to).label.lower()}."]
    reasons = []
    if to == R.MATCHING and frm == R.ASSESSMENT_VISIT:
        if not referral.assessment_visit_on:
            reasons.append("The date of the assessment visit has not been recorded.")
        if not referral.needs_summary.strip():
            reasons.append("The needs assessment summary has not been recorded.")
        if not referral.risks.strip():
            reasons.append("The risks have not been recorded (write “none known” if there are none).")
        if not referral.funder:
            reasons.append("Who pays has not been recorded.")
        reasons.extend(wanted_dates_missing(referral))
    if to == R.INTRODUCTIONS and not any(p.both_interested for p in referral.proposals.all()):
        reasons.append("No carer has been proposed that both the person and the carer are interested in.")
    if to == R.ARRANGEMENT_STARTED and not (
        hasattr(referral, "arrangement") and referral.arrangement.status == ArrangementStatus.CURRENT
    ):
        reasons.append("No arrangement from this referral has started.")
    return reasons


def wanted_dates_missing(referral: Referral) -> list[str]:
    """What the referral still needs to say about when support is wanted."""
    if referral.kind == ArrangementKind.SHORT_BREAKS:
        if not referral.wanted_stays.all():
            return ["No dates for short breaks have been given."]
    elif referral.kind == ArrangementKind.DAY_SUPPORT:
        if not referral.wanted_sessions.all():
            return ["No days and hours for day support have been given."]
    elif not referral.wanted_from:
        return ["The date it is wanted from has not been given."]
    return []


def available_referral_moves(referral: Referral, membership) -> list[Move]:
    """Every next stage from where ``referral`` is, each with why it is not yet allowed."""
    return [
        Move(
            to=to,
            label=R(to).label,
            reasons=referral_move_reasons(referral, to, membership),
            via=MADE_BY_ANOTHER_STEP.get((referral.stage, to), ""),
        )
        for to in ALLOWED_MOVES.get(referral.stage, ())
    ]


def _locked_referral(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("person", "scheme")
        .prefetch_related("wanted_stays", "wanted_sessions", "proposals")
        .get(pk=referral.pk)
    )


@transaction.atomic
def move_referral(
    *, referral: Referral, to: str, membership, reason: str, expected_from: str | None = None
) -> ReferralStageChange:
    """Move a referral to another stage. Staff of its scheme may call it;
    ``referral_move_reasons`` holds the guards. ``expected_from`` is the
    stage the user saw: if someone else moved it meanwhile, the move is
    refused rather than made twice."""
    locked = _locked_referral(referral)
    if expected_from and locked.stage != expected_from:
        raise WorkflowRefused(
            [
                f"Someone else has just moved this referral to {locked.get_stage_display().lower()}. "
                "Check its history below, then try again if you still need to."
            ]
        )
    if not reason.strip():
        raise WorkflowRefused(["Say why the referral is moving to this stage."])
    reasons = referral_move_reasons(locked, to, membership)
    if reasons:
        raise WorkflowRefused(reasons)
    now = timezone.now()
    change = ReferralStageChange.objects.create(
        referral=locked,
        from_stage=locked.stage,
        to_stage=to,
        changed_by=membership.user,
        changed_at=now,
        reason=reason.strip(),
    )
    locked.stage, locked.stage_changed_at = to, now
    locked.version += 1
    try:
        with transaction.atomic():
            locked.save(update_fields=["stage", "stage_changed_at", "version", "updated_at"])
    except IntegrityError:
        # Reopening a referral when the person has another open one of this kind.
        raise WorkflowRefused(
            [f"{locked.person} already has another open referral for {locked.get_kind_display().lower()}."]
        ) from None
    referral.stage, referral.stage_changed_at, referral.version = to, now, locked.version
    return change


@transaction.atomic
def receive_referral(*, referral: Referral, membership) -> Referral:
    """Save a new referral (built by the form, not yet saved) and record the
    first stage, so its history starts at "referral received"."""
    if not _is_staff_of(membership, referral):
        raise WorkflowRefused(["Only the staff of this person's scheme can record a referral."])
    referral.stage = R.RECEIVED
    referral.stage_changed_at = timezone.now()
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:
        raise WorkflowRefused(
            [f"{referral.person} already has an open referral for {referral.get_kind_display().lower()}."]
        ) from None
    ReferralStageChange.objects.create(
        referral=referral,
        from_stage="",
        to_stage=R.RECEIVED,
        changed_by=membership.user,
        changed_at=referral.stage_changed_at,
        reason=received_reason(referral),
    )
    return referral


def received_reason(referral: Referral) -> str:
    """The first line of a referral's history: who referred, and when."""
    # Lower the first letter only: "health (hospital, GP, community team)".
    return f"Referred by {_lower_first(referral.get_source_display())} on {referral.received_on:%-d %b %Y}."


# Proposals and introductions ---------------------------------------------


@transaction.atomic
def propose_carer(*, referral: Referral, carer: Carer, membership, proposed_on: datetime.date) -> Proposal:
    """Suggest a carer to the person (and the person to the carer), keeping
    the matching score and its reasons as they are on ``proposed_on``. The
    referral must be in matching or introductions, and no hard rule of
    matching may leave the carer out."""
    locked = _locked_referral(referral)
    if not _is_staff_of(membership, locked) or carer.scheme_id != locked.scheme_id:
        raise WorkflowRefused(["Only the staff of this person's scheme can propose a carer."])
    if locked.stage not in MATCHING_STAGES:
        raise WorkflowRefused(
            [f"Carers are proposed while matching; this referral is at {locked.get_stage_display().lower()}."]
        )
    standing = rank_carers(locked, proposed_on).match_for(carer)
    if isinstance(standing, Exclusion):
        raise WorkflowRefused(standing.reasons)
    if carer.status != CarerStatus.APPROVED:
        raise WorkflowRefused([f"{carer.name} is not approved ({carer.get_status_display().lower()})."])
    if Proposal.objects.filter(referral=locked, carer=carer).exists():
        raise WorkflowRefused([f"{carer.name} has already been proposed for this referral."])
    return Proposal.objects.create(
        referral=locked,
        carer=carer,
        proposed_on=proposed_on,
        proposed_by=membership.user,
        score=standing.score if standing else 0,
        reasons=standing.snapshot if standing else [],
    )


@transaction.atomic
def record_answer(
    *, proposal: Proposal, membership, side: str, answer: str, reason: str, answered_on: datetime.date
) -> Proposal:
    """Record the person's or the carer's answer (``side`` is "person" or
    "carer"). "Not interested" needs the reason."""
    proposal = Proposal.objects.select_for_update().select_related("referral").get(pk=proposal.pk)
    if not _is_staff_of(membership, proposal.referral):
        raise WorkflowRefused(["Only the staff of this person's scheme can record an answer."])
    if side not in ("person", "carer"):
        raise ValueError(side)
    if answer == Answer.NOT_INTERESTED and not reason.strip():
        who = "the person" if side == "person" else "the carer"
        raise WorkflowRefused([f"Say why {who} is not interested."])
    setattr(proposal, f"{side}_answer", answer)
    setattr(proposal, f"{side}_reason", reason.strip())
    setattr(proposal, f"{side}_answered_on", answered_on if answer != Answer.WAITING else None)
    proposal.save()
    return proposal


@transaction.atomic
def plan_introduction(
    *, proposal: Proposal, membership, kind: str, planned_for: datetime.date, notes: str = ""
) -> Introduction:
    """Plan a visit. Both the person and the carer must have said they are interested."""
    proposal = Proposal.objects.select_for_update().select_related("referral").get(pk=proposal.pk)
    if not _is_staff_of(membership, proposal.referral):
        raise WorkflowRefused(["Only the staff of this person's scheme can plan an introduction."])
    if not proposal.both_interested:
        raise WorkflowRefused(
            ["Introductions follow once both the person and the carer say they are interested."]
        )
    if not proposal.referral.is_open:
        raise WorkflowRefused(["This referral is closed."])
    return Introduction.objects.create(
        proposal=proposal, kind=kind, planned_for=planned_for, notes=notes, recorded_by=membership.user
    )


@transaction.atomic
def record_introduction(
    *,
    introduction: Introduction,
    membership,
    status: str,
    for_person: str = "",
    for_carer: str = "",
    notes=None,
) -> Introduction:
    """Record that a visit was held (and how it went for each of them) or cancelled."""
    introduction = (
        Introduction.objects.select_for_update(of=("self",))
        .select_related("proposal__referral")
        .get(pk=introduction.pk)
    )
    if not _is_staff_of(membership, introduction.proposal.referral):
        raise WorkflowRefused(["Only the staff of this person's scheme can record an introduction."])
    if status == IntroductionStatus.HELD:
        missing = []
        if not for_person.strip():
            missing.append("how it went for the person")
        if not for_carer.strip():
            missing.append("how it went for the carer")
        if missing:
            raise WorkflowRefused([_sentence("say " + " and ".join(missing))])
    introduction.status = status
    introduction.for_person = for_person.strip()
    introduction.for_carer = for_carer.strip()
    if notes is not None:
        introduction.notes = notes
    introduction.save()
    return introduction


# Arrangements --------------------------------------------------------------


def terms_on(carer: Carer, day: datetime.date):
    """The carer's terms of approval in force on ``day``, or None."""
    found = [
        t for t in carer.approvals.all() if t.starts_on <= day and (t.ends_on is None or day <= t.ends_on)
    ]
    return max(found, key=lambda t: t.starts_on) if found else None


def suitability_reasons(carer: Carer, person: Person, kind: str, day: datetime.date) -> list[str]:
    """Why ``carer`` may not support ``person`` in this kind of arrangement on ``day``."""
    if carer.status != CarerStatus.APPROVED:
        return [f"{carer.name} is not approved ({carer.get_status_display().lower()})."]
    terms = terms_on(carer, day)
    if terms is None:
        return [f"{carer.name} has no terms of approval in force on {day:%-d %b %Y}."]
    reasons = []
    if kind not in terms.kinds:
        reasons.append(
            f"{carer.name} is not approved for {ArrangementKind(kind).label.lower()} "
            f"(only {', '.join(label.lower() for label in terms.get_kinds_display())})."
        )
    missing = [g for g in person.needs_groups if g not in terms.needs_groups]
    if missing:
        reasons.append(
            f"{carer.name} is not approved to support people with "
            f"{' or '.join(NeedsGroup(g).label.lower() for g in missing)}."
        )
    return reasons


def start_reasons(arrangement: Arrangement, start_date: datetime.date, today: datetime.date) -> list[str]:
    """Why ``arrangement`` cannot start on ``start_date`` (empty if it can)."""
    if arrangement.status != ArrangementStatus.PLANNED:
        return [f"This arrangement is already {arrangement.get_status_display().lower()}."]
    carer, person = arrangement.carer, arrangement.person
    reasons = suitability_reasons(carer, person, arrangement.kind, start_date)
    end = arrangement.end_date
    if end is not None and end < start_date:
        reasons.append("The planned end date is before the start date.")
    terms = terms_on(carer, start_date)
    if terms and terms.probation_ends_on and start_date < terms.probation_ends_on:
        settings = MatchingSettings.for_scheme(arrangement.scheme)
        others = (
            Arrangement.objects.open()
            .filter(carer=carer)
            .exclude(pk=arrangement.pk)
            .values("person")
            .distinct()
        )
        if others.count() + 1 > settings.probation_max_people:
            reasons.append(
                f"{carer.name} is on probation until {terms.probation_ends_on:%-d %b %Y} and the scheme "
                f"allows {settings.probation_max_people} "
                f"{'person' if settings.probation_max_people == 1 else 'people'} at a time until then."
            )
    # Without terms on the start date, suitability_reasons has said so already.
    if arrangement.kind in STAYING_KINDS and terms is not None:
        last = (end - datetime.timedelta(days=1)) if end else start_date + OPEN_ENDED_HORIZON
        full = full_nights(carer, start_date, max(last, start_date), exclude_arrangement=arrangement)
        if full:
            reasons.append(describe_full_nights(carer, full))
    if arrangement.kind == ArrangementKind.LIVE_IN:
        # Someone moving in relies on checks that are in date today.
        lapsed = lapsed_required(carer, today)
        if lapsed:
            names = [f"{item.outstanding_label} expired on {item.expires_on:%-d %b %Y}" for item in lapsed]
            reasons.append(_sentence(f"{carer.name}'s required checks have lapsed: {'; '.join(names)}"))
    training = training_outstanding(carer, today)
    if training:
        names = [item.outstanding_label for item in training]
        reasons.append(_sentence(f"required training is not complete: {', '.join(names)} outstanding"))
    if not arrangement.agreement_recorded_on:
        reasons.append("The arrangement agreement has not been recorded.")
    if arrangement.kind == ArrangementKind.LIVE_IN:
        if not arrangement.licence_recorded_on:
            reasons.append("The licence agreement has not been recorded.")
        if arrangement.weekly_rent is None:
            reasons.append("The weekly rent has not been recorded.")
    if arrangement.referral_id and not arrangement.referral.is_open:
        reasons.append(f"Its referral is {arrangement.referral.get_stage_display().lower()}.")
    return reasons


def _locked_arrangement(arrangement: Arrangement) -> Arrangement:
    # Lock the household first (as the capacity trigger does), then the arrangement.
    Carer.objects.select_for_update().filter(pk=arrangement.carer_id).first()
    return (
        Arrangement.objects.select_for_update(of=("self",))
        .select_related("carer__scheme", "person", "scheme", "referral")
        .prefetch_related(
            "carer__approvals", "carer__checks", "carer__household_members", "carer__scheme__check_settings"
        )
        .get(pk=arrangement.pk)
    )


@transaction.atomic
def start_arrangement(*, arrangement: Arrangement, membership, start_date: datetime.date) -> Arrangement:
    """Start a planned arrangement: the person moves in or the support begins.

    Guards (``start_reasons``): the carer approved for this kind and these
    needs, with room on every night, required training complete, the
    arrangement agreement recorded, and for live-in the licence and rent.
    A referral it came from moves to "arrangement started". The first
    review is set and the monitoring visits scheduled (placements.monitoring)."""
    locked = _locked_arrangement(arrangement)
    if not _is_staff_of(membership, locked):
        raise WorkflowRefused(["Only the staff of this scheme can start an arrangement."])
    reasons = start_reasons(locked, start_date, timezone.localdate())
    if reasons:
        raise WorkflowRefused(reasons)
    locked.status = ArrangementStatus.CURRENT
    locked.start_date = start_date
    locked.version += 1
    try:
        with transaction.atomic():
            locked.save(update_fields=["status", "start_date", "version", "updated_at"])
    except IntegrityError as error:
        raise WorkflowRefused([_integrity_message(error, locked.carer)]) from None
    schedule_monitoring(arrangement=locked, settings=MonitoringSettings.for_scheme(locked.scheme))
    arrangement.next_review_due = locked.next_review_due
    if locked.referral_id:
        move_referral(
            referral=locked.referral,
            to=R.ARRANGEMENT_STARTED,
            membership=membership,
            reason=f"{locked.person} started {locked.get_kind_display().lower()} with "
            f"{locked.carer} on {start_date:%-d %b %Y}.",
        )
    arrangement.status, arrangement.start_date, arrangement.version = (
        locked.status,
        start_date,
        locked.version,
    )
    return locked


@transaction.atomic
def end_arrangement(
    *, arrangement: Arrangement, membership, end_date: datetime.date, reason: str, note: str = ""
) -> Arrangement:
    """End an arrangement (or one that never started) with the date and the
    reason; short breaks booked from the end date on are cancelled, and a
    stay under way is shortened to end that day; monitoring visits due after
    it are cancelled and no review is due any more. An
    ending because of a death records the death as an incident, and so its
    CQC notification for the registered manager (``record_death``)."""
    locked = _locked_arrangement(arrangement)
    if not _is_staff_of(membership, locked):
        raise WorkflowRefused(["Only the staff of this scheme can end an arrangement."])
    if locked.status not in OPEN_STATUSES:
        raise WorkflowRefused(["This arrangement has already ended."])
    if reason not in EndReason.values:
        raise WorkflowRefused(["Choose why the arrangement is ending."])
    if end_date < locked.start_date:
        raise WorkflowRefused(
            [f"The end date must be on or after the start date ({locked.start_date:%-d %b %Y})."]
        )
    locked.status = ArrangementStatus.ENDED
    locked.end_date = end_date
    locked.end_reason = reason
    locked.end_note = note.strip()
    locked.version += 1
    locked.save(update_fields=["status", "end_date", "end_reason", "end_note", "version", "updated_at"])
    stop_monitoring(arrangement=locked, end_date=end_date)
    arrangement.next_review_due = None
    bookings = ShortBreakBooking.objects.booked().filter(arrangement=locked)
    bookings.filter(dates__startswith__gte=end_date).update(status=BookingStatus.CANCELLED)
    # A stay under way when the arrangement ends finishes on the end date.
    for booking in bookings.filter(dates__startswith__lt=end_date, dates__endswith__gt=end_date):
        booking.dates = (booking.dates.lower, end_date)
        booking.save(update_fields=["dates"])
    if reason == EndReason.DEATH:
        record_death(arrangement=locked, membership=membership, died_on=end_date, note=note)
    arrangement.status, arrangement.end_date, arrangement.end_reason = locked.status, end_date, reason
    arrangement.version = locked.version
    return locked


# Short-break bookings -----------------------------------------------------


@transaction.atomic
def book_short_break(
    *,
    arrangement: Arrangement,
    membership,
    room: Room,
    arrives_on: datetime.date,
    leaves_on: datetime.date,
    notes: str = "",
) -> ShortBreakBooking:
    """Book the nights from ``arrives_on`` to ``leaves_on`` (the day they go
    home) in one room. The database refuses a room booked twice and a night
    over the household's approved number; the guards here say so in words first."""
    locked = _locked_arrangement(arrangement)
    if not _is_staff_of(membership, locked):
        raise WorkflowRefused(["Only the staff of this scheme can book a short break."])
    if locked.kind != ArrangementKind.SHORT_BREAKS:
        raise WorkflowRefused(["Only a short-breaks arrangement has bookings."])
    if locked.status not in OPEN_STATUSES:
        raise WorkflowRefused(["This arrangement has ended."])
    if room.carer_id != locked.carer_id:
        raise WorkflowRefused(["Choose one of this carer's rooms."])
    if leaves_on <= arrives_on:
        raise WorkflowRefused(["The day they go home must be after the day they arrive."])
    if arrives_on < locked.start_date or (locked.end_date and leaves_on > locked.end_date):
        raise WorkflowRefused(["The booking must fall within the arrangement's dates."])
    reasons = suitability_reasons(locked.carer, locked.person, locked.kind, arrives_on)
    away = (
        Unavailability.objects.filter(carer=locked.carer, starts_on__lt=leaves_on, ends_on__gte=arrives_on)
        .order_by("starts_on")
        .first()
    )
    if away:
        reasons.append(
            f"{locked.carer.name} is away from {away.starts_on:%-d %b %Y} to {away.ends_on:%-d %b %Y}"
            + (f" ({away.note})." if away.note else ".")
        )
    clash = (
        ShortBreakBooking.objects.booked()
        .filter(room=room, dates__overlap=(arrives_on, leaves_on))
        .select_related("arrangement__person")
        .first()
    )
    if clash:
        reasons.append(
            f"{room.name} is already booked for {clash.arrangement.person} from "
            f"{clash.dates.lower:%-d %b %Y} to {clash.dates.upper:%-d %b %Y}."
        )
    full = full_nights(locked.carer, arrives_on, leaves_on - datetime.timedelta(days=1))
    if full:
        reasons.append(describe_full_nights(locked.carer, full))
    if reasons:
        raise WorkflowRefused(reasons)
    try:
        with transaction.atomic():
            return ShortBreakBooking.objects.create(
                arrangement=locked,
                carer=locked.carer,
                room=room,
                dates=(arrives_on, leaves_on),
                notes=notes,
                booked_by=membership.user,
            )
    except IntegrityError as error:
        raise WorkflowRefused([_integrity_message(error, locked.carer)]) from None


@transaction.atomic
def cancel_booking(*, booking: ShortBreakBooking, membership) -> ShortBreakBooking:
    booking = (
        ShortBreakBooking.objects.select_for_update(of=("self",))
        .select_related("arrangement")
        .get(pk=booking.pk)
    )
    if not _is_staff_of(membership, booking.arrangement):
        raise WorkflowRefused(["Only the staff of this scheme can cancel a booking."])
    if booking.status == BookingStatus.CANCELLED:
        raise WorkflowRefused(["This booking is already cancelled."])
    booking.status = BookingStatus.CANCELLED
    booking.save(update_fields=["status"])
    return booking


def _integrity_message(error: IntegrityError, carer: Carer) -> str:
    """A refusal by the database, in words: someone else got there first."""
    text = str(error)
    if "placements_capacity" in text:
        return (
            f"{carer.name} has just had another stay or booking recorded for these nights, "
            "so there is no place left. Check the availability calendar."
        )
    if "booking_room_not_double_booked" in text:
        return "That room has just been booked for some of these nights by someone else."
    if "arrangement_one_live_in_home_at_a_time" in text:
        return "This person already has a live-in arrangement for some of these dates."
    raise error
