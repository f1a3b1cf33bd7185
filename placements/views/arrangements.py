"""Arrangements: the list, planning one (from a referral or not), its page,
editing it, and the two steps of its life, starting and ending. The steps go
through placements.services; these views find the arrangement, read the
form, call the service and say what happened (or why it was refused)."""

from django.contrib import messages
from django.db import IntegrityError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from carers.lapsed import flag_carers, lapsed_flag
from people.models import Person
from placements import services
from placements.forms.arrangements import ArrangementFilterForm, ArrangementForm, EndForm, StartForm
from placements.incidents import death_incident_of
from placements.models import (
    Arrangement,
    ArrangementStatus,
    EndReason,
    PaymentRate,
    Proposal,
    Referral,
    ShortBreakBooking,
)
from placements.views.reviews import monitoring_context
from sharedlives.access import get_arrangement_for_user, require_staff
from sharedlives.audit import history_page
from sharedlives.choices import ArrangementKind
from sharedlives.shortcuts import paginate
from sharedlives.workflow import WorkflowRefused

CQC_DEATH_PROMPT = (
    "CQC must be notified of {person}'s death without delay. The death has been recorded as an "
    "incident, and its CQC notification is now waiting for the registered manager to send."
)
# What the database says when a stay would take a household over its number,
# if another coordinator took the last place after the form was checked.
CAPACITY_RACE = (
    "Someone else has just recorded another stay with {carer} for these dates, so there is no "
    "place left. Check the carer's availability calendar."
)


@require_safe
def arrangement_list(request):
    require_staff(request)
    filters = ArrangementFilterForm(request.GET or None)
    arrangements = filters.filter(
        Arrangement.objects.visible_to(request.membership).select_related("person", "carer")
    )
    page = paginate(request, arrangements)
    flag_carers(request, [arrangement.carer for arrangement in page])  # the page's only
    context = {"filters": filters, "page": page}
    return render(request, "placements/arrangement_list.html", context)


# What ``services.start_reasons`` reads of the carer: wanted only while an
# arrangement is planned.
START_GUARD_RELATIONS = (
    "carer__approvals",
    "carer__checks",
    "carer__household_members",
    "carer__scheme__check_settings",
)


def _detail_queryset(*also):
    return Arrangement.objects.select_related(
        "scheme", "person", "carer__scheme", "room", "referral", "payment_rate"
    ).prefetch_related("day_sessions", Prefetch("payment_rate__amounts"), *also)


def _bookings(request, arrangement, today):
    """Upcoming (and under way) short breaks, soonest first; past ones, latest first."""
    bookings = ShortBreakBooking.objects.filter(arrangement=arrangement).select_related("room")
    upcoming = bookings.filter(dates__endswith__gt=today).order_by("dates", "id")
    past = bookings.filter(dates__endswith__lte=today).order_by("-dates", "-id")
    return paginate(request, upcoming, param="upcoming"), paginate(request, past, param="past")


@require_safe
def arrangement_detail(request, pk):
    queryset = _detail_queryset().annotate(carer_checks_lapsed=lapsed_flag(request, carer="carer"))
    arrangement, can_edit = get_arrangement_for_user(request, pk, queryset=queryset)
    today = timezone.localdate()
    context = {"arrangement": arrangement, "can_edit": can_edit, "today": today}
    if can_edit and arrangement.status == ArrangementStatus.PLANNED:
        prefetch_related_objects([arrangement], *START_GUARD_RELATIONS)
        context["start_reasons"] = services.start_reasons(arrangement, arrangement.start_date, today)
    if can_edit and arrangement.payment_rate:
        context["rate_amount"] = arrangement.payment_rate.amount_on(today)
    if arrangement.kind == ArrangementKind.SHORT_BREAKS:
        context["upcoming"], context["past"] = _bookings(request, arrangement, today)
    if arrangement.kind == ArrangementKind.DAY_SUPPORT:
        sessions = list(arrangement.day_sessions.all())
        for session in sessions:
            session.hours_text = hours_text(session.hours)
        context["sessions"] = sessions
        context["hours_a_week"] = hours_text(sum(session.hours for session in sessions))
    if can_edit:
        context.update(monitoring_context(request, arrangement, today))
    context["ended_by_death"] = (
        arrangement.status == ArrangementStatus.ENDED and arrangement.end_reason == EndReason.DEATH
    )
    if context["ended_by_death"] and can_edit:
        context["death_incident"] = death_incident_of(arrangement.person)
    return render(request, "placements/arrangement_detail.html", context)


def hours_text(hours: float) -> str:
    """4.0 -> "4 hours", 1.0 -> "1 hour", 5.25 -> "5.25 hours"."""
    number = f"{hours:.2f}".rstrip("0").rstrip(".")
    return f"{number} hour{'' if number == '1' else 's'}"


def _referral_from(request):
    """The referral a "Plan an arrangement" link came from (?referral=), or
    None; another scheme's is not found."""
    pk = request.GET.get("referral", "")
    if not pk:
        return None
    if not pk.isdigit():
        raise Http404("No such referral.")
    return get_object_or_404(
        Referral.objects.visible_to(request.membership)
        .select_related("person")
        .prefetch_related("wanted_stays"),
        pk=pk,
    )


def _create_initial(request, referral) -> dict:
    membership = request.membership
    initial = {}
    person_pk = request.GET.get("person", "")
    if person_pk.isdigit():
        initial["person"] = Person.objects.visible_to(membership).filter(pk=person_pk).first()
    if referral is not None:
        stays = list(referral.wanted_stays.all())
        initial.update(
            person=referral.person,
            kind=referral.kind,
            start_date=referral.wanted_from or (stays[0].dates.lower if stays else None),
            end_date=referral.wanted_until,
        )
        carer_pk = request.GET.get("carer", "")
        if carer_pk.isdigit():
            proposal = Proposal.objects.filter(referral=referral, carer_id=carer_pk).first()
            initial["carer"] = proposal.carer_id if proposal else None
    return initial


def _save(form, **set_on_create) -> bool:
    """Save the form (versioned); a stay the database finds no place for
    after all becomes an error on the form."""
    try:
        return form.save_versioned(**set_on_create)
    except IntegrityError as error:
        if "placements_capacity" not in str(error):
            raise
        form.add_error("start_date", CAPACITY_RACE.format(carer=form.cleaned_data["carer"].name))
        return False


@require_http_methods(["GET", "HEAD", "POST"])
def arrangement_create(request):
    """Plan an arrangement. From a referral's page (?referral=&carer=) the
    person, the kind and the dates come from the referral, and the carer is
    one of those proposed for it."""
    require_staff(request)
    scheme = request.membership.scheme
    referral = _referral_from(request)
    form = ArrangementForm(
        request.POST or None, scheme=scheme, referral=referral, initial=_create_initial(request, referral)
    )
    planned = {"scheme": scheme, "status": ArrangementStatus.PLANNED, "referral": referral}
    if request.method == "POST" and form.is_valid() and _save(form, **planned):
        messages.success(
            request, "The arrangement has been planned. Start it from this page when everything is in place."
        )
        return redirect("arrangement_detail", pk=form.instance.pk)
    return render(request, "placements/arrangement_form.html", {"form": form, "referral": referral})


@require_http_methods(["GET", "HEAD", "POST"])
def arrangement_edit(request, pk):
    queryset = Arrangement.objects.select_related("scheme", "person", "carer", "referral")
    arrangement, _ = get_arrangement_for_user(request, pk, for_change=True, queryset=queryset)
    form = ArrangementForm(request.POST or None, instance=arrangement, scheme=arrangement.scheme)
    if request.method == "POST" and form.is_valid() and _save(form):
        messages.success(request, "The arrangement has been saved.")
        return redirect("arrangement_detail", pk=arrangement.pk)
    return render(request, "placements/arrangement_form.html", {"form": form, "arrangement": arrangement})


@require_safe
def arrangement_history(request, pk):
    arrangement, can_edit = get_arrangement_for_user(request, pk)
    require_staff(request)
    page = history_page(arrangement, request.GET.get("page"))
    context = {"arrangement": arrangement, "can_edit": can_edit, "page": page}
    return render(request, "placements/arrangement_history.html", context)


# --- Starting and ending ---------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def arrangement_start(request, pk):
    """Start a planned arrangement. The page lists what is still needed
    (services.start_reasons); starting is refused, in the same words, until
    nothing is."""
    arrangement, can_edit = get_arrangement_for_user(
        request, pk, for_change=True, queryset=_detail_queryset(*START_GUARD_RELATIONS)
    )
    form = StartForm(request.POST or None, initial={"start_date": arrangement.start_date})
    today = timezone.localdate()
    refused = False
    day = arrangement.start_date
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["start_date"]
        try:
            services.start_arrangement(arrangement=arrangement, membership=request.membership, start_date=day)
        except WorkflowRefused as refusal:
            refused, reasons = True, refusal.reasons
        else:
            text = (
                f"{arrangement.person.name}'s arrangement with {arrangement.carer.name} "
                f"started on {day:%-d %b %Y}."
            )
            if arrangement.referral_id:
                text += " The referral has moved to “arrangement started”."
            messages.success(request, text)
            return redirect("arrangement_detail", pk=arrangement.pk)
    if not refused:
        reasons = services.start_reasons(arrangement, day, today)
    context = {
        "arrangement": arrangement,
        "can_edit": can_edit,
        "form": form,
        "reasons": reasons,
        "refused": refused,
        "day": day,
    }
    return render(request, "placements/arrangement_start.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def arrangement_end(request, pk):
    """End a planned or current arrangement: the date, the reason and a
    note. Short breaks booked from the end date on are cancelled; an ending
    because of a death records it as an incident with its CQC notification."""
    arrangement, can_edit = get_arrangement_for_user(request, pk, for_change=True)
    form = EndForm(request.POST or None, arrangement=arrangement, initial={"end_date": arrangement.end_date})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        to_cancel = (
            ShortBreakBooking.objects.booked()
            .filter(arrangement=arrangement, dates__startswith__gte=data["end_date"])
            .count()
        )
        try:
            services.end_arrangement(
                arrangement=arrangement,
                membership=request.membership,
                end_date=data["end_date"],
                reason=data["reason"],
                note=data["note"],
            )
        except WorkflowRefused as refusal:
            for reason in refusal.reasons:
                form.add_error(None, reason)
        else:
            _say_ended(request, arrangement, to_cancel)
            return redirect("arrangement_detail", pk=arrangement.pk)
    context = {"arrangement": arrangement, "can_edit": can_edit, "form": form}
    return render(request, "placements/arrangement_end.html", context)


def _say_ended(request, arrangement, cancelled: int) -> None:
    messages.success(
        request,
        f"The arrangement has ended on {arrangement.end_date:%-d %b %Y} "
        f"({arrangement.get_end_reason_display().lower()}).",
    )
    if cancelled:
        messages.info(
            request,
            f"{cancelled} short break{'s' if cancelled != 1 else ''} booked from then on "
            f"{'have' if cancelled != 1 else 'has'} been cancelled.",
        )
    if arrangement.end_reason == EndReason.DEATH:
        messages.info(request, CQC_DEATH_PROMPT.format(person=arrangement.person.name))


# --- Rates ----------------------------------------------------------------


@require_safe
def arrangement_rates(request):
    """The scheme's payment rates, each with the amount in force today and
    every amount it has had. Changed in admin; staff only."""
    require_staff(request)
    today = timezone.localdate()
    rates = PaymentRate.objects.visible_to(request.membership).prefetch_related("amounts")
    page = paginate(request, rates)
    for rate in page.object_list:
        rate.in_force = rate.amount_on(today)
    return render(request, "placements/arrangement_rates.html", {"page": page, "today": today})
