"""The queries that rank a scheme's carers for a referral.

- Each hard rule is a set of carers found by a subquery that does not depend
  on the row (``id IN (SELECT carer_id ...)``): PostgreSQL builds each set
  once per query and hashes it, rather than searching once for each carer.
- Each part of the score is an expression over the carer's own columns or
  over such a set, and the score is their sum, so the shortlist is ordered
  and paginated in the database.

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
from functools import reduce
from operator import add, or_

from django.contrib.postgres.fields import ArrayField
from django.db.backends.postgresql.psycopg_any import DateRange
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least, Round

from carers.models import ApprovalTerms, Carer, CarerStatus, Pet, Room, Smoking, Unavailability
from people.models import SmokingPreference
from placements.matching import sql, words
from placements.models import (
    OPEN_STATUSES,
    STAYING_KINDS,
    Arrangement,
    ArrangementStatus,
    DaySession,
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


def _flag(condition: Q):
    return ExpressionWrapper(condition, output_field=BooleanField())


def _sum(parts):
    return ExpressionWrapper(reduce(add, parts), output_field=IntegerField()) if parts else Value(0)


def _points_if(condition: Q, points: int):
    return Case(When(condition, then=Value(points)), default=Value(0))


class Ranking:
    """The carers of a referral's scheme, ranked for it on ``today``.

    ``shortlist()`` and ``excluded()`` are querysets to paginate; ``counts()``
    is one query; ``explain_shortlist`` and ``explain_excluded`` put the rows
    of a page into words. Select the referral's ``person`` and ``scheme`` and
    prefetch its ``wanted_stays`` and ``wanted_sessions``."""

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
        self.terms = self._terms_in_force()
        self._rules = self._hard_rules()
        self._parts = self._score_parts()

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
        return reduce(or_, (Q(starts_on__lt=stay.upper, ends_on__gte=stay.lower) for stay in self.stays))

    # The sets the rules are made of ---------------------------------------

    def _in_force(self) -> Q:
        return Q(starts_on__lte=self.start) & (Q(ends_on__isnull=True) | Q(ends_on__gte=self.start))

    def _terms_in_force(self) -> QuerySet:
        """Each carer's terms in force on the start (the latest, should two overlap)."""
        later = ApprovalTerms.objects.filter(self._in_force(), carer=OuterRef("carer")).filter(
            Q(starts_on__gt=OuterRef("starts_on")) | Q(starts_on=OuterRef("starts_on"), pk__gt=OuterRef("pk"))
        )
        return (
            ApprovalTerms.objects.filter(self._in_force(), carer__scheme_id=self.referral.scheme_id)
            .exclude(Exists(later))
            .order_by()
        )

    def terms_of(self, ids) -> QuerySet:
        """The terms in force on the start of the carers ``ids``, latest first."""
        return ApprovalTerms.objects.filter(self._in_force(), carer_id__in=ids).order_by(
            "carer_id", "-starts_on", "-pk"
        )

    def _busy_at_sessions(self) -> Q:
        """Carers with no place free during one of the weekly sessions wanted."""
        allowed = (
            ApprovalTerms.objects.filter(self._in_force(), carer_id=OuterRef("arrangement__carer_id"))
            .order_by("-starts_on", "-pk")
            .values("max_people")[:1]
        )
        busy_sets = []
        for session in self.sessions:
            busy = (
                DaySession.objects.filter(
                    weekday=session.weekday,
                    starts_at__lt=session.ends_at,
                    ends_at__gt=session.starts_at,
                    arrangement__kind=ArrangementKind.DAY_SUPPORT,
                    arrangement__status__in=OPEN_STATUSES,
                    arrangement__scheme_id=self.referral.scheme_id,
                )
                .filter(Q(arrangement__end_date__isnull=True) | Q(arrangement__end_date__gt=self.start))
                .exclude(arrangement__person=self.person)
                .values("arrangement__carer_id")
                .annotate(people=Count("arrangement__person", distinct=True))
                .filter(people__gte=Subquery(allowed))
                .values("arrangement__carer_id")
            )
            busy_sets.append(Q(pk__in=busy))
        return reduce(or_, busy_sets)

    def _found_once(self, carers: Q) -> Q:
        """The candidates ``carers`` picks out, found now in one query and
        then given to the ranking's queries as a list of ids. Each of those
        queries (the counts, the shortlist, the carers left out) would
        otherwise work the set out again, some twice: for the terms in force
        (read by four rules) and the places free on the nights wanted, that
        was most of a matching page's time at 10,000 households."""
        candidates = Carer.objects.filter(scheme_id=self.referral.scheme_id, status__in=CANDIDATE_STATUSES)
        return Q(pk__in=sql.ids(list(candidates.filter(carers).values_list("pk", flat=True))))

    def _distance(self):
        """Miles from the person's postcode to the carer's home (the carer's
        own coordinates, else their postcode's); None where either is unknown."""
        if self.location is None:
            return Value(None, output_field=FloatField())
        to = (float(self.location.latitude), float(self.location.longitude))
        by_postcode = (
            PostcodeLocation.objects.filter(postcode=OuterRef("postcode"))
            .annotate(miles=sql.haversine(F("latitude"), F("longitude"), to))
            .values("miles")[:1]
        )
        return Case(
            When(latitude__isnull=False, then=sql.haversine(F("latitude"), F("longitude"), to)),
            default=Subquery(by_postcode, output_field=FloatField()),
            output_field=FloatField(),
        )

    def _hard_rules(self) -> dict[str, Q]:
        """Each rule that applies to this referral, as the carers it leaves out."""
        person = self.person
        found_once = self._found_once
        rules = {
            "suspended": Q(status=CarerStatus.SUSPENDED),
            "no_terms": found_once(~Q(pk__in=self.terms.values("carer_id"))),
            "kind": found_once(Q(pk__in=self.terms.exclude(kinds__contains=[self.kind]).values("carer_id"))),
        }
        if self.needs:
            rules["needs"] = found_once(
                Q(pk__in=self.terms.exclude(needs_groups__contains=self.needs).values("carer_id"))
            )
        on_probation = self.terms.filter(probation_ends_on__gt=self.start).values("carer_id")
        at_probation_limit = (
            Arrangement.objects.open()
            .exclude(person=person)
            .values("carer_id")
            .annotate(people=Count("person", distinct=True))
            .filter(people__gte=self.settings.probation_max_people)
            .values("carer_id")
        )
        rules["probation"] = found_once(Q(pk__in=on_probation) & Q(pk__in=at_probation_limit))
        periods = self._periods()
        if periods:
            rules["capacity"] = found_once(
                Q(pk__in=sql.over_capacity(periods, self.person.pk, self.referral.scheme_id))
            )
        elif self.sessions:
            rules["capacity"] = self._busy_at_sessions()
        if self.stays:
            rules["away"] = Q(
                pk__in=Unavailability.objects.filter(self.away_on_wanted_nights()).values("carer_id")
            )
        if person.pets_to_avoid:
            rules["pets"] = Q(pk__in=Pet.objects.filter(kind__in=person.pets_to_avoid).values("carer_id"))
        if person.wheelchair_user:
            rules["wheelchair"] = ~Q(
                pk__in=Room.objects.filter(ground_floor=True, step_free=True).values("carer_id")
            )
        if person.smoking_preference == SmokingPreference.SMOKE_FREE:
            rules["smoking"] = ~Q(smoking=Smoking.NO_ONE)
        if self.location is not None:
            rules["distance"] = Q(too_far=True)
        return rules

    # The score -------------------------------------------------------------

    def _score_parts(self) -> dict:
        """Each part of the score that can earn points for this person."""
        s = self.settings
        parts = {}
        if self.interests and s.points_per_shared_interest and s.most_interest_points:
            shared = _sum([_points_if(Q(interests__contains=[i]), 1) for i in self.interests])
            parts["interests"] = Least(
                shared * Value(s.points_per_shared_interest), Value(s.most_interest_points)
            )
        if self.languages and s.points_for_language:
            parts["language"] = _points_if(Q(sql.speaks_any(self.languages)), s.points_for_language)
        if self.faith and s.points_for_faith:
            parts["faith"] = _points_if(Q(faith__iexact=self.faith), s.points_for_faith)
        if self.needs and s.points_per_year_of_experience and s.most_experience_points:
            parts["experience"] = self._experience_points()
        if self.postcode and (s.points_for_nearby or s.points_for_same_district or s.points_for_same_area):
            parts["nearby"] = self._nearby_points()
        if s.points_for_own_bathroom:
            with_bathroom = Room.objects.filter(own_bathroom=True).values("carer_id")
            parts["bathroom"] = _points_if(Q(pk__in=with_bathroom), s.points_for_own_bathroom)
        return parts

    def experience(self) -> QuerySet:
        """Past and current arrangements with people who share a needs group with the person."""
        return Arrangement.objects.filter(
            status__in=(ArrangementStatus.CURRENT, ArrangementStatus.ENDED),
            start_date__lte=self.today,
            person__needs_groups__overlap=self.needs,
        )

    def _experience_points(self):
        """Points for each whole year since the carer first supported
        someone who shares one of the person's needs groups, worked out from
        that first arrangement: one lookup for each carer (by its
        arrangements), where a set of carers for each year that earns points
        took a join of every arrangement with every person per year."""
        s = self.settings
        years = math.ceil(s.most_experience_points / s.points_per_year_of_experience)
        steps = [
            _points_if(Q(start_date__lte=years_before(self.today, year)), s.points_per_year_of_experience)
            for year in range(1, years + 1)
        ]
        first = (
            self.experience()
            .filter(carer_id=OuterRef("pk"))
            .order_by("start_date")
            .values(points=Least(_sum(steps), Value(s.most_experience_points)))[:1]
        )
        return Coalesce(Subquery(first, output_field=IntegerField()), Value(0))

    def _nearby_points(self):
        """Full points next door, falling to none at the furthest distance
        (the shortlist holds nobody further); where the distance is unknown,
        points for the same postcode district or area."""
        s = self.settings
        district, area = words.postcode_district(self.postcode), words.postcode_area(self.postcode)
        same_place = Case(
            When(postcode__startswith=f"{district} ", then=Value(s.points_for_same_district)),
            When(postcode__regex=rf"^{area}[0-9]", then=Value(s.points_for_same_area)),
            default=Value(0),
        )
        if self.location is None:
            return same_place
        closeness = Value(1.0) - self._distance() / Value(float(self.max_distance))
        by_distance = Cast(Round(Value(float(s.points_for_nearby)) * closeness), IntegerField())
        return Coalesce(by_distance, same_place)

    def _shared_interests(self):
        """The person's interests the carer shares, as an array, in the person's order."""
        if not self.interests:
            return Value([], output_field=ArrayField(CharField()))
        picks = [
            Case(When(interests__contains=[i], then=Value(i)), output_field=CharField())
            for i in self.interests
        ]
        array = Func(
            *picks, template="ARRAY[%(expressions)s]::varchar[]", output_field=ArrayField(CharField())
        )
        return Func(
            array,
            Value(None, output_field=CharField()),
            function="array_remove",
            output_field=ArrayField(CharField()),
        )

    # The querysets ---------------------------------------------------------

    @property
    def rules(self) -> list[str]:
        """The codes of the rules that apply to this referral, in order."""
        return [code for code in RULES if code in self._rules]

    @property
    def parts(self) -> list[str]:
        """The names of the parts of the score that apply, in order."""
        return list(self._parts)

    def _base(self) -> QuerySet:
        """The scheme's approved and suspended carers, with ``distance``."""
        queryset = Carer.objects.filter(
            scheme_id=self.referral.scheme_id, status__in=CANDIDATE_STATUSES
        ).annotate(distance=self._distance())
        if self.location is not None:
            # An unknown distance is never too far.
            too_far = Coalesce(_flag(Q(distance__gt=self.max_distance)), Value(False))
            queryset = queryset.alias(too_far=too_far)
        return queryset

    def candidates(self) -> QuerySet:
        """Every candidate, with a flag ``rule_<code>`` for each rule that
        applies to the referral, true where it leaves the carer out."""
        return self._base().annotate(**{f"rule_{code}": _flag(self._rules[code]) for code in self.rules})

    def shortlist(self) -> QuerySet:
        """The carers no rule leaves out, best first, each with ``score``,
        its parts (``points_<part>``), ``shared_interests`` and ``distance``."""
        # Each rule is tested as "NOT <flag>" rather than joined, so that
        # PostgreSQL hashes each set once whatever its statistics say (after a
        # bulk load, before they are gathered, a join can go badly wrong).
        flags = {f"rule_{code}": _flag(self._rules[code]) for code in self.rules}
        return (
            self._base()
            .alias(**flags)
            .filter(**dict.fromkeys(flags, False))
            .annotate(
                shared_interests=self._shared_interests(),
                **{f"points_{name}": expression for name, expression in self._parts.items()},
                score=_sum(list(self._parts.values())),
            )
            .order_by("-score", "last_name", "first_name", "pk")
        )

    def excluded(self) -> QuerySet:
        """The carers one rule or more leaves out, by name, with their flags."""
        any_rule = reduce(or_, (self._rules[code] for code in self.rules))
        return self.candidates().filter(any_rule).order_by("last_name", "first_name", "pk")

    def counts(self) -> dict:
        """How many carers are shortlisted and left out, and how many each
        rule leaves out, in one query: the carers are grouped by which rules
        leave them out (so each rule is worked out once) and added up here.
        Keys: "carers", "shortlisted", "excluded" and each rule's code."""
        flags = [f"rule_{code}" for code in self.rules]
        groups = self.candidates().order_by().values(*flags).annotate(carers=Count("pk"))
        result = {"carers": 0, "shortlisted": 0, "excluded": 0, **dict.fromkeys(self.rules, 0)}
        for group in groups:
            leaving_out = [code for code in self.rules if group[f"rule_{code}"]]
            result["carers"] += group["carers"]
            result["excluded" if leaving_out else "shortlisted"] += group["carers"]
            for code in leaving_out:
                result[code] += group["carers"]
        return result

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
        found = self.shortlist().filter(pk=carer.pk).first()
        if found is not None:
            return self.explain_shortlist([found])[0]
        left_out = self.excluded().filter(pk=carer.pk).first()
        return self.explain_excluded([left_out])[0] if left_out is not None else None


def rank_carers(referral: Referral, today: datetime.date) -> Ranking:
    """The scheme's carers ranked for ``referral`` on ``today`` (see ``Ranking``)."""
    return Ranking(referral, today)
