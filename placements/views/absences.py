"""Nights an arrangement's person is away (a hospital stay, their holiday,
the carer's leave): recorded on the arrangement's page and paid as the
scheme's payment settings say (placements.payment_runs.record_absence)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from placements import payment_runs
from placements.forms.payments import AbsenceForm
from sharedlives.access import get_arrangement_for_user
from sharedlives.workflow import WorkflowRefused


def _back(arrangement):
    return redirect(reverse("arrangement_detail", args=[arrangement.pk]) + "#absences")


def _approved_runs_note(request, arrangement, first, after) -> None:
    runs = payment_runs.approved_runs_covering(arrangement.scheme_id, first, after)
    if runs:
        names = ", ".join(run.period_label for run in runs)
        messages.info(
            request,
            f"The payment run for {names} is already approved, so what it paid does not change: "
            "the registered manager can add an adjustment to it.",
        )


@require_http_methods(["GET", "HEAD", "POST"])
def absence_create(request, pk):
    arrangement, _ = get_arrangement_for_user(request, pk, for_change=True)
    form = AbsenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            absence = payment_runs.record_absence(
                arrangement=arrangement,
                membership=request.membership,
                reason=data["reason"],
                first_night=data["first_night"],
                back_on=data["back_on"],
                note=data["note"],
            )
        except WorkflowRefused as refusal:
            for reason in refusal.reasons:
                form.add_error(None, reason)
        else:
            nights = absence.nights
            messages.success(
                request,
                f"{absence.get_reason_display()}: {nights} night{'s' if nights != 1 else ''} away from "
                f"{data['first_night']:%-d %b %Y}, back on {data['back_on']:%-d %b %Y}, has been recorded.",
            )
            _approved_runs_note(request, arrangement, data["first_night"], data["back_on"])
            return _back(arrangement)
    return render(request, "placements/absence_form.html", {"arrangement": arrangement, "form": form})


@require_POST
def absence_remove(request, pk, absence_pk):
    arrangement, _ = get_arrangement_for_user(request, pk, for_change=True)
    absence = get_object_or_404(arrangement.absences.all(), pk=absence_pk)
    try:
        payment_runs.remove_absence(absence=absence, membership=request.membership)
    except WorkflowRefused as refusal:
        messages.error(request, " ".join(refusal.reasons))
    else:
        messages.success(request, f"{absence} has been removed.")
        _approved_runs_note(request, arrangement, absence.dates.lower, absence.dates.upper)
    return _back(arrangement)
