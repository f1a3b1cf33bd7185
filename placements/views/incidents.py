"""Incidents and their CQC notifications: the list, recording one, its page,
editing and closing it, its history, and the registered manager's list of
notifications to send. The steps go through placements.incidents; these
views find the record, read the form, call the step and say what happened."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F
from django.db.models.functions import TruncDate
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from carers.models import Carer
from people.models import Person
from placements import incidents as steps
from placements.forms.incidents import (
    CloseIncidentForm,
    IncidentFilterForm,
    IncidentForm,
    NotificationSentForm,
)
from placements.models import CqcNotification, Incident
from sharedlives.access import get_incident_for_user, require_staff
from sharedlives.audit import history_page
from sharedlives.forms import STALE_MESSAGE
from sharedlives.shortcuts import paginate
from sharedlives.workflow import WorkflowRefused


def notification_state(notification: CqcNotification | None, today) -> str:
    """An incident's notification in a few words, for lists."""
    if notification is None:
        return "Not needed"
    if notification.sent_on is None:
        return f"To send: {waiting_text(steps.waiting_days(notification, today))}"
    return f"Sent {notification.sent_on:%-d %b %Y} ({steps.days_text(notification.days_taken)})"


def waiting_text(days: int) -> str:
    return "waiting since today" if days == 0 else f"waiting {days} day{'' if days == 1 else 's'}"


def _subject(request, filters) -> dict:
    """The person or carer the list is narrowed to (?person= or ?carer=), if any."""
    if filters.is_valid():
        for name, model in (("person", Person), ("carer", Carer)):
            pk = filters.cleaned_data[name]
            if pk:
                found = model.objects.visible_to(request.membership).filter(pk=pk).first()
                return {"subject": found, "subject_field": name}
    return {}


@require_safe
def incident_list(request):
    require_staff(request)
    filters = IncidentFilterForm(request.GET or None)
    incidents = filters.filter(
        Incident.objects.visible_to(request.membership).select_related("person", "carer", "notification")
    )
    page = paginate(request, incidents)
    today = timezone.localdate()
    for incident in page.object_list:
        incident.notification_state = notification_state(getattr(incident, "notification", None), today)
    context = {"filters": filters, "page": page, **_subject(request, filters)}
    return render(request, "placements/incident_list.html", context)


def _new_initial(request) -> dict:
    initial = {}
    for name, model in (("person", Person), ("carer", Carer)):
        pk = request.GET.get(name, "")
        if pk.isdigit():
            initial[name] = model.objects.visible_to(request.membership).filter(pk=pk).first()
    return initial


def _details(form) -> dict:
    return {name: form.cleaned_data[name] for name in steps.INCIDENT_FIELDS}


def _refused(form, refusal: WorkflowRefused) -> None:
    for reason in refusal.reasons:
        form.add_error(None, reason)


@require_http_methods(["GET", "HEAD", "POST"])
def incident_new(request):
    require_staff(request)
    form = IncidentForm(request.POST or None, scheme=request.membership.scheme, initial=_new_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            incident = steps.record_incident(membership=request.membership, **_details(form))
        except WorkflowRefused as refusal:
            _refused(form, refusal)
        else:
            messages.success(request, "The incident has been recorded.")
            notification = getattr(incident, "notification", None)
            if notification is not None:
                messages.warning(request, _needs_notification(notification.reasons))
            return redirect("incident_detail", pk=incident.pk)
    return render(request, "placements/incident_form.html", {"form": form})


def _needs_notification(reasons) -> str:
    return (
        f"CQC must be notified of this incident without delay ({steps.reasons_text(reasons)}). "
        "The notification is waiting for the registered manager to send."
    )


def _say_notification_change(request, change: steps.NotificationChange) -> None:
    if change.kind == "created":
        messages.warning(request, _needs_notification(change.added))
    elif change.kind == "changed":
        parts = []
        if change.added:
            parts.append(f"now also covers {steps.reasons_text(change.added)}")
        if change.removed:
            parts.append(f"no longer covers {steps.reasons_text(change.removed)}")
        messages.info(request, f"The CQC notification waiting to be sent {' and '.join(parts)}.")
    elif change.kind == "withdrawn":
        messages.info(
            request,
            "This incident no longer needs a CQC notification, "
            "so the one waiting to be sent has been withdrawn.",
        )
    elif change.kind == "sent_needs_update":
        sent = change.notification
        messages.warning(
            request,
            f"CQC needs an update: the notification was sent on {sent.sent_on:%-d %b %Y} "
            f"(reference {sent.reference}), before this incident included "
            f"{steps.reasons_text(change.added)}. "
            "Tell CQC about it without delay.",
        )


def _detail_queryset():
    return Incident.objects.select_related(
        "person",
        "carer",
        "arrangement__person",
        "arrangement__carer",
        "recorded_by",
        "closed_by",
        "notification__sent_by",
    )


def _render_detail(request, incident, sent_form=None, status=200):
    today = timezone.localdate()
    notification = getattr(incident, "notification", None)
    context = {
        "incident": incident,
        "notification": notification,
        "reasons": steps.notification_reasons(incident.category, incident.notifiable_events),
        "is_manager": request.membership.is_manager,
    }
    if notification is not None and notification.sent_on is None:
        context["waiting"] = waiting_text(steps.waiting_days(notification, today))
        if request.membership.is_manager:
            context["sent_form"] = sent_form or NotificationSentForm(notification=notification)
    elif notification is not None:
        context["days_taken"] = steps.days_text(notification.days_taken)
        # Reasons added after it was sent: CQC has not been told of them.
        context["untold"] = steps.reasons_text(
            [r for r in context["reasons"] if r not in notification.reasons]
        )
    return render(request, "placements/incident_detail.html", context, status=status)


@require_safe
def incident_detail(request, pk):
    incident = get_incident_for_user(request, pk, queryset=_detail_queryset())
    return _render_detail(request, incident)


@require_http_methods(["GET", "HEAD", "POST"])
def incident_edit(request, pk):
    incident = get_incident_for_user(request, pk)
    form = IncidentForm(request.POST or None, instance=incident, scheme=request.membership.scheme)
    if request.method == "POST" and form.is_valid():
        try:
            change = steps.update_incident(
                incident=incident,
                membership=request.membership,
                opened_version=form.cleaned_data["version"],
                **_details(form),
            )
        except WorkflowRefused as refusal:
            if refusal.reasons == [STALE_MESSAGE]:
                form.refuse_as_stale(incident)  # shows what the other person changed
            else:
                _refused(form, refusal)
        else:
            messages.success(request, "The incident has been saved.")
            _say_notification_change(request, change)
            return redirect("incident_detail", pk=incident.pk)
    return render(request, "placements/incident_form.html", {"form": form, "incident": incident})


@require_http_methods(["GET", "HEAD", "POST"])
def incident_close(request, pk):
    incident = get_incident_for_user(request, pk, queryset=_detail_queryset())
    form = CloseIncidentForm(request.POST or None, incident=incident)
    if request.method == "POST" and incident.is_open and form.is_valid():
        try:
            steps.close_incident(
                incident=incident,
                membership=request.membership,
                closed_on=form.cleaned_data["closed_on"],
                outcome=form.cleaned_data["outcome"],
            )
        except WorkflowRefused as refusal:
            _refused(form, refusal)
        else:
            messages.success(
                request, f"The incident has been closed on {form.cleaned_data['closed_on']:%-d %b %Y}."
            )
            return redirect("incident_detail", pk=incident.pk)
    notification = getattr(incident, "notification", None)
    context = {
        "incident": incident,
        "form": form,
        "unsent": notification is not None and notification.sent_on is None,
    }
    return render(request, "placements/incident_close.html", context)


@require_safe
def incident_history(request, pk):
    incident = get_incident_for_user(request, pk)
    page = history_page(incident, request.GET.get("page"))
    return render(request, "placements/incident_history.html", {"incident": incident, "page": page})


# --- CQC notifications ------------------------------------------------------


@require_safe
def notification_list(request):
    """The notifications still to send, longest waiting first, then those
    sent, latest first, with how long each took and the average. The
    scheme's staff can read it; only the registered manager gets the forms."""
    require_staff(request)
    today = timezone.localdate()
    is_manager = request.membership.is_manager
    notifications = CqcNotification.objects.visible_to(request.membership).select_related(
        "incident__person", "incident__carer"
    )
    unsent = paginate(request, notifications.unsent().order_by("due_from", "id"), param="to_send")
    for notification in unsent.object_list:
        notification.waiting = waiting_text(steps.waiting_days(notification, today))
        if is_manager:
            notification.form = NotificationSentForm(notification=notification)
    sent_rows = notifications.filter(sent_on__isnull=False)
    sent = paginate(request, sent_rows.select_related("sent_by").order_by("-sent_on", "-id"), param="sent")
    for notification in sent.object_list:
        notification.taken = steps.days_text(notification.days_taken)
    taken = ExpressionWrapper(F("sent_on") - TruncDate("due_from"), output_field=DurationField())
    totals = sent_rows.aggregate(average=Avg(taken), count=Count("pk"))
    context = {"unsent": unsent, "sent": sent, "is_manager": is_manager, "average": _average_text(totals)}
    return render(request, "placements/notification_list.html", context)


def _average_text(totals) -> str:
    if not totals["count"]:
        return ""
    days = round(totals["average"].total_seconds() / 86400, 1)
    number = f"{days:.1f}".removesuffix(".0")
    count = totals["count"]
    return (
        f"On average {number} day{'' if number == '1' else 's'} "
        "from knowing of an incident to notifying CQC, "
        f"over {count} notification{'' if count == 1 else 's'} sent."
    )


@require_POST
def notification_sent(request, pk):
    """Record that the notification was sent (the registered manager only):
    back to the list it was sent from, or to the incident's page with the
    form's errors."""
    incident = get_incident_for_user(request, pk, queryset=_detail_queryset())
    if not request.membership.is_manager:
        raise PermissionDenied("Only the registered manager can record a CQC notification as sent.")
    notification = getattr(incident, "notification", None)
    if notification is None:
        raise Http404("This incident needs no CQC notification.")
    if notification.sent_on is not None:
        messages.error(
            request,
            f"This notification was recorded as sent on {notification.sent_on:%-d %b %Y} "
            f"({notification.reference}).",
        )
        return redirect(reverse("incident_detail", args=[incident.pk]) + "#notification")
    form = NotificationSentForm(request.POST, notification=notification)
    if form.is_valid():
        try:
            steps.mark_notification_sent(
                notification=notification,
                membership=request.membership,
                sent_on=form.cleaned_data["sent_on"],
                reference=form.cleaned_data["reference"],
            )
        except WorkflowRefused as refusal:
            _refused(form, refusal)
        else:
            messages.success(
                request,
                f"The CQC notification about the incident of "
                f"{timezone.localtime(incident.occurred_at):%-d %b %Y} has been recorded as sent on "
                f"{form.cleaned_data['sent_on']:%-d %b %Y}.",
            )
            if request.POST.get("next") == "list":
                return redirect("notification_list")
            return redirect(reverse("incident_detail", args=[incident.pk]) + "#notification")
    return _render_detail(request, incident, sent_form=form)
