"""The reports' pages and their CSV exports (``?format=csv``, with the same
choices). The scheme's staff (the registered manager and coordinators) see
their own scheme's reports; carers are refused (403)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from sharedlives.access import require_staff
from sharedlives.reports import at_a_glance, inspection, yearly_count
from sharedlives.reports.base import csv_response
from sharedlives.reports.forms import PeriodForm, YearForm

# What each report answers, for the list of reports.
REPORTS = [
    (
        "report_at_a_glance",
        "Scheme at a glance",
        "How many carers, people and arrangements the scheme has today, where the free places are, "
        "how applicants move from enquiry to approval, what became of referrals, why arrangements "
        "ended, and how many carers joined and left each month.",
    ),
    (
        "report_yearly_count",
        "Yearly count for Shared Lives Plus",
        "The figures Shared Lives Plus collects for a year from 1 April to 31 March: carers, staff, "
        "and the people supported by kind of arrangement and by needs group.",
    ),
    (
        "report_inspection",
        "For a CQC inspection",
        "Whether reviews were held on time, checks and training that are current or lapsed, incidents, "
        "CQC notifications and how long each took, and compliments and complaints. Printable.",
    ),
]


@require_safe
def report_list(request):
    require_staff(request)
    return render(request, "reports/report_list.html", {"reports": REPORTS})


def _wants_csv(request) -> bool:
    return request.GET.get("format") == "csv"


def _refused_csv(form) -> HttpResponse:
    errors = "; ".join(str(error) for errors in form.errors.values() for error in errors)
    return HttpResponse(f"No report: {errors}", status=400, content_type="text/plain; charset=utf-8")


def _period_report(request, builder, template: str):
    require_staff(request)
    today = timezone.localdate()
    form = PeriodForm(request.GET, today=today)
    period = form.period
    if period is None and _wants_csv(request):
        return _refused_csv(form)
    report = builder(request.membership, period, today) if period else None
    if _wants_csv(request):
        return csv_response(report)
    return render(request, template, {"form": form, "report": report, "today": today})


@require_safe
def report_at_a_glance(request):
    return _period_report(request, at_a_glance.build, "reports/at_a_glance.html")


@require_safe
def report_inspection(request):
    return _period_report(request, inspection.build, "reports/inspection.html")


@require_safe
def report_yearly_count(request):
    require_staff(request)
    today = timezone.localdate()
    form = YearForm(request.GET, today=today)
    year = form.chosen_year
    if year is None and _wants_csv(request):
        return _refused_csv(form)
    report = yearly_count.build(request.membership, year, today) if year is not None else None
    if _wants_csv(request):
        return csv_response(report)
    return render(request, "reports/yearly_count.html", {"form": form, "report": report, "today": today})
