"""The pages `make bench` measures, with the records they open chosen from
the large data set, and the target each must meet."""

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from carers.models import Carer, CarerStatus
from people.models import Person
from placements.models import Arrangement, ArrangementStatus, Referral, ReferralStage
from sharedlives.choices import ArrangementKind
from sharedlives.models import Scheme

SCALE_SCHEME_NAME = re.compile(r"^Scale test scheme (?P<k>\d+) \((?P<carers>[\d,]+) carers\)$")
COORDINATOR, CARER = "coordinator", "carer"
FLOOR = "floor"
# A far page of the carer list: 10,000 households are 400 pages of 25.
FAR_PAGE = 300


@dataclass(frozen=True)
class Target:
    """The least throughput, as a share of the floor page's, and the most
    95th-percentile latency a page may have."""

    least_share_of_floor: float
    most_p95_ms: float
    label: str


# The targets: lists and detail pages should cost little more than
# Django itself; matching, the dashboards and reports do more work. My work
# is a coordinator's dashboard (seven kinds of work counted, and a list of
# each), so it has the dashboard's target.
LIST_OR_DETAIL = Target(1 / 3, 100, "1/3 of floor, p95 < 100 ms")
HEAVY = Target(1 / 10, 300, "1/10 of floor, p95 < 300 ms")


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    login: str  # COORDINATOR or CARER
    target: Target | None  # None for the floor page itself


@dataclass(frozen=True)
class ScaleScheme:
    """A scheme `seed_demo --scale N` built, and the logins it made."""

    scheme: Scheme
    carers: int
    prefix: str

    @property
    def coordinator(self) -> str:
        return f"{self.prefix}-coord-1"

    @property
    def carer(self) -> str:
        return f"{self.prefix}-carer-1"


def find_scale_scheme(carers: int) -> ScaleScheme | None:
    """The scheme `seed_demo --scale <carers>` built on this database, if any."""
    for scheme in Scheme.objects.filter(name__startswith="Scale test scheme ").order_by("pk"):
        match = SCALE_SCHEME_NAME.match(scheme.name)
        if match and int(match["carers"].replace(",", "")) == carers:
            k = int(match["k"])
            return ScaleScheme(scheme=scheme, carers=carers, prefix="scale" if k == 1 else f"scale{k}")
    return None


def _url(name: str, *args, **query) -> str:
    path = reverse(name, args=args)
    return f"{path}?{urlencode(query)}" if query else path


def _most(queryset, relation: str):
    """The record with the most ``relation`` rows: the fullest page of its kind."""
    return queryset.annotate(n=Count(relation)).order_by("-n", "pk").first()


def bench_pages(scale: ScaleScheme) -> list[Page]:
    """The floor page first, then every page the issue names, each opening a
    well-filled record of the scale scheme."""
    scheme = scale.scheme
    carers = Carer.objects.filter(scheme=scheme)
    carer = _most(carers.filter(status=CarerStatus.APPROVED), "arrangements")
    person = _most(Person.objects.filter(scheme=scheme), "arrangements")
    arrangement = _most(
        Arrangement.objects.filter(
            scheme=scheme, status=ArrangementStatus.CURRENT, kind=ArrangementKind.LIVE_IN
        ),
        "reviews",
    )
    # A live-in referral: its nights run on with no end, so every stay of
    # the scheme from today on is weighed (the most work matching does).
    referral = (
        Referral.objects.filter(scheme=scheme, stage=ReferralStage.MATCHING, kind=ArrangementKind.LIVE_IN)
        .order_by("pk")
        .first()
    )
    # The commonest surname: the search that finds the most households.
    surname = (
        carers.values("last_name").annotate(n=Count("pk")).order_by("-n", "last_name").first()["last_name"]
    )
    if None in (carer, person, arrangement, referral):
        raise LookupError(f"{scheme} lacks a record the benchmark opens; rebuild it with seed_demo --scale.")
    approved = CarerStatus.APPROVED
    return [
        Page("floor (Django itself)", reverse("bench_floor"), COORDINATOR, None),
        Page("dashboard", _url("dashboard"), COORDINATOR, HEAVY),
        Page("my work", _url("my_work"), COORDINATOR, HEAVY),
        Page("carer list", _url("carer_list"), COORDINATOR, LIST_OR_DETAIL),
        Page(f"carer list, page {FAR_PAGE}", _url("carer_list", page=FAR_PAGE), COORDINATOR, LIST_OR_DETAIL),
        Page(f"carer list, search {surname!r}", _url("carer_list", q=surname), COORDINATOR, LIST_OR_DETAIL),
        Page("carer list, approved", _url("carer_list", status=approved), COORDINATOR, LIST_OR_DETAIL),
        Page("carer detail", _url("carer_detail", carer.pk), COORDINATOR, LIST_OR_DETAIL),
        Page("approval pipeline", _url("approval_pipeline"), COORDINATOR, LIST_OR_DETAIL),
        Page("people list", _url("person_list"), COORDINATOR, LIST_OR_DETAIL),
        Page("person detail", _url("person_detail", person.pk), COORDINATOR, LIST_OR_DETAIL),
        Page("arrangement detail", _url("arrangement_detail", arrangement.pk), COORDINATOR, LIST_OR_DETAIL),
        Page("matching for a referral", _url("referral_matching", referral.pk), COORDINATOR, HEAVY),
        Page("report: scheme at a glance", _url("report_at_a_glance"), COORDINATOR, HEAVY),
        Page("carer portal home", _url("portal_home"), CARER, LIST_OR_DETAIL),
    ]
