"""The parts of the ranking written in SQL of their own: distance along the
Earth's surface, and which households have no place free on the nights wanted."""

import math

from django.db.backends.postgresql.psycopg_any import DateRange
from django.db.models import BooleanField, ExpressionWrapper, FloatField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import ASin, Cast, Cos, Radians, Sin, Sqrt

from carers.models import ApprovalTerms
from placements.models import STAYING_KINDS, Arrangement, BookingStatus, ShortBreakBooking

EARTH_RADIUS_MILES = 3958.8


def haversine(latitude, longitude, to: tuple[float, float]):
    """Miles along the Earth's surface from (latitude, longitude), two
    expressions in degrees, to the fixed point ``to``."""
    lat = Radians(Cast(latitude, FloatField()))
    lon = Radians(Cast(longitude, FloatField()))
    to_lat, to_lon = math.radians(to[0]), math.radians(to[1])
    sin_lat = Sin((lat - Value(to_lat)) / Value(2.0))
    sin_lon = Sin((lon - Value(to_lon)) / Value(2.0))
    half_chord = sin_lat * sin_lat + Cos(lat) * Value(math.cos(to_lat)) * sin_lon * sin_lon
    return ExpressionWrapper(
        Value(2 * EARTH_RADIUS_MILES) * ASin(Sqrt(half_chord)), output_field=FloatField()
    )


def over_capacity(periods: list[DateRange], person_id: int, scheme_id: int) -> RawSQL:
    """Carers of the scheme with no place free on some night of ``periods``.
    A household only fills up on a night someone arrives, so the nights
    worth checking are each period's first and each arrival within it, as
    the database's own check does (placements_check_capacity); the people
    staying that night are counted against the terms in force that night.

    Worked out as sets joined on the carer (hash joins), not a count for
    each arrival: with 10,000 households that is 12,000 arrivals, and a
    lookup for each took seconds (EXPLAIN ANALYZE on the scale data set).
    Only the stays that touch the nights wanted are read (most arrangements
    have ended), and only the scheme's arrangements: every stay of a
    household is of its scheme (the composite foreign keys), and a booking
    of another scheme's household can only name a carer who is not ranked."""
    arrangements = Arrangement._meta.db_table
    bookings = ShortBreakBooking._meta.db_table
    terms = ApprovalTerms._meta.db_table
    # Only the models' own table names are put into the SQL; every value is a parameter.
    sql = f"""
        WITH stays AS (
            SELECT a.carer_id, daterange(a.start_date, a.end_date, '[)') AS nights
            FROM {arrangements} a
            WHERE a.scheme_id = %s AND a.kind = ANY(%s) AND a.person_id <> %s
              AND daterange(a.start_date, a.end_date, '[)') && %s::daterange
            UNION ALL
            SELECT b.carer_id, b.dates FROM {bookings} b
            WHERE b.status = %s AND b.dates && %s::daterange
              AND b.arrangement_id NOT IN (SELECT id FROM {arrangements} WHERE person_id = %s)
        ),
        arrivals AS (
            SELECT DISTINCT s.carer_id, greatest(lower(s.nights), lower(w.period)) AS night
            FROM stays s JOIN unnest(%s::daterange[]) AS w(period) ON s.nights && w.period
        ),
        staying AS (
            SELECT n.carer_id, n.night, count(*) AS people
            FROM arrivals n JOIN stays s ON s.carer_id = n.carer_id AND s.nights @> n.night
            GROUP BY n.carer_id, n.night
        ),
        allowed AS (
            SELECT DISTINCT ON (o.carer_id, o.night) o.carer_id, o.people, t.max_people
            FROM staying o JOIN {terms} t ON t.carer_id = o.carer_id
              AND t.starts_on <= o.night AND (t.ends_on IS NULL OR t.ends_on >= o.night)
            ORDER BY o.carer_id, o.night, t.starts_on DESC, t.id DESC
        )
        SELECT carer_id FROM allowed WHERE people >= max_people
    """  # nosec B608
    kinds, status = [str(k) for k in STAYING_KINDS], BookingStatus.BOOKED.value
    uppers = [period.upper for period in periods]
    span = DateRange(min(period.lower for period in periods), None if None in uppers else max(uppers), "[)")
    return RawSQL(sql, [scheme_id, kinds, person_id, span, status, span, person_id, periods])  # nosec B611


def speaks_any(languages: list[str]) -> RawSQL:
    """Whether someone in the household speaks one of ``languages`` (given in
    lower case), however the household's languages were written."""
    return RawSQL(
        "ARRAY(SELECT lower(spoken) FROM unnest(carers_carer.languages) AS spoken) && %s::text[]",
        (languages,),
        output_field=BooleanField(),
    )


def ids(values: list[int]) -> RawSQL:
    """A set of ids computed earlier, for ``pk__in``: one array parameter
    (PostgreSQL hashes it once), which may be empty."""
    return RawSQL("SELECT unnest(%s::bigint[])", (values,))
