"""Monitoring records for the demo and the benchmark scheme: arrangement
reviews and their actions, monitoring visits, lapsing checks, incidents and
CQC notifications, and compliments and complaints.

``sharedlives.demo.build_records`` calls ``MonitoringBuilder.prepare`` once
the arrangements and the approval records are planned, before either is
saved: each started arrangement gets its review timetable as the services
in ``placements.monitoring`` leave it (``next_review_due`` is the first
review's due date until a review is held, then the last review's next
review date), with its reviews, actions and visits; and the approved
households' checks are re-dated so that some have lapsed and some lapse
soon (``sharedlives.demo_expiry``). ``save`` writes it all with bulk_create
once the arrangements have their ids, then the incidents and feedback
(``sharedlives.demo_incidents``).

The demo's reviews go back three years (a large scheme's, one): older ones
are on paper. An ended arrangement keeps its reviews but has no review due
(``stop_monitoring``). Arrangements that started in the last eighteen months
have their monitoring visits: held, the latest of some missed, the rest to
come, or cancelled where the arrangement ended first. Of the current
arrangements with a review held, the next one is overdue for some, due this
week or this month for others, and months away for most; those that started
in the last few weeks wait for their first.
"""

import datetime
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from carers.models import ApprovalTerms, Carer, Check
from people.models import Contact, Person
from placements.models import (
    Arrangement,
    ArrangementReview,
    ArrangementStatus,
    CqcNotification,
    Feedback,
    Incident,
    MonitoringSettings,
    MonitoringVisit,
    ReviewAction,
)
from placements.monitoring import first_review_due, latest_next_review, visit_due_dates
from sharedlives.choices import ArrangementKind
from sharedlives.dates import add_months
from sharedlives.demo_bookings import analyze
from sharedlives.demo_expiry import vary_expiry
from sharedlives.demo_incident_words import FEEDBACK, STORIES, FeedbackStory, IncidentStory
from sharedlives.demo_incidents import IncidentPlanner
from sharedlives.demo_referrals import LEEDS_REGION, Region
from sharedlives.demo_reviews import ReviewWriter
from sharedlives.models import Scheme, User

if TYPE_CHECKING:
    from sharedlives.demo_approval import ApprovalBuilder

DAY = datetime.timedelta(days=1)
BATCH_SIZE = 2000
# Stays whose end is set when they start (sharedlives.demo.SHORT_STAYS).
SHORT_STAYS = (ArrangementKind.HOME_FROM_HOSPITAL, ArrangementKind.EMERGENCY)
RECORDS_YEARS = 3
LAST_REVIEWS = 3  # at most this many reviews of one arrangement are in the app (two at scale)
VISITS_MONTHS = 18  # arrangements that started this recently have their visits here
# A first review not held within three weeks of its due date is still to do.
FIRST_REVIEW_GRACE = 21 * DAY
# Out of every 20 current arrangements with a review held: when the next is due.
NEXT_REVIEW = {"overdue": 3, "this week": 2, "this month": 3, "later": 12}
SOONER = 0.15  # reviews that set the next one six months on, not twelve
# Days a review is held after (or before) it was due.
LATENESS = (-5, -2, 0, 0, 0, 3, 5, 9, 14, 21, 35)
# Out of every 1,000 current arrangements in a large scheme, a year's
# incidents and compliments and complaints.
INCIDENTS_PER_THOUSAND, FEEDBACK_PER_THOUSAND = 80, 30


@dataclass
class Held:
    """A review in the timetable: when it was due, held, and set the next for."""

    due_on: datetime.date | None
    held_on: datetime.date
    next_on: datetime.date
    sooner: bool = False


class MonitoringBuilder:
    """Makes one scheme's monitoring records. With ``detail`` (the demo)
    three years of reviews, and ``stories`` and ``feedback`` told once each;
    otherwise (a large scheme) a year's, and incidents and feedback drawn in
    proportion. ``carer_logins``: how many households get carer logins
    (``sharedlives.demo.add_carer_logins``)."""

    def __init__(
        self,
        seed: int,
        scheme: Scheme,
        manager: User,
        coordinators: Sequence[User],
        *,
        region: Region = LEEDS_REGION,
        stories: Sequence[IncidentStory] = STORIES,
        feedback: Sequence[FeedbackStory] = FEEDBACK,
        carer_logins: int = 0,
        detail: bool = True,
    ):
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.detail = detail
        self.records_from = add_months(self.today, -12 * (RECORDS_YEARS if detail else 1))
        self.last_reviews = LAST_REVIEWS if detail else 2
        self.visits_from = add_months(self.today, -VISITS_MONTHS)
        self.scheme, self.manager, self.coordinators = scheme, manager, list(coordinators)
        self.region, self.stories, self.feedback = region, stories, feedback
        self.carer_logins = carer_logins
        self.settings = MonitoringSettings.for_scheme(scheme)
        self.arrangements: list[Arrangement] = []
        self.reviews: list[ArrangementReview] = []
        self.actions: list[ReviewAction] = []
        self.visits: list[MonitoringVisit] = []
        self._missed_a_visit = False
        self.expiry = ""

    def days(self, low: int, high: int) -> datetime.timedelta:
        return self.rng.randint(low, high) * DAY

    # Before the arrangements are saved ---------------------------------------

    def prepare(
        self,
        arrangements: list[Arrangement],
        people: Sequence[Person],
        approval: "ApprovalBuilder | None",
        portal: Sequence[Carer],
    ) -> None:
        """Plan the timetables, and re-date checks; ``portal``: the
        households that will have carer logins."""
        self.arrangements = arrangements
        contacts = defaultdict(list)
        rows = Contact.objects.filter(person__scheme=self.scheme).order_by("pk")
        for person_id, *contact in rows.values_list("person_id", "kind", "name", "relationship"):
            contacts[person_id].append(tuple(contact))
        self.writer = ReviewWriter(
            self.rng,
            {person.pk: person for person in people},
            contacts,
            self.coordinators,
            self.region.team,
            detail=self.detail,
        )
        started = [a for a in arrangements if a.status != ArrangementStatus.PLANNED]
        current = [a for a in started if a.status == ArrangementStatus.CURRENT]
        reviewed = [a for a in current if not self._awaits_first_review(a)]
        targets = dict(zip(map(id, reviewed), self._next_review_targets(len(reviewed)), strict=True))
        for arrangement in started:
            if arrangement.status == ArrangementStatus.CURRENT:
                history = self._history_to(arrangement, targets.get(id(arrangement)))
            else:
                history = self._history_until(arrangement)
            self._write_history(arrangement, history)
            if arrangement.start_date >= self.visits_from:
                self._visits(arrangement)
        if approval is not None:
            approved_on: dict[int, datetime.date] = {}
            for terms in approval.rows[ApprovalTerms]:
                key = id(terms.carer)
                approved_on[key] = min(terms.starts_on, approved_on.get(key, terms.starts_on))
            self.expiry = vary_expiry(
                self.rng,
                approval.rows[Check],
                approved_on,
                arrangements,
                portal,
                detail=approval.detail,
            )

    def _awaits_first_review(self, arrangement: Arrangement) -> bool:
        """Whether it started so recently that its first review is still to come."""
        return first_review_due(arrangement.start_date, self.settings) > self.today - FIRST_REVIEW_GRACE

    def _next_review_targets(self, count: int) -> list[datetime.date]:
        """When the next review is due for ``count`` arrangements: in the
        proportions of NEXT_REVIEW, at least one of each, shuffled."""
        ranges = {"overdue": (-60, -3), "this week": (0, 7), "this month": (8, 31), "later": (32, 330)}
        kinds = [
            kind for kind, share in NEXT_REVIEW.items() for _ in range(max(1, round(count * share / 20)))
        ]
        kinds = kinds[:count] + ["later"] * (count - len(kinds))
        self.rng.shuffle(kinds)
        return [self.today + self.days(*ranges[kind]) for kind in kinds]

    def _late(self) -> datetime.timedelta:
        return self.rng.choice(LATENESS) * DAY

    def _next_after(self, held_on: datetime.date, sooner: bool) -> datetime.date:
        latest = latest_next_review(held_on, self.settings)
        return min(latest, add_months(held_on, 6)) if sooner else latest

    def _history_to(self, arrangement: Arrangement, target: datetime.date | None) -> list[Held]:
        """The reviews of a current arrangement whose next is due on ``target``
        (None: the first review is still to come), worked back from it."""
        first_due = first_review_due(arrangement.start_date, self.settings)
        if target is None:
            arrangement.next_review_due = first_due
            return []
        chain: list[Held] = []  # newest first
        due = target
        while len(chain) < self.last_reviews:
            sooner = due <= self.today + 150 * DAY and self.rng.random() < SOONER
            held_on = add_months(due, -6 if sooner else -self.settings.review_every_months)
            if held_on < first_due + 90 * DAY:
                break
            next_on = min(due, latest_next_review(held_on, self.settings))  # (29 Feb)
            chain.append(Held(held_on - self._late(), held_on, next_on, sooner))
            due = chain[-1].due_on
        history = chain[::-1]
        if len(chain) < self.last_reviews:
            # The first review, held around when it fell due.
            held_on = min(first_due + self.days(-3, 14), self.today - DAY)
            next_on = min(max(due, held_on + 28 * DAY), latest_next_review(held_on, self.settings))
            history.insert(0, Held(first_due, held_on, next_on))
        for before, after in zip(history, history[1:], strict=False):
            after.due_on = before.next_on
        arrangement.next_review_due = history[-1].next_on
        return history

    def _history_until(self, arrangement: Arrangement) -> list[Held]:
        """The reviews of an ended arrangement, from its first to its end."""
        due = first_review_due(arrangement.start_date, self.settings)
        history = []
        while (held_on := due + self._late()) < arrangement.end_date:
            sooner = self.rng.random() < SOONER
            history.append(Held(due, held_on, self._next_after(held_on, sooner), sooner))
            due = history[-1].next_on
        # Ending it stopped the timetable (placements.monitoring.stop_monitoring).
        arrangement.next_review_due = None
        return [held for held in history if held.held_on >= self.records_from][-self.last_reviews :]

    def _write_history(self, arrangement: Arrangement, history: list[Held]) -> None:
        first_due = first_review_due(arrangement.start_date, self.settings)
        for held in history:
            review = self.writer.review(
                arrangement,
                due_on=held.due_on,
                held_on=held.held_on,
                next_on=held.next_on,
                sooner=held.sooner,
                first=held.due_on == first_due,
            )
            self.reviews.append(review)
            self.actions += self.writer.actions(review, self.today)

    def _visits(self, arrangement: Arrangement) -> None:
        """The monitoring visits set when it started (none after a short
        stay's planned end): held, missed, to come, or cancelled when it ended."""
        end = arrangement.end_date
        ended = arrangement.status == ArrangementStatus.ENDED
        dues = visit_due_dates(arrangement.start_date, self.settings)
        if arrangement.kind in SHORT_STAYS:
            dues = [day for day in dues if day <= end]
        past = [day for day in dues if day <= self.today and not (ended and day > end)]
        missed = None
        # The latest visit of some current arrangements is overdue (of one at least).
        recent = not ended and past and past[-1] > self.today - 45 * DAY
        if recent and (not self._missed_a_visit or self.rng.random() < 0.3):
            missed, self._missed_a_visit = past[-1], True
        for due_on in dues:
            visit = MonitoringVisit(arrangement=arrangement, due_on=due_on)
            if ended and due_on > end:
                visit.cancelled = True
            elif due_on in past and due_on != missed:
                last = min(self.today, end or self.today)
                visit.held_on = max(arrangement.start_date + DAY, min(last, due_on + self.days(-6, 8)))
                visit.visited_by = self.writer.cast(arrangement).coordinator
                visit.saw_the_person, visit.notes = self.writer.visit_notes(arrangement)
            self.visits.append(visit)

    # Once the arrangements are saved ---------------------------------------------

    def save(self) -> str:
        # The reviews and visits are checked against their arrangement (see demo_bookings.analyze).
        analyze(Arrangement)
        ArrangementReview.objects.bulk_create(self.reviews, batch_size=BATCH_SIZE)
        analyze(ArrangementReview)
        ReviewAction.objects.bulk_create(self.actions, batch_size=BATCH_SIZE)
        MonitoringVisit.objects.bulk_create(self.visits, batch_size=BATCH_SIZE)
        incidents = self._incidents()
        analyze(ReviewAction, MonitoringVisit, Incident, CqcNotification, Feedback)
        held = sum(visit.held_on is not None for visit in self.visits)
        summary = (
            f"monitoring: {len(self.reviews):,} arrangement reviews, {len(self.actions):,} actions, "
            f"{len(self.visits):,} visits ({held:,} held), {incidents}"
        )
        return summary + (f"; checks: {self.expiry}" if self.expiry else "")

    def _incidents(self) -> str:
        planner = IncidentPlanner(self.rng, self.scheme, self.manager, self.writer.cast)
        current = [a for a in self.arrangements if a.status == ArrangementStatus.CURRENT]
        planner.deaths([a for a in self.arrangements if a.status == ArrangementStatus.ENDED])
        if self.detail:
            planner.stories(current, self.stories)
            planner.all_feedback(current, self.feedback)
        else:
            planner.in_proportion(current, round(len(current) * INCIDENTS_PER_THOUSAND / 1000))
            planner.feedback_in_proportion(current, round(len(current) * FEEDBACK_PER_THOUSAND / 1000))
        return planner.save()
