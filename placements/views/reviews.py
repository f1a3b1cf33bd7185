"""An arrangement's reviews, the actions they agree, and its monitoring
visits. The steps go through placements.monitoring; these views find the
records, read the form, call the service and say what happened.

These pages are the staff's: a carer gets a 403 on those of their own
arrangements (they may see the arrangement, not its reviews) and a 404 on
anyone else's."""

import datetime

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from placements import monitoring
from placements.forms.reviews import ActionFormSet, ReviewForm, VisitForm
from placements.models import Arrangement, ArrangementStatus, MonitoringSettings, ReviewAction
from sharedlives.access import get_arrangement_for_user, require_staff
from sharedlives.shortcuts import paginate
from sharedlives.workflow import WorkflowRefused


def _to_monitoring(arrangement):
    return redirect(reverse("arrangement_detail", args=[arrangement.pk]) + "#monitoring")


def _arrangement(request, pk, *, for_change):
    queryset = Arrangement.objects.select_related("scheme", "person", "carer")
    arrangement, can_edit = get_arrangement_for_user(request, pk, for_change=for_change, queryset=queryset)
    require_staff(request)
    return arrangement, can_edit


def monitoring_context(request, arrangement, today: datetime.date) -> dict:
    """The "Reviews and visits" section of an arrangement's page, for staff:
    the same queries however many reviews, visits and actions it has."""
    reviews = paginate(request, arrangement.reviews.select_related("reviewer"), param="reviews")
    # At most visits_for_months of them (24), so not paginated.
    visits = list(arrangement.visits.filter(cancelled=False).select_related("visited_by"))
    visits_due = [visit for visit in visits if visit.held_on is None]
    for visit in visits_due:
        visit.due_words = monitoring.due_in_words(visit.due_on, today)
    visits_held = sorted((v for v in visits if v.held_on), key=lambda v: v.held_on, reverse=True)
    actions = paginate(
        request,
        ReviewAction.objects.open().filter(review__arrangement=arrangement).select_related("review"),
        param="actions",
    )
    for action in actions.object_list:
        action.due_words = monitoring.due_in_words(action.due_on, today)
    return {
        "reviews": reviews,
        "visits_due": visits_due,
        "visits_held": visits_held,
        "open_actions": actions,
        "next_review_words": _next_review_words(arrangement, today),
    }


def _next_review_words(arrangement, today) -> str:
    if arrangement.status != ArrangementStatus.CURRENT or not arrangement.next_review_due:
        return ""
    return monitoring.due_in_words(arrangement.next_review_due, today)


@require_http_methods(["GET", "HEAD", "POST"])
def review_create(request, pk):
    """Record a review of a current arrangement and the actions it agreed;
    completing it sets when the next one is due."""
    arrangement, can_edit = _arrangement(request, pk, for_change=True)
    settings = MonitoringSettings.for_scheme(arrangement.scheme)
    data = request.POST if request.method == "POST" else None
    form = ReviewForm(data, person=arrangement.person, settings=settings)
    actions = ActionFormSet(data, prefix="actions")
    # Both are checked, so every error on the page shows at once.
    if data is not None and all([form.is_valid(), actions.is_valid()]):
        review = _complete(request, arrangement, form, actions)
        if review is not None:
            agreed = review.actions.count()
            text = (
                f"The review held on {review.held_on:%-d %b %Y} has been recorded. "
                f"The next review is due on {review.next_review_on:%-d %b %Y}."
            )
            if agreed:
                text += f" {agreed} action{'s' if agreed != 1 else ''} agreed."
            messages.success(request, text)
            return _to_monitoring(arrangement)
    context = {
        "arrangement": arrangement,
        "can_edit": can_edit,
        "form": form,
        "actions": actions,
        "can_review": arrangement.status == ArrangementStatus.CURRENT,
        "next_review_words": _next_review_words(arrangement, timezone.localdate()),
    }
    return render(request, "placements/review_form.html", context)


def _complete(request, arrangement, form, actions):
    """The review, or None with the refusal's reasons on the form."""
    data = form.cleaned_data
    try:
        return monitoring.complete_review(
            arrangement=arrangement,
            membership=request.membership,
            held_on=data["held_on"],
            attendees=data["attendees"],
            other_attendees=data["other_attendees"],
            involvement=data["involvement"],
            person_views=data["person_views"],
            carer_views=data["carer_views"],
            working=data["working"],
            not_working=data["not_working"],
            outcomes=data["outcomes"],
            actions=[agreed for action in actions if (agreed := action.agreed())],
            next_review_on=data["next_review_on"],
        )
    except WorkflowRefused as refusal:
        for reason in refusal.reasons:
            form.add_error(None, reason)
        return None


@require_safe
def review_detail(request, pk, review_pk):
    arrangement, can_edit = _arrangement(request, pk, for_change=False)
    actions = ReviewAction.objects.select_related("done_by")
    review = get_object_or_404(
        arrangement.reviews.select_related("reviewer").prefetch_related(
            Prefetch("actions", queryset=actions)
        ),
        pk=review_pk,
    )
    if review.due_on:
        late = (review.held_on - review.due_on).days
        review.lateness = f"{late} day{'s' if late != 1 else ''} after it was due" if late > 0 else ""
    context = {"arrangement": arrangement, "can_edit": can_edit, "review": review}
    return render(request, "placements/review_detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def visit_record(request, pk, visit_pk):
    """A monitoring visit: the form to record it while it is due; once held
    (or cancelled), what was recorded."""
    arrangement, can_edit = _arrangement(request, pk, for_change=True)
    visits = arrangement.visits.select_related("visited_by")
    visit = get_object_or_404(visits, pk=visit_pk)
    form = VisitForm(request.POST or None, person=arrangement.person)
    context = {"arrangement": arrangement, "can_edit": can_edit, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            monitoring.record_visit(
                visit=visit,
                membership=request.membership,
                held_on=data["held_on"],
                saw_the_person=data["saw_the_person"],
                notes=data["notes"],
            )
        except WorkflowRefused as refusal:
            visit = visits.get(pk=visit.pk)  # as it is now
            if visit.held_on or visit.cancelled:
                # Someone else recorded it (or the arrangement ended) while
                # this user was writing: their record stands, and what this
                # user wrote is shown beside it to copy, not thrown away.
                context["refusal"] = " ".join(refusal.reasons)
                context["unsaved"] = data
            for reason in refusal.reasons:
                form.add_error(None, reason)
        else:
            messages.success(
                request,
                f"The monitoring visit of {data['held_on']:%-d %b %Y} has been recorded.",
            )
            return _to_monitoring(arrangement)
    outstanding = visit.held_on is None and not visit.cancelled
    context |= {"visit": visit, "outstanding": outstanding}
    if outstanding:
        context["due_words"] = monitoring.due_in_words(visit.due_on, timezone.localdate())
    return render(request, "placements/visit_form.html", context)


@require_POST
def action_done(request, pk, action_pk):
    """Mark an action agreed at a review done today. Back to ``next`` (a
    page of this site) or to the arrangement's reviews and visits."""
    arrangement, _ = _arrangement(request, pk, for_change=True)
    action = get_object_or_404(ReviewAction.objects.filter(review__arrangement=arrangement), pk=action_pk)
    try:
        monitoring.complete_action(action=action, membership=request.membership, done_on=timezone.localdate())
    except WorkflowRefused as refusal:
        messages.error(request, f"The action has not been marked done. {' '.join(refusal.reasons)}")
    else:
        messages.success(request, f"“{action.what}” has been marked done.")
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return _to_monitoring(arrangement)
