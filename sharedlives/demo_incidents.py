"""Incidents, CQC notifications, and compliments and complaints for the demo.

``sharedlives.demo_monitoring.MonitoringBuilder`` makes an
``IncidentPlanner`` once the arrangements are saved. The small demo tells
each story of ``sharedlives.demo_incident_words`` once, so that every
category of incident is there, open and closed, with the notifications CQC
must get (most sent, with the date and CQC's reference; the newest still
waiting for the registered manager), and each compliment and complaint; a
large scheme draws a year's from the same stories in proportion. Every
arrangement that ended with the person's death has an incident saying so,
and its notification, as ``placements.incidents.record_death`` leaves it.

A notification is due by the rule ``placements.incidents`` applies: for
each notifiable event ticked, for a safeguarding concern (abuse or an
allegation of abuse) and for police involvement (``notification_reasons``).
"""

import datetime
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from django.utils import timezone

from placements.incidents import notification_reasons
from placements.models import (
    Arrangement,
    CqcNotification,
    EndReason,
    Feedback,
    FeedbackKind,
    Incident,
    IncidentCategory,
    NotifiableEvent,
)
from sharedlives.demo_incident_words import (
    DEATH,
    FEEDBACK,
    LATER_OUTCOME,
    NEIGHBOUR,
    SCALE_WEIGHTS,
    STORIES,
    FeedbackStory,
    IncidentStory,
)
from sharedlives.models import Scheme, User

if TYPE_CHECKING:
    from sharedlives.demo_reviews import Cast

C, E = IncidentCategory, NotifiableEvent
DAY = datetime.timedelta(days=1)


class IncidentPlanner:
    """Makes one scheme's incidents, notifications and feedback (unsaved)."""

    def __init__(
        self,
        rng: random.Random,
        scheme: Scheme,
        manager: User,
        cast: Callable[[Arrangement], "Cast"],
    ):
        self.rng, self.scheme, self.manager, self.cast = rng, scheme, manager, cast
        self.today, self.now = timezone.localdate(), timezone.now()
        self.incidents: list[Incident] = []
        self.notifications: list[CqcNotification] = []
        self.feedback: list[Feedback] = []
        self._serial = itertools.count(self.rng.randint(100, 900))  # CQC's references

    def days(self, low: int, high: int) -> datetime.timedelta:
        return self.rng.randint(low, high) * DAY

    def moment(self, day: datetime.date, hours: tuple[int, int] = (7, 21)) -> datetime.datetime:
        time = datetime.time(self.rng.randint(*hours), self.rng.randrange(0, 60, 5))
        when = timezone.make_aware(datetime.datetime.combine(day, time))
        return min(when, self.now - datetime.timedelta(minutes=self.rng.randint(30, 240)))

    def on_day(self, arrangement: Arrangement, days_ago: tuple[int, int]) -> datetime.date:
        """A day ``days_ago`` back, within the arrangement."""
        day = self.today - self.days(*days_ago)
        last = min(self.today, arrangement.end_date or self.today)
        return min(max(day, arrangement.start_date), last)

    # Incidents -------------------------------------------------------------------

    def tell(self, story: IncidentStory, arrangement: Arrangement, day: datetime.date | None = None) -> None:
        cast = self.cast(arrangement)
        words = {"name": cast.name, "carer": cast.carer_name}
        day = day or self.on_day(arrangement, story.days_ago)
        occurred = self.moment(day)
        closed_on = None
        if story.outcome:
            closed_on = min(self.today, day + self.days(3, 40))
        reasons = notification_reasons(story.category, story.events)
        incident = Incident(
            scheme=self.scheme,
            occurred_at=occurred,
            category=story.category,
            what_happened=story.what_happened.format(**words),
            person=cast.person,
            carer=cast.carer,
            arrangement=arrangement,
            others_involved=story.others,
            notifiable_events=list(story.events),
            actions_taken=story.actions_taken.format(**words),
            follow_up=story.follow_up.format(**words),
            outcome=story.outcome.format(**words),
            recorded_by=cast.coordinator,
            closed_on=closed_on,
            # The registered manager closes what CQC was told about.
            closed_by=(self.manager if reasons else cast.coordinator) if closed_on else None,
        )
        self.incidents.append(incident)
        if reasons:
            sent_on = self._notify(incident, reasons, story.sent_after)
            # An incident is closed only once CQC has been told.
            if sent_on is None:
                incident.closed_on, incident.closed_by, incident.outcome = None, None, ""
            elif closed_on:
                incident.closed_on = max(closed_on, sent_on)

    def _notify(self, incident: Incident, reasons: list[str], sent_after) -> datetime.date | None:
        # Known about once it was recorded, a few hours after it happened.
        due_from = min(
            incident.occurred_at + datetime.timedelta(hours=self.rng.randint(1, 18)),
            self.now - datetime.timedelta(minutes=self.rng.randint(10, 25)),
        )
        notification = CqcNotification(
            scheme=self.scheme, incident=incident, reasons=reasons, due_from=due_from
        )
        if sent_after is not None:
            notification.sent_on = min(self.today, timezone.localdate(due_from) + self.days(*sent_after))
            notification.reference = f"CQC-INC-{notification.sent_on.year}-{next(self._serial):04d}"
            notification.sent_by = self.manager
        self.notifications.append(notification)
        return notification.sent_on

    def deaths(self, arrangements: Sequence[Arrangement]) -> None:
        """An incident, and its notification, for each arrangement that ended with the person's death."""
        for arrangement in arrangements:
            if arrangement.end_reason == EndReason.DEATH:
                self.tell(DEATH, arrangement, day=arrangement.end_date)

    def stories(self, current: Sequence[Arrangement], stories: Sequence[IncidentStory] = STORIES) -> None:
        """Each story once, with a different current arrangement where there are enough."""
        chosen = self.rng.sample(list(current), min(len(current), len(stories)))
        for i, story in enumerate(stories):
            self.tell(story, chosen[i % len(chosen)])

    def in_proportion(self, current: Sequence[Arrangement], count: int) -> None:
        """``count`` incidents over the past year, drawn from the stories by
        the usual mix of categories: those more than a few weeks old are
        closed and their notifications sent."""
        by_category: dict[str, list[IncidentStory]] = {}
        for story in STORIES:
            by_category.setdefault(story.category, []).append(story)
        categories = self.rng.choices(list(SCALE_WEIGHTS), list(SCALE_WEIGHTS.values()), k=count)
        for category in categories:
            story = self.rng.choice(by_category[category])
            arrangement = self.rng.choice(current)
            day = self.on_day(arrangement, (0, 365))
            if (self.today - day).days > 30:
                story = replace(
                    story, outcome=story.outcome or LATER_OUTCOME, sent_after=story.sent_after or (0, 3)
                )
            self.tell(story, arrangement, day)

    # Compliments and complaints ---------------------------------------------------

    def feedback_from(self, story: FeedbackStory, arrangement: Arrangement) -> None:
        cast = self.cast(arrangement)
        words = {"name": cast.name, "carer": cast.carer_name}
        received = self.on_day(arrangement, story.days_ago)
        closed_on = min(self.today, received + self.days(5, 30)) if story.closed else None
        self.feedback.append(
            Feedback(
                scheme=self.scheme,
                kind=story.kind,
                received_on=received,
                from_whom=self._from_whom(story.source, cast),
                person=cast.person,
                carer=cast.carer,
                summary=story.summary.format(**words),
                response=story.response.format(**words),
                outcome=story.outcome,
                recorded_by=cast.coordinator,
                closed_on=closed_on,
                closed_by=(self.manager if story.kind == FeedbackKind.COMPLAINT else cast.coordinator)
                if closed_on
                else None,
            )
        )

    @staticmethod
    def _from_whom(source: str, cast: "Cast") -> str:
        if source == "family" and cast.family:
            name, relationship = cast.family[0]
            return f"{name}, {relationship}"
        if source in ("family", "social worker") and cast.social_worker:
            return f"{cast.social_worker}, social worker"
        if source == "neighbour":
            return NEIGHBOUR
        return f"{cast.person.first_name} {cast.person.last_name}, the person we support"

    def all_feedback(self, arrangements: Sequence[Arrangement], stories=FEEDBACK) -> None:
        chosen = self.rng.sample(list(arrangements), min(len(arrangements), len(stories)))
        for i, story in enumerate(stories):
            self.feedback_from(story, chosen[i % len(chosen)])

    def feedback_in_proportion(self, arrangements: Sequence[Arrangement], count: int) -> None:
        for _ in range(count):
            self.feedback_from(self.rng.choice(FEEDBACK), self.rng.choice(arrangements))

    def save(self) -> str:
        Incident.objects.bulk_create(self.incidents, batch_size=2000)
        CqcNotification.objects.bulk_create(self.notifications, batch_size=2000)
        Feedback.objects.bulk_create(self.feedback, batch_size=2000)
        unsent = sum(n.sent_on is None for n in self.notifications)
        return (
            f"{len(self.incidents):,} incidents, {len(self.notifications):,} CQC notifications "
            f"({unsent:,} not sent yet), {len(self.feedback):,} compliments and complaints"
        )
