"""A coordinator's work: what is due and overdue for the carers and people
they look after, or for the whole scheme. The "my work" page and the daily
reminders e-mail (``send_reminders``) both read it from here, so they always
agree.

Whose an item is: a household's annual review and checks are its
coordinator's; an arrangement's reviews, visits and actions are the carer's
coordinator's and the person's coordinator's; an incident is the coordinator's
of anyone it names; a referral is its own coordinator's and the person's.
"No coordinator" is the work nobody's caseload covers.

Counts are SQL aggregates and lists are ordered querysets (the page
paginates them, the e-mail takes the first few), so neither costs more
queries as the rows grow. ``describe`` turns the rows a page or an e-mail
shows into ``WorkItem``s: what it is, whose, the date, how far overdue in
words, and a link."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, reduce, wraps
from operator import and_, or_

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When

from carers.checklist import rules_for
from carers.expiry import expiring_checks, flags_household
from carers.models import Carer, Check
from people.models import Person
from placements.models import (
    OPEN_REFERRAL_STAGES,
    Arrangement,
    ArrangementStatus,
    CqcNotification,
    Incident,
    MonitoringSettings,
    MonitoringVisit,
    Referral,
    ReferralStage,
    ReviewAction,
)
from sharedlives.models import Scheme, User
from sharedlives.work_items import Describe, WorkItem


class _NoCoordinator:
    def __repr__(self):
        return "NO_COORDINATOR"


# The work of records nobody is coordinator of (the manager's filter).
NO_COORDINATOR = _NoCoordinator()

# How the counts name each open stage of a referral: "3 in matching".
STAGE_WORDS = {
    ReferralStage.RECEIVED: "received",
    ReferralStage.ASSESSMENT_VISIT: "at assessment visit",
    ReferralStage.MATCHING: "in matching",
    ReferralStage.INTRODUCTIONS: "in introductions",
}


@dataclass
class Counts:
    """How many of each: "overdue" is past its date, "due" within the window."""

    reviews_overdue: int
    reviews_due: int
    visits_overdue: int
    visits_due: int
    checks_lapsed: int
    checks_due: int
    actions_overdue: int
    actions_due: int
    actions_open: int
    incidents_open: int
    notifications_waiting: int
    referrals_by_stage: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def referrals_waiting(self) -> int:
        return sum(count for _, _, count in self.referrals_by_stage)

    @property
    def overdue(self) -> int:
        """Everything past its date: for the e-mail's subject."""
        return self.reviews_overdue + self.visits_overdue + self.checks_lapsed + self.actions_overdue

    @property
    def due(self) -> int:
        """Everything falling due within the window (not yet overdue)."""
        return self.reviews_due + self.visits_due + self.checks_due + self.actions_due


@dataclass(frozen=True)
class Section:
    """A list of the page or the e-mail: its rows, how many, and how each reads."""

    key: str  # the list's anchor, and ?<key>_page= on the page
    title: str
    date_label: str  # what each item's date is: "Due", "Expires", ...
    rows: QuerySet
    total: int
    describe: Callable[[list], list[WorkItem]]


def _built_once(method):
    """The query set ``method`` builds, built once for each Workload: the
    counts and the lists start from the same ones, and building them costs
    as much as running them. (Query sets are never changed in place, so
    sharing one is safe.)"""

    @wraps(method)
    def once(self, *args):
        built = self.__dict__.setdefault("_built", {})
        key = (method.__name__, *args)
        if key not in built:
            built[key] = method(self, *args)
        return built[key]

    return once


@dataclass
class Workload:
    """The work of ``coordinator`` (a user, None for the whole scheme, or
    ``NO_COORDINATOR``) in ``scheme`` on ``today``: overdue, and due within
    ``window`` days. Checks count as due soon within ``checks_window`` days
    (None: the scheme's own warning period). CQC notifications are the
    registered manager's, whoever's caseload they touch: only with
    ``notifications=True``."""

    scheme: Scheme
    coordinator: "User | None | _NoCoordinator"
    today: datetime.date
    window: int
    checks_window: int | None = None
    notifications: bool = False

    @cached_property
    def due_by(self) -> datetime.date:
        return self.today + datetime.timedelta(days=self.window)

    @cached_property
    def checks_within(self) -> int:
        """Days ahead a check counts as due for renewal."""
        if self.checks_window is not None:
            return self.checks_window
        return MonitoringSettings.for_scheme(self.scheme).expiry_warning_days

    @cached_property
    def rules(self):
        return rules_for(self.scheme)

    def _whose(self, *paths: str) -> Q:
        """Rows whose coordinator, by any of ``paths``, is the one asked for."""
        if self.coordinator is None:
            return Q()
        if self.coordinator is NO_COORDINATOR:
            return reduce(and_, (Q(**{f"{path}__isnull": True}) for path in paths))
        prefix = paths[0].removesuffix("carer__coordinator")
        if set(paths) == {f"{prefix}carer__coordinator", f"{prefix}person__coordinator"}:
            # An arrangement's work (the carer's coordinator's and the
            # person's): its arrangement is one of the caseload's.
            arrangement = prefix.removesuffix("__") or "pk"
            return Q(**{f"{arrangement}__in": self._arrangements()})
        return reduce(or_, (self._coordinated_by(path) for path in paths))

    @_built_once
    def _caseload(self, model) -> QuerySet:
        return model.objects.filter(coordinator=self.coordinator).values("pk")

    def _coordinated_by(self, path: str) -> Q:
        """``path`` (ending in "carer__coordinator", "person__coordinator" or
        just "coordinator") leads to the coordinator asked for. A carer or a
        person is matched by id among the coordinator's own (a small set,
        found by index), not by joining every carer and person of the scheme
        to test "this coordinator or that": at 10,000 households those joins
        made My work take a second (EXPLAIN ANALYZE on the scale data set)."""
        record, _, _ = path.rpartition("__coordinator")
        model = {"carer": Carer, "person": Person}.get(record.rpartition("__")[2])
        if model is None:
            return Q(**{path: self.coordinator})
        return Q(**{f"{record}__in": self._caseload(model)})

    @_built_once
    def _arrangements(self) -> QuerySet:
        """The ids of the arrangements of the coordinator's carers or people:
        a union of two index lookups, which PostgreSQL then joins to their
        reviews, visits and actions, rather than scanning every arrangement."""
        by_carer = Arrangement.objects.filter(carer__in=self._caseload(Carer))
        by_person = Arrangement.objects.filter(person__in=self._caseload(Person))
        return by_carer.order_by().values("pk").union(by_person.order_by().values("pk"))

    def _flag(self, carer: str):
        return flags_household(self.rules, self.today, carer=carer)

    # --- What is due: each an ordered queryset ---

    @_built_once
    def arrangement_reviews(self) -> QuerySet:
        return (
            Arrangement.objects.filter(scheme=self.scheme)
            .review_due_by(self.due_by)
            .filter(self._whose("carer__coordinator", "person__coordinator"))
        )

    @_built_once
    def carer_reviews(self) -> QuerySet:
        return (
            Carer.objects.filter(scheme=self.scheme)
            .review_due_by(self.due_by)
            .filter(self._whose("coordinator"))
        )

    def reviews(self) -> QuerySet:
        """Arrangement reviews and carers' annual reviews in one list, soonest
        due (most overdue) first: rows of (which, id, due on)."""
        arrangements = self.arrangement_reviews().annotate(
            which=Value("arrangement"), due_on=F("next_review_due")
        )
        carers = self.carer_reviews().annotate(which=Value("carer"), due_on=F("next_review_due"))
        columns = ("which", "id", "due_on")
        return (
            arrangements.order_by()
            .values_list(*columns)
            .union(carers.order_by().values_list(*columns), all=True)
            .order_by("due_on", "which", "id")
        )

    @_built_once
    def _visits(self) -> QuerySet:
        # A visit missed before an arrangement ended stays on its record,
        # but is nobody's work any more.
        return (
            MonitoringVisit.objects.due_by(self.due_by)
            .filter(arrangement__scheme=self.scheme, arrangement__status=ArrangementStatus.CURRENT)
            .filter(self._whose("arrangement__carer__coordinator", "arrangement__person__coordinator"))
        )

    def visits(self) -> QuerySet:
        return (
            self._visits()
            .select_related("arrangement__person", "arrangement__carer")
            .annotate(checks_lapsed=self._flag("arrangement__carer"))
            .order_by("due_on", "pk")
        )

    @_built_once
    def checks(self) -> QuerySet:
        checks = Check.objects.filter(carer__scheme=self.scheme).filter(self._whose("carer__coordinator"))
        return expiring_checks(checks, self.rules, self.today, self.checks_within)

    def _actions(self, *, all_open: bool = True) -> QuerySet:
        actions = ReviewAction.objects.open() if all_open else ReviewAction.objects.due_by(self.due_by)
        paths = ("review__arrangement__carer__coordinator", "review__arrangement__person__coordinator")
        return actions.filter(review__arrangement__scheme=self.scheme).filter(self._whose(*paths))

    def actions(self, *, all_open: bool = True) -> QuerySet:
        """Open actions agreed at reviews, overdue first; with ``all_open``
        False only those due within the window."""
        return (
            self._actions(all_open=all_open)
            .select_related("review__arrangement__person", "review__arrangement__carer")
            .annotate(checks_lapsed=self._flag("review__arrangement__carer"))
            .order_by("due_on", "pk")
        )

    @_built_once
    def incidents(self) -> QuerySet:
        """Open incidents, open longest first."""
        return (
            Incident.objects.filter(scheme=self.scheme, closed_on__isnull=True)
            .filter(
                self._whose(
                    "person__coordinator",
                    "carer__coordinator",
                    "arrangement__person__coordinator",
                    "arrangement__carer__coordinator",
                )
            )
            .select_related("person", "carer", "arrangement__person", "arrangement__carer")
            .order_by("occurred_at", "pk")
        )

    def cqc_notifications(self) -> QuerySet:
        """CQC notifications not yet sent, waiting longest first."""
        if not self.notifications:
            return CqcNotification.objects.none()
        return (
            CqcNotification.objects.unsent()
            .filter(scheme=self.scheme)
            .select_related("incident__person", "incident__carer", "incident__arrangement__person")
            .select_related("incident__arrangement__carer")
            .order_by("due_from", "pk")
        )

    @_built_once
    def referrals(self) -> QuerySet:
        """Referrals still being worked on, by stage, waiting longest first."""
        stage_order = Case(
            *[When(stage=stage, then=Value(n)) for n, stage in enumerate(OPEN_REFERRAL_STAGES)],
            output_field=IntegerField(),
        )
        return (
            Referral.objects.filter(scheme=self.scheme)
            .open()
            .filter(self._whose("coordinator", "person__coordinator"))
            .select_related("person", "coordinator")
            .order_by(stage_order, "stage_changed_at", "pk")
        )

    # --- How many: one aggregate a kind ---

    def counts(self) -> Counts:
        today, due_by = self.today, self.due_by

        def due_split(queryset, column):
            return queryset.aggregate(
                overdue=Count("pk", filter=Q(**{f"{column}__lt": today})),
                due=Count("pk", filter=Q(**{f"{column}__gte": today, f"{column}__lte": due_by})),
            )

        arrangements = due_split(self.arrangement_reviews(), "next_review_due")
        carers = due_split(self.carer_reviews(), "next_review_due")
        visits = due_split(self._visits(), "due_on")
        checks = self.checks().aggregate(
            lapsed=Count("pk", filter=Q(lapses_on__lt=today)), due=Count("pk", filter=Q(lapses_on__gte=today))
        )
        actions = self._actions().aggregate(
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            due=Count("pk", filter=Q(due_on__gte=today, due_on__lte=due_by)),
            open=Count("pk"),
        )
        stages = (
            self.referrals()
            .order_by()
            .aggregate(**{stage: Count("pk", filter=Q(stage=stage)) for stage in OPEN_REFERRAL_STAGES})
        )
        return Counts(
            reviews_overdue=arrangements["overdue"] + carers["overdue"],
            reviews_due=arrangements["due"] + carers["due"],
            visits_overdue=visits["overdue"],
            visits_due=visits["due"],
            checks_lapsed=checks["lapsed"],
            checks_due=checks["due"],
            actions_overdue=actions["overdue"],
            actions_due=actions["due"],
            actions_open=actions["open"],
            incidents_open=self.incidents().count(),
            notifications_waiting=self.cqc_notifications().count() if self.notifications else 0,
            referrals_by_stage=[(stage, STAGE_WORDS[stage], stages[stage]) for stage in OPEN_REFERRAL_STAGES],
        )

    # --- The lists, for the page and for the e-mail ---

    def sections(self, counts: Counts, *, digest: bool = False) -> list[Section]:
        """The page's lists; with ``digest``, only what is due or overdue
        (and CQC notifications waiting), for the reminders e-mail."""
        describe = Describe(today=self.today, flag=self._flag)
        sections = [
            Section(
                "reviews",
                "Reviews",
                "Due",
                self.reviews(),
                counts.reviews_overdue + counts.reviews_due,
                describe.reviews,
            ),
            Section(
                "visits",
                "Monitoring visits",
                "Due",
                self.visits(),
                counts.visits_overdue + counts.visits_due,
                describe.visits,
            ),
            Section(
                "checks",
                "Checks and training",
                "Expires",
                self.checks(),
                counts.checks_lapsed + counts.checks_due,
                describe.checks,
            ),
            Section(
                "actions",
                "Actions from reviews",
                "Due",
                self.actions(all_open=not digest),
                counts.actions_overdue + counts.actions_due if digest else counts.actions_open,
                describe.actions,
            ),
        ]
        if not digest:
            sections.append(
                Section(
                    "incidents",
                    "Open incidents",
                    "Happened",
                    self.incidents(),
                    counts.incidents_open,
                    describe.incidents,
                )
            )
        if self.notifications:
            sections.append(
                Section(
                    "notifications",
                    "CQC notifications to send",
                    "Due since",
                    self.cqc_notifications(),
                    counts.notifications_waiting,
                    describe.notifications,
                )
            )
        if not digest:
            sections.append(
                Section(
                    "referrals",
                    "Referrals waiting",
                    "In this stage since",
                    self.referrals(),
                    counts.referrals_waiting,
                    describe.referrals,
                )
            )
        if digest:  # the e-mail leaves out what has nothing in it
            return [section for section in sections if section.total]
        return sections
