"""Expiring checks and training: every record with an expiry that has
lapsed or lapses within the scheme's warning period, soonest first, for the
scheme's staff. One query for the page's rows and one to count them,
however many households and records there are (``carers.expiry``)."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from carers import expiry
from carers.forms.expiring import ExpiringFilterForm
from carers.lapsed import check_rules, lapse_words
from carers.models import Check
from placements.models import MonitoringSettings
from sharedlives.access import require_staff
from sharedlives.shortcuts import paginate


@require_safe
def expiring_checks(request):
    require_staff(request)
    membership = request.membership
    today = timezone.localdate()
    warning_days = MonitoringSettings.for_scheme(membership.scheme).expiry_warning_days
    filters = ExpiringFilterForm(request.GET, membership=membership, warning_days=warning_days)
    records = expiry.expiring_checks(
        Check.objects.visible_to(membership), check_rules(request), today, warning_days
    ).select_related("carer__coordinator")
    page = paginate(request, filters.filter(records, today))
    page.object_list = list(page.object_list)
    for record in page.object_list:
        record.lapsed = record.lapses_on < today
        record.lapsed_words = lapse_words(record.lapses_on, today)
    context = {"filters": filters, "page": page, "warning_days": warning_days}
    return render(request, "carers/expiring_checks.html", context)
