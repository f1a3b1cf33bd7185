"""A carer's own payments, in their portal (/my/payments/): the approved
runs that paid them, newest first, each with its lines. Never a draft, never
anyone else's (``PaymentLine.visible_to``); staff get 403 here."""

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery, Sum
from django.shortcuts import render
from django.views.decorators.http import require_safe

from placements.models import PaymentLine, PaymentRun
from sharedlives.shortcuts import paginate


@require_safe
def portal_payments(request):
    membership = request.membership
    if membership is None or not membership.is_carer:
        raise PermissionDenied("These pages are for carers.")
    lines = PaymentLine.objects.visible_to(membership)
    own_total = lines.filter(run=OuterRef("pk")).order_by().values("run").annotate(sum=Sum("total"))
    runs = (
        PaymentRun.objects.filter(pk__in=lines.values("run"))
        .annotate(own_total=Subquery(own_total.values("sum")))
        .order_by("-period", "-id")
    )
    page = paginate(request, runs)
    by_run = {}
    run_ids = [run.pk for run in page.object_list]
    for line in lines.filter(run_id__in=run_ids).select_related("person").order_by("id"):
        by_run.setdefault(line.run_id, []).append(line)
    for run in page.object_list:
        run.own_lines = by_run.get(run.pk, [])
    return render(request, "portal/payments.html", {"page": page})
