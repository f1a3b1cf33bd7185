"""My work: what is overdue and what falls due soon, for the carers and
people a coordinator looks after; the registered manager sees the whole
scheme, or one coordinator's caseload, or the records with no coordinator.

The counts are a handful of aggregates and each list one page of rows, so
the page costs the same queries with ten records or ten thousand
(``sharedlives.work``)."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from sharedlives.access import require_staff
from sharedlives.forms import WorkFilterForm
from sharedlives.shortcuts import Counted, paginate
from sharedlives.work import NO_COORDINATOR, Workload

# What counts as "due" on the page: the next four weeks. (The reminders
# e-mail looks one week ahead.)
WINDOW_DAYS = 28
PER_PAGE = 10


@require_safe
def my_work(request):
    require_staff(request)
    membership = request.membership
    filters, whose = None, request.user
    if membership.is_manager:
        filters = WorkFilterForm(request.GET or None, scheme=membership.scheme)
        choice = filters.choice
        whose = NO_COORDINATOR if choice == WorkFilterForm.NO_COORDINATOR else choice
    workload = Workload(
        scheme=membership.scheme,
        coordinator=whose,
        today=timezone.localdate(),
        window=WINDOW_DAYS,
        notifications=membership.is_manager,
    )
    counts = workload.counts()
    lists = []
    for section in workload.sections(counts):
        # Each list's length is among the counts already made.
        rows = Counted(section.rows, section.total)
        page = paginate(request, rows, per_page=PER_PAGE, param=f"{section.key}_page")
        page.object_list = section.describe(list(page.object_list))
        lists.append((section, page))
    context = {
        "filters": filters,
        "whose": whose,
        "whole_scheme": whose is None,
        "no_coordinator": whose is NO_COORDINATOR,
        "workload": workload,
        "counts": counts,
        "lists": lists,
        "weeks": WINDOW_DAYS // 7,
    }
    return render(request, "sharedlives/my_work.html", context)
