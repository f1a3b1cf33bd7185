"""A carer household's approval: the approval tab, moves between stages, and
the forms that record each step. Every stage change goes through
carers.services; these views only find the household, read the form, call
the service and say what happened (or why it was refused)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from carers import services
from carers.checklist import build_checklist, rules_for
from carers.forms.approval import AssessmentForm, CarerReviewForm, CheckForm, DecisionForm, TermsChangeForm
from carers.lapsed import check_rules, lapsed_checks
from carers.models import (
    TRAINING_KINDS,
    ApprovalDecision,
    ApprovalTerms,
    Assessment,
    Carer,
    CarerReview,
    CarerStatus,
    Certificate,
    Check,
    CheckKind,
    CheckSubject,
    DecisionOutcome,
    PanelItem,
    StageChange,
)
from sharedlives.access import get_carer_for_user, require_staff
from sharedlives.forms import posted_text
from sharedlives.viewlog import logs_view_of

# Stages at which a household has terms of approval and annual reviews.
APPROVED_STATUSES = (CarerStatus.APPROVED, CarerStatus.SUSPENDED)
# The two moves the decision makes: the tab points to it once for both.
DECISION_MOVES = {(CarerStatus.PANEL, CarerStatus.APPROVED), (CarerStatus.PANEL, CarerStatus.DECLINED)}


def _approval_queryset():
    """A household with everything the approval tab and the workflow's
    guards read, in a fixed number of queries however many checks, household
    members, panels, decisions, reviews and moves it has."""
    return Carer.objects.select_related("scheme", "coordinator", "assessment__assessor").prefetch_related(
        "household_members",
        "scheme__check_settings",
        Prefetch(
            "checks",
            queryset=Check.objects.select_related("household_member", "recorded_by", "signed_off_by"),
        ),
        Prefetch("panel_items", queryset=PanelItem.objects.select_related("meeting", "recorded_by")),
        "approvals",
        Prefetch(
            "decisions", queryset=ApprovalDecision.objects.select_related("decided_by", "panel_item__meeting")
        ),
        Prefetch("stage_changes", queryset=StageChange.objects.select_related("changed_by")),
        Prefetch("reviews", queryset=CarerReview.objects.select_related("reviewer")),
        Prefetch(
            "certificates",
            queryset=Certificate.objects.unverified().select_related("uploaded_by").order_by("uploaded_at"),
            to_attr="unverified_certificates",
        ),
    )


def _tab_url(carer, anchor=""):
    return reverse("carer_approval", args=[carer.pk]) + (f"#{anchor}" if anchor else "")


def _require_manager(request, what="make this decision"):
    if not request.membership.is_manager:
        raise PermissionDenied(f"Only the registered manager can {what}.")


def _move_rows(carer, membership, today) -> list[dict]:
    """The next moves as the tab shows them: a form for each allowed move, a
    pointer to the step that makes a move, and why any other is not open."""
    rows = []
    for move in services.available_moves(carer, membership, today):
        pair = (carer.status, move.to)
        row = {"move": move, "kind": "form" if move.allowed else "refused"}
        if pair in DECISION_MOVES:
            if any(r["kind"] == "decision" for r in rows):
                continue
            row.update(kind="decision", label="Approved or declined")
        elif move.via:
            row.update(kind="panel", label=move.label)
        elif pair in services.MANAGER_MOVES and not membership.is_manager and len(move.reasons) == 1:
            row["kind"] = "manager"  # nothing else stands in the way
        rows.append(row)
    return rows


def _certificates_by_check(carer, checklist) -> list:
    """Put each certificate waiting to be verified on the first check of its
    kind (``item.certificates``); return those that match no check."""
    waiting = {}
    for certificate in carer.unverified_certificates:
        waiting.setdefault(certificate.kind, []).append(certificate)
    for item in checklist.items:
        item.certificates = waiting.pop(item.kind, [])
    return [certificate for certificates in waiting.values() for certificate in certificates]


def _terms_change_asked(carer, current_terms, reviews):
    """The latest annual review, if it asked for a change of terms that the
    manager has not yet decided (no new terms since)."""
    latest = reviews[0] if reviews else None
    if latest is None or not latest.terms_change or carer.status not in APPROVED_STATUSES:
        return None
    if current_terms is not None and current_terms.starts_on >= latest.held_on:
        return None
    return latest


@require_safe
@logs_view_of("carer")
def approval_tab(request, pk):
    carer, can_edit = get_carer_for_user(request, pk, queryset=_approval_queryset())
    require_staff(request)
    today = timezone.localdate()
    rules = check_rules(request, carer.scheme)  # its check settings are prefetched
    checklist = build_checklist(carer, today, rules)
    other_certificates = _certificates_by_check(carer, checklist)
    terms = list(carer.approvals.all())
    reviews = list(carer.reviews.all())
    current_terms = next((t for t in terms if t.ends_on is None), None)
    panel_item = services.latest_panel_item(carer)
    context = {
        "carer": carer,
        "can_edit": can_edit,
        "is_manager": request.membership.is_manager,
        "today": today,
        "days_in_stage": (timezone.now() - carer.status_changed_at).days,
        "moves": _move_rows(carer, request.membership, today),
        "checklist": checklist,
        "training_records": [r for r in checklist.other_records if r.kind in TRAINING_KINDS],
        "other_records": [r for r in checklist.other_records if r.kind not in TRAINING_KINDS],
        "other_certificates": other_certificates,
        "assessment": getattr(carer, "assessment", None),
        "panel_items": sorted(carer.panel_items.all(), key=lambda i: (i.meeting.date, i.pk), reverse=True),
        "awaiting_recommendation": carer.status == CarerStatus.PANEL
        and (panel_item is None or not panel_item.recommendation),
        "decisions": carer.decisions.all(),
        "current_terms": current_terms,
        "past_terms": [t for t in terms if t.ends_on is not None],
        "reviews": reviews,
        "can_review": carer.status in APPROVED_STATUSES,
        "terms_change_asked": _terms_change_asked(carer, current_terms, reviews),
        "stage_changes": carer.stage_changes.all(),
        "lapsed_checks": lapsed_checks(request, carer),
    }
    return render(request, "carers/carer_approval.html", context)


@require_POST
def move(request, pk):
    carer, _ = get_carer_for_user(request, pk, for_change=True)
    to = request.POST.get("to", "")
    if to not in CarerStatus.values:
        messages.error(request, "Choose a stage to move them to.")
        return redirect(_tab_url(carer, "stage"))
    label = CarerStatus(to).label
    step = services.MADE_BY_ANOTHER_STEP.get((carer.status, to))
    if step:
        messages.error(request, f"{carer.name} has not been moved to {label.lower()}. {step}")
        return redirect(_tab_url(carer, "stage"))
    try:
        services.move_carer(
            carer=carer,
            to=to,
            membership=request.membership,
            reason=posted_text(request, "reason"),
            expected_from=request.POST.get("expected_from") or None,
        )
    except services.WorkflowRefused as refused:
        messages.error(
            request, f"{carer.name} has not been moved to {label.lower()}. {' '.join(refused.reasons)}"
        )
        return redirect(_tab_url(carer, "stage"))
    messages.success(request, f"{carer.name} moved to {label.lower()}.")
    return redirect(_tab_url(carer))


def _check_prefill(request, carer) -> dict:
    """What a "Record" link on the checklist fills in: ?kind=&subject=&member=."""
    initial = {}
    if request.GET.get("kind") in CheckKind.values:
        initial["kind"] = request.GET["kind"]
    if request.GET.get("subject") in CheckSubject.values:
        initial["subject"] = request.GET["subject"]
    member = request.GET.get("member", "")
    if member.isdigit() and any(m.pk == int(member) for m in carer.household_members.all()):
        initial["household_member"] = int(member)
    return initial


def _check_saved_message(form, verb) -> str:
    check = form.instance
    text = f"{check.get_kind_display()} for {check.subject_name} has been {verb}."
    if form.expiry_filled_from:
        text += (
            f" Its expiry date was set to {check.expires_on:%-d %b %Y}, "
            f"{form.expiry_filled_from} months after it was issued."
        )
    if form.sign_off_cleared:
        text += (
            " The manager's sign-off has been cleared because its status or risk assessment changed:"
            " it needs signing off again."
        )
    return text


def _check_carer(request, pk):
    return get_carer_for_user(
        request,
        pk,
        for_change=True,
        queryset=Carer.objects.select_related("scheme").prefetch_related(
            "household_members", "scheme__check_settings"
        ),
    )[0]


@require_http_methods(["GET", "HEAD", "POST"])
@logs_view_of("carer")
def check_create(request, pk):
    carer = _check_carer(request, pk)
    form = CheckForm(
        request.POST or None,
        instance=Check(carer=carer),
        carer=carer,
        rules=rules_for(carer.scheme),
        initial=_check_prefill(request, carer),
    )
    if request.method == "POST" and form.is_valid() and form.save_checked(recorded_by=request.user):
        messages.success(request, _check_saved_message(form, "recorded"))
        return redirect(_tab_url(carer, "checklist"))
    return render(request, "carers/check_form.html", {"carer": carer, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@logs_view_of("carer")
def check_edit(request, pk, check_pk):
    carer = _check_carer(request, pk)
    check = get_object_or_404(
        carer.checks.select_related("household_member", "signed_off_by", "recorded_by"), pk=check_pk
    )
    signed_off = (check.signed_off_by, check.signed_off_at)
    form = CheckForm(request.POST or None, instance=check, carer=carer, rules=rules_for(carer.scheme))
    if request.method == "POST" and form.is_valid() and form.save_checked(recorded_by=request.user):
        messages.success(request, _check_saved_message(form, "saved"))
        return redirect(_tab_url(carer, "checklist"))
    context = {
        "carer": carer,
        "form": form,
        "check": check,
        "signed_off_by": signed_off[0],
        "signed_off_at": signed_off[1],
    }
    return render(request, "carers/check_form.html", context)


@require_POST
def check_sign_off(request, pk, check_pk):
    carer, _ = get_carer_for_user(request, pk, for_change=True)
    _require_manager(request, "sign off a concern")
    check = get_object_or_404(carer.checks.select_related("household_member"), pk=check_pk)
    try:
        services.sign_off_check(check=check, membership=request.membership)
    except services.WorkflowRefused as refused:
        messages.error(request, " ".join(refused.reasons))
    else:
        messages.success(
            request,
            f"The risk assessment for the {check.get_kind_display()} of {check.subject_name} is signed off.",
        )
    return redirect(_tab_url(carer, "checklist"))


@require_http_methods(["GET", "HEAD", "POST"])
@logs_view_of("carer")
def assessment_edit(request, pk):
    carer, _ = get_carer_for_user(
        request, pk, for_change=True, queryset=Carer.objects.select_related("scheme", "assessment")
    )
    assessment = getattr(carer, "assessment", None) or Assessment(carer=carer)
    form = AssessmentForm(
        request.POST or None,
        instance=assessment,
        scheme=carer.scheme,
        initial={} if assessment.pk else {"assessor": carer.coordinator_id},
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"The assessment of {carer.name} has been saved.")
        return redirect(_tab_url(carer, "assessment"))
    return render(request, "carers/assessment_form.html", {"carer": carer, "form": form})


def _decision_carer(request, pk):
    return get_carer_for_user(
        request,
        pk,
        for_change=True,
        queryset=Carer.objects.select_related("scheme").prefetch_related(
            Prefetch("panel_items", queryset=PanelItem.objects.select_related("meeting")),
            Prefetch("approvals", queryset=ApprovalTerms.objects.filter(ends_on__isnull=True)),
        ),
    )[0]


@require_http_methods(["GET", "HEAD", "POST"])
@logs_view_of("carer")
def decision(request, pk):
    """The registered manager's decision after panel, with the terms."""
    carer = _decision_carer(request, pk)
    _require_manager(request)
    item = services.latest_panel_item(carer)
    form = DecisionForm(
        request.POST or None,
        panel_date=item.meeting.date if item else None,
        initial={"decided_on": timezone.localdate(), "conditions": item.conditions if item else ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        approving = data["outcome"] == DecisionOutcome.APPROVE
        try:
            services.decide_approval(
                carer=carer,
                membership=request.membership,
                outcome=data["outcome"],
                reasons=data["reasons"].strip(),
                decided_on=data["decided_on"],
                terms=form.terms() if approving else None,
            )
        except services.WorkflowRefused as refused:
            for reason in refused.reasons:
                form.add_error(None, reason)
        else:
            messages.success(request, f"{carer.name} has been {'approved' if approving else 'declined'}.")
            return redirect(_tab_url(carer))
    context = {"carer": carer, "form": form, "item": item, "can_decide": carer.status == CarerStatus.PANEL}
    return render(request, "carers/decision_form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@logs_view_of("carer")
def terms_change(request, pk):
    """New terms of approval, decided by the registered manager."""
    carer = _decision_carer(request, pk)
    _require_manager(request, "change the terms of approval")
    current = next(iter(carer.approvals.all()), None)
    initial = {"decided_on": timezone.localdate()}
    if current is not None:
        initial.update(
            kinds=current.kinds,
            max_people=current.max_people,
            needs_groups=current.needs_groups,
            conditions=current.conditions,
            probation_ends_on=current.probation_ends_on,
        )
    form = TermsChangeForm(
        request.POST or None, current_start=current.starts_on if current else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            terms = services.change_terms(
                carer=carer,
                membership=request.membership,
                reasons=form.cleaned_data["reasons"].strip(),
                decided_on=form.cleaned_data["decided_on"],
                terms=form.terms(),
            )
        except services.WorkflowRefused as refused:
            for reason in refused.reasons:
                form.add_error(None, reason)
        else:
            messages.success(
                request, f"{carer.name}'s new terms of approval start on {terms.starts_on:%-d %b %Y}."
            )
            return redirect(_tab_url(carer, "terms"))
    context = {
        "carer": carer,
        "form": form,
        "current": current,
        "can_change": carer.status in APPROVED_STATUSES,
    }
    return render(request, "carers/terms_form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@logs_view_of("carer")
def review_create(request, pk):
    """The annual review of a carer's approval."""
    carer, _ = get_carer_for_user(request, pk, for_change=True)
    form = CarerReviewForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.complete_carer_review(
                carer=carer,
                membership=request.membership,
                held_on=data["held_on"],
                findings=data["findings"].strip(),
                carer_views=data["carer_views"].strip(),
                home_safety_checked=data["home_safety_checked"],
                terms_change=data["terms_change"].strip(),
                next_due_on=data["next_due_on"],
            )
        except services.WorkflowRefused as refused:
            for reason in refused.reasons:
                form.add_error(None, reason)
        else:
            text = (
                f"The annual review of {carer.name} has been recorded. "
                f"The next is due on {review.next_due_on:%-d %b %Y}."
            )
            if review.terms_change:
                text += " The change of terms asked for is waiting for the registered manager."
            messages.success(request, text)
            return redirect(_tab_url(carer, "reviews"))
    context = {"carer": carer, "form": form, "can_review": carer.status in APPROVED_STATUSES}
    return render(request, "carers/review_form.html", context)
