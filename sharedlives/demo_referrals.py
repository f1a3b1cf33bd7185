"""Referrals for the demo: who referred each person, for what, and how each
referral moved from stage to stage.

``sharedlives.demo_matching.MatchingBuilder`` asks ``ReferralPlanner`` for
the referrals. A referral that started an arrangement is dated back from
the arrangement's start (received, an assessment visit within 7 to 10 days,
matching, introductions, then the start); the planned arrangements come from
referrals now in introductions; the rest are stories of their own ("a
referral the panel of carers could not meet", "a family that withdrew").
Every path follows ``placements.services.ALLOWED_MOVES`` one day after
another; the proposals and visits along it are the builder's.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from people.models import Person
from placements.models import Arrangement, ArrangementStatus, Funder, Referral, ReferralSource, ReferralStage
from placements.services import received_reason
from sharedlives.choices import ArrangementKind, NeedsGroup
from sharedlives.models import User

if TYPE_CHECKING:
    from sharedlives.demo import Maker

R = ReferralStage
K = ArrangementKind
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Region:
    """Local details for a scheme's referrals and profiles."""

    team: str  # the football team people follow
    health: tuple[str, ...]  # health services that refer


LEEDS_REGION = Region(
    team="Leeds United",
    health=(
        "Leeds Teaching Hospitals NHS Trust, discharge team",
        "Leeds and York Partnership NHS Foundation Trust, community mental health team",
        "Leeds Community Healthcare, neighbourhood team",
        "St James's University Hospital, older people's wards",
    ),
)
NORTH_YORKSHIRE_REGION = Region(
    team="Harrogate Town",
    health=(
        "Harrogate and District NHS Foundation Trust, discharge team",
        "Tees, Esk and Wear Valleys NHS Foundation Trust, community team",
        "Friarage Hospital, Northallerton",
    ),
)

# Weekly budgets, £, by kind: what a support plan for it usually costs.
ALLOCATION = {
    K.LIVE_IN: (380, 590),
    K.SHORT_BREAKS: (60, 150),
    K.DAY_SUPPORT: (70, 210),
    K.HOME_FROM_HOSPITAL: (400, 520),
    K.EMERGENCY: (420, 560),
}
FUNDERS = {
    K.LIVE_IN: {Funder.COUNCIL: 70, Funder.NHS_CHC: 10, Funder.PERSONAL_BUDGET: 15, Funder.SELF_FUNDED: 5},
    K.SHORT_BREAKS: {
        Funder.COUNCIL: 45,
        Funder.PERSONAL_BUDGET: 35,
        Funder.SELF_FUNDED: 15,
        Funder.NHS_CHC: 5,
    },
    K.DAY_SUPPORT: {Funder.COUNCIL: 40, Funder.PERSONAL_BUDGET: 40, Funder.SELF_FUNDED: 20},
    K.HOME_FROM_HOSPITAL: {Funder.NHS_CHC: 55, Funder.COUNCIL: 45},
    K.EMERGENCY: {Funder.COUNCIL: 90, Funder.NHS_CHC: 10},
}
SOURCES = {
    ReferralSource.SOCIAL_WORKER: 62,
    ReferralSource.HEALTH: 16,
    ReferralSource.FAMILY: 14,
    ReferralSource.SELF: 8,
}
WHY_BY_KIND = {
    K.LIVE_IN: (
        "Lives with their {relation}, who is finding it hard to carry on caring.",
        "Has lived in a residential home for six years and wants a family home instead.",
        "Wants to leave the family home, as their brothers and sisters have, with support nearby.",
    ),
    K.SHORT_BREAKS: (
        "Lives with their {relation}; short breaks give the family a rest and {name} time of their own.",
        "The family would like a weekend a month and a week in the summer.",
    ),
    K.DAY_SUPPORT: (
        "Has been at home most days since the day centre closed and wants to get out and meet people.",
        "Would like something to do two days a week, ideally outdoors.",
    ),
    K.HOME_FROM_HOSPITAL: (
        "In hospital after a fall; well enough to leave but not yet safe at home alone.",
        "Ready to leave hospital after an operation; needs a few weeks to get strong again.",
    ),
    K.EMERGENCY: (
        "Their {relation}, who cares for them, was taken into hospital suddenly.",
        "Their home became unsafe after a flood; somewhere to stay needed today.",
    ),
}
RISKS = {
    NeedsGroup.LEARNING_DISABILITY: (
        "Trusts strangers easily; has been taken advantage of with money before. Agreed plan for cash.",
        "Epilepsy: seizures about once a month, mostly at night. Rescue medication plan in place.",
    ),
    NeedsGroup.AUTISM: (
        "Can hit out when overwhelmed by noise; a quiet space and warning of changes prevent it.",
        "Has left the house without telling anyone when upset; agreed check-in plan.",
    ),
    NeedsGroup.MENTAL_HEALTH: (
        "History of self-harm when unwell, none for two years. Crisis plan shared with the team.",
        "Stops taking medication when feeling better; relapse signs are listed in the care plan.",
    ),
    NeedsGroup.DEMENTIA: (
        "Walks at night and has got lost twice; door sensor used at home.",
        "Forgets to eat and drink unless prompted.",
    ),
    NeedsGroup.PHYSICAL: (
        "At risk of falls on stairs; needs a ground-floor bedroom and grab rails.",
        "Pressure sores in the past; needs turning once at night.",
    ),
    NeedsGroup.SENSORY: ("Has fallen over things left on the floor; the home must be kept clear.",),
    NeedsGroup.OLDER_PERSON: ("Two falls in the last year; uses a pendant alarm.",),
}
NEAR_FAMILY = "Wants to stay near family, so a carer within {miles} miles, please."

# Why each move happened, in the words a coordinator would write.
MOVES = {
    (R.RECEIVED, R.ASSESSMENT_VISIT): (
        "Assessment visit booked for {visit} at home, with {name} and their family.",
        "Rang {name}'s social worker; assessment visit booked for {visit}.",
    ),
    (R.ASSESSMENT_VISIT, R.MATCHING): (
        "Visit held on {visit}. Needs, risks and funding recorded; {name} is keen. Looking for a carer.",
        "Good visit on {visit}: {name} showed us their room and talked about what matters to them. "
        "Matching can start.",
    ),
    (R.MATCHING, R.INTRODUCTIONS): (
        "{name} and {carer} both want to meet; first meeting booked.",
        "Both said yes after reading each other's profiles. Introductions to begin.",
    ),
    (R.INTRODUCTIONS, R.MATCHING): (
        "{name} did not feel at home with {carer} after the last visit, and we agreed not to go ahead. "
        "Looking for another carer.",
    ),
    (R.MATCHING, R.NO_MATCH): (
        "No approved carer within reach has a step-free, ground-floor room. Will look again when "
        "new households are approved.",
        "Both carers proposed said no, and nobody else is approved for these needs nearby. "
        "Social worker told; we will look again in the spring.",
    ),
    (R.NO_MATCH, R.MATCHING): (
        "A household approved at this month's panel could suit {name}; matching again.",
    ),
    (R.RECEIVED, R.DECLINED): (
        "{name} needs nursing care through the night, which Shared Lives cannot offer. Referrer told, "
        "with information about nursing homes.",
        "Lives outside the area the scheme covers; passed to the neighbouring scheme with consent.",
    ),
    (R.ASSESSMENT_VISIT, R.DECLINED): (
        "After the visit: {name} needs two people for every transfer, more than a household can "
        "safely give. Referred back to the social worker with our reasons.",
    ),
    (R.RECEIVED, R.WITHDRAWN): (
        "The social worker withdrew the referral: {name} has been offered a supported living flat.",
    ),
    (R.ASSESSMENT_VISIT, R.WITHDRAWN): (
        "{name} has decided to stay at home with their family for now. The social worker will refer "
        "again if things change.",
    ),
    (R.MATCHING, R.WITHDRAWN): (
        "The family found a place nearer to them, and {name} chose it. Carers proposed have been told.",
        "{name} moved out of the area with their family.",
    ),
}

# The paths a referral takes that did not start (or has not yet started)
# an arrangement, by the stage it is at now. Each name is a story.
STORIES = {
    "received": (R.RECEIVED,),
    "visit booked": (R.RECEIVED, R.ASSESSMENT_VISIT),
    "visit held": (R.RECEIVED, R.ASSESSMENT_VISIT),
    "matching, nobody proposed yet": (R.RECEIVED, R.ASSESSMENT_VISIT, R.MATCHING),
    "matching, answers awaited": (R.RECEIVED, R.ASSESSMENT_VISIT, R.MATCHING),
    "matching again after no match": (R.RECEIVED, R.ASSESSMENT_VISIT, R.MATCHING, R.NO_MATCH, R.MATCHING),
    "matching again after introductions": (
        R.RECEIVED,
        R.ASSESSMENT_VISIT,
        R.MATCHING,
        R.INTRODUCTIONS,
        R.MATCHING,
    ),
    "introductions": (R.RECEIVED, R.ASSESSMENT_VISIT, R.MATCHING, R.INTRODUCTIONS),
    "declined at once": (R.RECEIVED, R.DECLINED),
    "declined after the visit": (R.RECEIVED, R.ASSESSMENT_VISIT, R.DECLINED),
    "withdrawn before the visit": (R.RECEIVED, R.WITHDRAWN),
    "withdrawn after the visit": (R.RECEIVED, R.ASSESSMENT_VISIT, R.WITHDRAWN),
    "withdrawn while matching": (R.RECEIVED, R.ASSESSMENT_VISIT, R.MATCHING, R.WITHDRAWN),
    "no match": (R.RECEIVED, R.ASSESSMENT_VISIT, R.MATCHING, R.NO_MATCH),
}
# How long ago each story's referral came in, in days.
STORY_AGE = {
    "received": (1, 6),
    "visit booked": (3, 8),
    "visit held": (12, 20),
    "matching, nobody proposed yet": (18, 30),
    "matching, answers awaited": (30, 70),
    "matching again after no match": (200, 320),
    "matching again after introductions": (100, 160),
    "introductions": (60, 110),
    "declined at once": (20, 300),
    "declined after the visit": (30, 300),
    "withdrawn before the visit": (15, 250),
    "withdrawn after the visit": (30, 300),
    "withdrawn while matching": (60, 330),
    "no match": (120, 330),
}
# The small demo's stories, with the kind each is for: every stage shows.
DEMO_STORIES = (
    ("received", K.LIVE_IN),
    ("received", K.DAY_SUPPORT),
    ("visit booked", K.SHORT_BREAKS),
    ("visit held", K.LIVE_IN),
    ("matching, nobody proposed yet", K.SHORT_BREAKS),
    ("matching, answers awaited", K.LIVE_IN),
    ("matching again after no match", K.LIVE_IN),
    ("matching again after introductions", K.DAY_SUPPORT),
    ("introductions", K.LIVE_IN),
    ("declined at once", K.LIVE_IN),
    ("declined after the visit", K.LIVE_IN),
    ("withdrawn after the visit", K.SHORT_BREAKS),
    ("withdrawn while matching", K.DAY_SUPPORT),
    ("no match", K.LIVE_IN),
)
SMALL_STORIES = (
    ("received", K.DAY_SUPPORT),
    ("matching, answers awaited", K.LIVE_IN),
    ("withdrawn after the visit", K.SHORT_BREAKS),
)
# For a large scheme: how often each story comes up.
STORY_WEIGHTS = {
    "received": 10,
    "visit booked": 5,
    "visit held": 5,
    "matching, nobody proposed yet": 5,
    "matching, answers awaited": 10,
    "matching again after no match": 2,
    "matching again after introductions": 2,
    "introductions": 4,
    "declined at once": 5,
    "declined after the visit": 3,
    "withdrawn before the visit": 3,
    "withdrawn after the visit": 4,
    "withdrawn while matching": 4,
    "no match": 5,
}
STORY_KINDS = {K.LIVE_IN: 50, K.SHORT_BREAKS: 30, K.DAY_SUPPORT: 20}


@dataclass
class Story:
    """One referral and the way it went, before it is saved."""

    referral: Referral
    person: Person
    name: str  # which story (see STORIES), or "started" from an arrangement
    path: list[tuple[str, datetime.date]] = field(default_factory=list)
    arrangement: Arrangement | None = None
    carer_name: str = ""  # the carer the introductions were with

    @property
    def kind(self) -> str:
        return self.referral.kind

    def entered(self, stage: str, nth: int = 1) -> datetime.date:
        """When the referral entered ``stage`` (the ``nth`` time)."""
        return [day for s, day in self.path if s == stage][nth - 1]


class ReferralPlanner:
    """Makes the unsaved referrals of one scheme and their paths."""

    def __init__(self, maker: "Maker", staff: list[User], region: Region, family: dict):
        self.maker, self.rng, self.today = maker, maker.rng, maker.today
        self.staff, self.region = staff, region
        self.staff_by_id = {user.pk: user for user in staff}
        # Each person's family contacts, as (name, relationship, phone).
        self.family = family

    def days(self, low: int, high: int) -> datetime.timedelta:
        return self.rng.randint(low, high) * DAY

    # Referrals behind arrangements -----------------------------------------

    def started(self, arrangement: Arrangement, person: Person, approved_on: datetime.date) -> Story:
        """The referral an arrangement started from, dated back from its start."""
        start = arrangement.start_date
        if arrangement.kind in (K.HOME_FROM_HOSPITAL, K.EMERGENCY):
            # At a few days' notice: visited and matched at once.
            matched = start - self.days(1, 2)
            if arrangement.status == ArrangementStatus.PLANNED:
                matched = min(matched, self.today - self.days(1, 6))  # waiting to leave hospital
            path = [
                (R.RECEIVED, matched - 2 * DAY),
                (R.ASSESSMENT_VISIT, matched - DAY),
                (R.MATCHING, matched),
            ]
        else:
            # Introductions take a few weeks, and the carer is proposed once approved.
            weeks = {K.LIVE_IN: (21, 42), K.SHORT_BREAKS: (14, 28)}.get(arrangement.kind, (10, 21))
            met = max(start - self.days(*weeks), approved_on + 4 * DAY)
            if arrangement.status == ArrangementStatus.PLANNED:
                met = min(met, self.today - self.days(1, 3))  # introductions under way
            path = self._up_to_matching(met - self.days(10, 25)) + [(R.INTRODUCTIONS, met)]
        if arrangement.status == ArrangementStatus.PLANNED:
            path = self._fit_before(path, self.today - DAY)
        else:
            path.append((R.ARRANGEMENT_STARTED, start))
        story = Story(self._referral(person, arrangement.kind, path[0][1]), person, "started", path)
        story.arrangement, story.carer_name = arrangement, arrangement.carer.name
        self._details(story, wanted_from=start)
        if arrangement.end_date and arrangement.kind in (K.HOME_FROM_HOSPITAL, K.EMERGENCY):
            story.referral.wanted_until = arrangement.end_date
        return story

    def _up_to_matching(self, matched: datetime.date) -> list[tuple[str, datetime.date]]:
        visit = matched - self.days(1, 5)
        received = visit - self.days(7, 10)
        return [
            (R.RECEIVED, received),
            (R.ASSESSMENT_VISIT, received + self.days(1, 3)),
            (R.MATCHING, matched),
        ]

    @staticmethod
    def _fit_before(path, last: datetime.date) -> list[tuple[str, datetime.date]]:
        """``path`` with each move at least a day after the one before, the last no later than ``last``."""
        fitted = []
        for stage, day in reversed(path):
            day = min(day, last)
            fitted.append((stage, day))
            last = day - DAY
        return fitted[::-1]

    # Referrals with stories of their own --------------------------------------

    def story(self, name: str, kind: str, person: Person) -> Story:
        received = self.today - self.days(*STORY_AGE[name])
        stages = STORIES[name]
        path = [(R.RECEIVED, received)]
        gaps = {
            R.ASSESSMENT_VISIT: (1, 3),
            R.MATCHING: (9, 15),  # the visit a week or so after receipt, then the write-up
            R.INTRODUCTIONS: (14, 30),
            R.NO_MATCH: (40, 90),
            R.DECLINED: (2, 10),
            R.WITHDRAWN: (5, 40),
        }
        for stage in stages[1:]:
            low, high = gaps[stage]
            if stage == R.MATCHING and path[-1][0] != R.ASSESSMENT_VISIT:
                low, high = (25, 80)  # matching again: a new carer, or a month or two on
            path.append((stage, path[-1][1] + self.days(low, high)))
        # Every move happened by yesterday (today's would need a time before now).
        path = self._fit_before(path, self.today - DAY)
        story = Story(self._referral(person, kind, path[0][1]), person, name, path)
        self._details(story)
        return story

    # Details ------------------------------------------------------------------

    def _referral(self, person: Person, kind: str, received: datetime.date) -> Referral:
        rng = self.rng
        weights = dict(SOURCES)
        if kind == K.HOME_FROM_HOSPITAL:
            weights = {ReferralSource.HEALTH: 85, ReferralSource.SOCIAL_WORKER: 15}
        elif not self.family.get(person.pk):
            weights.pop(ReferralSource.FAMILY)
        source = rng.choices(list(weights), list(weights.values()))[0]
        referral = Referral(
            scheme_id=person.scheme_id,
            person_id=person.pk,
            kind=kind,
            received_on=received,
            source=source,
            coordinator=self._coordinator(person),
        )
        maker = self.maker
        if source == ReferralSource.SOCIAL_WORKER:
            first, last = maker.staff_name()
            referral.referrer_name = f"{first} {last}"
            referral.referrer_organisation = maker.locale.council
            referral.referrer_phone = maker.landline()
            referral.referrer_email = maker.email(first, last)
        elif source == ReferralSource.HEALTH:
            first, last = maker.staff_name()
            referral.referrer_name = f"{first} {last}"
            referral.referrer_organisation = rng.choice(self.region.health)
            referral.referrer_phone = maker.landline()
            referral.referrer_email = maker.email(first, last)
        elif source == ReferralSource.FAMILY:
            name, relationship, phone = rng.choice(self.family[person.pk])
            referral.referrer_name = f"{name} ({relationship})"
            referral.referrer_phone = phone
        else:
            referral.referrer_name = person.full_name
            referral.referrer_phone = maker.mobile()
        return referral

    def _coordinator(self, person: Person) -> User | None:
        return self.staff_by_id.get(person.coordinator_id) or self.rng.choice(self.staff)

    def _details(self, story: Story, wanted_from: datetime.date | None = None) -> None:
        """What the referral says: filled in as far as its stage needs."""
        rng, referral, person = self.rng, story.referral, story.person
        name = person.preferred_name or person.first_name
        stages = [stage for stage, _ in story.path]
        relatives = [relation for _, relation, _ in self.family.get(person.pk, ()) if relation != "friend"]
        relation = relatives[0] if relatives else "family"
        why = rng.choice(WHY_BY_KIND[referral.kind]).format(name=name, relation=relation)
        referral.needs_summary = f"{person.support_needs} {why}".strip()
        risks = [rng.choice(RISKS[group]) for group in person.needs_groups if rng.random() < 0.7]
        referral.risks = " ".join(risks) or "None known."
        if len(stages) > 1 and stages[1] == R.ASSESSMENT_VISIT and story.name != "visit booked":
            # Held a few days after it was booked, and before the next move.
            booked = story.path[1][1]
            before = story.path[2][1] if len(stages) > 2 else self.today
            visit = min(booked + self.days(3, 7), before - DAY)
            referral.assessment_visit_on = max(visit, booked)
        if R.MATCHING in stages or rng.random() < 0.6:
            referral.funder = rng.choices(
                list(FUNDERS[referral.kind]), list(FUNDERS[referral.kind].values())
            )[0]
        low, high = ALLOCATION[referral.kind]
        referral.indicative_allocation = Decimal(rng.randrange(low, high + 1, 5))
        if {R.INTRODUCTIONS, R.ARRANGEMENT_STARTED} & set(stages) or (
            R.MATCHING in stages and rng.random() < 0.5
        ):
            # After support planning; sometimes more, sometimes less than first indicated.
            change = rng.choice((0, 0, 0, -15, -10, -5, 5, 10, 20))
            referral.agreed_amount = referral.indicative_allocation * (100 + change) / 100
            referral.agreed_amount = referral.agreed_amount.quantize(Decimal("1"))
        if referral.kind in (K.LIVE_IN, K.HOME_FROM_HOSPITAL, K.EMERGENCY):
            referral.wanted_from = wanted_from or story.path[0][1] + self.days(30, 90)
        if rng.random() < 0.12:
            miles = rng.choice((8, 10, 12, 15))
            referral.max_distance_miles = miles
            referral.notes = NEAR_FAMILY.format(miles=miles)
        if story.name == "received" and rng.random() < 0.5:
            referral.coordinator = None  # not yet allocated

    def reason(self, story: Story, frm: str, to: str) -> str:
        """Why the referral moved from ``frm`` to ``to``, in words."""
        person, referral = story.person, story.referral
        name = person.preferred_name or person.first_name
        if not frm:
            # As placements.services.receive_referral puts it.
            return received_reason(referral)
        if to == R.ARRANGEMENT_STARTED:
            # As placements.services.start_arrangement puts it.
            arrangement = story.arrangement
            return (
                f"{person} started {arrangement.get_kind_display().lower()} with {story.carer_name} on "
                f"{arrangement.start_date:%-d %b %Y}."
            )
        carer_name = story.carer_name or "the carer"
        visit = referral.assessment_visit_on
        if visit is None and R.ASSESSMENT_VISIT in [stage for stage, _ in story.path]:
            visit = story.entered(R.ASSESSMENT_VISIT) + 5 * DAY  # booked, not yet held
        template = self.rng.choice(MOVES[(frm, to)])
        return template.format(name=name, carer=carer_name, visit=f"{visit:%-d %b %Y}" if visit else "")


def story_specs(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """``count`` (story, kind) pairs for a large scheme."""
    names = rng.choices(list(STORY_WEIGHTS), list(STORY_WEIGHTS.values()), k=count)
    kinds = rng.choices(list(STORY_KINDS), list(STORY_KINDS.values()), k=count)
    return list(zip(names, kinds, strict=True))
