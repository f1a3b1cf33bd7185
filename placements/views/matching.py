"""The matching page: a referral's carers, ranked, each with why they are
there or why they are left out; and proposing one of them.

The ranking (placements.matching) runs in the database: the page costs the
same few queries whether the scheme has ten carers or ten thousand."""

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from carers.lapsed import flag_carers
from carers.models import Carer
from placements import services
from placements.matching import rank_carers
from placements.models import MATCHING_STAGES, Referral
from sharedlives.access import get_referral_for_user
from sharedlives.choices import ArrangementKind
from sharedlives.shortcuts import paginate
from sharedlives.workflow import WorkflowRefused

PER_PAGE = 20


# The dates wanted that a kind of referral has, which the ranking and the
# page read: a live-in referral reads neither.
WANTED = {ArrangementKind.SHORT_BREAKS: "wanted_stays", ArrangementKind.DAY_SUPPORT: "wanted_sessions"}


def _referrals():
    return Referral.objects.select_related("scheme", "person", "coordinator").prefetch_related(
        "wanted_stays", "wanted_sessions"
    )


def _matching_url(referral, page: str = "") -> str:
    url = reverse("referral_matching", args=[referral.pk])
    return f"{url}?page={page}" if page.isdigit() else url


@require_safe
def referral_matching(request, pk):
    referral, can_edit = get_referral_for_user(
        request, pk, queryset=Referral.objects.select_related("scheme", "person", "coordinator")
    )
    if referral.kind in WANTED:
        prefetch_related_objects([referral], WANTED[referral.kind])
    context = {"referral": referral, "can_edit": can_edit, "person": referral.person}
    if referral.stage not in MATCHING_STAGES:
        return render(request, "placements/matching.html", context)
    ranking = rank_carers(referral, timezone.localdate())
    counts = ranking.counts()
    shortlist = paginate(request, ranking.shortlist(), PER_PAGE)
    left_out = paginate(request, ranking.excluded(), PER_PAGE, param="left_out")
    labels = ranking.rule_labels()
    matches = ranking.explain_shortlist(shortlist.object_list)
    exclusions = ranking.explain_excluded(left_out.object_list)
    # Flagged in one query of their own, so the ranking's queries stay as they are.
    flag_carers(request, [row.carer for row in matches + exclusions])
    context.update(
        ranking=ranking,
        counts=counts,
        rule_counts=[(labels[code], counts[code]) for code in ranking.rules if counts[code]],
        page=shortlist,
        matches=matches,
        left_out_page=left_out,
        exclusions=exclusions,
        distance_known=ranking.location is not None,
    )
    return render(request, "placements/matching.html", context)


@require_POST
def referral_propose(request, pk):
    """Propose the carer chosen on the matching page; the service keeps
    their score and its reasons, and refuses a carer a hard rule leaves out."""
    referral, _ = get_referral_for_user(request, pk, for_change=True, queryset=_referrals())
    page = request.POST.get("page", "")
    carer_pk = request.POST.get("carer", "")
    if not carer_pk.isdigit():
        messages.error(request, "Choose a carer to propose.")
        return redirect(_matching_url(referral, page))
    carer = get_object_or_404(Carer.objects.visible_to(request.membership), pk=carer_pk)
    try:
        proposal = services.propose_carer(
            referral=referral, carer=carer, membership=request.membership, proposed_on=timezone.localdate()
        )
    except WorkflowRefused as refused:
        messages.error(request, f"{carer.name} has not been proposed. {' '.join(refused.reasons)}")
        return redirect(_matching_url(referral, page))
    messages.success(
        request,
        f"{carer.name} has been proposed for {referral.person.name}. Record each of their answers here.",
    )
    return redirect(reverse("referral_detail", args=[referral.pk]) + f"#proposal-{proposal.pk}")
