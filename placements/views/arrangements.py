from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from people.models import Person
from placements.forms.arrangements import ArrangementFilterForm, ArrangementForm
from placements.models import Arrangement
from sharedlives.access import get_arrangement_for_user, require_staff
from sharedlives.audit import history_page
from sharedlives.shortcuts import paginate


@require_safe
def arrangement_list(request):
    require_staff(request)
    filters = ArrangementFilterForm(request.GET or None)
    arrangements = filters.filter(
        Arrangement.objects.visible_to(request.membership).select_related("person", "carer")
    )
    context = {"filters": filters, "page": paginate(request, arrangements)}
    return render(request, "placements/arrangement_list.html", context)


@require_safe
def arrangement_detail(request, pk):
    arrangement, can_edit = get_arrangement_for_user(request, pk)
    return render(
        request, "placements/arrangement_detail.html", {"arrangement": arrangement, "can_edit": can_edit}
    )


@require_http_methods(["GET", "HEAD", "POST"])
def arrangement_create(request):
    require_staff(request)
    scheme = request.membership.scheme
    initial = {}
    person_pk = request.GET.get("person")
    if person_pk and person_pk.isdigit():
        initial["person"] = Person.objects.visible_to(request.membership).filter(pk=person_pk).first()
    form = ArrangementForm(request.POST or None, scheme=scheme, initial=initial)
    if request.method == "POST" and form.is_valid() and form.save_versioned(scheme=scheme):
        messages.success(request, "The arrangement has been added.")
        return redirect("arrangement_detail", pk=form.instance.pk)
    return render(request, "placements/arrangement_form.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def arrangement_edit(request, pk):
    arrangement, _ = get_arrangement_for_user(request, pk, for_change=True)
    form = ArrangementForm(request.POST or None, instance=arrangement, scheme=arrangement.scheme)
    if request.method == "POST" and form.is_valid() and form.save_versioned():
        messages.success(request, "The arrangement has been saved.")
        return redirect("arrangement_detail", pk=arrangement.pk)
    return render(request, "placements/arrangement_form.html", {"form": form, "arrangement": arrangement})


@require_safe
def arrangement_history(request, pk):
    arrangement, can_edit = get_arrangement_for_user(request, pk)
    require_staff(request)
    page = history_page(arrangement, request.GET.get("page"))
    context = {"arrangement": arrangement, "can_edit": can_edit, "page": page}
    return render(request, "placements/arrangement_history.html", context)
