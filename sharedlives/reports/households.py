"""The figures about a scheme's carer households that the at-a-glance report
needs from several rows of each household: how many are in each stage (and
of those that enquired in a period, what became of them), and tonight's free
places in those approved, in all, by kind of arrangement and by postcode
district.

Each is one statement: the rows come from the models' querysets where they
can (so the households are those ``visible_to`` gives, and the rules read as
they do elsewhere), and are joined and summed in SQL written here, since
Django cannot sum over rows it has already grouped, or group one set three
ways at once. The sets are joined on the household (hash joins), not looked
up for each of 10,000 households: that took 150 ms for the free places alone
(EXPLAIN ANALYZE on the scale data set); this takes about 12 ms."""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, Min, Q
from django.db.models.functions import Least

from carers.models import ApprovalTerms, CarerStatus
from placements.models import STAYING_KINDS, Arrangement, ArrangementStatus, BookingStatus, ShortBreakBooking
from sharedlives.choices import ArrangementKind
from sharedlives.postcodes import PostcodeDistrict
from sharedlives.reports.periods import Period
from sharedlives.reports.sql import moments_within


@dataclass(frozen=True)
class Stage:
    households: int = 0
    # Of those in this stage now, how many enquired in the period, and how
    # many of those have been approved since (at any time).
    enquired: int = 0
    enquired_and_approved: int = 0


def by_stage(carers, period: Period) -> dict[str, Stage]:
    """The households in each stage (every stage, if none are in it)."""
    enquired = moments_within("enquired_at", period) & Q(
        enquired_at__date__range=(period.starts_on, period.ends_on)
    )
    households = (
        carers.order_by()
        # When a household first enquired: when it was added, or its first
        # recorded stage change if that is earlier (records brought in from before).
        .alias(enquired_at=Least("created_at", Min("stage_changes__changed_at")))
        .annotate(
            enquired_in_period=ExpressionWrapper(enquired, output_field=BooleanField()),
            times_approved=Count("stage_changes", filter=Q(stage_changes__to_status=CarerStatus.APPROVED)),
        )
        .values("status", "enquired_in_period", "times_approved")
    )
    sql, params = households.query.sql_with_params()
    rows = _fetch(
        f"""
        SELECT status, count(*), count(*) FILTER (WHERE enquired_in_period),
            count(*) FILTER (WHERE enquired_in_period AND times_approved > 0)
        FROM ({sql}) AS households (status, enquired_in_period, times_approved)
        GROUP BY status
        """,  # nosec B608
        params,
    )
    stages = dict.fromkeys(CarerStatus.values, Stage())
    stages.update({status: Stage(*counts) for status, *counts in rows})
    return stages


@dataclass(frozen=True)
class Places:
    households: int = 0
    places: int = 0
    in_use: int = 0
    free: int = 0


@dataclass
class FreePlaces:
    total: Places
    # Every kind; a household approved for several counts under each.
    by_kind: dict[str, Places]
    # Most free places first, then by district.
    by_area: list[tuple[str, Places]] = field(default_factory=list)


def free_places(membership, carers, today: datetime.date) -> FreePlaces:
    """Tonight's free places in the approved households of ``carers`` (those
    ``membership`` sees). A household's places are the number of people in
    its terms in force (the latest, should two overlap); a place is taken as
    the capacity check counts it: someone staying (live-in, home from
    hospital, emergency) or a short break booked for tonight; day support
    takes none. A household never has fewer than none free."""
    # Each household's district is read from its index (carer_scheme_district_idx),
    # not worked out again for each: OFFSET 0 below keeps it in the scan of
    # the households, where the index gives it, rather than in a join.
    homes, homes_params = (
        carers.filter(status=CarerStatus.APPROVED)
        .order_by()
        .values("pk", area=PostcodeDistrict("postcode"))
        .query.sql_with_params()
    )
    # Every stay of a household is of its scheme (the composite foreign
    # keys), so the stays the membership sees are all its households' stays.
    stays, stays_params = (
        Arrangement.objects.visible_to(membership)
        .filter(kind__in=STAYING_KINDS, status=ArrangementStatus.CURRENT, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
        .order_by()
        .values("carer")
        .query.sql_with_params()
    )
    # Tonight's bookings of every household, found by their range index.
    booked, booked_params = (
        ShortBreakBooking.objects.filter(status=BookingStatus.BOOKED, dates__contains=today)
        .order_by()
        .values("carer")
        .query.sql_with_params()
    )
    # The terms in force today, the latest of each household's should two
    # overlap; read in the join with the households, so only theirs are sorted.
    # Only the model's own table name goes into the SQL; every value is a parameter.
    terms = ApprovalTerms._meta.db_table
    rows = _fetch(
        f"""
        WITH staying (carer_id) AS ({stays} UNION ALL {booked}),
        taken (carer_id, people) AS (SELECT carer_id, count(*) FROM staying GROUP BY carer_id),
        places (carer_id, area, kinds, places) AS (
            SELECT DISTINCT ON (t.carer_id) t.carer_id, h.area, t.kinds, t.max_people
            FROM ({homes} OFFSET 0) AS h (id, area)
            JOIN {terms} t ON t.carer_id = h.id
            WHERE t.starts_on <= %s AND (t.ends_on IS NULL OR t.ends_on >= %s)
            ORDER BY t.carer_id, t.starts_on DESC, t.id DESC
        ),
        households AS (
            SELECT p.area, p.kinds, count(*) AS households, sum(p.places) AS places,
                sum(least(p.places, coalesce(n.people, 0))) AS in_use,
                sum(greatest(p.places - coalesce(n.people, 0), 0)) AS free
            FROM places p LEFT JOIN taken n ON n.carer_id = p.carer_id
            GROUP BY p.area, p.kinds
        )
        SELECT 'all', NULL, sum(households), sum(places), sum(in_use), sum(free) FROM households
        UNION ALL
        SELECT 'kind', k.kind, sum(households), sum(places), sum(in_use), sum(free)
        FROM households h JOIN unnest(%s::text[]) AS k (kind) ON h.kinds @> ARRAY[k.kind]::varchar(20)[]
        GROUP BY k.kind
        UNION ALL
        SELECT 'area', area, sum(households), sum(places), sum(in_use), sum(free)
        FROM households GROUP BY area
        ORDER BY 1, 6 DESC, 2
        """,  # nosec B608
        [*stays_params, *booked_params, *homes_params, today, today, list(ArrangementKind.values)],
    )
    result = FreePlaces(total=Places(), by_kind=dict.fromkeys(ArrangementKind.values, Places()))
    for part, name, *figures in rows:
        places = Places(*(int(figure or 0) for figure in figures))
        if part == "all":
            result.total = places
        elif part == "kind":
            result.by_kind[name] = places
        else:
            result.by_area.append((name, places))
    return result


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
