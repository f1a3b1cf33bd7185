"""What the demo's reviews, actions and visit notes say, for
``sharedlives.demo_monitoring``: who took part in a review and how, the
person's views in their own words (``sharedlives.demo_monitoring_words``),
what is working and what is not, and the actions agreed. Everything is
written about the people in the arrangement (their ``Cast``)."""

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass

from carers.models import Carer
from people.models import ContactKind, Person
from placements.models import Arrangement, ArrangementReview, Attendee, Involvement, ReviewAction
from sharedlives import demo_monitoring_words as words
from sharedlives.models import User

DAY = datetime.timedelta(days=1)
# Communication needs (sharedlives.demo.COMMUNICATION_NEEDS) that mean the
# person often gives their views with support.
WITH_SUPPORT_WHERE = ("Makaton", "pictures", "time to answer", "passport")


@dataclass
class Cast:
    """Who is who in an arrangement, for the words of its records."""

    person: Person
    name: str  # what the person is called
    carer: Carer
    carer_name: str
    coordinator: User  # who looks after the arrangement
    family: list[tuple[str, str]]  # (name, relationship)
    social_worker: str | None
    advocate: str | None


class ReviewWriter:
    def __init__(
        self,
        rng: random.Random,
        people: dict[int, Person],
        contacts: dict[int, list[tuple[str, str, str]]],
        coordinators: Sequence[User],
        team: str,
        *,
        detail: bool = True,
    ):
        self.rng, self.people, self.contacts = rng, people, contacts
        self.coordinators, self.team, self.detail = list(coordinators), team, detail
        self.casts: dict[int, Cast] = {}

    def cast(self, arrangement: Arrangement) -> Cast:
        found = self.casts.get(id(arrangement))
        if found is None:
            person, carer = self.people[arrangement.person_id], arrangement.carer
            contacts = self.contacts.get(person.pk, [])

            def first(kind: str) -> str | None:
                return next((name for k, name, _ in contacts if k == kind), None)

            found = self.casts[id(arrangement)] = Cast(
                person=person,
                name=person.preferred_name or person.first_name,
                carer=carer,
                carer_name=carer.first_name,
                coordinator=person.coordinator or carer.coordinator or self.rng.choice(self.coordinators),
                family=[(name, rel) for k, name, rel in contacts if k == ContactKind.FAMILY],
                social_worker=first(ContactKind.SOCIAL_WORKER),
                advocate=first(ContactKind.ADVOCATE),
            )
        return found

    def say(self, text: str, cast: Cast) -> str:
        return text.format(name=cast.name, carer=cast.carer_name, team=self.team)

    # Reviews -------------------------------------------------------------------------

    def review(
        self,
        arrangement: Arrangement,
        *,
        due_on: datetime.date | None,
        held_on: datetime.date,
        next_on: datetime.date,
        sooner: bool,
        first: bool,
    ) -> ArrangementReview:
        """A review as a coordinator writes it up (``sooner``: it set the
        next one six months on; ``first``: the first after the start)."""
        cast, rng = self.cast(arrangement), self.rng
        involvement = self._involvement(cast)
        attendees, others = self._attendees(involvement, cast, first)
        outcomes = rng.sample(words.OUTCOMES, rng.randint(1, 2)) + ([words.SOONER] if sooner else [])
        return ArrangementReview(
            arrangement=arrangement,
            due_on=due_on,
            held_on=held_on,
            reviewer=cast.coordinator,
            attendees=attendees,
            other_attendees=others,
            involvement=involvement,
            person_views=self._views(involvement, arrangement, cast),
            carer_views=self.say(rng.choice(words.CARER_VIEWS), cast),
            working=self.say(" ".join(rng.sample(words.WORKING, rng.randint(1, 2))), cast),
            not_working=self.say(rng.choice(words.NOT_WORKING), cast),
            outcomes=self.say(" ".join(outcomes), cast),
            next_review_on=next_on,
        )

    def _own_words(self, arrangement: Arrangement, cast: Cast) -> str:
        group = arrangement.kind if arrangement.kind in words.VIEWS else "short stay"
        said = self.rng.sample(words.VIEWS[group], 2 if self.rng.random() < 0.4 else 1)
        wants = [words.WANTS_FOR[i] for i in cast.person.interests if i in words.WANTS_FOR]
        said.append(self.rng.choice(wants or words.WANTS))
        return self.say(" ".join(said), cast)

    def _involvement(self, cast: Cast) -> str:
        roll, needs = self.rng.random(), cast.person.communication_needs
        if cast.advocate and roll < 0.5:
            return Involvement.ADVOCATE
        if roll < 0.5 and any(phrase in needs for phrase in WITH_SUPPORT_WHERE):
            return Involvement.WITH_SUPPORT
        return self.rng.choices(
            [
                Involvement.SPOKE_FOR_THEMSELVES,
                Involvement.WITH_SUPPORT,
                Involvement.BEFOREHAND,
                Involvement.DID_NOT_TAKE_PART,
            ],
            weights=(70, 14, 11, 5),
        )[0]

    def _views(self, involvement: str, arrangement: Arrangement, cast: Cast) -> str:
        if involvement == Involvement.WITH_SUPPORT:
            if self.rng.random() < 0.2:
                return words.NO_COMMENT
            return self.say(self.rng.choice(words.SUPPORTED_VIEWS), cast)
        if involvement == Involvement.ADVOCATE:
            own = self._own_words(arrangement, cast)
            return words.THROUGH_ADVOCATE.format(advocate=cast.advocate, name=cast.name, words=own)
        if involvement == Involvement.BEFOREHAND:
            own = self._own_words(arrangement, cast)
            return words.BEFOREHAND.format(coordinator=cast.coordinator.first_name, words=own)
        if involvement == Involvement.DID_NOT_TAKE_PART:
            return self.rng.choice(words.DID_NOT_TAKE_PART)
        return self._own_words(arrangement, cast)

    def _attendees(self, involvement: str, cast: Cast, first: bool) -> tuple[list[str], str]:
        came = {Attendee.CARER, Attendee.COORDINATOR}
        names = []
        if involvement in (Involvement.SPOKE_FOR_THEMSELVES, Involvement.WITH_SUPPORT):
            came.add(Attendee.PERSON)
        if cast.family and self.rng.random() < 0.4:
            came.add(Attendee.FAMILY)
            name, relationship = self.rng.choice(cast.family)
            names.append(f"{name} ({relationship})")
        # Social workers come to most first reviews, and to some later ones.
        if cast.social_worker and self.rng.random() < (0.7 if first else 0.3):
            came.add(Attendee.SOCIAL_WORKER)
            names.append(f"{cast.social_worker} (social worker)")
        if involvement == Involvement.ADVOCATE:
            came.add(Attendee.ADVOCATE)
            names.append(f"{cast.advocate} (advocate)")
            if self.rng.random() < 0.5:
                came.add(Attendee.PERSON)
        if self.rng.random() < 0.08:
            came.add(Attendee.HEALTH)
            names.append("the community nurse")
        return [value for value in Attendee.values if value in came], ", ".join(names)

    def actions(self, review: ArrangementReview, today: datetime.date) -> list[ReviewAction]:
        """What the review agreed: long done where they fell due long ago,
        some done early, and some overdue."""
        cast, rng = self.cast(review.arrangement), self.rng
        count = rng.choices((0, 1, 2, 3), weights=(15, 40, 30, 15) if self.detail else (35, 45, 15, 5))[0]
        actions = []
        for what, role in rng.sample(words.ACTIONS, count):
            who = {
                "carer": f"{cast.carer.first_name} {cast.carer.last_name}",
                "coordinator": cast.coordinator.get_full_name(),
                "social worker": cast.social_worker or "The social worker",
            }[role]
            due_on = review.held_on + rng.randint(14, 90) * DAY
            action = ReviewAction(review=review, what=self.say(what, cast), who=who, due_on=due_on)
            if due_on < today - 30 * DAY:
                done = rng.random() < 0.95
            elif due_on < today:
                done = rng.random() < 0.5  # the rest are overdue
            else:
                done = rng.random() < 0.2  # done early
            if done:
                day = due_on + rng.randint(-14, 10) * DAY
                action.done_on = min(today, max(review.held_on + DAY, day))
                action.done_by = review.reviewer
            actions.append(action)
        return actions

    def visit_notes(self, arrangement: Arrangement) -> tuple[bool, str]:
        """Whether the visitor saw the person, and how things are."""
        saw = self.rng.random() < 0.92
        notes = words.VISIT_NOTES if saw else words.VISIT_NOTES_NOT_SEEN
        return saw, self.say(self.rng.choice(notes), self.cast(arrangement))
