"""A short-breaks arrangement's bookings, and the weekly sessions of a
day-support arrangement. Bookings are made and cancelled through
placements.services, which say in words why a booking cannot be made."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from placements import services
from placements.forms.bookings import BookingForm, DaySessionFormSet
from placements.models import Arrangement
from sharedlives.access import get_arrangement_for_user
from sharedlives.choices import ArrangementKind
from sharedlives.conflicts import stale_refusal
from sharedlives.forms import save_formsets_versioned, version_from
from sharedlives.workflow import WorkflowRefused

ONLY_FOR = {
    ArrangementKind.SHORT_BREAKS: "Only a short-breaks arrangement has bookings.",
    ArrangementKind.DAY_SUPPORT: "Only a day-support arrangement has weekly sessions.",
}


def _arrangement(request, pk, kind):
    """The arrangement, for staff who may change it; None (with a message
    said) when it is not of ``kind``."""
    queryset = Arrangement.objects.select_related("scheme", "person", "carer")
    arrangement, _ = get_arrangement_for_user(request, pk, for_change=True, queryset=queryset)
    if arrangement.kind != kind:
        messages.error(request, ONLY_FOR[kind])
        return None
    return arrangement


def _detail(arrangement, anchor):
    return redirect(reverse("arrangement_detail", args=[arrangement.pk]) + f"#{anchor}")


@require_http_methods(["GET", "HEAD", "POST"])
def booking_create(request, pk):
    arrangement = _arrangement(request, pk, ArrangementKind.SHORT_BREAKS)
    if arrangement is None:
        return redirect("arrangement_detail", pk=pk)
    form = BookingForm(request.POST or None, arrangement=arrangement)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.book_short_break(
                arrangement=arrangement,
                membership=request.membership,
                room=data["room"],
                arrives_on=data["arrives_on"],
                leaves_on=data["leaves_on"],
                notes=data["notes"],
            )
        except WorkflowRefused as refusal:
            for reason in refusal.reasons:
                form.add_error(None, reason)
        else:
            arrives, leaves = data["arrives_on"], data["leaves_on"]
            nights = (leaves - arrives).days
            messages.success(
                request,
                f"A short break has been booked in {booking.room.name} from {arrives:%-d %b %Y} "
                f"to {leaves:%-d %b %Y} ({nights} night{'s' if nights != 1 else ''}).",
            )
            return _detail(arrangement, "bookings")
    return render(request, "placements/booking_form.html", {"arrangement": arrangement, "form": form})


@require_POST
def booking_cancel(request, pk, booking_pk):
    arrangement, _ = get_arrangement_for_user(request, pk, for_change=True)
    booking = get_object_or_404(arrangement.bookings.all(), pk=booking_pk)
    try:
        services.cancel_booking(booking=booking, membership=request.membership)
    except WorkflowRefused as refusal:
        messages.error(request, f"The booking has not been cancelled. {' '.join(refusal.reasons)}")
    else:
        messages.success(
            request,
            f"The short break from {booking.dates.lower:%-d %b %Y} to {booking.dates.upper:%-d %b %Y} "
            "has been cancelled.",
        )
    return _detail(arrangement, "bookings")


@require_http_methods(["GET", "HEAD", "POST"])
def day_sessions(request, pk):
    """The weekly sessions of day support, edited together as one change to
    the arrangement (so two coordinators cannot overwrite each other)."""
    arrangement = _arrangement(request, pk, ArrangementKind.DAY_SUPPORT)
    if arrangement is None:
        return redirect("arrangement_detail", pk=pk)
    formset = DaySessionFormSet(request.POST or None, instance=arrangement, prefix="sessions")
    stale = False
    if request.method == "POST" and formset.is_valid():
        if save_formsets_versioned(arrangement, version_from(request.POST), [formset]):
            messages.success(request, "The weekly sessions have been saved.")
            return _detail(arrangement, "sessions")
        stale = True
    context = {
        "arrangement": arrangement,
        "formset": formset,
        "stale_message": stale_refusal(arrangement) if stale else "",
        "opened_version": request.POST.get("version") if request.method == "POST" else arrangement.version,
    }
    return render(request, "placements/day_sessions_form.html", context)
