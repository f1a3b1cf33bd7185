"""Rates, referrals and matching records for the demo and the benchmark scheme.

``sharedlives.demo.build_records`` calls ``MatchingBuilder.prepare`` once the
households are saved but before the arrangements are: the scheme's payment
rates are saved and each arrangement is linked to a rate of its kind (and a
stay to a room); the referrals are saved, the started ones linked to their
arrangement, with their stage history, wanted dates, proposals and
introductions; postcodes get coordinates and the scheme its matching
settings; and in the small demo most people get a one-page profile.
``finish`` books the short breaks and saves the day sessions, once the
carers' dates away are known (``sharedlives.demo_bookings``).

Proposals keep the score and reasons as the matching page words them,
worked out from the records in memory (``sharedlives.demo_scores``).
"""

import datetime
from collections import defaultdict, deque
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from carers.models import ApprovalTerms, CarerStatus
from people.models import Contact, ContactKind, Person
from placements.models import (
    OPEN_STATUSES,
    Answer,
    Arrangement,
    ArrangementStatus,
    Introduction,
    IntroductionKind,
    IntroductionStatus,
    MatchingSettings,
    PaymentRate,
    PostcodeLocation,
    Proposal,
    RateAmount,
    RateKind,
    Referral,
    ReferralStageChange,
    WantedSession,
    WantedStay,
)
from placements.models import ReferralStage as R
from sharedlives.choices import ArrangementKind, NeedsGroup
from sharedlives.demo_bookings import BookingPlanner, analyze, assign_rooms, plan_sessions, session_hours
from sharedlives.demo_matching_words import (
    INTRODUCTION_WORDS,
    LEEDS_RATES,
    NORTH_YORKSHIRE_RATES,
    NOT_INTERESTED,
    RateSpec,
)
from sharedlives.demo_profiles import build_profiles
from sharedlives.demo_referrals import (
    DEMO_STORIES,
    LEEDS_REGION,
    NORTH_YORKSHIRE_REGION,
    SMALL_STORIES,
    ReferralPlanner,
    Region,
    Story,
    story_specs,
)
from sharedlives.demo_scores import Facts, score, suits
from sharedlives.models import Scheme, User

if TYPE_CHECKING:
    from sharedlives.demo import Household, Maker
    from sharedlives.demo_approval import ApprovalBuilder

__all__ = [
    "LEEDS_RATES",
    "LEEDS_REGION",
    "NORTH_YORKSHIRE_RATES",
    "NORTH_YORKSHIRE_REGION",
    "MatchingBuilder",
]

K = ArrangementKind
DAY = datetime.timedelta(days=1)
BATCH_SIZE = 2000
# How many carers a large scheme scores for each proposal (the best of a sample).
SAMPLE = 60
# The stories in which carers are proposed.
PROPOSING = {
    "matching, answers awaited",
    "matching again after no match",
    "matching again after introductions",
    "introductions",
    "no match",
    "withdrawn while matching",
}
# Introductions for each kind, in order.
INTRODUCTIONS = {
    K.LIVE_IN: (
        IntroductionKind.FIRST_MEETING,
        IntroductionKind.TEA_VISIT,
        IntroductionKind.OVERNIGHT,
        IntroductionKind.WEEKEND,
    ),
    K.SHORT_BREAKS: (IntroductionKind.FIRST_MEETING, IntroductionKind.TEA_VISIT, IntroductionKind.OVERNIGHT),
    K.DAY_SUPPORT: (IntroductionKind.FIRST_MEETING, IntroductionKind.DAY_VISIT),
}


class MatchingBuilder:
    """Makes one scheme's rates, referrals, proposals, introductions,
    bookings and profiles. ``detail``: the small demo (every story, every
    person a profile); otherwise a large scheme, built in proportion."""

    def __init__(
        self,
        maker: "Maker",
        scheme: Scheme,
        manager: User,
        coordinators: Sequence[User],
        rates: Sequence[RateSpec],
        *,
        region: Region = LEEDS_REGION,
        max_distance_miles: int | None = None,
        detail: bool = True,
    ):
        self.maker, self.rng, self.today = maker, maker.rng, maker.today
        self.now = timezone.now()
        self.scheme, self.manager, self.coordinators = scheme, manager, list(coordinators)
        self.rate_specs, self.region, self.detail = rates, region, detail
        self.settings = MatchingSettings(scheme=scheme)
        if max_distance_miles:
            self.settings.max_distance_miles = max_distance_miles
        self.rows: dict[type, list] = defaultdict(list)
        self.sessions: dict[int, tuple] = {}  # day-support sessions, by id() of the arrangement
        self.arrangements: list[Arrangement] = []
        self.rooms: dict = {}
        self.people: dict[int, Person] = {}
        self.candidates: list[Facts] = []  # approved households, to propose

    def add(self, *records) -> None:
        for record in records:
            self.rows[type(record)].append(record)

    def moment(self, day: datetime.date) -> datetime.datetime:
        """A time in office hours on ``day``, and never later than now."""
        time = datetime.time(self.rng.randint(9, 16), self.rng.choice((0, 10, 20, 30, 40, 50)))
        when = timezone.make_aware(datetime.datetime.combine(day, time))
        return min(when, self.now - datetime.timedelta(minutes=self.rng.randint(20, 90)))

    # Before the arrangements are saved ---------------------------------------

    def prepare(
        self,
        households: Sequence["Household"],
        arrangements: list[Arrangement],
        people: Sequence[Person],
        approval: "ApprovalBuilder | None",
    ) -> str:
        self.arrangements = arrangements
        self.people = {person.pk: person for person in people}
        self.rooms = {h.carer.pk: list(h.rooms) for h in households}
        rates = self._rates()
        self._link_rates(rates)
        assign_rooms(arrangements, self.rooms, self.people)
        locations = self._postcodes(households, people)
        self.settings.save()
        facts = self._facts(households, approval, locations)
        family = self._family()
        planner = ReferralPlanner(self.maker, [*self.coordinators, self.manager], self.region, family)
        stories = self._referrals(planner, facts, locations)
        self._proposals(stories, facts, locations)
        for story in stories:
            self._history(planner, story)
            self._wanted(story)
        profiles = 0
        if self.detail:
            staff = [*self.coordinators, self.manager]
            profiles = len(
                build_profiles(self.rng, self.people, family, arrangements, self.region.team, staff)
            )
        for model in (Referral, ReferralStageChange, WantedStay, WantedSession, Proposal, Introduction):
            model.objects.bulk_create(self.rows[model], batch_size=BATCH_SIZE)
        analyze(Referral, PaymentRate)  # the arrangements point at them (see demo_bookings.analyze)
        for story in stories:
            if story.arrangement is not None:
                story.arrangement.referral = story.referral
        return (
            f"matching: {sum(map(len, rates.values())):,} payment rates, {len(locations):,} postcodes, "
            f"{len(stories):,} referrals, {len(self.rows[Proposal]):,} proposals, "
            f"{len(self.rows[Introduction]):,} introductions, {profiles:,} one-page profiles"
        )

    def _rates(self) -> dict[str, list[tuple[PaymentRate, RateSpec]]]:
        """The scheme's rates, each with its history of amounts (saved)."""
        latest_april = datetime.date(self.today.year - (self.today.month < 4), 4, 1)
        rates = PaymentRate.objects.bulk_create(
            [
                PaymentRate(scheme=self.scheme, kind=spec.kind, name=spec.name, description=spec.description)
                for spec in self.rate_specs
            ]
        )
        amounts = []
        for rate, spec in zip(rates, self.rate_specs, strict=True):
            starts = [latest_april.replace(year=latest_april.year - years) for years, _ in spec.history]
            for i, (_, values) in enumerate(spec.history):
                ends = starts[i + 1] - DAY if i + 1 < len(starts) else None
                amounts.append(RateAmount(rate=rate, effective_from=starts[i], effective_to=ends, **values))
        RateAmount.objects.bulk_create(amounts)
        by_kind = defaultdict(list)
        for rate, spec in zip(rates, self.rate_specs, strict=True):
            by_kind[spec.kind].append((rate, spec))
        return by_kind

    def _link_rates(self, rates: dict) -> None:
        """Each arrangement's rate: a band by how much support the person
        needs, the nightly rate for short breaks and short stays, and the
        sessional rate that fits a day-support session."""
        for arrangement in self.arrangements:
            person = self.people[arrangement.person_id]
            harder = len(person.needs_groups) > 1 or bool(
                {NeedsGroup.PHYSICAL, NeedsGroup.DEMENTIA} & set(person.needs_groups)
            )
            if arrangement.kind == K.DAY_SUPPORT:
                sessions = self.sessions[id(arrangement)] = plan_sessions(self.rng, arrangement.notes)
                hours = session_hours(sessions)
                fitting = sorted(rates[RateKind.DAY_SUPPORT_SESSION], key=lambda pair: pair[1].hours)
                arrangement.payment_rate = next(
                    (rate for rate, spec in fitting if spec.hours >= hours), fitting[-1][0]
                )
            elif arrangement.kind == K.LIVE_IN or arrangement.kind == K.HOME_FROM_HOSPITAL:
                bands = [rate for rate, _ in rates[RateKind.LIVE_IN_WEEKLY]]
                band = min(len(bands) - 1, int(harder) + (self.rng.random() < 0.3) + person.wheelchair_user)
                arrangement.payment_rate = bands[band]
            else:
                nightly = [rate for rate, _ in rates[RateKind.SHORT_BREAK_NIGHTLY]]
                arrangement.payment_rate = nightly[
                    min(len(nightly) - 1, int(harder and self.rng.random() < 0.5))
                ]
            if arrangement.status == ArrangementStatus.PLANNED and self.rng.random() < 0.3:
                arrangement.payment_rate = None  # not yet agreed

    def _postcodes(self, households, people) -> dict[str, tuple[float, float]]:
        """A point for every postcode the scheme's carers and people use: the
        household's own, else near the middle of the postcode district."""
        areas = {area.district: area for area in self.maker.locale.areas}
        found: dict[str, tuple[float, float]] = {}
        for household in households:
            carer = household.carer
            if carer.latitude is not None:
                found.setdefault(carer.postcode, (float(carer.latitude), float(carer.longitude)))
        for postcode in [h.carer.postcode for h in households] + [p.postcode for p in people if p.postcode]:
            area = areas.get(postcode.split(" ")[0])
            if postcode not in found and area is not None:
                lat, lon = self.maker.coordinates(area)
                found[postcode] = (float(lat), float(lon))
        PostcodeLocation.objects.bulk_create(
            [
                PostcodeLocation(
                    postcode=code, latitude=Decimal(f"{lat:.5f}"), longitude=Decimal(f"{lon:.5f}")
                )
                for code, (lat, lon) in found.items()
            ],
            batch_size=BATCH_SIZE,
            # The directory may know some already (manage.py import_postcodes); those stand.
            ignore_conflicts=True,
        )
        return found

    def _facts(self, households, approval, locations) -> dict[int, Facts]:
        """Each approved (or once approved) household's terms and home."""
        terms_of = defaultdict(list)
        for terms in approval.rows[ApprovalTerms] if approval else ():
            terms_of[terms.carer.pk].append(terms)
        supported, supporting = defaultdict(list), defaultdict(set)
        for a in self.arrangements:
            if a.status != ArrangementStatus.PLANNED:
                supported[a.carer.pk].append((a.start_date, set(self.people[a.person_id].needs_groups)))
            if a.status in OPEN_STATUSES:
                supporting[a.carer.pk].add(a.person_id)
        facts = {}
        for household in households:
            carer, found = household.carer, terms_of.get(household.carer.pk)
            if not found:
                continue
            latest = max(found, key=lambda t: t.starts_on)
            facts[carer.pk] = Facts(
                carer=carer,
                approved_on=min(t.starts_on for t in found),
                left_on=latest.ends_on,
                kinds=set(latest.kinds),
                needs=set(latest.needs_groups),
                pets={pet.kind for pet in household.pets},
                step_free=any(room.ground_floor and room.step_free for room in household.rooms),
                own_bathroom=any(room.own_bathroom for room in household.rooms),
                location=locations.get(carer.postcode),
                supported=supported[carer.pk],
                full=len(supporting[carer.pk]) >= latest.max_people,
            )
        self.candidates = [f for f in facts.values() if f.carer.status == CarerStatus.APPROVED]
        return facts

    def _family(self) -> dict[int, list[tuple[str, str, str]]]:
        family = defaultdict(list)
        rows = Contact.objects.filter(person__scheme=self.scheme, kind=ContactKind.FAMILY).order_by("pk")
        for person_id, name, relationship, phone in rows.values_list(
            "person_id", "name", "relationship", "phone"
        ):
            family[person_id].append((name, relationship, phone))
        return family

    # Referrals -------------------------------------------------------------------

    def _referrals(self, planner: ReferralPlanner, facts: dict[int, Facts], locations) -> list[Story]:
        """The referrals: those arrangements came from, then stories of their own."""
        rng, stories = self.rng, []
        open_referrals: set[tuple[int, str]] = set()
        # The planned arrangements come from referrals now in introductions;
        # of those begun in the last three years (in a scheme of a few records,
        # all), most current ones in the small demo and some ended ones; in a
        # large scheme, a share of them.
        recent = self.today - 3 * 365 * DAY if len(self.people) > 20 else datetime.date.min
        linked = [a for a in self.arrangements if a.status == ArrangementStatus.PLANNED]
        started = [
            a for a in self.arrangements if a.status != ArrangementStatus.PLANNED and a.start_date >= recent
        ]
        if self.detail:
            linked += [a for a in started if a.status == ArrangementStatus.CURRENT or rng.random() < 0.4]
            specs = list(DEMO_STORIES if len(self.people) > 20 else SMALL_STORIES)
        else:
            # About one referral for every five households (three people each).
            count = max(len(self.people) // 15, 1)
            linked = linked[: count // 20] + rng.sample(started, min(len(started), count * 2 // 5))
            specs = story_specs(rng, count - len(linked))
        for arrangement in linked:
            carer_facts = facts.get(arrangement.carer.pk)
            key = (arrangement.person_id, arrangement.kind)
            if carer_facts is None or key in open_referrals:
                continue
            if arrangement.status == ArrangementStatus.PLANNED:
                open_referrals.add(key)
            person = self.people[arrangement.person_id]
            stories.append(planner.started(arrangement, person, carer_facts.approved_on))
        # Someone already supported in a kind of arrangement is not referred for it again.
        busy = {(a.person_id, a.kind) for a in self.arrangements if a.status in OPEN_STATUSES}
        people = list(self.people.values())
        rng.shuffle(people)
        queue = deque(people)  # each person in turn, so the stories spread over people
        for name, kind in specs:
            for _ in range(min(len(queue), 40)):
                person = queue[0]
                queue.rotate(-1)
                if (person.pk, kind) in busy or (person.pk, kind) in open_referrals:
                    continue
                story = planner.story(name, kind, person)
                # A story with carers proposed is told of someone whom a carer
                # approved by then could support.
                if name not in PROPOSING or self._best(person, kind, story.entered(R.MATCHING), 1, locations):
                    break
            else:
                continue
            if name.startswith(("received", "visit", "matching", "introductions")):
                open_referrals.add((person.pk, kind))
            stories.append(story)
        return stories

    def _history(self, planner: ReferralPlanner, story: Story) -> None:
        referral, changes = story.referral, []
        frm = ""
        for stage, day in story.path:
            by = referral.coordinator or self.manager
            changes.append(
                ReferralStageChange(
                    referral=referral,
                    from_stage=frm,
                    to_stage=stage,
                    changed_by=by,
                    changed_at=self.moment(day),
                    reason=planner.reason(story, frm, stage),
                )
            )
            frm = stage
        referral.stage = story.path[-1][0]
        referral.stage_changed_at = changes[-1].changed_at
        self.add(referral, *changes)

    def _wanted(self, story: Story) -> None:
        """The dates wanted: short breaks as stays, day support as weekly sessions."""
        referral, rng = story.referral, self.rng
        if referral.kind == K.SHORT_BREAKS:
            first = story.arrangement.start_date if story.arrangement else referral.received_on + 21 * DAY
            first += ((4 - first.weekday()) % 7) * DAY  # Fridays
            for month in range(rng.randint(2, 4)):
                arrive = first + (28 * month + rng.choice((0, 0, 7))) * DAY
                self.add(
                    WantedStay(referral=referral, dates=(arrive, arrive + rng.choice((2, 3, 3, 7)) * DAY))
                )
        elif referral.kind == K.DAY_SUPPORT:
            sessions = self.sessions.get(id(story.arrangement)) if story.arrangement else None
            for weekday, start, end in sessions or plan_sessions(rng, ""):
                self.add(WantedSession(referral=referral, weekday=weekday, starts_at=start, ends_at=end))

    # Proposals and introductions ---------------------------------------------------

    def _best(self, person: Person, kind: str, on: datetime.date, count: int, locations, exclude=()):
        """The ``count`` best-scoring approved households for ``person`` on ``on``."""
        location = locations.get(person.postcode)
        pool = self.candidates
        if not self.detail and len(pool) > SAMPLE:
            pool = self.rng.sample(pool, SAMPLE)
        suitable = [
            f
            for f in pool
            if f.carer.pk not in exclude and suits(f, person, kind, on, location, self.settings)
        ]
        suitable.sort(key=lambda f: -score(f, person, location, on, self.settings)[0])
        return suitable[:count]

    def _propose(self, story: Story, facts: Facts, on, locations, answers, by: datetime.date) -> Proposal:
        """A proposal made ``on``, with the (person's, carer's) ``answers``
        given a few days later and no later than ``by``."""
        rng, person = self.rng, story.person
        points, reasons = score(facts, person, locations.get(person.postcode), on, self.settings)
        proposal = Proposal(
            referral=story.referral,
            carer=facts.carer,
            proposed_on=on,
            proposed_by=story.referral.coordinator or self.manager,
            score=points,
            reasons=reasons,
        )
        for side, answer in zip(("person", "carer"), answers, strict=True):
            if answer != Answer.WAITING:
                self._answer(proposal, story, side, answer, max(on, min(on + rng.randint(1, 7) * DAY, by)))
        self.add(proposal)
        return proposal

    def _answer(self, proposal: Proposal, story: Story, side: str, answer: str, day, why: str = "") -> None:
        setattr(proposal, f"{side}_answer", answer)
        setattr(proposal, f"{side}_answered_on", day)
        if answer == Answer.NOT_INTERESTED:
            name = story.person.preferred_name or story.person.first_name
            text = self.rng.choice(NOT_INTERESTED[why or side]).format(name=name)
            setattr(proposal, f"{side}_reason", text)

    def _proposals(self, stories: list[Story], facts: dict[int, Facts], locations) -> None:
        """Carers proposed while matching, each side's answers, and the visits that followed."""
        rng, today = self.rng, self.today
        Y, W, N = Answer.INTERESTED, Answer.WAITING, Answer.NOT_INTERESTED
        for story in stories:
            stages = [stage for stage, _ in story.path]
            if R.MATCHING not in stages:
                continue
            after = stages.index(R.MATCHING) + 1
            matched = story.entered(R.MATCHING)
            # Answers come in before the referral moves on from matching.
            by = story.path[after][1] - DAY if after < len(stages) else today
            on = max(matched, min(matched + rng.randint(2, 7) * DAY, by))
            if story.arrangement is not None:
                chosen = facts[story.arrangement.carer.pk]
                on = max(on, min(chosen.approved_on + DAY, by))  # proposed once approved
                if story.kind in (K.HOME_FROM_HOSPITAL, K.EMERGENCY):
                    on = by = matched  # both said yes the same day
                proposal = self._propose(story, chosen, on, locations, (Y, Y), by)
                others = self._best(story.person, story.kind, on, 1, locations, exclude={chosen.carer.pk})
                if others and rng.random() < 0.4:
                    self._propose(story, others[0], on, locations, (Y, N), by)
                if R.INTRODUCTIONS in stages:
                    met = story.entered(R.INTRODUCTIONS)
                    self._introductions(story, proposal, met, story.arrangement.start_date - DAY)
                continue
            name = story.name
            if name == "matching, answers awaited":
                for chosen, answers in zip(
                    self._best(story.person, story.kind, on, 3, locations),
                    ((W, W), (Y, W), (W, N)),
                    strict=False,
                ):
                    self._propose(story, chosen, on, locations, answers, by)
            elif name in ("no match", "matching again after no match"):
                for chosen, answers in zip(
                    self._best(story.person, story.kind, on, 2, locations), ((Y, N), (N, N)), strict=False
                ):
                    self._propose(story, chosen, on, locations, answers, by)
                if name == "matching again after no match":
                    # The household approved since, proposed once matching began again.
                    again = min(story.entered(R.MATCHING, 2) + rng.randint(1, 5) * DAY, today)
                    tried = {p.carer_id for p in self.rows[Proposal] if p.referral is story.referral}
                    for chosen in self._best(story.person, story.kind, again, 1, locations, exclude=tried):
                        self._propose(story, chosen, again, locations, (W, W), today)
            elif name in ("introductions", "matching again after introductions"):
                best = self._best(story.person, story.kind, on, 2, locations)
                if not best:
                    continue
                proposal = self._propose(story, best[0], on, locations, (Y, Y), by)
                story.carer_name = best[0].carer.name
                met = story.entered(R.INTRODUCTIONS)
                if name == "introductions":
                    self._introductions(story, proposal, met, today + 30 * DAY)
                    if len(best) > 1:
                        self._propose(story, best[1], on, locations, (W, N), by)
                else:
                    # It did not work out after the visits; another carer was proposed.
                    back = story.entered(R.MATCHING, 2)
                    self._introductions(story, proposal, met, back - DAY, went_badly=True)
                    self._answer(proposal, story, "person", N, back, why="after visits")
                    if len(best) > 1:
                        self._propose(story, best[1], min(back + DAY, today), locations, (Y, W), today)
            elif name == "withdrawn while matching":
                for chosen in self._best(story.person, story.kind, on, 1, locations):
                    self._propose(story, chosen, on, locations, (W, W), by)

    def _introductions(self, story, proposal, first_day, last_day, went_badly: bool = False) -> None:
        """The visits from ``first_day`` to ``last_day``: those past held (or
        one cancelled and rearranged), those to come planned."""
        rng, person = self.rng, story.person
        kinds = INTRODUCTIONS.get(story.kind, ())
        if went_badly:
            kinds = kinds[:3]
        span = max((last_day - first_day).days, len(kinds))
        names = {"name": person.preferred_name or person.first_name, "carer": proposal.carer.first_name}
        by = story.referral.coordinator or self.manager
        for i, kind in enumerate(kinds):
            day = first_day + (span * i // len(kinds)) * DAY + rng.randint(0, 2) * DAY
            day = min(day, last_day)
            visit = Introduction(proposal=proposal, kind=kind, planned_for=day, recorded_by=by)
            if day < self.today:
                if rng.random() < 0.1 and not went_badly:
                    visit.status = IntroductionStatus.CANCELLED
                    visit.notes = f"{names['name']} had a cold; rearranged for the week after."
                    self.add(visit)
                    visit = Introduction(
                        proposal=proposal, kind=kind, planned_for=min(day + 7 * DAY, last_day), recorded_by=by
                    )
                if visit.planned_for < self.today:
                    words = INTRODUCTION_WORDS["went badly" if went_badly and i == len(kinds) - 1 else kind]
                    for_person, for_carer = rng.choice(words)
                    visit.status = IntroductionStatus.HELD
                    visit.for_person = for_person.format(**names)
                    visit.for_carer = for_carer.format(**names)
            self.add(visit)

    # Once the dates away are known ---------------------------------------------------

    def finish(self) -> str:
        planner = BookingPlanner(
            self.rng.randrange(10**9),
            self.arrangements,
            self.rooms,
            self.people,
            [*self.coordinators, self.manager],
            self.sessions,
            detail=self.detail,
        )
        return planner.save()
