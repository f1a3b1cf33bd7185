"""Matching in words: why a carer was left out, and every point of a score.

Built only for the rows on a page, from the values the ranking's queries
put on each row and a fixed number of queries for that page's carers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from carers.models import Carer, Pet, Unavailability
from sharedlives.choices import ArrangementKind, NeedsGroup, PetKind
from sharedlives.dates import add_months

if TYPE_CHECKING:
    from placements.matching.ranking import Ranking

# "people with ...", for each needs group.
PEOPLE_WITH = {
    NeedsGroup.LEARNING_DISABILITY: "people with a learning disability",
    NeedsGroup.AUTISM: "people with autism",
    NeedsGroup.MENTAL_HEALTH: "people with mental ill-health",
    NeedsGroup.DEMENTIA: "people with dementia",
    NeedsGroup.PHYSICAL: "people with a physical impairment",
    NeedsGroup.SENSORY: "people with a sensory impairment",
    NeedsGroup.OLDER_PERSON: "older people",
}


def _day(day: datetime.date) -> str:
    return f"{day:%-d %b %Y}"


def _count(n: int, noun: str, plural: str = "") -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _and(items: list[str], word: str = "and") -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def full_years(since: datetime.date, today: datetime.date) -> int:
    """Whole years from ``since`` to ``today``, as the score counts them."""
    years = today.year - since.year
    while years > 0 and since > add_months(today, -12 * years):
        years -= 1
    return max(years, 0)


def postcode_district(postcode: str) -> str:
    """'LS6 2AB' -> 'LS6'."""
    return postcode.split(" ")[0]


def postcode_area(postcode: str) -> str:
    """'LS6 2AB' -> 'LS'."""
    district = postcode_district(postcode)
    return district[: len(district) - len(district.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))]


def describe_distance(miles: float | None) -> str:
    """E.g. "4 miles", "Less than a mile", "Not known"."""
    if miles is None:
        return "Not known"
    if miles < 1:
        return "Less than a mile"
    return _count(round(miles), "mile")


@dataclass
class Reason:
    """One part of a score, in words, with its points."""

    text: str
    points: int

    def __str__(self):
        return f"{self.text[0].upper()}{self.text[1:]} ({_count(self.points, 'point')})"


@dataclass
class Match:
    """A carer on the shortlist, with their score explained."""

    carer: Carer
    score: int
    reasons: list[Reason]
    distance: float | None
    proposed_on: datetime.date | None = None

    @property
    def distance_text(self) -> str:
        return describe_distance(self.distance)

    @property
    def snapshot(self) -> list[str]:
        """The reasons as a proposal keeps them."""
        return [str(reason) for reason in self.reasons]


@dataclass
class Exclusion:
    """A carer left out, with each rule that left them out, in words."""

    carer: Carer
    rules: list[str]
    reasons: list[str] = field(default_factory=list)
    distance: float | None = None

    @property
    def distance_text(self) -> str:
        return describe_distance(self.distance)


# The shortlist ---------------------------------------------------------------


def explain_shortlist(ranking: Ranking, carers) -> list[Match]:
    """A page of ``ranking.shortlist()`` in words. Each row comes with
    ``proposed_on`` and, where experience scores, ``first_supported``: the
    day the carer first supported someone of each of the person's needs
    groups (``{group: "YYYY-MM-DD"}``)."""
    return [
        Match(
            carer=carer,
            score=carer.score,
            reasons=_score_reasons(ranking, carer, _first_supported(carer)),
            distance=carer.distance,
            proposed_on=carer.proposed_on,
        )
        for carer in carers
    ]


def _first_supported(carer) -> dict[str, datetime.date]:
    found = getattr(carer, "first_supported", None) or {}
    return {group: datetime.date.fromisoformat(day) for group, day in found.items()}


def _score_reasons(ranking: Ranking, carer, experience: dict[str, datetime.date]) -> list[Reason]:
    reasons = []

    def part(name: str) -> int:
        return getattr(carer, f"points_{name}", 0) or 0

    if points := part("interests"):
        shared = carer.shared_interests
        noun = "an interest" if len(shared) == 1 else f"{len(shared)} interests"
        reasons.append(Reason(f"shares {noun}: {', '.join(shared)}", points))
    if points := part("language"):
        theirs = {language.lower() for language in carer.languages}
        spoken = [language.title() for language in ranking.languages if language in theirs]
        reasons.append(Reason(f"speaks {_and(spoken)}", points))
    if points := part("faith"):
        faith = carer.faith.strip()
        reasons.append(Reason(f"shares the person's faith or belief: {faith[:1].upper()}{faith[1:]}", points))
    if points := part("experience"):
        spans = sorted(
            ((full_years(since, ranking.today), g) for g, since in experience.items()), reverse=True
        )
        said = [f"{PEOPLE_WITH[group]} for {_count(years, 'year')}" for years, group in spans if years >= 1]
        reasons.append(Reason(f"has supported {_and(said)}", points))
    if points := part("nearby"):
        district = postcode_district(ranking.postcode)
        if carer.distance is not None:
            reasons.append(Reason(f"{describe_distance(carer.distance).lower()} away", points))
        elif carer.postcode.startswith(f"{district} "):
            reasons.append(Reason(f"in the same postcode district ({district})", points))
        else:
            reasons.append(Reason(f"in the same postcode area ({postcode_area(ranking.postcode)})", points))
    if points := part("bathroom"):
        reasons.append(Reason("has a room with its own bathroom", points))
    return reasons


# The carers left out -----------------------------------------------------------


def rule_labels(ranking: Ranking) -> dict[str, str]:
    """What each rule that applies to the referral says, for the counts."""
    person = ranking.person
    labels = {
        "suspended": "Suspended",
        "no_terms": f"No terms of approval in force on {_day(ranking.start)}",
        "kind": f"Not approved for {ArrangementKind(ranking.kind).label.lower()}",
        "probation": "On probation, and already supporting as many people as the scheme allows",
        "capacity": "No place free at the times wanted"
        if ranking.sessions
        else "No place free on the nights wanted",
        "away": "Away on some of the nights wanted",
        "wheelchair": "No room both on the ground floor and step-free",
        "smoking": "Someone in the household smokes",
        "distance": f"Further away than {_count(ranking.max_distance, 'mile')}",
    }
    if ranking.needs:
        labels["needs"] = f"Not approved to support {_and([PEOPLE_WITH[g] for g in ranking.needs], 'or')}"
    if person.pets_to_avoid:
        animals = _and([PetKind(kind).label.lower() for kind in person.pets_to_avoid], "or")
        labels["pets"] = f"Has an animal {person.name} avoids ({animals})"
    return {code: labels[code] for code in ranking.rules}


def explain_excluded(ranking: Ranking, carers) -> list[Exclusion]:
    """A page of ``ranking.excluded()`` in words: up to three queries."""
    carers = list(carers)
    ids = [carer.pk for carer in carers]
    terms = {}  # each carer's latest terms in force on the start, as the rules take them
    for t in ranking.terms_of(ids):
        terms.setdefault(t.carer_id, t)
    pets: dict[int, list[Pet]] = {}
    if "pets" in ranking.rules:
        for pet in Pet.objects.filter(carer_id__in=ids, kind__in=ranking.person.pets_to_avoid):
            pets.setdefault(pet.carer_id, []).append(pet)
    away: dict[int, list[Unavailability]] = {}
    if "away" in ranking.rules:
        for gap in Unavailability.objects.filter(ranking.away_on_wanted_nights(), carer_id__in=ids):
            away.setdefault(gap.carer_id, []).append(gap)
    result = []
    for carer in carers:
        rules = [code for code in ranking.rules if getattr(carer, f"rule_{code}")]
        facts = {"terms": terms.get(carer.pk), "pets": pets.get(carer.pk, []), "away": away.get(carer.pk, [])}
        reasons = [_exclusion_reason(ranking, code, carer, **facts) for code in rules]
        result.append(Exclusion(carer=carer, rules=rules, reasons=reasons, distance=carer.distance))
    return result


def _exclusion_reason(ranking: Ranking, code: str, carer, *, terms, pets, away) -> str:
    name = ranking.person.name
    if code == "suspended":
        return "Suspended."
    if code == "no_terms":
        return f"No terms of approval in force on {_day(ranking.start)}."
    if code == "kind":
        kinds = _and([label.lower() for label in terms.get_kinds_display()])
        return f"Not approved for {ArrangementKind(ranking.kind).label.lower()} (only {kinds})."
    if code == "needs":
        missing = [group for group in ranking.needs if group not in terms.needs_groups]
        return f"Not approved to support {_and([PEOPLE_WITH[g] for g in missing], 'or')}."
    if code == "probation":
        most = _count(ranking.settings.probation_max_people, "person", "people")
        return (
            f"On probation until {_day(terms.probation_ends_on)}, and already supporting "
            f"as many people as the scheme allows until then ({most})."
        )
    if code == "capacity":
        allowed = f"approved for {_count(terms.max_people, 'person', 'people')}" if terms else "no terms"
        when = "at the times wanted" if ranking.sessions else "on some of the nights wanted"
        return f"No place free {when} ({allowed})."
    if code == "away":
        spans = [f"{gap.note or 'away'}, {_day(gap.starts_on)} to {_day(gap.ends_on)}" for gap in away]
        return f"Away on some of the nights wanted ({'; '.join(spans)})."
    if code == "pets":
        animals = [f"{pet.get_kind_display().lower()}{f' ({pet.name})' if pet.name else ''}" for pet in pets]
        noun = "an animal" if len(animals) == 1 else "animals"
        return f"Has {noun} {name} is allergic to or afraid of: {_and(animals)}."
    if code == "wheelchair":
        return f"No room both on the ground floor and step-free, and {name} uses a wheelchair."
    if code == "smoking":
        return f"{carer.get_smoking_display()}, and {name} wants a smoke-free home."
    if code == "distance":
        allowed = _count(ranking.max_distance, "mile")
        return f"{describe_distance(carer.distance)} away: further than the {allowed} allowed."
    raise ValueError(code)
