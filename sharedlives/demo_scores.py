"""How the demo scores a carer for a person, and which carers the hard rules
leave out: the matching page's rules and weights (``placements.matching``),
worked out from the records in memory so that a large scheme needs no query
for each carer. A proposal keeps the score and its reasons as they were."""

import datetime
import math
from dataclasses import dataclass

from carers.models import Carer, Smoking
from people.models import Person, SmokingPreference
from placements.matching import PEOPLE_WITH, describe_distance, full_years
from placements.models import MatchingSettings

EARTH_RADIUS_MILES = 3958.8


@dataclass
class Facts:
    """What matching weighs about one household, from the records in memory."""

    carer: Carer
    approved_on: datetime.date
    left_on: datetime.date | None
    kinds: set
    needs: set
    pets: set
    step_free: bool
    own_bathroom: bool
    location: tuple[float, float] | None
    # Whom they have supported: (start, the person's needs groups) of each arrangement.
    supported: list[tuple[datetime.date, set]]
    full: bool  # supporting as many people now as they are approved for


def miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    half = (
        math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(half))


def listed(items: list[str]) -> str:
    """'a, b and c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def reason(text: str, points: int) -> str:
    """As placements.matching.Reason prints one part of a score."""
    return f"{text[0].upper()}{text[1:]} ({points} point{'s' if points != 1 else ''})"


def score(
    facts: Facts, person: Person, location, on: datetime.date, s: MatchingSettings
) -> tuple[int, list[str]]:
    """The score and its reasons on ``on``, as the matching page gives them."""
    parts = []
    shared = [i for i in person.interests if i in facts.carer.interests]
    if shared:
        points = min(len(shared) * s.points_per_shared_interest, s.most_interest_points)
        noun = "an interest" if len(shared) == 1 else f"{len(shared)} interests"
        parts.append((f"shares {noun}: {', '.join(shared)}", points))
    spoken = [lang for lang in person.languages if lang != "English" and lang in facts.carer.languages]
    if spoken:
        parts.append((f"speaks {listed(spoken)}", s.points_for_language))
    if person.faith and person.faith == facts.carer.faith and person.faith != "No religion":
        parts.append((f"shares the person's faith or belief: {facts.carer.faith}", s.points_for_faith))
    since = {}
    for started, groups in facts.supported:
        for group in groups & set(person.needs_groups) if started <= on else ():
            since[group] = min(since.get(group, started), started)
    spans = sorted(((full_years(day, on), group) for group, day in since.items()), reverse=True)
    said = [f"{PEOPLE_WITH[group]} for {y} year{'s' if y != 1 else ''}" for y, group in spans if y >= 1]
    if said:
        points = min(spans[0][0] * s.points_per_year_of_experience, s.most_experience_points)
        parts.append((f"has supported {listed(said)}", points))
    if location and facts.location:
        distance = miles(location, facts.location)
        points = round(s.points_for_nearby * (1 - distance / s.max_distance_miles))
        if points > 0:
            parts.append((f"{describe_distance(distance).lower()} away", points))
    if facts.own_bathroom:
        parts.append(("has a room with its own bathroom", s.points_for_own_bathroom))
    return sum(points for _, points in parts), [reason(text, points) for text, points in parts]


def suits(facts: Facts, person: Person, kind: str, on: datetime.date, location, s: MatchingSettings) -> bool:
    """The hard rules the matching page applies, as far as the records in memory say."""
    if facts.approved_on >= on or (facts.left_on and facts.left_on < on) or kind not in facts.kinds:
        return False
    if facts.full:
        return False
    if not set(person.needs_groups) <= facts.needs or set(person.pets_to_avoid) & facts.pets:
        return False
    if person.wheelchair_user and not facts.step_free:
        return False
    if person.smoking_preference == SmokingPreference.SMOKE_FREE and facts.carer.smoking != Smoking.NO_ONE:
        return False
    far = location and facts.location and miles(location, facts.location) > s.max_distance_miles
    return not far
