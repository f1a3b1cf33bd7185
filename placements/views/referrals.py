"""Referrals: the list, a new referral, its page (the facts, the stage and
its moves, the carers proposed and the introductions), editing and history.

Every step goes through placements.services; these views find the referral
within the user's scheme, read the form, call the service and say what
happened, or why it was refused."""

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from carers.lapsed import flag_carers
from people.models import Person
from placements import services
from placements.forms.referrals import (
    AnswerForm,
    PlanIntroductionForm,
    RecordIntroductionForm,
    ReferralFilterForm,
    ReferralForm,
    receive_with_wanted_dates,
    save_with_wanted_dates,
    wanted_formsets,
)
from placements.models import (
    MATCHING_STAGES,
    OPEN_REFERRAL_STAGES,
    Answer,
    Introduction,
    IntroductionStatus,
    Proposal,
    Referral,
    ReferralStage,
    ReferralStageChange,
)
from sharedlives.access import get_referral_for_user, require_staff
from sharedlives.audit import history_page
from sharedlives.forms import posted_text
from sharedlives.shortcuts import paginate
from sharedlives.workflow import WorkflowRefused

SIDES = ("person", "carer")
# How the counts at the top of the list name each open stage: "3 in matching".
COUNT_LABELS = {
    ReferralStage.RECEIVED: "received",
    ReferralStage.ASSESSMENT_VISIT: "at assessment visit",
    ReferralStage.MATCHING: "in matching",
    ReferralStage.INTRODUCTIONS: "in introductions",
}


def _detail_url(referral, anchor=""):
    return reverse("referral_detail", args=[referral.pk]) + (f"#{anchor}" if anchor else "")


# --- The list ---


@require_safe
def referral_list(request):
    require_staff(request)
    membership = request.membership
    filters = ReferralFilterForm(request.GET or None, scheme=membership.scheme, user=request.user)
    referrals = Referral.objects.visible_to(membership)
    # How many referrals wait at each open stage (for the kind and coordinator
    # chosen), in one query.
    counts = filters.filter_by_kind_and_coordinator(referrals).aggregate(
        **{stage: Count("pk", filter=Q(stage=stage)) for stage in OPEN_REFERRAL_STAGES}
    )
    context = {
        "filters": filters,
        "page": paginate(request, filters.filter(referrals.select_related("person", "coordinator"))),
        "stage_counts": [(stage, COUNT_LABELS[stage], counts[stage]) for stage in OPEN_REFERRAL_STAGES],
        "count_query": filters.query_without_stage(),
    }
    return render(request, "placements/referral_list.html", context)


# --- A new referral, and editing one ---


@require_http_methods(["GET", "HEAD", "POST"])
def referral_create(request):
    require_staff(request)
    membership = request.membership
    scheme = membership.scheme
    initial = {"received_on": timezone.localdate(), "coordinator": request.user}
    person_pk = request.GET.get("person", "")
    if person_pk.isdigit():
        initial["person"] = Person.objects.visible_to(membership).filter(pk=person_pk).first()
    referral = Referral(scheme=scheme)
    data = request.POST if request.method == "POST" else None
    form = ReferralForm(data, instance=referral, scheme=scheme, initial=initial)
    formsets = wanted_formsets(data, referral)
    if (
        request.method == "POST"
        and form.is_valid()
        and all(formset.is_valid() for formset in formsets)
        and receive_with_wanted_dates(form, formsets, membership)
    ):
        messages.success(request, f"The referral for {referral.person} has been recorded.")
        return redirect(_detail_url(referral))
    return render(request, "placements/referral_form.html", {"form": form, "formsets": formsets})


@require_http_methods(["GET", "HEAD", "POST"])
def referral_edit(request, pk):
    referral, can_edit = get_referral_for_user(request, pk, for_change=True)
    data = request.POST if request.method == "POST" else None
    form = ReferralForm(data, instance=referral, scheme=referral.scheme)
    formsets = wanted_formsets(data, referral)
    # Saved unless someone else saved the referral since it was opened: then
    # the form says so, with the input kept.
    if (
        request.method == "POST"
        and form.is_valid()
        and all(formset.is_valid() for formset in formsets)
        and save_with_wanted_dates(form, formsets)
    ):
        messages.success(request, f"The referral for {referral.person} has been saved.")
        return redirect(_detail_url(referral))
    context = {"referral": referral, "can_edit": can_edit, "form": form, "formsets": formsets}
    return render(request, "placements/referral_form.html", context)


@require_safe
def referral_history(request, pk):
    referral, can_edit = get_referral_for_user(request, pk)
    page = history_page(referral, request.GET.get("page"))
    context = {"referral": referral, "can_edit": can_edit, "page": page}
    return render(request, "placements/referral_history.html", context)


# --- The referral's page ---


def _detail_queryset():
    """A referral with everything its page shows, in a fixed number of
    queries however many moves, proposals and introductions it has."""
    return Referral.objects.select_related(
        "scheme", "person", "coordinator", "arrangement__carer"
    ).prefetch_related(
        "wanted_stays",
        "wanted_sessions",
        Prefetch("stage_changes", queryset=ReferralStageChange.objects.select_related("changed_by")),
        Prefetch(
            "proposals",
            queryset=Proposal.objects.select_related("carer", "proposed_by").prefetch_related(
                Prefetch("introductions", queryset=Introduction.objects.select_related("recorded_by"))
            ),
        ),
    )


def _move_rows(referral, membership) -> list[dict]:
    """Each next stage: a form when it is allowed, the step that makes it,
    or why it is not allowed yet."""
    rows = []
    for move in services.available_referral_moves(referral, membership):
        kind = "via" if move.via else ("form" if move.allowed else "refused")
        rows.append({"move": move, "kind": kind})
    return rows


def _money_difference(referral) -> str:
    """The agreed amount against the upfront allocation, in words."""
    allocated, agreed = referral.indicative_allocation, referral.agreed_amount
    if allocated is None or agreed is None:
        return ""
    if agreed == allocated:
        return "The same as the upfront allocation."
    direction = "more" if agreed > allocated else "less"
    return f"£{abs(agreed - allocated):,.2f} a week {direction} than the upfront allocation."


def _answer_initial(proposal, side) -> dict:
    answer = getattr(proposal, f"{side}_answer")
    return {
        "answer": answer,
        "reason": getattr(proposal, f"{side}_reason"),
        "answered_on": getattr(proposal, f"{side}_answered_on") or timezone.localdate(),
    }


def _attach_forms(referral, bound: dict):
    """Give each proposal and planned introduction the forms its part of the
    page shows: blank (or as recorded), or the one just sent back with its errors."""
    for proposal in referral.proposals.all():
        for side in SIDES:
            key = (side, proposal.pk)
            form = bound.get(key) or AnswerForm(
                initial=_answer_initial(proposal, side), side=side, prefix=f"proposal{proposal.pk}-{side}"
            )
            setattr(proposal, f"{side}_form", form)
        proposal.plan_form = bound.get(("plan", proposal.pk)) or PlanIntroductionForm(
            prefix=f"plan{proposal.pk}"
        )
        for introduction in proposal.introductions.all():
            introduction.record_form = bound.get(("introduction", introduction.pk)) or RecordIntroductionForm(
                prefix=f"introduction{introduction.pk}"
            )


def _render_detail(request, referral, can_edit, bound=None):
    _attach_forms(referral, bound or {})
    arrangement = getattr(referral, "arrangement", None)
    flag_carers(request, [p.carer for p in referral.proposals.all()] + [arrangement and arrangement.carer])
    context = {
        "referral": referral,
        "can_edit": can_edit,
        "days_in_stage": max((timezone.now() - referral.stage_changed_at).days, 0),
        "moves": _move_rows(referral, request.membership),
        "can_match": referral.stage in MATCHING_STAGES,
        "money_difference": _money_difference(referral),
        "arrangement": arrangement,
        "stage_changes": referral.stage_changes.all(),
        "proposals": referral.proposals.all(),
        "waiting": Answer.WAITING,
    }
    return render(request, "placements/referral_detail.html", context)


@require_safe
def referral_detail(request, pk):
    referral, can_edit = get_referral_for_user(request, pk, queryset=_detail_queryset())
    return _render_detail(request, referral, can_edit)


@require_POST
def referral_move(request, pk):
    referral, _ = get_referral_for_user(request, pk, for_change=True)
    to = request.POST.get("to", "")
    if to not in ReferralStage.values:
        messages.error(request, "Choose a stage to move the referral to.")
        return redirect(_detail_url(referral, "stage"))
    label = ReferralStage(to).label.lower()
    step = services.MADE_BY_ANOTHER_STEP.get((referral.stage, to))
    if step:
        messages.error(request, f"The referral has not been moved to {label}. {step}")
        return redirect(_detail_url(referral, "stage"))
    try:
        services.move_referral(
            referral=referral,
            to=to,
            membership=request.membership,
            reason=posted_text(request, "reason"),
            expected_from=request.POST.get("expected_from") or None,
        )
    except WorkflowRefused as refused:
        messages.error(request, f"The referral has not been moved to {label}. {' '.join(refused.reasons)}")
        return redirect(_detail_url(referral, "stage"))
    messages.success(request, f"The referral for {referral.person} has moved to {label}.")
    return redirect(_detail_url(referral))


def _for_step(request, pk):
    """The referral a step is recorded on, loaded as its page shows it (a
    form sent back with errors is shown on the page)."""
    return get_referral_for_user(request, pk, for_change=True, queryset=_detail_queryset())


def _proposal_of(referral, proposal_pk) -> Proposal:
    proposal = next((p for p in referral.proposals.all() if p.pk == proposal_pk), None)
    if proposal is None:
        raise Http404("No such proposal on this referral.")
    return proposal


@require_POST
def referral_answer(request, pk, proposal_pk):
    referral, can_edit = _for_step(request, pk)
    proposal = _proposal_of(referral, proposal_pk)
    side = request.POST.get("side", "")
    if side not in SIDES:
        messages.error(request, "Say whose answer this is: the person's or the carer's.")
        return redirect(_detail_url(referral, f"proposal-{proposal.pk}"))
    form = AnswerForm(request.POST, side=side, prefix=f"proposal{proposal.pk}-{side}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_answer(
                proposal=proposal,
                membership=request.membership,
                side=side,
                answer=data["answer"],
                reason=data["reason"],
                answered_on=data["answered_on"],
            )
        except WorkflowRefused as refused:
            for reason in refused.reasons:
                form.add_error(None, reason)
        else:
            whose = f"{referral.person}'s" if side == "person" else f"{proposal.carer.name}'s"
            messages.success(
                request, f"{whose} answer has been recorded: {Answer(data['answer']).label.lower()}."
            )
            return redirect(_detail_url(referral, f"proposal-{proposal.pk}"))
    return _render_detail(request, referral, can_edit, {(side, proposal.pk): form})


@require_POST
def referral_introduction_plan(request, pk, proposal_pk):
    referral, can_edit = _for_step(request, pk)
    proposal = _proposal_of(referral, proposal_pk)
    form = PlanIntroductionForm(request.POST, prefix=f"plan{proposal.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            introduction = services.plan_introduction(
                proposal=proposal,
                membership=request.membership,
                kind=data["kind"],
                planned_for=data["planned_for"],
                notes=data["notes"].strip(),
            )
        except WorkflowRefused as refused:
            for reason in refused.reasons:
                form.add_error(None, reason)
        else:
            messages.success(
                request,
                f"{introduction.get_kind_display()} with {proposal.carer.name} planned for "
                f"{introduction.planned_for:%-d %b %Y}.",
            )
            return redirect(_detail_url(referral, f"proposal-{proposal.pk}"))
    return _render_detail(request, referral, can_edit, {("plan", proposal.pk): form})


@require_POST
def referral_introduction_record(request, pk, introduction_pk):
    referral, can_edit = _for_step(request, pk)
    introduction = next(
        (i for p in referral.proposals.all() for i in p.introductions.all() if i.pk == introduction_pk), None
    )
    if introduction is None:
        raise Http404("No such introduction on this referral.")
    form = RecordIntroductionForm(request.POST, prefix=f"introduction{introduction.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_introduction(
                introduction=introduction,
                membership=request.membership,
                status=data["status"],
                for_person=data["for_person"],
                for_carer=data["for_carer"],
            )
        except WorkflowRefused as refused:
            for reason in refused.reasons:
                form.add_error(None, reason)
        else:
            held = data["status"] == IntroductionStatus.HELD
            messages.success(
                request,
                f"The {introduction.get_kind_display().lower()} on {introduction.planned_for:%-d %b %Y} "
                f"has been recorded as {'held' if held else 'cancelled'}.",
            )
            return redirect(_detail_url(referral, f"proposal-{introduction.proposal_id}"))
    return _render_detail(request, referral, can_edit, {("introduction", introduction.pk): form})
