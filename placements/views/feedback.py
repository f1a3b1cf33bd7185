"""Compliments and complaints: the list, logging one, its page, editing and
closing it, and its history. Staff only: a carer finds none of them."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from placements import feedback as steps
from placements.forms.incidents import CloseFeedbackForm, FeedbackFilterForm, FeedbackForm
from placements.models import Feedback, FeedbackKind
from sharedlives.access import get_feedback_for_user, require_staff
from sharedlives.audit import history_page
from sharedlives.shortcuts import paginate
from sharedlives.workflow import WorkflowRefused

FIELDS = ("kind", "received_on", "from_whom", "summary", "person", "carer", "response")


@require_safe
def feedback_list(request):
    require_staff(request)
    filters = FeedbackFilterForm(request.GET or None)
    feedback = filters.filter(
        Feedback.objects.visible_to(request.membership).select_related("person", "carer")
    )
    return render(
        request, "placements/feedback_list.html", {"filters": filters, "page": paginate(request, feedback)}
    )


@require_http_methods(["GET", "HEAD", "POST"])
def feedback_new(request):
    require_staff(request)
    initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") in FeedbackKind.values else {}
    form = FeedbackForm(request.POST or None, scheme=request.membership.scheme, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            feedback = steps.record_feedback(
                membership=request.membership, **{name: form.cleaned_data[name] for name in FIELDS}
            )
        except WorkflowRefused as refusal:
            for reason in refusal.reasons:
                form.add_error(None, reason)
        else:
            messages.success(request, f"The {feedback.get_kind_display().lower()} has been recorded.")
            return redirect("feedback_detail", pk=feedback.pk)
    return render(request, "placements/feedback_form.html", {"form": form})


def _detail_queryset():
    return Feedback.objects.select_related("person", "carer", "recorded_by", "closed_by")


@require_safe
def feedback_detail(request, pk):
    feedback = get_feedback_for_user(request, pk, queryset=_detail_queryset())
    return render(request, "placements/feedback_detail.html", {"feedback": feedback})


@require_http_methods(["GET", "HEAD", "POST"])
def feedback_edit(request, pk):
    feedback = get_feedback_for_user(request, pk)
    form = FeedbackForm(request.POST or None, instance=feedback, scheme=request.membership.scheme)
    if request.method == "POST" and form.is_valid() and form.save_versioned():
        messages.success(request, f"The {feedback.get_kind_display().lower()} has been saved.")
        return redirect("feedback_detail", pk=feedback.pk)
    return render(request, "placements/feedback_form.html", {"form": form, "feedback": feedback})


@require_http_methods(["GET", "HEAD", "POST"])
def feedback_close(request, pk):
    """Close a compliment (acknowledged) or a complaint (answered, with its outcome)."""
    feedback = get_feedback_for_user(request, pk, queryset=_detail_queryset())
    form = CloseFeedbackForm(request.POST or None, feedback=feedback)
    if request.method == "POST" and feedback.closed_on is None and form.is_valid():
        data = form.cleaned_data
        try:
            steps.close_feedback(
                feedback=feedback,
                membership=request.membership,
                closed_on=data["closed_on"],
                response=data["response"],
                outcome=data.get("outcome", ""),
            )
        except WorkflowRefused as refusal:
            for reason in refusal.reasons:
                form.add_error(None, reason)
        else:
            kind = feedback.get_kind_display().lower()
            messages.success(request, f"The {kind} has been closed on {data['closed_on']:%-d %b %Y}.")
            return redirect("feedback_detail", pk=feedback.pk)
    return render(request, "placements/feedback_close.html", {"feedback": feedback, "form": form})


@require_safe
def feedback_history(request, pk):
    feedback = get_feedback_for_user(request, pk)
    page = history_page(feedback, request.GET.get("page"))
    return render(request, "placements/feedback_history.html", {"feedback": feedback, "page": page})
