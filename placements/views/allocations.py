"""The allocation report (placements.allocations): per person, the upfront
allocation against the agreed amount and what was paid, with a CSV by
``?format=csv``. For the registered manager (everyone) and coordinators
(the people they coordinate); a carer gets 403."""

import csv
import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from placements.allocations import FIGURES, AllocationRows, runs_counted
from placements.forms.payments import AllocationPeriodForm
from placements.models import Funder
from sharedlives.access import require_staff
from sharedlives.models import RecordViewKind
from sharedlives.shortcuts import paginate
from sharedlives.viewlog import record_view

FUNDERS = dict(Funder.choices)
CSV_COLUMNS = [
    "period_start",
    "period_end",
    "person_id",
    "person_name",
    "funder",
    "indicative_allocation",
    "agreed_amount",
    "agreed_minus_indicative",
    "paid_care",
    "paid_minus_agreed",
    "paid_total",
]


def _financial_year_start(today: datetime.date) -> datetime.date:
    year = today.year if today.month >= 4 else today.year - 1
    return datetime.date(year, 4, 1)


def _period(request) -> tuple[AllocationPeriodForm, datetime.date, datetime.date]:
    """The dates asked for, or the financial year (from 1 April) to the end of last month."""
    last = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    first = _financial_year_start(last)
    data = request.GET if "starts_on" in request.GET else None
    form = AllocationPeriodForm(data, initial={"starts_on": first, "ends_on": last})
    if data is not None and form.is_valid():
        return form, form.cleaned_data["starts_on"], form.cleaned_data["ends_on"]
    return form, first, last


def _csv(rows, first, last):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="allocations-{first:%Y-%m-%d}-to-{last:%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for person in rows:
        figures = [getattr(person, name) for name in FIGURES]
        writer.writerow(
            [first.isoformat(), last.isoformat(), person.pk, person.name, person.funder or ""]
            + ["" if value is None else value for value in figures]
        )
    return response


@require_safe
def allocation_report(request):
    require_staff(request)
    membership = request.membership
    form, first, last = _period(request)
    rows = AllocationRows(membership, first, last)
    if request.GET.get("format") == "csv":
        # It names many people: logged once, against the user.
        record_view(request, kind=RecordViewKind.EXPORT)
        return _csv(rows, first, last)
    page = paginate(request, rows)
    for person in page.object_list:
        person.funder_label = FUNDERS.get(person.funder, "")
    counted, crossing = runs_counted(membership.scheme_id, first, last)
    query = request.GET.copy()
    query["format"] = "csv"
    query.pop("page", None)
    context = {
        "form": form,
        "first": first,
        "last": last,
        "page": page,
        "totals": rows.totals(),
        "counted": counted,
        "counted_to": counted[-1].last_day if counted else None,
        "crossing": crossing,
        "csv_query": query.urlencode(),
        "is_manager": membership.is_manager,
    }
    return render(request, "placements/allocation_report.html", context)
