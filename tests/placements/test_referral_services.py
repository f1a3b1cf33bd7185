"""A referral's stages: every move, each guard, the history row, and the
refusal when someone else moved the referral first."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from placements.models import (
    Answer,
    ArrangementStatus,
    Referral,
    ReferralStage,
    ReferralStageChange,
)
from placements.services import (
    ALLOWED_MOVES,
    MADE_BY_ANOTHER_STEP,
    available_referral_moves,
    move_referral,
    propose_carer,
    receive_referral,
    referral_move_reasons,
)
from sharedlives.choices import ArrangementKind, PetKind
from sharedlives.workflow import WorkflowRefused
from tests.factories import (
    ArrangementFactory,
    PersonFactory,
    PetFactory,
    ProposalFactory,
    ReferralFactory,
    WantedSessionFactory,
    WantedStayFactory,
    approved_carer,
)

R = ReferralStage
LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=LONDON)
EARLIER = dt.datetime(2026, 10, 1, 9, tzinfo=LONDON)

ALLOWED = [(frm, to) for frm, tos in ALLOWED_MOVES.items() for to in tos]
NOT_ALLOWED = [(frm, to) for frm in R for to in R if to not in ALLOWED_MOVES[frm] and to != frm]


def _ids(pairs):
    return [f"{frm}-to-{to}" for frm, to in pairs]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def as_coordinator(coordinator):
    return coordinator.memberships.get()


def _referral(scheme, stage, **fields):
    person = PersonFactory(scheme=scheme, first_name="Daniel", last_name="Reid")
    return ReferralFactory(scheme=scheme, person=person, stage=stage, stage_changed_at=EARLIER, **fields)


def _where_guards_hold(scheme, frm, to):
    """A referral at ``frm`` with everything a move to ``to`` needs."""
    referral = _referral(scheme, frm)
    if to == R.INTRODUCTIONS:
        ProposalFactory(referral=referral, person_answer=Answer.INTERESTED, carer_answer=Answer.INTERESTED)
    if to == R.ARRANGEMENT_STARTED:
        ArrangementFactory(
            scheme=scheme, person=referral.person, referral=referral, status=ArrangementStatus.CURRENT
        )
    return referral


def _fresh(referral):
    return (
        Referral.objects.select_related("arrangement")
        .prefetch_related("wanted_stays", "wanted_sessions", "proposals")
        .get(pk=referral.pk)
    )


@pytest.mark.parametrize(("frm", "to"), ALLOWED, ids=_ids(ALLOWED))
def test_each_allowed_move_is_made_and_recorded(scheme, coordinator, as_coordinator, frm, to):
    referral = _where_guards_hold(scheme, frm, to)
    version = referral.version

    change = move_referral(
        referral=referral,
        to=to,
        membership=as_coordinator,
        reason="  Agreed with the team.  ",
        expected_from=frm,
    )

    referral.refresh_from_db()
    assert referral.stage == to
    assert referral.stage_changed_at == NOW
    assert referral.version == version + 1
    assert (change.from_stage, change.to_stage) == (frm, to)
    assert (change.changed_by, change.changed_at, change.reason) == (
        coordinator,
        NOW,
        "Agreed with the team.",
    )


@pytest.mark.parametrize(("frm", "to"), NOT_ALLOWED, ids=_ids(NOT_ALLOWED))
def test_a_move_the_workflow_does_not_have_is_refused_and_changes_nothing(scheme, as_coordinator, frm, to):
    referral = _referral(scheme, frm)

    with pytest.raises(WorkflowRefused) as refused:
        move_referral(referral=referral, to=to, membership=as_coordinator, reason="Why not?")

    assert refused.value.reasons == [
        f"A referral cannot go from {R(frm).label.lower()} to {R(to).label.lower()}."
    ]
    referral.refresh_from_db()
    assert (referral.stage, referral.stage_changed_at) == (frm, EARLIER)
    assert not ReferralStageChange.objects.exists()


# --- The guards before matching ---


@pytest.mark.parametrize(
    ("missing", "reason"),
    [
        ({"assessment_visit_on": None}, "The date of the assessment visit has not been recorded."),
        ({"needs_summary": "  "}, "The needs assessment summary has not been recorded."),
        ({"risks": ""}, "The risks have not been recorded (write “none known” if there are none)."),
        ({"funder": ""}, "Who pays has not been recorded."),
        ({"wanted_from": None}, "The date it is wanted from has not been given."),
    ],
)
def test_matching_waits_for_each_fact_of_the_assessment(scheme, as_coordinator, missing, reason):
    referral = _referral(scheme, R.ASSESSMENT_VISIT, **missing)

    assert referral_move_reasons(_fresh(referral), R.MATCHING, as_coordinator) == [reason]
    with pytest.raises(WorkflowRefused) as refused:
        move_referral(referral=referral, to=R.MATCHING, membership=as_coordinator, reason="Ready.")
    assert refused.value.reasons == [reason]
    referral.refresh_from_db()
    assert referral.stage == R.ASSESSMENT_VISIT


def test_every_missing_fact_is_listed_at_once(scheme, as_coordinator):
    referral = _referral(
        scheme,
        R.ASSESSMENT_VISIT,
        assessment_visit_on=None,
        needs_summary="",
        risks="",
        funder="",
        wanted_from=None,
    )

    assert len(referral_move_reasons(_fresh(referral), R.MATCHING, as_coordinator)) == 5


def test_short_breaks_need_the_stays_wanted_before_matching(scheme, as_coordinator):
    referral = _referral(scheme, R.ASSESSMENT_VISIT, kind=ArrangementKind.SHORT_BREAKS, wanted_from=None)

    assert referral_move_reasons(_fresh(referral), R.MATCHING, as_coordinator) == [
        "No dates for short breaks have been given."
    ]
    WantedStayFactory(referral=referral)
    assert referral_move_reasons(_fresh(referral), R.MATCHING, as_coordinator) == []


def test_day_support_needs_the_days_and_hours_before_matching(scheme, as_coordinator):
    referral = _referral(scheme, R.ASSESSMENT_VISIT, kind=ArrangementKind.DAY_SUPPORT, wanted_from=None)

    assert referral_move_reasons(_fresh(referral), R.MATCHING, as_coordinator) == [
        "No days and hours for day support have been given."
    ]
    WantedSessionFactory(referral=referral)
    assert referral_move_reasons(_fresh(referral), R.MATCHING, as_coordinator) == []


def test_a_referral_with_no_match_can_be_matched_again_without_the_assessment_guards(scheme, as_coordinator):
    referral = _referral(scheme, R.NO_MATCH, assessment_visit_on=None)

    assert referral_move_reasons(_fresh(referral), R.MATCHING, as_coordinator) == []


# --- Introductions and the arrangement ---


@pytest.mark.parametrize(
    ("person_answer", "carer_answer"),
    [
        (Answer.WAITING, Answer.WAITING),
        (Answer.INTERESTED, Answer.WAITING),
        (Answer.WAITING, Answer.INTERESTED),
        (Answer.INTERESTED, Answer.NOT_INTERESTED),
    ],
)
def test_introductions_wait_for_a_carer_both_are_interested_in(
    scheme, as_coordinator, person_answer, carer_answer
):
    referral = _referral(scheme, R.MATCHING)
    ProposalFactory(
        referral=referral,
        person_answer=person_answer,
        carer_answer=carer_answer,
        person_reason="x",
        carer_reason="x",
    )

    assert referral_move_reasons(_fresh(referral), R.INTRODUCTIONS, as_coordinator) == [
        "No carer has been proposed that both the person and the carer are interested in."
    ]


@pytest.mark.parametrize("status", [None, ArrangementStatus.PLANNED, ArrangementStatus.ENDED])
def test_arrangement_started_waits_for_a_current_arrangement(scheme, as_coordinator, status):
    referral = _referral(scheme, R.INTRODUCTIONS)
    if status:
        ArrangementFactory(
            scheme=scheme,
            person=referral.person,
            referral=referral,
            status=status,
            end_date=dt.date(2025, 2, 1) if status == ArrangementStatus.ENDED else None,
            end_reason="planned_move" if status == ArrangementStatus.ENDED else "",
        )

    assert referral_move_reasons(_fresh(referral), R.ARRANGEMENT_STARTED, as_coordinator) == [
        "No arrangement from this referral has started."
    ]


def test_the_moves_list_says_which_are_made_by_another_step(scheme, as_coordinator):
    referral = _referral(scheme, R.MATCHING)

    moves = {move.to: move for move in available_referral_moves(_fresh(referral), as_coordinator)}

    assert list(moves) == list(ALLOWED_MOVES[R.MATCHING])
    assert moves[R.ARRANGEMENT_STARTED].via == MADE_BY_ANOTHER_STEP[(R.MATCHING, R.ARRANGEMENT_STARTED)]
    assert moves[R.NO_MATCH].allowed
    assert not moves[R.INTRODUCTIONS].allowed


# --- Who, why, and someone else first ---


def test_only_the_schemes_staff_may_move_a_referral(scheme, carer, other_coordinator):
    referral = _referral(scheme, R.RECEIVED)
    for membership in (carer.memberships.get(), other_coordinator.memberships.get(), None):
        assert referral_move_reasons(referral, R.ASSESSMENT_VISIT, membership) == [
            "Only the staff of this person's scheme can move the referral."
        ]
        with pytest.raises(WorkflowRefused):
            move_referral(
                referral=referral, to=R.ASSESSMENT_VISIT, membership=membership, reason="Visit booked."
            )
    referral.refresh_from_db()
    assert referral.stage == R.RECEIVED


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_move_needs_a_reason(scheme, as_coordinator, reason):
    referral = _referral(scheme, R.RECEIVED)

    with pytest.raises(WorkflowRefused) as refused:
        move_referral(referral=referral, to=R.DECLINED, membership=as_coordinator, reason=reason)

    assert refused.value.reasons == ["Say why the referral is moving to this stage."]
    assert not ReferralStageChange.objects.exists()


def test_a_move_from_a_stage_someone_else_has_just_left_is_refused(scheme, as_coordinator):
    referral = _referral(scheme, R.RECEIVED)
    move_referral(
        referral=Referral.objects.get(pk=referral.pk),
        to=R.WITHDRAWN,
        membership=as_coordinator,
        reason="Moved away.",
    )

    with pytest.raises(WorkflowRefused) as refused:
        move_referral(
            referral=referral,
            to=R.ASSESSMENT_VISIT,
            membership=as_coordinator,
            reason="Visit.",
            expected_from=R.RECEIVED,
        )

    assert refused.value.reasons == [
        "Someone else has just moved this referral to withdrawn. "
        "Check its history below, then try again if you still need to."
    ]
    referral.refresh_from_db()
    assert referral.stage == R.WITHDRAWN
    assert ReferralStageChange.objects.count() == 1


def test_reopening_is_refused_while_the_person_has_another_open_referral_of_that_kind(scheme, as_coordinator):
    closed = _referral(scheme, R.NO_MATCH)
    ReferralFactory(scheme=scheme, person=closed.person, stage=R.RECEIVED)

    with pytest.raises(WorkflowRefused) as refused:
        move_referral(referral=closed, to=R.MATCHING, membership=as_coordinator, reason="A new carer.")

    assert refused.value.reasons == ["Daniel Reid already has another open referral for live-in."]
    closed.refresh_from_db()
    assert closed.stage == R.NO_MATCH
    assert not ReferralStageChange.objects.exists()


# --- Receiving a referral ---


def test_receiving_a_referral_records_its_first_stage(scheme, coordinator, as_coordinator):
    person = PersonFactory(scheme=scheme)
    referral = Referral(
        scheme=scheme,
        person=person,
        kind=ArrangementKind.LIVE_IN,
        received_on=dt.date(2026, 11, 18),
        source="health",
    )

    receive_referral(referral=referral, membership=as_coordinator)

    change = referral.stage_changes.get()
    assert (referral.stage, referral.stage_changed_at) == (R.RECEIVED, NOW)
    assert (change.from_stage, change.to_stage, change.changed_by) == ("", R.RECEIVED, coordinator)
    assert change.reason == "Referred by health (hospital, GP, community team) on 18 Nov 2026."


def test_a_second_open_referral_of_a_kind_is_refused(scheme, as_coordinator):
    first = _referral(scheme, R.MATCHING)
    second = Referral(
        scheme=scheme, person=first.person, kind=first.kind, received_on=dt.date(2026, 11, 18), source="self"
    )

    with pytest.raises(WorkflowRefused) as refused:
        receive_referral(referral=second, membership=as_coordinator)

    assert refused.value.reasons == ["Daniel Reid already has an open referral for live-in."]
    assert Referral.objects.count() == 1


def test_another_scheme_cannot_receive_a_referral_here(scheme, other_coordinator):
    referral = Referral(
        scheme=scheme,
        person=PersonFactory(scheme=scheme),
        kind="live_in",
        received_on=dt.date(2026, 11, 18),
        source="self",
    )

    with pytest.raises(WorkflowRefused):
        receive_referral(referral=referral, membership=other_coordinator.memberships.get())

    assert not Referral.objects.exists()


# Proposing a carer ------------------------------------------------------------


def test_proposing_keeps_the_score_and_its_reasons_as_matching_gives_them(scheme, as_coordinator):
    referral = ReferralFactory(scheme=scheme, person__interests=["gardening"])
    carer = approved_carer(scheme, interests=["gardening"])

    proposal = propose_carer(
        referral=referral, carer=carer, membership=as_coordinator, proposed_on=NOW.date()
    )

    assert proposal.score == 3
    assert proposal.reasons == ["Shares an interest: gardening (3 points)"]


def test_a_carer_a_hard_rule_leaves_out_is_not_proposed_whoever_asks(scheme, as_coordinator):
    referral = ReferralFactory(scheme=scheme, person__pets_to_avoid=[PetKind.DOG])
    carer = approved_carer(scheme)
    PetFactory(carer=carer, kind=PetKind.DOG)

    with pytest.raises(WorkflowRefused) as refused:
        propose_carer(referral=referral, carer=carer, membership=as_coordinator, proposed_on=NOW.date())

    assert any("dog" in reason.lower() for reason in refused.value.reasons)
    assert not referral.proposals.exists()
