"""The SQL of the ranking, written out: distance along the Earth's surface,
which households have no place free when the person would be there, and the
statement that ranks every candidate at once.

Only the models' own table names, fixed SQL and whole numbers worked out
here (the bit of each rule) are put into the text; every value is a named
parameter (``%(name)s``), which ``Ranking`` collects in ``params``."""

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from carers.models import ApprovalTerms, Carer, Pet, Room, Unavailability
from people.models import Person
from placements.models import Arrangement, DaySession, PostcodeLocation, Proposal, ShortBreakBooking

EARTH_RADIUS_MILES = 3958.8

CARERS = Carer._meta.db_table
TERMS = ApprovalTerms._meta.db_table
ARRANGEMENTS = Arrangement._meta.db_table
BOOKINGS = ShortBreakBooking._meta.db_table
DAY_SESSIONS = DaySession._meta.db_table
POSTCODES = PostcodeLocation._meta.db_table
PETS = Pet._meta.db_table
ROOMS = Room._meta.db_table
UNAVAILABILITY = Unavailability._meta.db_table
PEOPLE = Person._meta.db_table
PROPOSALS = Proposal._meta.db_table


# Distance ---------------------------------------------------------------------


def haversine_params(to: tuple[float, float]) -> dict:
    """The parameters ``haversine`` reads, for the point ``to`` (degrees)."""
    to_lat, to_lon = math.radians(to[0]), math.radians(to[1])
    return {
        "two_radii": 2 * EARTH_RADIUS_MILES,
        "to_lat": to_lat,
        "to_lon": to_lon,
        "cos_to_lat": math.cos(to_lat),
    }


def haversine(latitude: str, longitude: str) -> str:
    """Miles along the Earth's surface from (``latitude``, ``longitude``),
    columns in degrees, to the point of ``haversine_params``: the same
    operations in the same order wherever it is worked out, so a carer is the
    same number of miles away on every row and every page."""
    lat, lon = f"radians({latitude}::float8)", f"radians({longitude}::float8)"
    sin_lat = f"sin(({lat} - %(to_lat)s) / 2.0::float8)"
    sin_lon = f"sin(({lon} - %(to_lon)s) / 2.0::float8)"
    half_chord = f"{sin_lat} * {sin_lat} + cos({lat}) * %(cos_to_lat)s * {sin_lon} * {sin_lon}"
    return f"%(two_radii)s * asin(sqrt({half_chord}))"


def surely_further_params(to: tuple[float, float], miles: float) -> dict | None:
    """A box of latitudes and longitudes around ``to`` (degrees) outside
    which a home is certainly further than ``miles``, for ``surely_further``:
    comparing a carer's coordinates with it costs far less than the
    trigonometry, and at 10,000 households most are outside. None where no
    such box helps (near a pole or the 180th meridian, or ``miles`` half the
    world).

    Along a meridian the distance is R·|Δlatitude| and no shorter path
    exists, so beyond ``miles``/R of latitude a home is too far; within that
    band, cos(latitude) is at least ``narrowest``, which bounds how close a
    difference of longitude can be. Each side is widened by 1% and a little
    more, so a home the box calls too far is well past the limit and a home
    near the limit is always measured."""
    lat, lon = to
    angle = miles / EARTH_RADIUS_MILES
    dlat = math.degrees(angle) * 1.01 + 0.001
    if abs(lat) + dlat >= 89:
        return None
    narrowest = math.cos(math.radians(abs(lat) + dlat))
    reach = math.sin(angle / 2) / math.sqrt(math.cos(math.radians(lat)) * narrowest)
    if reach >= 1:
        return None
    dlon = math.degrees(2 * math.asin(reach)) * 1.01 + 0.001
    if abs(lon) + 2 * dlon >= 180:
        return None
    # Compared as numeric, like the columns (a float would turn each column into a float first).
    return {
        "far_lat_lo": Decimal(lat - dlat).quantize(Decimal("0.00001"), ROUND_FLOOR),
        "far_lat_hi": Decimal(lat + dlat).quantize(Decimal("0.00001"), ROUND_CEILING),
        "far_lon_lo": Decimal(lon - dlon).quantize(Decimal("0.00001"), ROUND_FLOOR),
        "far_lon_hi": Decimal(lon + dlon).quantize(Decimal("0.00001"), ROUND_CEILING),
    }


def surely_further(latitude: str, longitude: str) -> str:
    """Whether (``latitude``, ``longitude``) is outside the box of ``surely_further_params``."""
    return (
        f"({longitude} IS NOT NULL AND ({latitude} NOT BETWEEN %(far_lat_lo)s AND %(far_lat_hi)s"
        f" OR {longitude} NOT BETWEEN %(far_lon_lo)s AND %(far_lon_hi)s))"
    )


def carer_distance(carer: str, *, known: bool, far: bool = False) -> str:
    """Miles from the person's postcode to the home of the carer row ``carer``
    (the carer's own coordinates, else their postcode's); NULL where either is
    unknown (``known`` false: the person's postcode is not in the directory).
    With ``far``, 'Infinity' for a home ``surely_further`` puts beyond the
    furthest distance: enough to leave them out, and no trigonometry."""
    if not known:
        return "NULL::float8"

    def miles(lat: str, lon: str) -> str:
        exact = haversine(lat, lon)
        return (
            f"CASE WHEN {surely_further(lat, lon)} THEN 'Infinity'::float8 ELSE {exact} END" if far else exact
        )

    by_postcode = (
        f"SELECT {miles('p.latitude', 'p.longitude')} FROM {POSTCODES} p"  # nosec B608
        f" WHERE p.postcode = {carer}.postcode LIMIT 1"
    )
    own = miles(f"{carer}.latitude", f"{carer}.longitude")
    return f"CASE WHEN {carer}.latitude IS NOT NULL THEN {own} ELSE ({by_postcode}) END"


# The terms in force, and places free -------------------------------------------


def terms_in_force() -> str:
    """Each of the scheme's carers' terms in force on ``start``: the latest,
    should two overlap."""
    return f"""
        SELECT DISTINCT ON (t.carer_id) t.carer_id, t.kinds, t.needs_groups, t.max_people,
            t.probation_ends_on, t.ends_on
        FROM {TERMS} t JOIN {CARERS} c ON c.id = t.carer_id
        WHERE c.scheme_id = %(scheme)s AND t.starts_on <= %(start)s
          AND (t.ends_on IS NULL OR t.ends_on >= %(start)s)
        ORDER BY t.carer_id, t.starts_on DESC, t.id DESC
    """  # nosec B608


def no_place_on_nights(periods: int) -> str:
    """For each carer with someone staying during the ``periods`` wanted
    (``period_starts`` and ``period_ends``, as dates, 'infinity' for none;
    ``span_start`` and ``span_end`` cover them all): ``most``, the most
    people staying on a night worth checking while their terms in force on
    the start hold, and ``full_later``, whether they have no place free on a
    later night. The carer has no place free where ``most`` reaches those
    terms' ``max_people``, or ``full_later``.

    A household only fills up on a night someone arrives, so the nights worth
    checking are each period's first and each arrival within it, as the
    database's own check does (placements_check_capacity); the people staying
    that night are counted against the terms in force that night.

    Who is staying on each arrival is a running sum, for each carer in date
    order, of one for each arrival and minus one for each departure (a
    departure on the night itself counts first: the nights are '[)'; of
    several arrivals on one night the last counts them all, and the most is
    what is weighed). It takes one sort, where counting the stays that hold
    each arrival joined every stay of a household with every other; the
    stays are plain dates (cheap to compare), and ``arrangement_stays_idx``
    and ``booking_booked_until_idx`` give the stays not over by the start
    without reading the many that are. The terms in
    force on the start hold until other terms start or any in force end,
    which for nearly every carer is after every arrival: those nights are
    summed up here and weighed against the terms where the ranking joins
    them anyway; only the other nights look their terms up.

    Only the scheme's arrangements are read: every stay of a household is of
    its scheme (the composite foreign keys), and a booking of another
    scheme's household can only name a carer who is not ranked."""
    if periods == 1:
        # The one period is the span: the stays below overlap it.
        period, starts, ends, n = "", "%(span_start)s", "%(span_end)s::date", "1"
    else:
        period = (
            "JOIN unnest(%(period_starts)s::date[], %(period_ends)s::date[])"
            " WITH ORDINALITY AS w(starts, ends, n) ON {arrives} < w.ends AND {leaves} > w.starts"
        )
        starts, ends, n = "w.starts", "w.ends", "w.n"
    staying = "a.scheme_id = %(scheme)s AND a.kind = ANY(%(staying_kinds)s) AND a.person_id <> %(person)s"
    # (rows, which of them, arrival, departure or None for a stay with no end)
    stays = [
        (
            f"{ARRANGEMENTS} a",
            f"{staying} AND a.end_date IS NULL AND a.start_date < %(span_end)s::date",
            "a.start_date",
            None,
        ),
        (
            f"{ARRANGEMENTS} a",
            f"{staying} AND a.end_date > %(span_start)s AND a.start_date < a.end_date"
            " AND a.start_date < %(span_end)s::date",
            "a.start_date",
            "a.end_date",
        ),
        (
            f"{BOOKINGS} b",
            "b.status = %(booked)s AND upper(b.dates) > %(span_start)s"
            " AND b.dates && daterange(%(span_start)s, %(span_end)s::date, '[)')"
            f" AND b.arrangement_id NOT IN (SELECT id FROM {ARRANGEMENTS} WHERE person_id = %(person)s)",  # nosec B608
            "lower(b.dates)",
            "upper(b.dates)",
        ),
    ]
    changes = []
    for table, where, arrives, leaves in stays:
        join = period.format(arrives=arrives, leaves=leaves or "'infinity'::date")
        changes.append(
            f"SELECT {n} AS n, carer_id, greatest({arrives}, {starts}) AS night, 1 AS change"  # nosec B608
            f" FROM {table} {join} WHERE {where}"
        )
        if leaves:
            changes.append(
                f"SELECT {n}, carer_id, {leaves}, -1 FROM {table} {join} WHERE {where} AND {leaves} < {ends}"  # nosec B608
            )
    union = "\n            UNION ALL\n            ".join(changes)
    return f"""
        WITH changes AS (
            {union}
        ),
        staying AS (
            SELECT carer_id, night, change, sum(change)
                OVER (PARTITION BY carer_id, n ORDER BY night, change ROWS UNBOUNDED PRECEDING) AS people
            FROM changes
        ),
        terms_change AS (
            SELECT carer_id, min(CASE WHEN starts_on > %(start)s THEN starts_on ELSE ends_on + 1 END) AS night
            FROM {TERMS}
            WHERE starts_on > %(start)s OR (starts_on <= %(start)s AND ends_on >= %(start)s)
            GROUP BY carer_id
        )
        SELECT o.carer_id,
            max(o.people) FILTER (WHERE o.night >= %(start)s AND o.night < coalesce(c.night, 'infinity'))
                AS most,
            bool_or(CASE WHEN o.night < %(start)s OR o.night >= coalesce(c.night, 'infinity')
                THEN o.people >= (
                    SELECT x.max_people FROM {TERMS} x
                    WHERE x.carer_id = o.carer_id AND x.starts_on <= o.night
                      AND (x.ends_on IS NULL OR x.ends_on >= o.night)
                    ORDER BY x.starts_on DESC, x.id DESC LIMIT 1
                )
            END) AS full_later
        FROM staying o LEFT JOIN terms_change c ON c.carer_id = o.carer_id
        WHERE o.change = 1
        GROUP BY o.carer_id
    """  # nosec B608


def busy_at_sessions() -> str:
    """Carers with no place free during one of the weekly sessions wanted
    (``session_days``, ``session_starts``, ``session_ends``): the people they
    already support in day sessions that overlap it (an open day-support
    arrangement), plus the person, would be more than their terms in force
    on the start allow. Needs ``terms``."""
    return f"""
        SELECT a.carer_id
        FROM {DAY_SESSIONS} d
          JOIN {ARRANGEMENTS} a ON a.id = d.arrangement_id
          JOIN unnest(%(session_days)s::int[], %(session_starts)s::time[], %(session_ends)s::time[])
            WITH ORDINALITY AS w(weekday, starts_at, ends_at, n)
            ON d.weekday = w.weekday AND d.starts_at < w.ends_at AND d.ends_at > w.starts_at
          JOIN terms t ON t.carer_id = a.carer_id
        WHERE a.kind = %(day_support)s AND a.status = ANY(%(open_statuses)s) AND a.scheme_id = %(scheme)s
          AND (a.end_date IS NULL OR a.end_date > %(start)s) AND a.person_id <> %(person)s
        GROUP BY w.n, a.carer_id, t.max_people
        HAVING count(DISTINCT a.person_id) >= t.max_people
    """  # nosec B608


# The ranking ------------------------------------------------------------------


def bitmask(rules: list[str]) -> str:
    """One integer for the rules that leave the carer out: bit i for ``rules[i]``."""
    terms = [f"CASE WHEN {rule} THEN {1 << i} ELSE 0 END" for i, rule in enumerate(rules)]
    return " + ".join(terms) if terms else "0"


def ranking(*, ctes: dict[str, str], joins: list[str], distance: str, rules: list[str], score: str) -> str:
    """One row: how many candidates there are and how many each rule leaves
    out (one array), the shortlist's ids best first, and the ids of the
    carers left out, by name, with the bits of the rules that leave each out
    (two arrays, in step).

    ``rules`` are conditions on the carer ``c`` (with ``distance``), their
    terms in force ``t`` and whatever ``joins`` join; ``score`` an integer on
    the carer ``c``, worked out only for the carers no rule leaves out. The
    rules are worked out once for each carer, into ``ranked``, which the
    answers read. The carers are read in name order (``carer_scheme_name_idx``)
    and stay in it, so the sort by name finds them sorted rather than
    comparing names all over again."""
    ranked = f"""
        SELECT c.id, c.last_name, c.first_name, c.distance, {bitmask(rules)} AS rules
        FROM (
            SELECT c.id, c.last_name, c.first_name, c.status, c.smoking, {distance} AS distance
            FROM {CARERS} c
            WHERE c.scheme_id = %(scheme)s AND c.status = ANY(%(candidate_statuses)s)
            ORDER BY c.last_name, c.first_name, c.id
            OFFSET 0
        ) c LEFT JOIN terms t ON t.carer_id = c.id {" ".join(joins)}
    """  # nosec B608
    shortlisted = f"""
        SELECT c.*, r.distance FROM ranked r JOIN {CARERS} c ON c.id = r.id WHERE r.rules = 0 OFFSET 0
    """  # nosec B608
    with_ = ",\n".join(f"{name} AS ({sql})" for name, sql in ctes.items())
    counts = "".join(f", count(*) FILTER (WHERE rules & {1 << i} <> 0)" for i in range(len(rules)))
    return f"""
        WITH {with_}, ranked AS MATERIALIZED ({ranked})
        SELECT counts, shortlist, left_out, left_out_by
        FROM (SELECT ARRAY[count(*){counts}] AS counts FROM ranked) counts,
        (
            SELECT array_agg(c.id ORDER BY c.score DESC, c.last_name, c.first_name, c.id) AS shortlist
            FROM (SELECT c.id, c.last_name, c.first_name, {score} AS score FROM ({shortlisted}) c) c
        ) shortlist,
        (
            SELECT array_agg(id ORDER BY last_name, first_name, id) AS left_out,
                array_agg(rules ORDER BY last_name, first_name, id) AS left_out_by
            FROM ranked WHERE rules <> 0
        ) left_out
    """  # nosec B608


def rows(*, distance: str, columns: dict[str, str]) -> str:
    """The carers ``ids``, each with ``distance`` and ``columns`` (expressions on ``c``)."""
    extra = "".join(f", {sql} AS {name}" for name, sql in columns.items())
    return f"""
        SELECT c.*{extra}
        FROM (SELECT c.*, {distance} AS distance FROM {CARERS} c WHERE c.id = ANY(%(ids)s) OFFSET 0) c
    """  # nosec B608
