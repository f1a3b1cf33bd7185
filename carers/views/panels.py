"""Panel meetings: the agenda, the panel's recommendations and the printable
pack. The panel recommends; the decision is the registered manager's, on
each carer's approval tab."""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from carers import services
from carers.checklist import build_checklist
from carers.forms.panels import AddApplicantForm, PanelMeetingForm, RecommendationForm
from carers.lapsed import check_rules, lapsed_flag
from carers.models import ApprovalDecision, CarerStatus, PanelItem, PanelMeeting
from sharedlives.access import get_panel_meeting_for_user, require_staff
from sharedlives.shortcuts import paginate
from sharedlives.viewlog import record_views_of_carers


def _with_counts(meetings):
    return meetings.annotate(
        applicant_count=Count("items"),
        recorded_count=Count("items", filter=~Q(items__recommendation="")),
    )


@require_safe
def panel_list(request):
    require_staff(request)
    today = timezone.localdate()
    meetings = _with_counts(PanelMeeting.objects.visible_to(request.membership))
    context = {
        "upcoming": meetings.filter(date__gte=today).order_by("date", "id"),
        "page": paginate(request, meetings.filter(date__lt=today).order_by("-date", "-id")),
    }
    return render(request, "carers/panel_list.html", context)


def _save_meeting(form) -> bool:
    """Save the meeting form, or put a clear error on its date if another
    meeting took that date meanwhile. Returns whether it saved."""
    try:
        with transaction.atomic():
            form.save()
    except IntegrityError:
        form.add_error("date", form.date_taken_message(form.cleaned_data["date"]))
        return False
    return True


@require_http_methods(["GET", "HEAD", "POST"])
def panel_create(request):
    require_staff(request)
    form = PanelMeetingForm(request.POST or None, scheme=request.membership.scheme)
    if request.method == "POST" and form.is_valid() and _save_meeting(form):
        messages.success(request, f"The {form.instance} has been added. Now add applicants to its agenda.")
        return redirect("panel_detail", pk=form.instance.pk)
    return render(request, "carers/panel_form.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def panel_edit(request, pk):
    meeting = get_panel_meeting_for_user(request, pk)
    form = PanelMeetingForm(request.POST or None, instance=meeting, scheme=request.membership.scheme)
    if request.method == "POST" and form.is_valid() and _save_meeting(form):
        messages.success(request, f"The {meeting} has been saved.")
        return redirect("panel_detail", pk=meeting.pk)
    return render(request, "carers/panel_form.html", {"form": form, "meeting": meeting})


def _on_a_later_panel():
    """Whether the item's applicant is also on a later meeting's agenda (after
    a deferral, say): then this meeting's recommendation is history."""
    return Exists(
        PanelItem.objects.filter(carer=OuterRef("carer"), meeting__date__gt=OuterRef("meeting__date"))
    )


def _agenda(meeting):
    """The meeting's items with their carers and any decision made on them."""
    return (
        meeting.items.select_related("carer__coordinator", "recorded_by")
        .annotate(on_later_panel=_on_a_later_panel())
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=ApprovalDecision.objects.select_related("decided_by").order_by("-decided_on", "-id"),
            )
        )
    )


def _render_detail(request, meeting, add_form, refused=()):
    context = {
        "meeting": meeting,
        "items": _agenda(meeting).annotate(carer_checks_lapsed=lapsed_flag(request, carer="carer")),
        "add_form": add_form,
        "refused": refused,
        "is_manager": request.membership.is_manager,
    }
    return render(request, "carers/panel_detail.html", context)


@require_safe
def panel_detail(request, pk):
    meeting = get_panel_meeting_for_user(request, pk)
    return _render_detail(request, meeting, AddApplicantForm(scheme=request.membership.scheme))


@require_POST
def panel_add_applicant(request, pk):
    """Put an applicant who is ready for panel on the agenda; the workflow
    moves them to the panel stage."""
    meeting = get_panel_meeting_for_user(request, pk)
    form = AddApplicantForm(request.POST, scheme=request.membership.scheme)
    if not form.is_valid():
        return _render_detail(request, meeting, form)
    carer = form.cleaned_data["carer"]
    if meeting.items.filter(carer=carer).exists():
        refused = [f"{carer.name} is already on this meeting's agenda."]
        return _render_detail(request, meeting, form, refused)
    try:
        services.add_to_panel(meeting=meeting, carer=carer, membership=request.membership)
    except services.WorkflowRefused as refusal:
        return _render_detail(request, meeting, form, refusal.reasons)
    messages.success(request, f"{carer.name} is on the agenda and now at the panel stage.")
    return redirect("panel_detail", pk=meeting.pk)


def _recorded_message(membership, carer):
    """Points whoever recorded the recommendation to where the decision is made."""
    if membership.is_manager:
        text = "The decision is the registered manager's: record it on"
        url = reverse("carer_decision", args=[carer.pk])
    else:
        text = "The decision is the registered manager's, on"
        url = reverse("carer_approval", args=[carer.pk])
    return format_html(
        "The panel's recommendation for {name} has been recorded. {text} "
        '<a href="{url}">{name}\'s approval page</a>.',
        name=carer.name,
        text=text,
        url=url,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def panel_recommendation(request, pk, item_pk):
    meeting = get_panel_meeting_for_user(request, pk)
    item = get_object_or_404(
        meeting.items.select_related("carer").annotate(
            on_later_panel=_on_a_later_panel(), carer_checks_lapsed=lapsed_flag(request, carer="carer")
        ),
        pk=item_pk,
    )
    carer = item.carer
    initial = {"recommendation": item.recommendation, "reasons": item.reasons, "conditions": item.conditions}
    form = RecommendationForm(request.POST or None, initial=initial)
    refused = []
    if request.method == "POST" and item.on_later_panel:
        refused = [f"{carer.name} is on a later panel's agenda: record the recommendation there."]
    elif request.method == "POST" and form.is_valid():
        try:
            services.record_recommendation(item=item, membership=request.membership, **form.cleaned_data)
        except services.WorkflowRefused as refusal:
            refused = refusal.reasons
        else:
            messages.success(request, _recorded_message(request.membership, carer))
            return redirect("panel_detail", pk=meeting.pk)
    context = {
        "meeting": meeting,
        "item": item,
        "carer": carer,
        "form": form,
        "refused": refused,
        # Only the applicant's current panel item takes a recommendation.
        "open": carer.status == CarerStatus.PANEL and not item.on_later_panel,
    }
    return render(request, "carers/panel_recommendation_form.html", context)


@require_safe
def panel_pack(request, pk):
    """A print-friendly pack for the panel members: each applicant's
    household, checks and assessment."""
    meeting = get_panel_meeting_for_user(request, pk)
    today = timezone.localdate()
    items = (
        meeting.items.select_related("carer__coordinator", "carer__assessment")
        .prefetch_related("carer__household_members", "carer__checks")
        .annotate(carer_checks_lapsed=lapsed_flag(request, carer="carer"))
    )
    rules = check_rules(request)
    applicants = [
        {
            "item": item,
            "carer": item.carer,
            "lapsed": item.carer_checks_lapsed,
            "checklist": build_checklist(item.carer, today, rules),
            "assessment": getattr(item.carer, "assessment", None),
        }
        for item in items
    ]
    if request.method == "GET":
        record_views_of_carers(request, [applicant["carer"] for applicant in applicants])
    return render(request, "carers/panel_pack.html", {"meeting": meeting, "applicants": applicants})
