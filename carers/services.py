"""The carer approval workflow. Every change of a household's stage goes
through ``move_carer``; the other services here record a step of the work and
call it when the step moves the household on."""

import datetime

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from carers.checklist import build_checklist
from carers.models import (
    ApprovalDecision,
    ApprovalTerms,
    Carer,
    CarerReview,
    CarerStatus,
    Check,
    CheckStatus,
    DecisionOutcome,
    PanelItem,
    PanelMeeting,
    Recommendation,
    StageChange,
)
from sharedlives.dates import add_months
from sharedlives.workflow import Move, WorkflowRefused

S = CarerStatus

# The allowed moves: from each stage, the stages it may go to next.
ALLOWED_MOVES = {
    S.ENQUIRY: (S.INITIAL_VISIT, S.DECLINED, S.WITHDRAWN),
    S.INITIAL_VISIT: (S.APPLICATION, S.DECLINED, S.WITHDRAWN),
    S.APPLICATION: (S.ASSESSMENT, S.DECLINED, S.WITHDRAWN),
    S.ASSESSMENT: (S.READY_FOR_PANEL, S.DECLINED, S.WITHDRAWN),
    S.READY_FOR_PANEL: (S.PANEL, S.ASSESSMENT, S.WITHDRAWN),
    S.PANEL: (S.APPROVED, S.DECLINED, S.ASSESSMENT, S.WITHDRAWN),
    S.APPROVED: (S.SUSPENDED, S.RESIGNED, S.APPROVAL_ENDED),
    S.SUSPENDED: (S.APPROVED, S.RESIGNED, S.APPROVAL_ENDED),
    S.DECLINED: (S.ENQUIRY,),
    S.WITHDRAWN: (S.ENQUIRY,),
    S.RESIGNED: (S.ENQUIRY,),
    S.APPROVAL_ENDED: (),
}

# Moves that are the registered manager's (the decision-maker's) to make.
MANAGER_MOVES = {
    (S.PANEL, S.APPROVED),
    (S.PANEL, S.DECLINED),
    (S.APPROVED, S.SUSPENDED),
    (S.SUSPENDED, S.APPROVED),
    (S.APPROVED, S.APPROVAL_ENDED),
    (S.SUSPENDED, S.APPROVAL_ENDED),
}

# Moves that happen as part of another step, not from the stage buttons.
MADE_BY_ANOTHER_STEP = {
    (S.READY_FOR_PANEL, S.PANEL): "Add them to a panel meeting's agenda.",
    (S.PANEL, S.APPROVED): "Record the decision.",
    (S.PANEL, S.DECLINED): "Record the decision.",
}

# Stages at which approval is over: the terms in force end.
ENDS_APPROVAL = (S.RESIGNED, S.APPROVAL_ENDED)


def move_reasons(carer: Carer, to: str, membership, today: datetime.date) -> list[str]:
    """Why ``carer`` cannot move to ``to`` now (empty if it can). ``carer``
    should have its checks, household members, assessment, panel items and
    approvals loaded or loadable."""
    if not _is_staff_of(membership, carer):
        return ["Only the staff of this household's scheme can move it."]
    frm = carer.status
    if to not in ALLOWED_MOVES.get(frm, ()):
        return [f"A household cannot go from {S(frm).label.lower()} to {S(to).label.lower()}."]
    reasons = []
    if (frm, to) in MANAGER_MOVES and not membership.is_manager:
        reasons.append("Only the registered manager can make this decision.")
    if to == S.READY_FOR_PANEL:
        checklist = build_checklist(carer, today)
        if not checklist.complete:
            reasons.append(checklist.summary + ".")
        assessment = getattr(carer, "assessment", None)
        if assessment is None:
            reasons.append("The assessment has not been recorded.")
        else:
            reasons.extend(reason[0].upper() + reason[1:] + "." for reason in assessment.outstanding())
    if to == S.PANEL and not any(not item.recommendation for item in carer.panel_items.all()):
        reasons.append("They are not on a panel meeting's agenda.")
    if frm == S.PANEL and to in (S.APPROVED, S.DECLINED):
        item = latest_panel_item(carer)
        if item is None or not item.recommendation:
            reasons.append("The panel's recommendation has not been recorded.")
        # After panel, only a recorded decision approves or declines (decide_approval).
        outcome = DecisionOutcome.APPROVE if to == S.APPROVED else DecisionOutcome.DECLINE
        if item is None or not any(
            d.panel_item_id == item.pk and d.outcome == outcome for d in carer.decisions.all()
        ):
            reasons.append("The registered manager's decision has not been recorded.")
    elif to == S.APPROVED and not any(terms.ends_on is None for terms in carer.approvals.all()):
        reasons.append("No terms of approval are in force.")
    return reasons


def available_moves(carer: Carer, membership, today: datetime.date) -> list[Move]:
    """Every next stage from where ``carer`` is, each with why it is not yet allowed."""
    moves = []
    for to in ALLOWED_MOVES.get(carer.status, ()):
        moves.append(
            Move(
                to=to,
                label=S(to).label,
                reasons=move_reasons(carer, to, membership, today),
                via=MADE_BY_ANOTHER_STEP.get((carer.status, to), ""),
            )
        )
    return moves


def _is_staff_of(membership, carer: Carer) -> bool:
    """The views check access first; the services check again so that no
    other caller can act on another scheme's household."""
    return membership is not None and membership.is_staff_role and membership.scheme_id == carer.scheme_id


def latest_panel_item(carer: Carer, items=None) -> PanelItem | None:
    """The household's latest panel item, from ``carer.panel_items.all()`` or
    ``items`` (a list of them with their meetings)."""
    items = sorted(
        carer.panel_items.all() if items is None else items, key=lambda item: (item.meeting.date, item.pk)
    )
    return items[-1] if items else None


def _locked(carer: Carer) -> Carer:
    """The household re-read under a row lock, with what the guards need."""
    return (
        Carer.objects.select_for_update(of=("self",))
        .select_related("scheme", "assessment")
        .prefetch_related(
            "checks",
            "household_members",
            "scheme__check_settings",
            "panel_items__meeting",
            "approvals",
            "decisions",
        )
        .get(pk=carer.pk)
    )


@transaction.atomic
def move_carer(
    *, carer: Carer, to: str, membership, reason: str, expected_from: str | None = None
) -> StageChange:
    """Move a household to another stage of approval.

    Staff of the household's scheme may call it; the guards (``move_reasons``)
    decide the rest, including which moves only the registered manager makes.
    ``expected_from`` is the stage the user saw: if someone else moved the
    household meanwhile, the move is refused rather than made twice."""
    locked = _locked(carer)
    if expected_from and locked.status != expected_from:
        raise WorkflowRefused(
            [
                f"Someone else has just moved {locked.name} to {locked.get_status_display().lower()}. "
                "Check the stage history below, then try again if you still need to."
            ]
        )
    if not reason.strip():
        raise WorkflowRefused(["Say why the household is moving to this stage."])
    today = timezone.localdate()
    reasons = move_reasons(locked, to, membership, today)
    if reasons:
        raise WorkflowRefused(reasons)
    now = timezone.now()
    change = StageChange.objects.create(
        carer=locked,
        from_status=locked.status,
        to_status=to,
        changed_by=membership.user,
        changed_at=now,
        reason=reason.strip(),
    )
    if to in ENDS_APPROVAL:
        # Terms that had not started yet end on the day they would have started.
        ApprovalTerms.objects.filter(carer=locked, ends_on__isnull=True).update(
            ends_on=Greatest(F("starts_on"), Value(today))
        )
    locked.status = to
    locked.status_changed_at = now
    locked.version += 1
    locked.save(update_fields=["status", "status_changed_at", "version", "updated_at"])
    carer.status, carer.status_changed_at, carer.version = locked.status, now, locked.version
    return change


@transaction.atomic
def add_to_panel(*, meeting: PanelMeeting, carer: Carer, membership) -> PanelItem:
    """Put an applicant who is ready for panel on a meeting's agenda, which
    moves them to the panel stage."""
    if meeting.scheme_id != carer.scheme_id:
        raise WorkflowRefused(["That panel meeting belongs to another scheme."])
    if carer.status != S.READY_FOR_PANEL:
        raise WorkflowRefused(
            [f"{carer.name} is not ready for panel (they are at {carer.get_status_display().lower()})."]
        )
    item = PanelItem.objects.create(meeting=meeting, carer=carer)
    move_carer(
        carer=carer,
        to=S.PANEL,
        membership=membership,
        reason=f"On the agenda of the panel on {meeting.date:%-d %b %Y}.",
        expected_from=S.READY_FOR_PANEL,
    )
    return item


@transaction.atomic
def record_recommendation(
    *, item: PanelItem, membership, recommendation: str, reasons: str, conditions: str = ""
) -> PanelItem:
    """Record what the panel recommended for one applicant. Staff may record
    it; the decision itself is the registered manager's (``decide_approval``)."""
    item = PanelItem.objects.select_for_update().select_related("carer").get(pk=item.pk)
    if not _is_staff_of(membership, item.carer):
        raise WorkflowRefused(
            ["Only the staff of this household's scheme can record the panel's recommendation."]
        )
    if item.carer.status != S.PANEL:
        raise WorkflowRefused([f"{item.carer.name} is no longer at the panel stage."])
    if not reasons.strip():
        raise WorkflowRefused(["Give the panel's reasons."])
    if recommendation == Recommendation.APPROVE_WITH_CONDITIONS and not conditions.strip():
        raise WorkflowRefused(["Say what the conditions are."])
    item.recommendation = recommendation
    item.reasons = reasons.strip()
    item.conditions = conditions.strip()
    item.recorded_by = membership.user
    item.recorded_at = timezone.now()
    item.save()
    return item


@transaction.atomic
def decide_approval(
    *,
    carer: Carer,
    membership,
    outcome: str,
    reasons: str,
    decided_on: datetime.date,
    terms: dict | None = None,
) -> ApprovalDecision:
    """The decision-maker approves (with terms) or declines an applicant after
    panel. Only the registered manager may decide; the panel's recommendation
    must be recorded first."""
    locked = _locked(carer)
    if not membership.is_manager:
        raise WorkflowRefused(["Only the registered manager can make this decision."])
    if locked.status != S.PANEL:
        raise WorkflowRefused([f"{locked.name} is not at the panel stage, so there is nothing to decide."])
    item = latest_panel_item(locked)
    if item is None or not item.recommendation:
        raise WorkflowRefused(["The panel's recommendation has not been recorded."])
    reasons = reasons.strip()
    if not reasons:
        raise WorkflowRefused(["Give the reasons for the decision."])
    decision = ApprovalDecision.objects.create(
        carer=locked,
        panel_item=item,
        outcome=outcome,
        decided_by=membership.user,
        decided_on=decided_on,
        reasons=reasons,
    )
    if outcome == DecisionOutcome.APPROVE:
        ApprovalTerms.objects.create(carer=locked, decision=decision, starts_on=decided_on, **terms)
        next_review = add_months(decided_on, 12)
        Carer.objects.filter(pk=locked.pk).update(next_review_due=next_review)
        locked.next_review_due = next_review
    to = S.APPROVED if outcome == DecisionOutcome.APPROVE else S.DECLINED
    move_carer(
        carer=locked, to=to, membership=membership, reason=f"Decision: {reasons}", expected_from=S.PANEL
    )
    carer.status = locked.status
    return decision


@transaction.atomic
def change_terms(
    *, carer: Carer, membership, reasons: str, decided_on: datetime.date, terms: dict
) -> ApprovalTerms:
    """A change to an approved household's terms: the decision-maker's, as a
    new decision; the old terms end the day before the new ones start."""
    locked = Carer.objects.select_for_update().get(pk=carer.pk)
    if not membership.is_manager:
        raise WorkflowRefused(["Only the registered manager can change the terms of approval."])
    if locked.status not in (S.APPROVED, S.SUSPENDED):
        raise WorkflowRefused([f"{locked.name} is not approved, so there are no terms to change."])
    reasons = reasons.strip()
    if not reasons:
        raise WorkflowRefused(["Give the reasons for the change of terms."])
    current = ApprovalTerms.objects.select_for_update().filter(carer=locked, ends_on__isnull=True).first()
    if current is not None:
        current.ends_on = max(current.starts_on, decided_on - datetime.timedelta(days=1))
        current.save(update_fields=["ends_on"])
    decision = ApprovalDecision.objects.create(
        carer=locked,
        outcome=DecisionOutcome.APPROVE,
        decided_by=membership.user,
        decided_on=decided_on,
        reasons=reasons,
    )
    return ApprovalTerms.objects.create(carer=locked, decision=decision, starts_on=decided_on, **terms)


@transaction.atomic
def sign_off_check(*, check: Check, membership) -> Check:
    """A manager accepts the risk assessment of a check with a concern, so it
    counts as complete."""
    check = Check.objects.select_for_update().get(pk=check.pk)
    if not membership.is_manager:
        raise WorkflowRefused(["Only the registered manager can sign off a concern."])
    if check.status != CheckStatus.CONCERN:
        raise WorkflowRefused(["Only a check with a concern needs signing off."])
    if not check.risk_assessment.strip():
        raise WorkflowRefused(["Record the risk assessment before it is signed off."])
    check.signed_off_by = membership.user
    check.signed_off_at = timezone.now()
    check.save(update_fields=["signed_off_by", "signed_off_at"])
    return check


@transaction.atomic
def complete_carer_review(
    *,
    carer: Carer,
    membership,
    held_on: datetime.date,
    findings: str,
    carer_views: str,
    home_safety_checked: bool,
    terms_change: str = "",
    next_due_on: datetime.date | None = None,
) -> CarerReview:
    """Record the annual review of an approved household and set the next
    one (a year on unless the reviewer chooses a date)."""
    locked = Carer.objects.select_for_update().get(pk=carer.pk)
    if locked.status not in (S.APPROVED, S.SUSPENDED):
        raise WorkflowRefused([f"{locked.name} is not approved, so has no annual review."])
    next_due_on = next_due_on or add_months(held_on, 12)
    review = CarerReview.objects.create(
        carer=locked,
        due_on=locked.next_review_due,
        held_on=held_on,
        reviewer=membership.user,
        findings=findings,
        carer_views=carer_views,
        home_safety_checked=home_safety_checked,
        terms_change=terms_change,
        next_due_on=next_due_on,
    )
    locked.next_review_due = next_due_on
    locked.version += 1
    locked.save(update_fields=["next_review_due", "version", "updated_at"])
    carer.next_review_due, carer.version = next_due_on, locked.version
    return review
