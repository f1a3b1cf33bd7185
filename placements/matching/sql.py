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


def over_capacity(periods: list[DateRange], person_id: int) -> RawSQL:
    """Carers with no place free on some night of ``periods``. A household
    only fills up on a night someone arrives, so the nights worth checking
    are each period's first and each arrival within it, as the database's
    own check does (placements_check_capacity); the people staying that
    night are counted against the terms in force that night."""
    arrangements = Arrangement._meta.db_table
    bookings = ShortBreakBooking._meta.db_table
    terms = ApprovalTerms._meta.db_table
    staying = "a.kind = ANY(%s) AND a.person_id <> %s"
    booked = "b.status = %s AND ba.person_id <> %s"
    sql = f"""
        WITH arrivals AS (
            SELECT DISTINCT a.carer_id, greatest(a.start_date, lower(w.period)) AS night
            FROM {arrangements} a JOIN unnest(%s::daterange[]) AS w(period)
              ON daterange(a.start_date, a.end_date, '[)') && w.period
            WHERE {staying}
            UNION
            SELECT b.carer_id, greatest(lower(b.dates), lower(w.period))
            FROM {bookings} b JOIN {arrangements} ba ON ba.id = b.arrangement_id
            JOIN unnest(%s::daterange[]) AS w(period) ON b.dates && w.period
            WHERE {booked}
        )
        SELECT n.carer_id FROM arrivals n
        WHERE (
            SELECT count(*) FROM {arrangements} a
            WHERE a.carer_id = n.carer_id AND {staying}
              AND daterange(a.start_date, a.end_date, '[)') @> n.night
        ) + (
            SELECT count(*) FROM {bookings} b JOIN {arrangements} ba ON ba.id = b.arrangement_id
            WHERE b.carer_id = n.carer_id AND {booked} AND b.dates @> n.night
        ) >= (
            SELECT t.max_people FROM {terms} t
            WHERE t.carer_id = n.carer_id AND t.starts_on <= n.night
              AND (t.ends_on IS NULL OR t.ends_on >= n.night)
            ORDER BY t.starts_on DESC, t.id DESC LIMIT 1
        )
    """
    kinds, person, status = [str(k) for k in STAYING_KINDS], person_id, BookingStatus.BOOKED.value
    return RawSQL(sql, [periods, kinds, person, periods, status, person, kinds, person, status, person])


def speaks_any(languages: list[str]) -> RawSQL:
    """Whether someone in the household speaks one of ``languages`` (given in
    lower case), however the household's languages were written."""
    return RawSQL(
        "ARRAY(SELECT lower(spoken) FROM unnest(carers_carer.languages) AS spoken) && %s::text[]",
        (languages,),
        output_field=BooleanField(),
    )
