from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from carers.lapsed import lapsed_flag
from people.forms import ContactFormSet, OnePageProfileForm, PersonFilterForm, PersonForm
from people.models import OnePageProfile, Person
from placements.incidents import with_incident_counts
from placements.models import Arrangement, Referral
from sharedlives.access import can_edit_records, get_person_for_user, require_staff
from sharedlives.audit import history_page
from sharedlives.conflicts import stale_refusal
from sharedlives.forms import save_formsets_versioned, version_from
from sharedlives.shortcuts import paginate
from sharedlives.viewlog import logs_view_of


@require_safe
def person_list(request):
    require_staff(request)
    scheme = request.membership.scheme
    filters = PersonFilterForm(request.GET or None, scheme=scheme)
    people = filters.filter(Person.objects.visible_to(request.membership).select_related("coordinator"))
    return render(request, "people/person_list.html", {"filters": filters, "page": paginate(request, people)})


@require_safe
@logs_view_of("person")
def person_detail(request, pk):
    membership = request.membership
    queryset = Person.objects.select_related("scheme", "coordinator").prefetch_related(
        "contacts",
        Prefetch(
            "arrangements",
            queryset=Arrangement.objects.visible_to(membership)
            .select_related("carer")
            .annotate(carer_checks_lapsed=lapsed_flag(request, carer="carer"))
            .order_by("-start_date"),
            to_attr="visible_arrangements",
        ),
        # Staff only: a carer's queryset is empty and costs no query.
        Prefetch(
            "referrals",
            queryset=Referral.objects.visible_to(membership).order_by("-received_on", "-id"),
            to_attr="visible_referrals",
        ),
    )
    if can_edit_records(membership):
        queryset = with_incident_counts(queryset, "person")  # in the same query
    person, can_edit = get_person_for_user(request, pk, queryset=queryset)
    return render(request, "people/person_detail.html", {"person": person, "can_edit": can_edit})


@require_http_methods(["GET", "HEAD", "POST"])
def person_create(request):
    require_staff(request)
    scheme = request.membership.scheme
    form = PersonForm(request.POST or None, scheme=scheme, initial={"coordinator": request.user})
    if request.method == "POST" and form.is_valid() and form.save_versioned(scheme=scheme):
        messages.success(request, f"{form.instance.name} has been added.")
        return redirect("person_detail", pk=form.instance.pk)
    return render(request, "people/person_form.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@logs_view_of("person")
def person_edit(request, pk):
    person, _ = get_person_for_user(request, pk, for_change=True)
    may_hold = request.membership.is_manager  # the legal hold is the manager's to set or clear
    form = PersonForm(request.POST or None, instance=person, scheme=person.scheme, may_hold=may_hold)
    if request.method == "POST" and form.is_valid() and form.save_versioned():
        messages.success(request, f"{person.name}'s details have been saved.")
        return redirect("person_detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person})


@require_http_methods(["GET", "HEAD", "POST"])
@logs_view_of("person")
def person_contacts(request, pk):
    person, _ = get_person_for_user(request, pk, for_change=True)
    formset = ContactFormSet(request.POST or None, instance=person, prefix="contacts")
    stale = False
    if request.method == "POST" and formset.is_valid():
        if save_formsets_versioned(person, version_from(request.POST), [formset]):
            messages.success(request, f"{person.name}'s contacts have been saved.")
            return redirect("person_detail", pk=person.pk)
        stale = True
    context = {
        "person": person,
        "formset": formset,
        "stale_message": stale_refusal(person) if stale else "",
        # After a refusal the form keeps the version first opened, so saving
        # again is refused too until the user has looked at the newer change.
        "opened_version": request.POST.get("version") if request.method == "POST" else person.version,
    }
    return render(request, "people/person_contacts_form.html", context)


@require_safe
@logs_view_of("person")
def person_history(request, pk):
    person, can_edit = get_person_for_user(request, pk)
    require_staff(request)
    page = history_page(person, request.GET.get("page"))
    return render(
        request, "people/person_history.html", {"person": person, "can_edit": can_edit, "page": page}
    )


# --- The one-page profile: written with the person, theirs to keep ---


def _with_profile():
    return Person.objects.select_related("scheme", "coordinator", "profile")


@require_safe
@logs_view_of("person")
def person_profile(request, pk):
    person, can_edit = get_person_for_user(request, pk, queryset=_with_profile())
    context = {"person": person, "can_edit": can_edit, "profile": person.one_page_profile}
    return render(request, "people/person_profile.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@logs_view_of("person")
def person_profile_edit(request, pk):
    """Staff write it with the person; it is created on its first save."""
    person, _ = get_person_for_user(request, pk, for_change=True, queryset=_with_profile())
    profile = person.one_page_profile or OnePageProfile(person=person)
    form = OnePageProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid() and form.save_versioned():
        messages.success(request, f"{person.name}'s one-page profile has been saved.")
        return redirect("person_profile", pk=person.pk)
    return render(request, "people/person_profile_form.html", {"form": form, "person": person})


@require_safe
@logs_view_of("person")
def person_profile_print(request, pk):
    """The person's own copy, on one sheet of A4; carers may print it too."""
    person, _ = get_person_for_user(request, pk, queryset=_with_profile())
    return render(
        request, "people/person_profile_print.html", {"person": person, "profile": person.one_page_profile}
    )
