"""Ranking a scheme's carers for a referral.

- Each hard rule is a condition on the carer's row and their terms in force
  on the start (``t``); sets of carers a rule needs (no place free, an
  animal, a room) are worked out once for the whole statement and hashed.
- Each part of the score is an expression on the carer's row, and the score
  is their sum.
- One statement (``sql.ranking``) puts the rules and the score to every
  candidate: how many each rule leaves out, the shortlist's order and, by
  name, the carers left out with the rules that leave them out. The rows of
  a page are then read by their ids, with their distance and the parts of
  their score (``sql.rows``), so nothing is worked out for a carer twice
  however many lists the page shows.

Capacity, for a stay (live-in, home from hospital, emergency) or short
breaks: on no night wanted may the people staying (stays of those kinds and
booked short breaks), plus the person, be more than the terms in force that
night allow. For day support: during each weekly session wanted, the people
the carer already supports in day sessions that overlap it (the same day,
overlapping hours, an open day-support arrangement), plus the person, must
not be more than the carer is approved for; people who live with the carer
are not counted against day sessions."""

import datetime
import math
from dataclasses import dataclass

from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateRange
from django.db.models import Q, QuerySet

from carers.models import ApprovalTerms, Carer, CarerStatus, Smoking
from people.models import SmokingPreference
from placements.matching import sql, words
from placements.models import (
    OPEN_STATUSES,
    STAYING_KINDS,
    ArrangementStatus,
    BookingStatus,
    MatchingSettings,
    PostcodeLocation,
    Referral,
)
from sharedlives.choices import ArrangementKind
from sharedlives.dates import add_months

# Carers who may be matched, and suspended ones: the coordinator sees that a
# suspended carer is there, and why they are left out.
CANDIDATE_STATUSES = (CarerStatus.APPROVED, CarerStatus.SUSPENDED)

# The hard rules, in the order the page gives them.
RULES = (
    "suspended",
    "no_terms",
    "kind",
    "needs",
    "probation",
    "capacity",
    "away",
    "pets",
    "wheelchair",
    "smoking",
    "distance",
)


def years_before(day: datetime.date, years: int) -> datetime.date:
    return add_months(day, -12 * years)


def _points_if(condition: str, points: str) -> str:
    return f"CASE WHEN {condition} THEN {points} ELSE 0 END"


@dataclass
class _Found:
    """What the ranking statement found (see ``sql.ranking``)."""

    counts: dict
    shortlist: list[int]
    left_out: list[int]
    left_out_by: list[int]  # the bits of the rules that leave each of ``left_out`` out


class RankedCarers:
    """Carers in the ranking's order, read from the database a slice at a
    time (``read`` takes the slice): ``paginate`` takes it as it would a
    queryset whose length is known, and asks only for the rows of its page."""

    def __init__(self, count: int, read):
        self._count, self._read = count, read

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._read(index)
        return self._read(slice(index, index + 1))[0]

    def __iter__(self):
        return iter(self._read(slice(None)))


class Ranking:
    """The carers of a referral's scheme, ranked for it on ``today``.

    ``counts()``, ``shortlist()`` and ``excluded()`` share one statement;
    ``shortlist()`` and ``excluded()`` are ``RankedCarers`` to paginate, and
    each slice of them is one query. ``explain_shortlist`` and
    ``explain_excluded`` put the rows of a page into words. Select the
    referral's ``person`` and ``scheme``, and prefetch the ``wanted_stays``
    of short breaks or the ``wanted_sessions`` of day support."""

    def __init__(self, referral: Referral, today: datetime.date):
        self.referral = referral
        self.person = referral.person
        self.today = today
        self.settings = MatchingSettings.for_scheme(referral.scheme)
        self.max_distance = referral.max_distance_miles or self.settings.max_distance_miles
        self.kind = referral.kind
        self.stays = self._wanted_stays()
        self.sessions = (
            list(referral.wanted_sessions.all()) if self.kind == ArrangementKind.DAY_SUPPORT else []
        )
        self.start = self._start()
        self.needs = list(self.person.needs_groups)
        self.interests = [interest.lower() for interest in self.person.interests]
        # English is the scheme's working language: sharing it tells carers apart
        # no more than sharing the weather does. Another language counts.
        self.languages = [
            language.lower() for language in self.person.languages if language.lower() != "english"
        ]
        self.faith = self.person.faith.strip()
        self.postcode = self.person.postcode
        self.location = (
            PostcodeLocation.objects.filter(postcode=self.postcode).first() if self.postcode else None
        )
        self.params = {
            "scheme": self.referral.scheme_id,
            "person": self.person.pk,
            "start": self.start,
            "candidate_statuses": [str(status) for status in CANDIDATE_STATUSES],
            "referral": self.referral.pk,
        }
        self._ctes = {"terms": sql.terms_in_force()}
        self._joins: list[str] = []
        self._box = False
        if self.location is not None:
            to = (float(self.location.latitude), float(self.location.longitude))
            self.params.update(sql.haversine_params(to))
            box = sql.surely_further_params(to, self.max_distance)
            self.params.update(box or {})
            self._box = box is not None
        self._rules = self._hard_rules()
        self._parts = self._score_parts()
        self._found_rows: _Found | None = None

    # What is wanted --------------------------------------------------------

    def _wanted_stays(self) -> list[DateRange]:
        """The short breaks wanted that are still to come, as '[)' ranges of nights."""
        if self.kind != ArrangementKind.SHORT_BREAKS:
            return []
        return [
            DateRange(max(stay.dates.lower, self.today), stay.dates.upper, "[)")
            for stay in self.referral.wanted_stays.all()
            if stay.dates.upper > self.today
        ]

    def _start(self) -> datetime.date:
        """The day the terms must be in force: the first day wanted, or
        today if that has passed or was not given."""
        wanted = min(stay.lower for stay in self.stays) if self.stays else self.referral.wanted_from
        return max(wanted or self.today, self.today)

    def _periods(self) -> list[DateRange]:
        """The nights the person would stay, for the capacity rule."""
        if self.kind == ArrangementKind.SHORT_BREAKS:
            return self.stays
        if self.kind in STAYING_KINDS:
            until = self.referral.wanted_until
            return [DateRange(self.start, until, "[)")] if until is None or until > self.start else []
        return []

    def away_on_wanted_nights(self) -> Q:
        """Dates away that fall on a night of a short break wanted."""
        away = Q()
        for stay in self.stays:
            away |= Q(starts_on__lt=stay.upper, ends_on__gte=stay.lower)
        return away

    def terms_of(self, ids) -> QuerySet:
        """The terms in force on the start of the carers ``ids``, latest first."""
        in_force = Q(starts_on__lte=self.start) & (Q(ends_on__isnull=True) | Q(ends_on__gte=self.start))
        return ApprovalTerms.objects.filter(in_force, carer_id__in=ids).order_by(
            "carer_id", "-starts_on", "-pk"
        )

    # The rules ----------------------------------------------------------------

    def _hard_rules(self) -> dict[str, str]:
        """Each rule that applies to this referral, as a condition on the
        carer ``c`` and their terms in force ``t`` that leaves them out."""
        person, params = self.person, self.params
        params.update(
            suspended=str(CarerStatus.SUSPENDED),
            kind=self.kind,
            open_statuses=[str(status) for status in OPEN_STATUSES],
            probation_most=self.settings.probation_max_people,
        )
        rules = {
            "suspended": "c.status = %(suspended)s",
            "no_terms": "t.carer_id IS NULL",
            "kind": "NOT t.kinds @> ARRAY[%(kind)s]::varchar[]",
        }
        if self.needs:
            params["needs"] = self.needs
            rules["needs"] = "NOT t.needs_groups @> %(needs)s::varchar[]"
        # Counted only for the few on probation.
        rules["probation"] = f"""CASE WHEN t.probation_ends_on > %(start)s THEN (
            SELECT count(DISTINCT a.person_id) FROM {sql.ARRANGEMENTS} a
            WHERE a.carer_id = c.id AND a.status = ANY(%(open_statuses)s) AND a.person_id <> %(person)s
        ) >= %(probation_most)s ELSE false END"""  # nosec B608
        periods = self._periods()
        if periods:
            uppers = [period.upper for period in periods]
            params.update(
                staying_kinds=[str(kind) for kind in STAYING_KINDS],
                booked=BookingStatus.BOOKED.value,
                period_starts=[period.lower.isoformat() for period in periods],
                period_ends=[upper.isoformat() if upper else "infinity" for upper in uppers],
                span_start=min(period.lower for period in periods),
                span_end="infinity" if None in uppers else max(uppers).isoformat(),
            )
            self._ctes["no_place_on_nights"] = sql.no_place_on_nights(len(periods))
            self._joins.append("LEFT JOIN no_place_on_nights np ON np.carer_id = c.id")
            rules["capacity"] = "np.most >= t.max_people OR np.full_later"
        elif self.sessions:
            params.update(
                day_support=ArrangementKind.DAY_SUPPORT.value,
                session_days=[session.weekday for session in self.sessions],
                session_starts=[session.starts_at for session in self.sessions],
                session_ends=[session.ends_at for session in self.sessions],
            )
            self._ctes["busy_at_sessions"] = sql.busy_at_sessions()
            rules["capacity"] = "c.id IN (SELECT carer_id FROM busy_at_sessions)"
        if self.stays:
            params.update(
                away_from=[stay.lower for stay in self.stays], away_until=[stay.upper for stay in self.stays]
            )
            rules["away"] = f"""c.id IN (
                SELECT u.carer_id FROM {sql.UNAVAILABILITY} u
                  JOIN unnest(%(away_from)s::date[], %(away_until)s::date[]) AS w(lower, upper)
                  ON u.starts_on < w.upper AND u.ends_on >= w.lower
            )"""  # nosec B608
        if person.pets_to_avoid:
            params["pets"] = list(person.pets_to_avoid)
            rules["pets"] = f"c.id IN (SELECT carer_id FROM {sql.PETS} WHERE kind = ANY(%(pets)s))"  # nosec B608
        if person.wheelchair_user:
            rules["wheelchair"] = (
                f"NOT c.id IN (SELECT carer_id FROM {sql.ROOMS} WHERE ground_floor AND step_free)"  # nosec B608
            )
        if person.smoking_preference == SmokingPreference.SMOKE_FREE:
            params["no_one_smokes"] = Smoking.NO_ONE.value
            rules["smoking"] = "c.smoking <> %(no_one_smokes)s"
        if self.location is not None:
            # An unknown distance is never too far.
            params["max_distance"] = float(self.max_distance)
            rules["distance"] = "c.distance > %(max_distance)s"
        return rules

    # The score -------------------------------------------------------------

    def _score_parts(self) -> dict[str, str]:
        """Each part of the score that can earn points for this person, on the carer ``c``."""
        s, params = self.settings, self.params
        parts = {}
        if self.interests and s.points_per_shared_interest and s.most_interest_points:
            params.update(
                interest_points=s.points_per_shared_interest, most_interest_points=s.most_interest_points
            )
            shared = " + ".join(_points_if(self._has_interest(i), "1") for i in range(len(self.interests)))
            parts["interests"] = f"least(({shared}) * %(interest_points)s, %(most_interest_points)s)"
        if self.languages and s.points_for_language:
            params.update(languages=self.languages, language_points=s.points_for_language)
            parts["language"] = _points_if(
                "ARRAY(SELECT lower(spoken) FROM unnest(c.languages) AS spoken) && %(languages)s::text[]",
                "%(language_points)s",
            )
        if self.faith and s.points_for_faith:
            # As Django's iexact, which the score was first written with, prepares its value.
            params.update(
                faith=connection.ops.prep_for_iexact_query(self.faith), faith_points=s.points_for_faith
            )
            parts["faith"] = _points_if("upper(c.faith::text) = upper(%(faith)s)", "%(faith_points)s")
        if self.needs and s.points_per_year_of_experience and s.most_experience_points:
            parts["experience"] = self._experience_points()
        if self.postcode and (s.points_for_nearby or s.points_for_same_district or s.points_for_same_area):
            parts["nearby"] = self._nearby_points()
        if s.points_for_own_bathroom:
            params["bathroom_points"] = s.points_for_own_bathroom
            parts["bathroom"] = _points_if(
                f"EXISTS (SELECT FROM {sql.ROOMS} r WHERE r.carer_id = c.id AND r.own_bathroom)",  # nosec B608
                "%(bathroom_points)s",
            )
        return parts

    def _has_interest(self, i: int) -> str:
        self.params[f"interest_{i}"] = self.interests[i]
        return f"c.interests @> ARRAY[%(interest_{i})s]::varchar[]"

    def _first_supported(self) -> str:
        """For the words: the day the carer ``c`` first supported someone of
        each of the person's needs groups, in the arrangements that earn
        experience points, as JSON ``{group: day}``."""
        return f"""(
            SELECT json_object_agg(needs_group, since) FROM (
                SELECT needs_group, min(a.start_date) AS since
                FROM {sql.ARRANGEMENTS} a JOIN {sql.PEOPLE} p ON p.id = a.person_id
                  CROSS JOIN unnest(p.needs_groups) AS needs_group
                WHERE a.carer_id = c.id AND a.start_date <= %(today)s
                  AND a.status = ANY(%(experience_statuses)s) AND needs_group = ANY(%(needs)s::varchar[])
                GROUP BY needs_group
            ) firsts
        )"""  # nosec B608

    def _experience_points(self) -> str:
        """Points for each whole year since the carer first supported
        someone who shares one of the person's needs groups, worked out from
        that first arrangement (read from ``arrangement_carer_start_idx``),
        for the carers on the shortlist only."""
        s, params = self.settings, self.params
        years = math.ceil(s.most_experience_points / s.points_per_year_of_experience)
        params.update(
            needs=self.needs,
            today=self.today,
            experience_statuses=[str(ArrangementStatus.CURRENT), str(ArrangementStatus.ENDED)],
            year_points=s.points_per_year_of_experience,
            most_experience_points=s.most_experience_points,
        )
        steps = []
        for year in range(1, years + 1):
            params[f"years_before_{year}"] = years_before(self.today, year)
            steps.append(_points_if(f"a.start_date <= %(years_before_{year})s", "%(year_points)s"))
        return f"""coalesce((
            SELECT least({" + ".join(steps)}, %(most_experience_points)s)
            FROM {sql.ARRANGEMENTS} a JOIN {sql.PEOPLE} p ON p.id = a.person_id
            WHERE p.needs_groups && %(needs)s::varchar[] AND a.start_date <= %(today)s
              AND a.status = ANY(%(experience_statuses)s) AND a.carer_id = c.id
            ORDER BY a.start_date LIMIT 1
        ), 0)"""  # nosec B608

    def _nearby_points(self) -> str:
        """Full points next door, falling to none at the furthest distance
        (the shortlist holds nobody further); where the distance is unknown,
        points for the same postcode district or area."""
        s, params = self.settings, self.params
        district, area = words.postcode_district(self.postcode), words.postcode_area(self.postcode)
        params.update(
            same_district=connection.ops.prep_for_like_query(f"{district} ") + "%",
            same_area=rf"^{area}[0-9]",
            district_points=s.points_for_same_district,
            area_points=s.points_for_same_area,
            nearby_points=float(s.points_for_nearby),
            furthest=float(self.max_distance),
        )
        same_place = """CASE WHEN c.postcode::text LIKE %(same_district)s THEN %(district_points)s
            WHEN c.postcode::text ~ %(same_area)s THEN %(area_points)s ELSE 0 END"""
        if self.location is None:
            return same_place
        closeness = "(1.0::float8 - c.distance / %(furthest)s)"
        return (
            f"coalesce(round((%(nearby_points)s * {closeness})::numeric(1000, 15), 0)::integer, {same_place})"
        )

    def _shared_interests(self) -> str:
        """The person's interests the carer shares, as an array, in the person's order."""
        if not self.interests:
            return "ARRAY[]::varchar[]"
        picks = ", ".join(
            f"CASE WHEN {self._has_interest(i)} THEN %(interest_{i})s::varchar END"
            for i in range(len(self.interests))
        )
        return f"array_remove(ARRAY[{picks}]::varchar[], NULL)"

    def _score(self) -> str:
        return " + ".join(f"({part})" for part in self._parts.values()) or "0"

    # The statements ----------------------------------------------------------

    @property
    def rules(self) -> list[str]:
        """The codes of the rules that apply to this referral, in order."""
        return [code for code in RULES if code in self._rules]

    @property
    def parts(self) -> list[str]:
        """The names of the parts of the score that apply, in order."""
        return list(self._parts)

    def _distance(self, *, far: bool = False) -> str:
        return sql.carer_distance("c", known=self.location is not None, far=far and self._box)

    def _found(self) -> _Found:
        """The ranking statement's answer, read once."""
        if self._found_rows is None:
            rules = self.rules
            statement = sql.ranking(
                ctes=self._ctes,
                joins=self._joins,
                distance=self._distance(far=True),
                rules=[self._rules[code] for code in rules],
                score=self._score(),
            )
            with connection.cursor() as cursor:
                cursor.execute(statement, self.params)
                (carers, *by_rule), shortlist, left_out, left_out_by = cursor.fetchone()
            shortlist, left_out = shortlist or [], left_out or []
            counts = {"carers": carers, "shortlisted": len(shortlist), "excluded": len(left_out)}
            self._found_rows = _Found(
                counts=counts | dict(zip(rules, by_rule, strict=True)),
                shortlist=shortlist,
                left_out=left_out,
                left_out_by=left_out_by or [],
            )
        return self._found_rows

    def _read(self, ids: list[int], columns: dict[str, str]) -> list[Carer]:
        """The carers ``ids`` in that order, each with ``distance`` and ``columns``."""
        if not ids:
            return []
        statement = sql.rows(distance=self._distance(), columns=columns)
        found = {carer.pk: carer for carer in Carer.objects.raw(statement, self.params | {"ids": list(ids)})}
        return [found[carer_id] for carer_id in ids]

    def _shortlist_rows(self, which: slice) -> list[Carer]:
        columns = {f"points_{name}": part for name, part in self._parts.items()}
        columns |= {
            "shared_interests": self._shared_interests(),
            "score": self._score(),
            "proposed_on": f"""(
                SELECT p.proposed_on FROM {sql.PROPOSALS} p
                WHERE p.referral_id = %(referral)s AND p.carer_id = c.id
            )""",  # nosec B608
        }
        if "experience" in self._parts:
            columns["first_supported"] = self._first_supported()
        return self._read(self._found().shortlist[which], columns)

    def _excluded_rows(self, which: slice) -> list[Carer]:
        found = self._found()
        carers = self._read(found.left_out[which], {})
        for carer, bits in zip(carers, found.left_out_by[which], strict=True):
            for bit, code in enumerate(self.rules):
                setattr(carer, f"rule_{code}", bool(bits & 1 << bit))
        return carers

    def counts(self) -> dict:
        """How many carers are shortlisted and left out, and how many each
        rule leaves out. Keys: "carers", "shortlisted", "excluded" and each
        rule's code."""
        return dict(self._found().counts)

    def shortlist(self) -> RankedCarers:
        """The carers no rule leaves out, best first, each with ``score``,
        its parts (``points_<part>``), ``shared_interests`` and ``distance``."""
        return RankedCarers(len(self._found().shortlist), self._shortlist_rows)

    def excluded(self) -> RankedCarers:
        """The carers one rule or more leaves out, by name, with ``distance``
        and a flag ``rule_<code>`` for each rule, true where it leaves them out."""
        return RankedCarers(len(self._found().left_out), self._excluded_rows)

    # Words, for the rows of a page ----------------------------------------

    def rule_labels(self) -> dict[str, str]:
        return words.rule_labels(self)

    def explain_shortlist(self, carers) -> list[words.Match]:
        return words.explain_shortlist(self, carers)

    def explain_excluded(self, carers) -> list[words.Exclusion]:
        return words.explain_excluded(self, carers)

    def match_for(self, carer: Carer) -> "words.Match | words.Exclusion | None":
        """Where ``carer`` stands: on the shortlist, left out, or not a
        candidate at all (None: neither approved nor suspended)."""
        found = self._found()
        if carer.pk in found.left_out:
            return self.explain_excluded([self.excluded()[found.left_out.index(carer.pk)]])[0]
        if carer.pk in found.shortlist:
            return self.explain_shortlist([self.shortlist()[found.shortlist.index(carer.pk)]])[0]
        return None


def rank_carers(referral: Referral, today: datetime.date) -> Ranking:
    """The scheme's carers ranked for ``referral`` on ``today`` (see ``Ranking``)."""
    return Ranking(referral, today)
