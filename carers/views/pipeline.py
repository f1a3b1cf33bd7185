"""The approval pipeline: every applicant household by stage, longest waiting
first, with what is still outstanding.

It must stay fast with thousands of carers, so the number of queries does not
grow with them: one query counts every stage, one fetches at most
``SHOWN_PER_STAGE`` applicants of each stage (six short scans of the index
carer_pipeline_idx in one query), and their checks, household members and
panel items come in one prefetch query each."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from carers.checklist import build_checklist
from carers.forms.panels import PipelineFilterForm
from carers.lapsed import check_rules, lapsed_flag
from carers.models import APPLICANT_STATUSES, Carer, CarerStatus, PanelItem
from carers.services import latest_panel_item
from sharedlives.access import require_staff

S = CarerStatus
SHOWN_PER_STAGE = 10
SHOWN_OVERDUE = 20

# What happens next at the early stages, where there is no checklist yet.
NEXT_STEP = {
    S.ENQUIRY: "Next: an initial visit at home.",
    S.INITIAL_VISIT: "Next: decide whether to invite an application.",
    S.APPLICATION: "Next: the application (household, references and consents), then the assessment.",
}


@dataclass
class Applicant:
    carer: Carer
    days: int
    outstanding: list[str]


@dataclass
class Stage:
    status: str
    label: str
    count: int
    applicants: list[Applicant]

    @property
    def more(self) -> bool:
        return self.count > len(self.applicants)


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def outstanding_for(carer: Carer, today: datetime.date, rules) -> list[str]:
    """What is still to do for an applicant, in plain sentences. ``carer``
    comes with ``check_list``, ``member_list`` and ``panel_item_list``."""
    if carer.status in NEXT_STEP:
        return [NEXT_STEP[carer.status]]
    if carer.status == S.PANEL:
        item = latest_panel_item(carer, carer.panel_item_list)
        if item is None:
            return ["Not on a panel meeting's agenda."]
        if not item.recommendation:
            return [f"On the agenda of the panel on {item.meeting.date:%-d %b %Y}: no recommendation yet."]
        return [
            f"Panel recommended: {item.get_recommendation_display().lower()}. "
            "Next: the registered manager's decision."
        ]
    checklist = build_checklist(carer, today, rules, checks=carer.check_list, members=carer.member_list)
    assessment = getattr(carer, "assessment", None)
    found = []
    if carer.status == S.READY_FOR_PANEL:
        found.append("Next: add them to a panel meeting's agenda.")
    if carer.status == S.ASSESSMENT or not checklist.complete:
        found.append(_sentence(checklist.summary))
    if assessment is None:
        found.append("The assessment has not been recorded.")
    else:
        found.extend(_sentence(missing) for missing in assessment.outstanding())
    return found


def _days_in_stage(carer: Carer, today: datetime.date) -> int:
    return max((today - timezone.localtime(carer.status_changed_at).date()).days, 0)


@require_safe
def pipeline(request):
    require_staff(request)
    scheme = request.membership.scheme
    today = timezone.localdate()
    filters = PipelineFilterForm(request.GET or None, scheme=scheme)
    carers = Carer.objects.visible_to(request.membership)
    if filters.chosen_coordinator:
        carers = carers.filter(coordinator=filters.chosen_coordinator)

    # Every count on the page in one query.
    kept_on = (S.APPROVED, S.SUSPENDED)
    counts = carers.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in APPLICANT_STATUSES + kept_on},
        reviews_overdue=Count("pk", filter=Q(status__in=kept_on, next_review_due__lt=today)),
    )

    # The longest waiting of each stage: one LIMITed scan of the index
    # carer_pipeline_idx per stage, joined into one query.
    heads = [
        carers.filter(status=status).order_by("status_changed_at", "pk").values("pk")[:SHOWN_PER_STAGE]
        for status in APPLICANT_STATUSES
    ]
    shown = list(
        Carer.objects.filter(pk__in=heads[0].union(*heads[1:], all=True))
        .order_by("status_changed_at", "pk")
        .select_related("coordinator", "assessment")
        .annotate(checks_lapsed=lapsed_flag(request))
        # As lists (to_attr): a prefetch cache costs a query set for each
        # household and relation, a third of the page's time for 120.
        .prefetch_related(
            Prefetch("checks", to_attr="check_list"),
            Prefetch("household_members", to_attr="member_list"),
            Prefetch("panel_items", PanelItem.objects.select_related("meeting"), to_attr="panel_item_list"),
        )
    )
    rules = check_rules(request)
    stages = []
    for status in APPLICANT_STATUSES:
        applicants = [
            Applicant(carer, _days_in_stage(carer, today), outstanding_for(carer, today, rules))
            for carer in shown
            if carer.status == status
        ]
        stages.append(Stage(status, S(status).label, counts[status], applicants))

    overdue = (
        carers.filter(status__in=kept_on, next_review_due__lt=today)
        .select_related("coordinator")
        .annotate(checks_lapsed=lapsed_flag(request))
        .order_by("next_review_due", "pk")[:SHOWN_OVERDUE]
    )
    context = {
        "filters": filters,
        "coordinator": filters.chosen_coordinator,
        "stages": stages,
        "counts": counts,
        "applicant_total": sum(counts[status] for status in APPLICANT_STATUSES),
        "overdue": [(carer, (today - carer.next_review_due).days) for carer in overdue],
    }
    return render(request, "carers/pipeline.html", context)
