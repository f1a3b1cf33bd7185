"""Payment runs: the list, starting one, its page (totals, each carer's
lines, problems, the steps), the steps themselves, adjustments and the CSV
for the finance system. Runs are the scheme staff's (a carer gets 403,
another scheme 404); the money on them is what ``PaymentLine.visible_to``
allows: the registered manager all of it, a coordinator their own caseload's."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from carers.models import Carer
from placements import payment_runs as steps
from placements.forms.payments import AdjustmentForm, PaymentRunForm
from placements.models import PaymentLine, PaymentProblem, PaymentRun, RunStatus
from sharedlives.access import require_staff
from sharedlives.dates import add_months
from sharedlives.models import RecordViewKind
from sharedlives.shortcuts import paginate
from sharedlives.viewlog import record_view
from sharedlives.workflow import WorkflowRefused

MONEY = ("care_payment", "rent", "household_contribution", "total")
ZERO = Value(0, output_field=DecimalField(max_digits=12, decimal_places=2))


def _sums():
    return {name: Coalesce(Sum(name), ZERO) for name in MONEY}


def _run_for(request, pk, queryset=None) -> PaymentRun:
    """One of the scheme's runs, for its staff."""
    require_staff(request)
    queryset = PaymentRun.objects.all() if queryset is None else queryset
    return get_object_or_404(queryset.visible_to(request.membership), pk=pk)


def _require_manager(request, what: str) -> None:
    if not request.membership.is_manager:
        raise PermissionDenied(f"Only the registered manager can {what}.")


def _money_heading(membership) -> str:
    return "The scheme's total" if membership.is_manager else "Your caseload's total"


@require_safe
def payment_run_list(request):
    require_staff(request)
    membership = request.membership
    # What each run pays, as far as this user may see: one subquery a run.
    visible = (
        PaymentLine.objects.visible_to(membership)
        .filter(run=OuterRef("pk"))
        .order_by()
        .values("run")
        .annotate(sum=Sum("total"))
        .values("sum")
    )
    problems = (
        PaymentProblem.objects.filter(run=OuterRef("pk")).order_by().values("run").annotate(n=Count("id"))
    )
    runs = PaymentRun.objects.visible_to(membership).annotate(
        visible_total=Subquery(visible),
        problem_count=Coalesce(Subquery(problems.values("n")), Value(0)),
    )
    context = {"page": paginate(request, runs), "money_heading": _money_heading(membership)}
    return render(request, "placements/payment_run_list.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def payment_run_new(request):
    require_staff(request)
    last_month = add_months(timezone.localdate().replace(day=1), -1)
    form = PaymentRunForm(request.POST or None, initial={"day": last_month})
    if request.method == "POST" and form.is_valid():
        try:
            run = steps.create_payment_run(
                scheme=request.membership.scheme,
                membership=request.membership,
                length=form.cleaned_data["length"],
                day=form.cleaned_data["day"],
            )
        except WorkflowRefused as refusal:
            for reason in refusal.reasons:
                form.add_error(None, reason)
        else:
            messages.success(
                request, f"The payment run for {run.period_label} has been worked out as a draft."
            )
            return redirect("payment_run_detail", pk=run.pk)
    return render(request, "placements/payment_run_form.html", {"form": form})


def _carer_totals(lines, request):
    """A page of carers with their totals and lines (three queries)."""
    totals = lines.order_by().values("carer_id").annotate(**_sums())
    carers = Carer.objects.filter(pk__in=totals.values("carer_id")).order_by("last_name", "first_name", "id")
    page = paginate(request, carers)
    by_carer = {row["carer_id"]: row for row in totals.filter(carer_id__in=[c.pk for c in page.object_list])}
    own_lines = {}
    for line in lines.filter(carer_id__in=by_carer).select_related("person").order_by("arrangement_id", "id"):
        own_lines.setdefault(line.carer_id, []).append(line)
    for carer in page.object_list:
        carer.totals = by_carer[carer.pk]
        carer.run_lines = own_lines.get(carer.pk, [])
    return page


@require_safe
def payment_run_detail(request, pk):
    run = _run_for(request, pk, PaymentRun.objects.select_related("created_by", "reviewed_by", "approved_by"))
    membership = request.membership
    lines = PaymentLine.objects.visible_to(membership).filter(run=run)
    problems = list(run.problems.select_related("arrangement__person", "arrangement__carer").order_by("id"))
    shown = steps.run_steps(run, membership, [problem.description for problem in problems])
    context = {
        "run": run,
        "problems": problems,
        "totals": lines.aggregate(**_sums()),
        "money_heading": _money_heading(membership),
        "page": _carer_totals(lines, request),
        "shown_steps": shown,
        "can_correct": any(step.to == "adjust" and step.allowed for step in shown),
        "is_manager": membership.is_manager,
    }
    return render(request, "placements/payment_run_detail.html", context)


def _step(request, pk, do, done: str):
    run = _run_for(request, pk)
    try:
        run = do(run=run, membership=request.membership)
    except WorkflowRefused as refusal:
        messages.error(request, "Not done. " + " ".join(refusal.reasons))
    else:
        messages.success(request, done.format(run=run))
    return redirect("payment_run_detail", pk=pk)


@require_POST
def payment_run_recalculate(request, pk):
    return _step(
        request, pk, steps.recalculate, "The run has been worked out again from the records as they are now."
    )


@require_POST
def payment_run_review(request, pk):
    return _step(
        request,
        pk,
        steps.mark_reviewed,
        "The run is marked as reviewed. The registered manager approves it next.",
    )


@require_POST
def payment_run_approve(request, pk):
    """Approve the figures the manager saw: the form carries when they were
    worked out, so a run worked out again meanwhile is not approved unseen."""
    _run_for(request, pk)
    _require_manager(request, "approve a payment run")
    try:
        seen = parse_datetime(request.POST.get("worked_out", ""))
    except ValueError:
        seen = None

    def approve(*, run, membership):
        return steps.approve_payment_run(run=run, membership=membership, seen_worked_out_at=seen)

    return _step(
        request,
        pk,
        approve,
        "The run for {run.period_label} is approved. Its payments are final: a correction is an adjustment.",
    )


@require_http_methods(["GET", "HEAD", "POST"])
def payment_run_adjust(request, pk):
    run = _run_for(request, pk)
    _require_manager(request, "adjust an approved run")
    reasons = steps.adjust_reasons(run, request.membership)
    if reasons:
        messages.error(request, " ".join(reasons))
        return redirect("payment_run_detail", pk=pk)
    initial = {"line": request.GET.get("line")} if request.GET.get("line", "").isdigit() else {}
    form = AdjustmentForm(request.POST or None, run=run, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            line = steps.add_adjustment(
                run=run,
                membership=request.membership,
                carer=data["carer"],
                line=data["line"],
                care_payment=data["care_payment"],
                rent=data["rent"],
                household_contribution=data["household_contribution"],
                reason=data["reason"],
            )
        except WorkflowRefused as refusal:
            for reason in refusal.reasons:
                form.add_error(None, reason)
        else:
            messages.success(request, f"The adjustment has been added: {line.description}.")
            return redirect("payment_run_detail", pk=pk)
    return render(request, "placements/payment_run_adjust.html", {"run": run, "form": form})


# --- The CSV for the finance system -----------------------------------------

CSV_COLUMNS = [
    "run_id",
    "run_status",
    "period_start",
    "period_end",
    "line_id",
    "carer_id",
    "carer_name",
    "arrangement_id",
    "person_id",
    "person_name",
    "kind",
    "description",
    "quantity",
    "unit",
    "paid_percent",
    "care_payment",
    "rent",
    "household_contribution",
    "total",
    "adjusts_line_id",
    "reason",
    "recorded_at",
]


class _Echo:
    def write(self, value):
        return value


def csv_rows(run: PaymentRun, lines):
    yield CSV_COLUMNS
    for line in lines:
        yield [
            run.pk,
            run.status,
            run.period.lower.isoformat(),
            run.last_day.isoformat(),
            line.pk,
            line.carer_id,
            line.carer.name,
            line.arrangement_id or "",
            line.person_id or "",
            line.person.name if line.person_id else "",
            line.kind,
            line.description,
            "" if line.quantity is None else line.quantity,
            line.unit,
            line.paid_percent,
            line.care_payment,
            line.rent,
            line.household_contribution,
            line.total,
            line.adjusts_id or "",
            line.reason,
            timezone.localtime(line.created_at).isoformat(timespec="seconds"),
        ]


def csv_filename(run: PaymentRun) -> str:
    name = f"payment-run-{run.pk}-{run.period.lower:%Y-%m-%d}-to-{run.last_day:%Y-%m-%d}.csv"
    return name if run.status == RunStatus.APPROVED else f"DRAFT-{name}"


@require_safe
def payment_run_csv(request, pk):
    """Every line this user may see. An approved run's file is for the
    finance system; any other's says DRAFT in its name and its status column."""
    run = _run_for(request, pk)
    lines = (
        PaymentLine.objects.visible_to(request.membership)
        .filter(run=run)
        .select_related("carer", "person")
        .order_by("carer__last_name", "carer__first_name", "carer_id", "arrangement_id", "id")
    )
    # It names many carers and people: logged once, against the user.
    record_view(request, kind=RecordViewKind.EXPORT)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in csv_rows(run, lines.iterator(chunk_size=2000))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{csv_filename(run)}"'
    return response
