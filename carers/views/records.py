from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from carers.forms import CarerFilterForm, CarerForm, HouseholdMemberFormSet, PetFormSet, RoomFormSet
from carers.lapsed import flag_carers, lapsed_checks, lapsed_flag
from carers.models import Carer
from placements.incidents import with_incident_counts
from placements.models import Arrangement
from sharedlives.access import can_edit_records, get_carer_for_user, require_staff
from sharedlives.audit import history_page
from sharedlives.conflicts import stale_refusal
from sharedlives.forms import save_formsets_versioned, version_from
from sharedlives.shortcuts import paginate
from sharedlives.viewlog import logs_view_of


@require_safe
def carer_list(request):
    require_staff(request)
    scheme = request.membership.scheme
    filters = CarerFilterForm(request.GET or None, scheme=scheme)
    # Coordinators and flags are found for the page's rows only: in the
    # page's own query they would be worked out for every row skipped before
    # a far page.
    carers = filters.filter(Carer.objects.visible_to(request.membership).prefetch_related("coordinator"))
    page = paginate(request, carers)
    flag_carers(request, page)
    return render(request, "carers/carer_list.html", {"filters": filters, "page": page})


@require_safe
@logs_view_of("carer")
def carer_detail(request, pk):
    queryset = Carer.objects.select_related("scheme", "coordinator").prefetch_related(
        "household_members",
        "pets",
        "rooms",
        Prefetch(
            "arrangements",
            queryset=Arrangement.objects.open().select_related("person").order_by("start_date"),
            to_attr="open_arrangements",
        ),
    )
    if can_edit_records(request.membership):
        queryset = with_incident_counts(queryset, "carer")  # in the same query
    # The flag first, in the same query: most households have nothing lapsed,
    # and then the list of what has is not looked for.
    carer, can_edit = get_carer_for_user(
        request, pk, queryset=queryset.annotate(checks_lapsed=lapsed_flag(request))
    )
    lapsed = lapsed_checks(request, carer) if carer.checks_lapsed else []
    context = {"carer": carer, "can_edit": can_edit, "lapsed_checks": lapsed}
    return render(request, "carers/carer_detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def carer_create(request):
    require_staff(request)
    scheme = request.membership.scheme
    form = CarerForm(request.POST or None, scheme=scheme, initial={"coordinator": request.user})
    if request.method == "POST" and form.is_valid() and form.save_versioned(scheme=scheme):
        messages.success(request, f"{form.instance.name} has been added as an enquiry.")
        return redirect("carer_detail", pk=form.instance.pk)
    return render(request, "carers/carer_form.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@logs_view_of("carer")
def carer_edit(request, pk):
    carer, _ = get_carer_for_user(request, pk, for_change=True)
    may_hold = request.membership.is_manager  # the legal hold is the manager's to set or clear
    form = CarerForm(request.POST or None, instance=carer, scheme=carer.scheme, may_hold=may_hold)
    if request.method == "POST" and form.is_valid() and form.save_versioned():
        messages.success(request, f"{carer.name}'s details have been saved.")
        return redirect("carer_detail", pk=carer.pk)
    return render(request, "carers/carer_form.html", {"form": form, "carer": carer})


@require_http_methods(["GET", "HEAD", "POST"])
@logs_view_of("carer")
def carer_household(request, pk):
    """The people, pets and spare rooms of a household, edited on one page."""
    carer, _ = get_carer_for_user(request, pk, for_change=True)
    data = request.POST or None
    formsets = {
        "members": HouseholdMemberFormSet(data, instance=carer, prefix="members"),
        "pets": PetFormSet(data, instance=carer, prefix="pets"),
        "rooms": RoomFormSet(data, instance=carer, prefix="rooms"),
    }
    stale = False
    if request.method == "POST" and all(f.is_valid() for f in formsets.values()):
        if save_formsets_versioned(carer, version_from(request.POST), formsets.values()):
            messages.success(request, f"{carer.name}'s household has been saved.")
            return redirect("carer_detail", pk=carer.pk)
        stale = True
    context = {
        "carer": carer,
        "stale_message": stale_refusal(carer) if stale else "",
        # After a refusal the form keeps the version first opened, so saving
        # again is refused too until the user has looked at the newer change.
        "opened_version": request.POST.get("version") if request.method == "POST" else carer.version,
        **formsets,
    }
    return render(request, "carers/carer_household_form.html", context)


@require_safe
@logs_view_of("carer")
def carer_history(request, pk):
    carer, can_edit = get_carer_for_user(request, pk)
    require_staff(request)
    page = history_page(carer, request.GET.get("page"))
    context = {
        "carer": carer,
        "can_edit": can_edit,
        "page": page,
        "lapsed_checks": lapsed_checks(request, carer),
    }
    return render(request, "carers/carer_history.html", context)
