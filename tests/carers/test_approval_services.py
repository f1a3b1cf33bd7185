"""The approval workflow's services: every move between stages, its guards,
the decision-maker's steps, the panel, the terms and the annual review."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from carers import services
from carers.models import (
    ApprovalDecision,
    ApprovalTerms,
    CarerReview,
    CarerStatus,
    Check,
    CheckKind,
    CheckStatus,
    DecisionOutcome,
    PanelItem,
    Recommendation,
    StageChange,
)
from carers.services import (
    ALLOWED_MOVES,
    MANAGER_MOVES,
    WorkflowRefused,
    add_to_panel,
    available_moves,
    change_terms,
    complete_carer_review,
    decide_approval,
    move_carer,
    record_recommendation,
)
from sharedlives.choices import ArrangementKind, NeedsGroup
from tests.factories import (
    ApprovalDecisionFactory,
    ApprovalTermsFactory,
    AssessmentFactory,
    CarerFactory,
    CheckFactory,
    HouseholdMemberFactory,
    PanelItemFactory,
    PanelMeetingFactory,
    SchemeCheckSettingFactory,
    applicant_with_checks_complete,
    complete_required_checks,
)

S = CarerStatus
LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 22, 10, tzinfo=LONDON)
TODAY = NOW.date()
# When the household reached the stage it is at before each test moves it.
EARLIER = dt.datetime(2026, 9, 1, 9, 30, tzinfo=LONDON)

ALLOWED = [(frm, to) for frm, tos in ALLOWED_MOVES.items() for to in tos]
NOT_ALLOWED = [(frm, to) for frm in S for to in S if to not in ALLOWED_MOVES[frm]]
TERMS = {
    "kinds": [ArrangementKind.LIVE_IN, ArrangementKind.SHORT_BREAKS],
    "max_people": 2,
    "needs_groups": [NeedsGroup.LEARNING_DISABILITY, NeedsGroup.AUTISM],
    "conditions": "",
}


def _ids(pairs):
    return [f"{frm}-to-{to}" for frm, to in pairs]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def as_manager(manager):
    return manager.memberships.get()


@pytest.fixture
def as_coordinator(coordinator):
    return coordinator.memberships.get()


def _household(scheme, status, **fields):
    return CarerFactory(
        scheme=scheme,
        first_name="Asha",
        last_name="Patel",
        status=status,
        status_changed_at=EARLIER,
        **fields,
    )


def _applicant_ready_for_panel(scheme, status=S.ASSESSMENT):
    return applicant_with_checks_complete(
        scheme, status=status, first_name="Asha", last_name="Patel", status_changed_at=EARLIER
    )


def _recommended(carer, recommendation=Recommendation.APPROVE):
    return PanelItemFactory(
        carer=carer, recommendation=recommendation, reasons="A thorough assessment; a strong household."
    )


def _with_terms(carer, decided_by, **fields):
    return ApprovalTermsFactory(
        carer=carer, decision__decided_by=decided_by, decision__decided_on=dt.date(2025, 11, 3), **fields
    )


def _household_where_guards_hold(scheme, frm, to, manager):
    """A household at ``frm`` with everything a move to ``to`` needs."""
    carer = _applicant_ready_for_panel(scheme, frm) if to == S.READY_FOR_PANEL else _household(scheme, frm)
    if to == S.PANEL:
        PanelItemFactory(carer=carer)
    if frm == S.PANEL and to in (S.APPROVED, S.DECLINED):
        item = _recommended(carer)
        outcome = DecisionOutcome.APPROVE if to == S.APPROVED else DecisionOutcome.DECLINE
        decision = ApprovalDecisionFactory(carer=carer, panel_item=item, outcome=outcome, decided_by=manager)
        if to == S.APPROVED:
            ApprovalTermsFactory(carer=carer, decision=decision)
    elif to == S.APPROVED:
        _with_terms(carer, manager)
    return carer


def _refused(**kwargs) -> list[str]:
    with pytest.raises(WorkflowRefused) as refused:
        move_carer(**kwargs)
    return refused.value.reasons


def _unchanged(carer, status):
    """The household is where it was, as it was, with no stage change written."""
    version = carer.version
    carer.refresh_from_db()
    assert carer.status == status
    assert carer.status_changed_at == EARLIER
    assert carer.version == version
    assert not StageChange.objects.filter(carer=carer).exists()


# Every move in the table, and every move not in it


@pytest.mark.parametrize(("frm", "to"), ALLOWED, ids=_ids(ALLOWED))
def test_every_allowed_move_succeeds_when_its_guards_hold(
    scheme, manager, as_manager, as_coordinator, frm, to
):
    carer = _household_where_guards_hold(scheme, frm, to, manager)
    who = as_manager if (frm, to) in MANAGER_MOVES else as_coordinator

    change = move_carer(
        carer=carer, to=to, membership=who, reason="  Agreed at supervision.  ", expected_from=frm
    )

    carer.refresh_from_db()
    assert carer.status == to
    assert carer.status_changed_at == NOW
    assert carer.version == 2
    assert StageChange.objects.get(carer=carer) == change
    assert (change.from_status, change.to_status, change.changed_by, change.changed_at, change.reason) == (
        frm,
        to,
        who.user,
        NOW,
        "Agreed at supervision.",
    )


@pytest.mark.parametrize(("frm", "to"), NOT_ALLOWED, ids=_ids(NOT_ALLOWED))
def test_every_move_not_in_the_table_is_refused_with_a_reason(scheme, as_manager, frm, to):
    carer = _household(scheme, frm)

    reasons = _refused(carer=carer, to=to, membership=as_manager, reason="Let's try it.")

    assert reasons == [f"A household cannot go from {S(frm).label.lower()} to {S(to).label.lower()}."]
    _unchanged(carer, frm)


def test_the_table_names_every_stage():
    assert set(ALLOWED_MOVES) == set(S)
    assert ALLOWED_MOVES[S.APPROVAL_ENDED] == ()


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_a_move_without_a_reason_is_refused(scheme, as_coordinator, reason):
    carer = _household(scheme, S.ENQUIRY)

    reasons = _refused(carer=carer, to=S.INITIAL_VISIT, membership=as_coordinator, reason=reason)

    assert reasons == ["Say why the household is moving to this stage."]
    _unchanged(carer, S.ENQUIRY)


def test_the_callers_copy_of_the_household_shows_the_move(scheme, as_coordinator):
    carer = _household(scheme, S.ENQUIRY)

    move_carer(carer=carer, to=S.INITIAL_VISIT, membership=as_coordinator, reason="Visit booked.")

    assert (carer.status, carer.status_changed_at, carer.version) == (S.INITIAL_VISIT, NOW, 2)


def test_each_move_adds_to_the_stage_history(scheme, as_coordinator):
    carer = _household(scheme, S.ENQUIRY)

    for to in (S.INITIAL_VISIT, S.APPLICATION, S.ASSESSMENT):
        move_carer(carer=carer, to=to, membership=as_coordinator, reason=f"On to {to}.")

    history = StageChange.objects.filter(carer=carer).order_by("id")
    assert [(c.from_status, c.to_status) for c in history] == [
        (S.ENQUIRY, S.INITIAL_VISIT),
        (S.INITIAL_VISIT, S.APPLICATION),
        (S.APPLICATION, S.ASSESSMENT),
    ]


# Ready for panel: checks, and the assessment report


def test_ready_for_panel_is_refused_while_a_required_check_is_outstanding(scheme, as_coordinator):
    for kind in CheckKind:
        if kind not in (CheckKind.DBS, CheckKind.GP_REFERENCE):
            SchemeCheckSettingFactory(scheme=scheme, kind=kind, required=False, renewal_months=None)
    carer = _household(scheme, S.ASSESSMENT)
    HouseholdMemberFactory(carer=carer, name="Derek Brown", date_of_birth=dt.date(1960, 4, 2))
    CheckFactory(carer=carer, kind=CheckKind.DBS)
    CheckFactory(carer=carer, kind=CheckKind.GP_REFERENCE)
    AssessmentFactory(carer=carer)

    reasons = _refused(carer=carer, to=S.READY_FOR_PANEL, membership=as_coordinator, reason="Report done.")

    assert reasons == ["2 of 3 checks are complete: the DBS check for Derek Brown is outstanding."]
    _unchanged(carer, S.ASSESSMENT)


def test_ready_for_panel_is_allowed_once_every_required_check_is_complete(scheme, as_coordinator):
    carer = _applicant_ready_for_panel(scheme)

    assert services.move_reasons(carer, S.READY_FOR_PANEL, as_coordinator, TODAY) == []


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"report_summary": ""}, "The assessment report has not been written."),
        (
            {"report_written_on": None, "shared_with_applicant_on": None},
            "The assessment report has not been written.",
        ),
        ({"shared_with_applicant_on": None}, "The report has not been shared with the applicant."),
        (
            {"applicant_comments": "", "applicant_declined_to_comment": False},
            "The applicant's comments on the report are not recorded (or that they chose not to comment).",
        ),
    ],
    ids=["no-summary", "not-written", "not-shared", "no-comments"],
)
def test_ready_for_panel_is_refused_until_the_report_is_written_shared_and_commented_on(
    scheme, as_coordinator, changes, reason
):
    carer = _applicant_ready_for_panel(scheme)
    for field, value in changes.items():
        setattr(carer.assessment, field, value)
    carer.assessment.save()

    reasons = _refused(carer=carer, to=S.READY_FOR_PANEL, membership=as_coordinator, reason="Done.")

    assert reason in reasons
    _unchanged(carer, S.ASSESSMENT)


def test_a_report_that_is_neither_shared_nor_commented_on_gives_both_reasons(scheme, as_coordinator):
    carer = _applicant_ready_for_panel(scheme)
    carer.assessment.shared_with_applicant_on = None
    carer.assessment.applicant_comments = ""
    carer.assessment.save()

    reasons = _refused(carer=carer, to=S.READY_FOR_PANEL, membership=as_coordinator, reason="Done.")

    assert reasons == [
        "The report has not been shared with the applicant.",
        "The applicant's comments on the report are not recorded (or that they chose not to comment).",
    ]


def test_ready_for_panel_is_refused_without_an_assessment(scheme, as_coordinator):
    carer = applicant_with_checks_complete(scheme, assessment=False, status_changed_at=EARLIER)

    reasons = _refused(carer=carer, to=S.READY_FOR_PANEL, membership=as_coordinator, reason="Done.")

    assert reasons == ["The assessment has not been recorded."]
    _unchanged(carer, S.ASSESSMENT)


def test_an_applicant_who_chose_not_to_comment_can_go_to_panel(scheme, as_coordinator):
    carer = _applicant_ready_for_panel(scheme)
    carer.assessment.applicant_comments = ""
    carer.assessment.applicant_declined_to_comment = True
    carer.assessment.save()

    move_carer(carer=carer, to=S.READY_FOR_PANEL, membership=as_coordinator, reason="Report shared.")

    assert carer.status == S.READY_FOR_PANEL


def test_a_dbs_with_a_concern_holds_up_panel_until_risk_assessed_and_signed_off(
    scheme, as_coordinator, as_manager
):
    carer = _applicant_ready_for_panel(scheme)
    dbs = Check.objects.get(carer=carer, kind=CheckKind.DBS)
    dbs.status = CheckStatus.CONCERN
    dbs.save()
    concern = ["6 of 7 checks are complete: the DBS check for Asha Patel is outstanding."]

    assert _refused(carer=carer, to=S.READY_FOR_PANEL, membership=as_coordinator, reason="Done.") == concern

    dbs.risk_assessment = "A caution in 1998 for shoplifting; no risk to the people supported."
    dbs.save()
    assert _refused(carer=carer, to=S.READY_FOR_PANEL, membership=as_coordinator, reason="Done.") == concern

    services.sign_off_check(check=dbs, membership=as_manager)
    move_carer(carer=carer, to=S.READY_FOR_PANEL, membership=as_coordinator, reason="Risk assessed.")
    assert carer.status == S.READY_FOR_PANEL


def test_an_expired_check_holds_up_panel(scheme, as_coordinator):
    carer = _applicant_ready_for_panel(scheme)
    Check.objects.filter(carer=carer, kind=CheckKind.HOME_INSURANCE).update(
        issued_on=dt.date(2025, 11, 1), expires_on=dt.date(2026, 11, 1)
    )

    reasons = _refused(carer=carer, to=S.READY_FOR_PANEL, membership=as_coordinator, reason="Done.")

    assert reasons == ["6 of 7 checks are complete: the home insurance is outstanding."]


def test_a_household_member_turning_16_holds_up_panel_from_their_birthday(scheme, as_coordinator):
    carer = _applicant_ready_for_panel(scheme)
    HouseholdMemberFactory(carer=carer, name="Priya Patel", date_of_birth=dt.date(2010, 11, 23))
    assert services.move_reasons(carer, S.READY_FOR_PANEL, as_coordinator, TODAY) == []

    with time_machine.travel(dt.datetime(2026, 11, 23, 9, tzinfo=LONDON), tick=False):
        reasons = _refused(carer=carer, to=S.READY_FOR_PANEL, membership=as_coordinator, reason="Done.")

    assert reasons == ["7 of 8 checks are complete: the DBS check for Priya Patel is outstanding."]


@pytest.mark.parametrize(
    ("field", "outstanding"),
    [
        ("will_drive_people", "the car insurance (business use)"),
        ("new_to_care", "the Care Certificate"),
    ],
)
def test_car_insurance_and_the_care_certificate_are_needed_only_where_they_apply(
    scheme, as_coordinator, field, outstanding
):
    carer = _applicant_ready_for_panel(scheme)
    assert services.move_reasons(carer, S.READY_FOR_PANEL, as_coordinator, TODAY) == []
    setattr(carer, field, True)
    carer.save()

    reasons = _refused(carer=carer, to=S.READY_FOR_PANEL, membership=as_coordinator, reason="Done.")

    assert reasons == [f"7 of 8 checks are complete: {outstanding} is outstanding."]


def test_a_check_the_scheme_does_not_require_does_not_hold_up_panel(scheme, as_coordinator):
    SchemeCheckSettingFactory(
        scheme=scheme, kind=CheckKind.LANDLORD_PERMISSION, required=False, renewal_months=None
    )
    carer = _applicant_ready_for_panel(scheme)
    assert not Check.objects.filter(carer=carer, kind=CheckKind.LANDLORD_PERMISSION).exists()

    move_carer(carer=carer, to=S.READY_FOR_PANEL, membership=as_coordinator, reason="All done.")

    assert carer.status == S.READY_FOR_PANEL


def test_a_schemes_shorter_renewal_period_holds_up_panel(scheme, as_coordinator):
    carer = _applicant_ready_for_panel(scheme)
    Check.objects.filter(carer=carer, kind=CheckKind.DBS).update(
        issued_on=dt.date(2025, 10, 1), expires_on=None
    )
    assert services.move_reasons(carer, S.READY_FOR_PANEL, as_coordinator, TODAY) == []
    SchemeCheckSettingFactory(scheme=scheme, kind=CheckKind.DBS, required=True, renewal_months=12)

    reasons = _refused(carer=carer, to=S.READY_FOR_PANEL, membership=as_coordinator, reason="Done.")

    assert reasons == ["6 of 7 checks are complete: the DBS check for Asha Patel is outstanding."]


def test_two_references_are_needed_before_panel(scheme, as_coordinator):
    carer = _applicant_ready_for_panel(scheme)
    Check.objects.filter(carer=carer, kind=CheckKind.REFERENCE).first().delete()

    reasons = _refused(carer=carer, to=S.READY_FOR_PANEL, membership=as_coordinator, reason="Done.")

    assert reasons == ["6 of 7 checks are complete: a second reference is outstanding."]


def test_outstanding_checks_and_the_report_are_refused_together(scheme, as_coordinator):
    carer = _household(scheme, S.ASSESSMENT)
    complete_required_checks(carer)
    Check.objects.filter(carer=carer, kind=CheckKind.GP_REFERENCE).delete()

    reasons = _refused(carer=carer, to=S.READY_FOR_PANEL, membership=as_coordinator, reason="Done.")

    assert reasons == [
        "6 of 7 checks are complete: the GP or medical reference is outstanding.",
        "The assessment has not been recorded.",
    ]


# The panel


@pytest.fixture
def meeting(scheme):
    return PanelMeetingFactory(scheme=scheme, date=dt.date(2026, 12, 3))


def test_adding_an_applicant_to_a_panel_agenda_moves_them_to_panel(scheme, meeting, as_coordinator):
    carer = _applicant_ready_for_panel(scheme, S.READY_FOR_PANEL)

    item = add_to_panel(meeting=meeting, carer=carer, membership=as_coordinator)

    carer.refresh_from_db()
    assert carer.status == S.PANEL
    assert (item.meeting, item.carer, item.recommendation) == (meeting, carer, "")
    change = StageChange.objects.get(carer=carer)
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        S.READY_FOR_PANEL,
        S.PANEL,
        as_coordinator.user,
        "On the agenda of the panel on 3 Dec 2026.",
    )


@pytest.mark.parametrize("status", [s for s in S if s != S.READY_FOR_PANEL])
def test_only_an_applicant_ready_for_panel_can_be_added_to_an_agenda(scheme, meeting, as_coordinator, status):
    carer = _household(scheme, status)

    with pytest.raises(WorkflowRefused) as refused:
        add_to_panel(meeting=meeting, carer=carer, membership=as_coordinator)

    assert refused.value.reasons == [
        f"Asha Patel is not ready for panel (they are at {S(status).label.lower()})."
    ]
    assert not PanelItem.objects.exists()
    _unchanged(carer, status)


def test_an_applicant_cannot_go_on_another_schemes_panel(scheme, other_scheme, as_coordinator):
    carer = _household(scheme, S.READY_FOR_PANEL)
    elsewhere = PanelMeetingFactory(scheme=other_scheme)

    with pytest.raises(WorkflowRefused) as refused:
        add_to_panel(meeting=elsewhere, carer=carer, membership=as_coordinator)

    assert refused.value.reasons == ["That panel meeting belongs to another scheme."]
    assert not PanelItem.objects.exists()
    _unchanged(carer, S.READY_FOR_PANEL)


def test_moving_to_panel_without_being_on_an_agenda_is_refused(scheme, as_coordinator):
    carer = _household(scheme, S.READY_FOR_PANEL)

    reasons = _refused(carer=carer, to=S.PANEL, membership=as_coordinator, reason="Panel next week.")

    assert reasons == ["They are not on a panel meeting's agenda."]
    _unchanged(carer, S.READY_FOR_PANEL)


def test_recording_the_panels_recommendation(scheme, as_coordinator):
    item = PanelItemFactory(carer=_household(scheme, S.PANEL))

    record_recommendation(
        item=item,
        membership=as_coordinator,
        recommendation=Recommendation.APPROVE,
        reasons="  A thorough assessment.  ",
    )

    item.refresh_from_db()
    assert (item.recommendation, item.reasons, item.conditions) == (
        Recommendation.APPROVE,
        "A thorough assessment.",
        "",
    )
    assert (item.recorded_by, item.recorded_at) == (as_coordinator.user, NOW)


@pytest.mark.parametrize("reasons", ["", "  "])
def test_a_recommendation_without_reasons_is_refused(scheme, as_coordinator, reasons):
    item = PanelItemFactory(carer=_household(scheme, S.PANEL))

    with pytest.raises(WorkflowRefused) as refused:
        record_recommendation(
            item=item, membership=as_coordinator, recommendation=Recommendation.DEFER, reasons=reasons
        )

    assert refused.value.reasons == ["Give the panel's reasons."]
    item.refresh_from_db()
    assert item.recommendation == ""


def test_approve_with_conditions_needs_the_conditions(scheme, as_coordinator):
    item = PanelItemFactory(carer=_household(scheme, S.PANEL))

    with pytest.raises(WorkflowRefused) as refused:
        record_recommendation(
            item=item,
            membership=as_coordinator,
            recommendation=Recommendation.APPROVE_WITH_CONDITIONS,
            reasons="Suitable for short breaks.",
            conditions=" ",
        )

    assert refused.value.reasons == ["Say what the conditions are."]
    item.refresh_from_db()
    assert item.recommendation == ""


def test_approve_with_conditions_records_the_conditions(scheme, as_coordinator):
    item = PanelItemFactory(carer=_household(scheme, S.PANEL))

    record_recommendation(
        item=item,
        membership=as_coordinator,
        recommendation=Recommendation.APPROVE_WITH_CONDITIONS,
        reasons="Suitable for short breaks.",
        conditions="First aid training within six months.",
    )

    item.refresh_from_db()
    assert item.conditions == "First aid training within six months."


def test_a_recommendation_for_someone_no_longer_at_panel_is_refused(scheme, as_coordinator):
    item = PanelItemFactory(carer=_household(scheme, S.WITHDRAWN))

    with pytest.raises(WorkflowRefused) as refused:
        record_recommendation(
            item=item, membership=as_coordinator, recommendation=Recommendation.APPROVE, reasons="Good."
        )

    assert refused.value.reasons == ["Asha Patel is no longer at the panel stage."]


def test_a_deferred_applicant_goes_back_to_assessment(scheme, as_coordinator):
    carer = _household(scheme, S.PANEL)
    _recommended(carer, Recommendation.DEFER)

    move_carer(
        carer=carer, to=S.ASSESSMENT, membership=as_coordinator, reason="Panel deferred: more references."
    )

    assert carer.status == S.ASSESSMENT


# The decision: the registered manager's alone


def _decide(carer, membership, outcome=DecisionOutcome.APPROVE, **kwargs):
    return decide_approval(
        carer=carer,
        membership=membership,
        outcome=outcome,
        reasons=kwargs.pop("reasons", "As the panel recommended."),
        decided_on=kwargs.pop("decided_on", TODAY),
        terms=kwargs.pop("terms", dict(TERMS) if outcome == DecisionOutcome.APPROVE else None),
    )


@pytest.mark.parametrize("outcome", [DecisionOutcome.APPROVE, DecisionOutcome.DECLINE])
def test_a_coordinator_cannot_decide(scheme, as_coordinator, outcome):
    carer = _household(scheme, S.PANEL)
    _recommended(carer)

    with pytest.raises(WorkflowRefused) as refused:
        _decide(carer, as_coordinator, outcome)

    assert refused.value.reasons == ["Only the registered manager can make this decision."]
    assert not ApprovalDecision.objects.exists()
    assert not ApprovalTerms.objects.exists()
    _unchanged(carer, S.PANEL)


def test_a_coordinator_cannot_approve_by_moving_the_stage_either(scheme, manager, as_coordinator):
    carer = _household(scheme, S.PANEL)
    _recommended(carer)
    _with_terms(carer, manager)

    reasons = _refused(carer=carer, to=S.APPROVED, membership=as_coordinator, reason="Panel said yes.")

    assert reasons == [
        "Only the registered manager can make this decision.",
        "The registered manager's decision has not been recorded.",
    ]
    _unchanged(carer, S.PANEL)


def test_the_manager_approves_with_terms(scheme, manager, as_manager):
    carer = _household(scheme, S.PANEL)
    item = _recommended(carer)

    decision = _decide(
        carer,
        as_manager,
        reasons="A strong assessment and the panel's recommendation.",
        terms={**TERMS, "conditions": "Short breaks only for the first year."},
    )

    carer.refresh_from_db()
    assert carer.status == S.APPROVED
    assert carer.status_changed_at == NOW
    assert carer.next_review_due == dt.date(2027, 11, 22)
    assert (decision.outcome, decision.decided_by, decision.decided_on, decision.panel_item) == (
        DecisionOutcome.APPROVE,
        manager,
        TODAY,
        item,
    )
    terms = ApprovalTerms.objects.get(carer=carer)
    assert (terms.decision, terms.starts_on, terms.ends_on) == (decision, TODAY, None)
    assert (terms.kinds, terms.max_people, terms.needs_groups, terms.conditions) == (
        TERMS["kinds"],
        2,
        TERMS["needs_groups"],
        "Short breaks only for the first year.",
    )
    change = StageChange.objects.get(carer=carer)
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        S.PANEL,
        S.APPROVED,
        manager,
        "Decision: A strong assessment and the panel's recommendation.",
    )


def test_the_first_review_is_due_a_year_after_the_decision_date(scheme, as_manager):
    carer = _household(scheme, S.PANEL)
    _recommended(carer)

    _decide(carer, as_manager, decided_on=dt.date(2026, 11, 20))

    carer.refresh_from_db()
    assert carer.next_review_due == dt.date(2027, 11, 20)


def test_the_manager_declines_without_terms(scheme, manager, as_manager):
    carer = _household(scheme, S.PANEL)
    _recommended(carer, Recommendation.DO_NOT_APPROVE)

    decision = _decide(carer, as_manager, DecisionOutcome.DECLINE, reasons="The home is not suitable.")

    carer.refresh_from_db()
    assert carer.status == S.DECLINED
    assert carer.next_review_due is None
    assert (decision.outcome, decision.decided_by) == (DecisionOutcome.DECLINE, manager)
    assert not ApprovalTerms.objects.exists()
    assert StageChange.objects.get(carer=carer).to_status == S.DECLINED


def test_a_decision_needs_the_panels_recommendation(scheme, as_manager):
    carer = _household(scheme, S.PANEL)
    PanelItemFactory(carer=carer)

    with pytest.raises(WorkflowRefused) as refused:
        _decide(carer, as_manager)

    assert refused.value.reasons == ["The panel's recommendation has not been recorded."]
    assert not ApprovalDecision.objects.exists()
    _unchanged(carer, S.PANEL)


def test_a_decision_needs_the_applicant_on_a_panel(scheme, as_manager):
    carer = _household(scheme, S.PANEL)

    with pytest.raises(WorkflowRefused) as refused:
        _decide(carer, as_manager)

    assert refused.value.reasons == ["The panel's recommendation has not been recorded."]
    _unchanged(carer, S.PANEL)


def test_the_latest_panels_recommendation_is_the_one_that_counts(scheme, as_manager):
    carer = _household(scheme, S.PANEL)
    PanelItemFactory(
        carer=carer,
        meeting=PanelMeetingFactory(scheme=scheme, date=dt.date(2026, 10, 1)),
        recommendation=Recommendation.DEFER,
        reasons="More references.",
    )
    latest = PanelItemFactory(
        carer=carer, meeting=PanelMeetingFactory(scheme=scheme, date=dt.date(2026, 11, 5))
    )

    with pytest.raises(WorkflowRefused):
        _decide(carer, as_manager)

    record_recommendation(
        item=latest, membership=as_manager, recommendation=Recommendation.APPROVE, reasons="Ok."
    )
    assert _decide(carer, as_manager).panel_item == latest


@pytest.mark.parametrize("status", [S.READY_FOR_PANEL, S.APPROVED, S.DECLINED])
def test_there_is_nothing_to_decide_away_from_panel(scheme, as_manager, status):
    carer = _household(scheme, status)

    with pytest.raises(WorkflowRefused) as refused:
        _decide(carer, as_manager)

    assert refused.value.reasons == ["Asha Patel is not at the panel stage, so there is nothing to decide."]
    _unchanged(carer, status)


@pytest.mark.parametrize("reasons", ["", "   "])
def test_a_decision_without_reasons_is_refused(scheme, as_manager, reasons):
    carer = _household(scheme, S.PANEL)
    _recommended(carer)

    with pytest.raises(WorkflowRefused) as refused:
        _decide(carer, as_manager, reasons=reasons)

    assert refused.value.reasons == ["Give the reasons for the decision."]
    assert not ApprovalDecision.objects.exists()
    _unchanged(carer, S.PANEL)


# After approval: suspension, reinstatement, the end of approval


MANAGER_ONLY_AFTER_APPROVAL = [
    (S.APPROVED, S.SUSPENDED),
    (S.SUSPENDED, S.APPROVED),
    (S.APPROVED, S.APPROVAL_ENDED),
    (S.SUSPENDED, S.APPROVAL_ENDED),
]


@pytest.mark.parametrize(("frm", "to"), MANAGER_ONLY_AFTER_APPROVAL, ids=_ids(MANAGER_ONLY_AFTER_APPROVAL))
def test_a_coordinator_cannot_suspend_reinstate_or_end_approval(scheme, manager, as_coordinator, frm, to):
    carer = _household(scheme, frm)
    terms = _with_terms(carer, manager)

    reasons = _refused(carer=carer, to=to, membership=as_coordinator, reason="Safeguarding concern.")

    assert reasons == ["Only the registered manager can make this decision."]
    _unchanged(carer, frm)
    terms.refresh_from_db()
    assert terms.ends_on is None


@pytest.mark.parametrize(("frm", "to"), MANAGER_ONLY_AFTER_APPROVAL, ids=_ids(MANAGER_ONLY_AFTER_APPROVAL))
def test_the_manager_can_suspend_reinstate_and_end_approval(scheme, manager, as_manager, frm, to):
    carer = _household(scheme, frm)
    _with_terms(carer, manager)

    move_carer(carer=carer, to=to, membership=as_manager, reason="Decided at the investigation meeting.")

    carer.refresh_from_db()
    assert carer.status == to
    assert StageChange.objects.get(carer=carer).changed_by == manager


def test_suspension_keeps_the_terms_in_force(scheme, manager, as_manager):
    carer = _household(scheme, S.APPROVED)
    terms = _with_terms(carer, manager)

    move_carer(carer=carer, to=S.SUSPENDED, membership=as_manager, reason="Pending an investigation.")

    terms.refresh_from_db()
    assert terms.ends_on is None


def test_reinstatement_needs_terms_in_force(scheme, as_manager):
    carer = _household(scheme, S.SUSPENDED)

    reasons = _refused(carer=carer, to=S.APPROVED, membership=as_manager, reason="Investigation closed.")

    assert reasons == ["No terms of approval are in force."]
    _unchanged(carer, S.SUSPENDED)


@pytest.mark.parametrize(
    ("frm", "to", "who"),
    [
        (S.APPROVED, S.RESIGNED, "coordinator"),
        (S.SUSPENDED, S.RESIGNED, "coordinator"),
        (S.APPROVED, S.APPROVAL_ENDED, "manager"),
        (S.SUSPENDED, S.APPROVAL_ENDED, "manager"),
    ],
)
def test_resignation_and_the_end_of_approval_end_the_terms_in_force(
    scheme, manager, coordinator, frm, to, who
):
    carer = _household(scheme, frm)
    old = _with_terms(carer, manager, ends_on=dt.date(2025, 12, 31))
    current = _with_terms(carer, manager, starts_on=dt.date(2026, 1, 1))
    membership = {"manager": manager, "coordinator": coordinator}[who].memberships.get()

    move_carer(carer=carer, to=to, membership=membership, reason="They have retired.")

    current.refresh_from_db()
    old.refresh_from_db()
    assert current.ends_on == TODAY
    assert old.ends_on == dt.date(2025, 12, 31)
    assert not ApprovalTerms.objects.filter(carer=carer, ends_on__isnull=True).exists()


# A change of terms


def test_the_manager_changes_the_terms_and_the_old_ones_end(scheme, manager, as_manager):
    carer = _household(scheme, S.APPROVED)
    old = _with_terms(carer, manager)

    new = change_terms(
        carer=carer,
        membership=as_manager,
        reasons="Asked for at the annual review.",
        decided_on=TODAY,
        terms={**TERMS, "max_people": 3, "kinds": [ArrangementKind.LIVE_IN]},
    )

    old.refresh_from_db()
    assert old.ends_on == dt.date(2026, 11, 21)
    assert (new.starts_on, new.ends_on, new.max_people, new.kinds) == (
        TODAY,
        None,
        3,
        [ArrangementKind.LIVE_IN],
    )
    assert (new.decision.outcome, new.decision.decided_by, new.decision.reasons) == (
        DecisionOutcome.APPROVE,
        manager,
        "Asked for at the annual review.",
    )
    assert ApprovalTerms.objects.get(carer=carer, ends_on__isnull=True) == new
    carer.refresh_from_db()
    assert carer.status == S.APPROVED


def test_a_coordinator_cannot_change_the_terms(scheme, manager, as_coordinator):
    carer = _household(scheme, S.APPROVED)
    old = _with_terms(carer, manager)

    with pytest.raises(WorkflowRefused) as refused:
        change_terms(
            carer=carer, membership=as_coordinator, reasons="More room.", decided_on=TODAY, terms=TERMS
        )

    assert refused.value.reasons == ["Only the registered manager can change the terms of approval."]
    old.refresh_from_db()
    assert old.ends_on is None
    assert ApprovalTerms.objects.count() == 1


def test_a_change_of_terms_without_reasons_is_refused(scheme, manager, as_manager):
    carer = _household(scheme, S.APPROVED)
    old = _with_terms(carer, manager)

    with pytest.raises(WorkflowRefused) as refused:
        change_terms(carer=carer, membership=as_manager, reasons="  ", decided_on=TODAY, terms=TERMS)

    assert refused.value.reasons == ["Give the reasons for the change of terms."]
    old.refresh_from_db()
    assert old.ends_on is None
    assert ApprovalTerms.objects.count() == 1


@pytest.mark.parametrize("status", [S.PANEL, S.RESIGNED, S.APPROVAL_ENDED])
def test_only_an_approved_households_terms_can_change(scheme, as_manager, status):
    carer = _household(scheme, status)

    with pytest.raises(WorkflowRefused) as refused:
        change_terms(carer=carer, membership=as_manager, reasons="More room.", decided_on=TODAY, terms=TERMS)

    assert refused.value.reasons == ["Asha Patel is not approved, so there are no terms to change."]
    assert not ApprovalTerms.objects.exists()


# The annual review


def _review(carer, membership, **kwargs):
    return complete_carer_review(
        carer=carer,
        membership=membership,
        held_on=kwargs.pop("held_on", dt.date(2026, 11, 20)),
        findings="The home and the support continue to meet the standards.",
        carer_views="We'd like to offer short breaks as well.",
        home_safety_checked=True,
        **kwargs,
    )


@pytest.mark.parametrize("status", [S.APPROVED, S.SUSPENDED])
def test_the_annual_review_sets_the_next_one_a_year_after_it_was_held(scheme, as_coordinator, status):
    carer = _household(scheme, status, next_review_due=dt.date(2026, 11, 30))

    review = _review(carer, as_coordinator)

    carer.refresh_from_db()
    assert carer.next_review_due == dt.date(2027, 11, 20)
    assert (review.due_on, review.held_on, review.next_due_on, review.reviewer) == (
        dt.date(2026, 11, 30),
        dt.date(2026, 11, 20),
        dt.date(2027, 11, 20),
        as_coordinator.user,
    )
    assert carer.version == 2


def test_the_reviewer_can_choose_the_next_review_date(scheme, as_coordinator):
    carer = _household(scheme, S.APPROVED, next_review_due=dt.date(2026, 11, 30))

    _review(carer, as_coordinator, next_due_on=dt.date(2027, 5, 20), terms_change="Room for a second person.")

    carer.refresh_from_db()
    assert carer.next_review_due == dt.date(2027, 5, 20)
    assert CarerReview.objects.get(carer=carer).terms_change == "Room for a second person."


@pytest.mark.parametrize("status", [s for s in S if s not in (S.APPROVED, S.SUSPENDED)])
def test_only_an_approved_household_has_an_annual_review(scheme, as_coordinator, status):
    carer = _household(scheme, status)

    with pytest.raises(WorkflowRefused) as refused:
        _review(carer, as_coordinator)

    assert refused.value.reasons == ["Asha Patel is not approved, so has no annual review."]
    assert not CarerReview.objects.exists()
    carer.refresh_from_db()
    assert carer.next_review_due is None


# What the approval tab offers next


def test_available_moves_say_what_is_allowed_what_is_not_and_why(scheme, as_coordinator):
    carer = _household(scheme, S.PANEL)
    _recommended(carer)

    moves = {move.to: move for move in available_moves(carer, as_coordinator, TODAY)}

    assert list(moves) == [S.APPROVED, S.DECLINED, S.ASSESSMENT, S.WITHDRAWN]
    assert moves[S.APPROVED].reasons == [
        "Only the registered manager can make this decision.",
        "The registered manager's decision has not been recorded.",
    ]
    assert moves[S.APPROVED].via == "Record the decision."
    assert moves[S.DECLINED].reasons == [
        "Only the registered manager can make this decision.",
        "The registered manager's decision has not been recorded.",
    ]
    assert moves[S.ASSESSMENT].allowed
    assert moves[S.WITHDRAWN].allowed
    assert moves[S.WITHDRAWN].label == "Withdrawn"


def test_available_moves_show_why_an_applicant_is_not_ready_for_panel(scheme, as_coordinator):
    carer = _household(scheme, S.ASSESSMENT)

    moves = {move.to: move for move in available_moves(carer, as_coordinator, TODAY)}

    assert moves[S.READY_FOR_PANEL].reasons == [
        "0 of 7 checks are complete: the DBS check for Asha Patel, the references, the GP or medical "
        "reference, the health and safety check of the home, the mortgage lender or landlord "
        "permission, the home insurance and the induction training are outstanding.",
        "The assessment has not been recorded.",
    ]
    assert moves[S.DECLINED].allowed


def test_staff_of_another_scheme_cannot_move_a_household(scheme, other_coordinator):
    household = CarerFactory(scheme=scheme, status=CarerStatus.ENQUIRY)
    stranger = other_coordinator.memberships.get()

    with pytest.raises(WorkflowRefused, match="Only the staff of this household's scheme"):
        services.move_carer(
            carer=household, to=CarerStatus.WITHDRAWN, membership=stranger, reason="Not theirs"
        )

    household.refresh_from_db()
    assert household.status == CarerStatus.ENQUIRY


def test_ending_approval_ends_terms_that_had_not_started_on_their_start_day(scheme, manager):
    household = CarerFactory(scheme=scheme, status=CarerStatus.APPROVED)
    starts = TODAY + dt.timedelta(days=10)
    terms = ApprovalTermsFactory(carer=household, starts_on=starts)

    services.move_carer(
        carer=household,
        to=CarerStatus.APPROVAL_ENDED,
        membership=manager.memberships.get(),
        reason="Moved away",
    )

    terms.refresh_from_db()
    assert terms.ends_on == starts


@pytest.mark.parametrize("to", [S.APPROVED, S.DECLINED])
def test_after_panel_only_a_recorded_decision_approves_or_declines(scheme, manager, as_manager, to):
    carer = _household(scheme, S.PANEL)
    _recommended(carer)
    if to == S.APPROVED:
        _with_terms(carer, manager)

    reasons = _refused(carer=carer, to=to, membership=as_manager, reason="Agreed", expected_from=S.PANEL)

    assert reasons == ["The registered manager's decision has not been recorded."]
    _unchanged(carer, S.PANEL)
