from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe

from carers.lapsed import lapsed_flag
from carers.models import APPLICANT_STATUSES, Carer, CarerStatus, ChangeStatus
from people.models import Person
from placements.models import Arrangement, ArrangementStatus, CqcNotification
from sharedlives.choices import ArrangementKind
from sharedlives.middleware import SCHEME_SESSION_KEY
from sharedlives.models import Membership


@require_safe
def dashboard(request):
    membership = request.membership
    if membership.is_carer:
        return redirect("portal_home")  # a carer's start page is their portal
    carers = Carer.objects.visible_to(membership)
    arrangements = Arrangement.objects.visible_to(membership)
    # The changes waiting for an answer are counted in the same query, over
    # a join to them: so each household is counted once (distinct).
    carer_counts = carers.aggregate(
        approved=Count("pk", distinct=True, filter=Q(status=CarerStatus.APPROVED)),
        applicants=Count("pk", distinct=True, filter=Q(status__in=APPLICANT_STATUSES)),
        suspended=Count("pk", distinct=True, filter=Q(status=CarerStatus.SUSPENDED)),
        changes_waiting=Count("change_requests", filter=Q(change_requests__status=ChangeStatus.PENDING)),
    )
    # The current arrangements of each kind and the people in them, in one
    # pass over the scheme's current arrangements.
    current = arrangements.current().aggregate(
        people=Count("person", distinct=True),
        **{kind: Count("pk", filter=Q(kind=kind)) for kind in ArrangementKind.values},
    )
    context = {
        "carer_counts": carer_counts,
        "current_by_kind": [(label, current[value]) for value, label in ArrangementKind.choices],
        "current_total": sum(current[value] for value in ArrangementKind.values),
        "people_supported": current["people"],
        "my_carers": carers.filter(coordinator=request.user)
        .annotate(checks_lapsed=lapsed_flag(request))
        .order_by("last_name", "first_name")[:10],
        "my_people": Person.objects.visible_to(membership)
        .filter(coordinator=request.user)
        .order_by("last_name", "first_name")[:10],
        "starting_soon": arrangements.filter(status=ArrangementStatus.PLANNED)
        .select_related("person", "carer")
        .annotate(carer_checks_lapsed=lapsed_flag(request, carer="carer"))
        .order_by("start_date")[:10],
    }
    if membership.is_manager:
        # The registered manager answers to CQC: the notifications waiting for them.
        context["notifications_to_send"] = CqcNotification.objects.visible_to(membership).unsent().count()
    return render(request, "sharedlives/dashboard.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def choose_scheme(request):
    """For someone who works in several schemes: which one they are in now."""
    memberships = Membership.objects.filter(user=request.user).select_related("scheme")
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if request.method == "POST":
        scheme_id = request.POST.get("scheme", "")
        chosen = memberships.filter(scheme_id=scheme_id).first() if scheme_id.isdigit() else None
        if chosen is None:
            messages.error(request, "Choose one of your schemes.")
        else:
            request.session[SCHEME_SESSION_KEY] = chosen.scheme_id
            # Shows "Change scheme" in the navigation without a query on every page.
            request.session["several_schemes"] = True
            messages.success(request, f"You are now working in {chosen.scheme}.")
            return redirect(next_url)
    return render(request, "sharedlives/choose_scheme.html", {"memberships": memberships, "next": next_url})


@login_not_required
@require_safe
def healthz(request):
    """For a load balancer or a deploy script: the app is up."""
    return HttpResponse("ok", content_type="text/plain")
