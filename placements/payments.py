"""Working out a payment run: what each carer is owed for a period, in SQL.

One query walks every day of the period for each arrangement of the scheme
that was under way (current or ended; planned ones are not paid):

- stays (live-in, home from hospital, emergency): each night within the
  arrangement's dates ``[start, end)`` and the period;
- short breaks: each night of a booked (not cancelled) booking within them;
- day support: each day whose weekday has a weekly session, within them,
  unless the person is away that day. Where the carer supports more than one
  person in overlapping sessions on the same day, the session of the lowest
  arrangement id is paid the sessional amount and each other one the rate's
  uplift for an extra person.

Each day is joined to the rate amount in force that day and to any absence
(paid at the scheme's percentage for its reason; a hospital stay only for
its first nights), then grouped into one line per arrangement, rate amount
and percentage. A weekly band is paid pro rata, a seventh of the week a
night; each part (care payment, rent, household contribution) is rounded to
the penny once per line, half a penny up, and the total is the sum of the
rounded parts. Anything that cannot be paid (no rate, no amount in force on
a day, a rate of the wrong kind, no uplift for an extra person) comes back as
a problem, never as a line of £0."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from placements.models import (
    AbsenceReason,
    Arrangement,
    LineKind,
    PaymentLine,
    PaymentProblem,
    PaymentRun,
    PaymentSettings,
)

# ``arr`` is inlined where it is used (NOT MATERIALIZED), so that the
# planner sees the tables' own statistics rather than guessing at a CTE's.
RUN_SQL = """
WITH arr AS NOT MATERIALIZED (
    SELECT a.id, a.carer_id, a.person_id, a.kind, a.payment_rate_id, r.kind AS rate_kind, r.name AS rate_name,
           daterange(a.start_date, a.end_date, '[)') * %(period)s::daterange AS days
    FROM placements_arrangement a
    LEFT JOIN placements_paymentrate r ON r.id = a.payment_rate_id
    WHERE a.scheme_id = %(scheme)s AND a.status IN ('current', 'ended')
      AND daterange(a.start_date, a.end_date, '[)') && %(period)s::daterange
),
nights AS (
    SELECT arr.id AS arrangement_id, 'live_in' AS line_kind, d::date AS day
    FROM arr, generate_series(lower(arr.days), upper(arr.days) - 1, interval '1 day') AS d
    WHERE arr.kind IN ('live_in', 'home_from_hospital', 'emergency')
    UNION ALL
    SELECT arr.id, 'short_breaks', d::date
    FROM arr
    JOIN placements_shortbreakbooking b
      ON b.arrangement_id = arr.id AND b.status = 'booked' AND b.dates && %(period)s::daterange,
    LATERAL generate_series(lower(b.dates * arr.days), upper(b.dates * arr.days) - 1, interval '1 day') AS d
    WHERE arr.kind = 'short_breaks'
),
paid_nights AS (
    SELECT n.arrangement_id, n.line_kind, n.day, FALSE AS extra,
           CASE
               WHEN ab.id IS NULL THEN ''
               WHEN ab.reason = 'hospital' AND n.day - lower(ab.dates) >= %(hospital_nights)s
                   THEN 'hospital_beyond'
               ELSE ab.reason
           END AS away
    FROM nights n
    LEFT JOIN placements_absence ab ON ab.arrangement_id = n.arrangement_id AND ab.dates @> n.day
),
sessions AS (
    SELECT arr.id AS arrangement_id, arr.carer_id, d::date AS day, s.starts_at, s.ends_at
    FROM arr
    JOIN placements_daysession s ON s.arrangement_id = arr.id,
    LATERAL generate_series(lower(arr.days), upper(arr.days) - 1, interval '1 day') AS d
    WHERE arr.kind = 'day_support' AND extract(isodow FROM d)::int - 1 = s.weekday
      AND NOT EXISTS (
          SELECT 1 FROM placements_absence ab WHERE ab.arrangement_id = arr.id AND ab.dates @> d::date
      )
),
-- An extra person: the carer has a session of an earlier arrangement
-- (a lower id) that day at an overlapping time. The window gathers, for
-- each session, the times of the carer's sessions that day of the
-- arrangements before its own (EXCLUDE GROUP leaves out its own), so the
-- check is one sort, whatever the planner knows of the tables.
earlier AS (
    SELECT s.*,
           array_agg(s.starts_at) OVER before AS earlier_starts,
           array_agg(s.ends_at) OVER before AS earlier_ends
    FROM sessions s
    WINDOW before AS (
        PARTITION BY s.carer_id, s.day ORDER BY s.arrangement_id
        RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE GROUP
    )
),
paid_sessions AS (
    SELECT e.arrangement_id, 'day_support' AS line_kind, e.day,
           EXISTS (
               SELECT 1 FROM unnest(e.earlier_starts, e.earlier_ends) AS o(starts_at, ends_at)
               WHERE o.starts_at < e.ends_at AND e.starts_at < o.ends_at
           ) AS extra,
           '' AS away
    FROM earlier e
),
days AS (
    SELECT u.*,
           CASE u.away
               WHEN '' THEN 100
               WHEN 'hospital' THEN %(hospital_percent)s
               WHEN 'holiday' THEN %(holiday_percent)s
               WHEN 'carer_leave' THEN %(leave_percent)s
               ELSE 0
           END AS paid_percent
    FROM (SELECT * FROM paid_nights UNION ALL SELECT * FROM paid_sessions) u
),
grouped AS (
    SELECT d.arrangement_id, d.line_kind, d.away, d.paid_percent, d.extra, ra.id AS rate_amount_id,
           count(*) AS quantity, min(d.day) AS first_day, max(d.day) AS last_day
    FROM days d
    JOIN arr ON arr.id = d.arrangement_id
    LEFT JOIN placements_rateamount ra
      ON ra.rate_id = arr.payment_rate_id AND ra.effective_from <= d.day
     AND (ra.effective_to IS NULL OR d.day <= ra.effective_to)
    GROUP BY 1, 2, 3, 4, 5, 6
),
priced AS (
    SELECT g.*, arr.carer_id, arr.person_id, arr.payment_rate_id, arr.rate_kind, arr.rate_name,
           ra.care_payment AS weekly_care, ra.rent AS weekly_rent,
           ra.household_contribution AS weekly_household, ra.amount, ra.extra_person_uplift,
           -- A weekly band is paid a seventh of the week a night (so the
           -- divisor is 7 x 100 per cent); a nightly or sessional rate as it is.
           CASE
               WHEN arr.rate_kind = 'live_in_weekly' AND g.line_kind = 'live_in' THEN 700
               WHEN arr.rate_kind = 'short_break_nightly' AND g.line_kind IN ('live_in', 'short_breaks')
                   THEN 100
               WHEN arr.rate_kind = 'day_support_session' AND g.line_kind = 'day_support' THEN 100
           END AS divisor,
           CASE
               WHEN arr.rate_kind = 'live_in_weekly' THEN ra.care_payment
               WHEN g.extra THEN ra.extra_person_uplift
               ELSE ra.amount
           END AS care_unit,
           CASE WHEN arr.rate_kind = 'live_in_weekly' THEN ra.rent ELSE 0 END AS rent_unit,
           CASE WHEN arr.rate_kind = 'live_in_weekly' THEN ra.household_contribution ELSE 0 END
               AS household_unit
    FROM grouped g
    JOIN arr ON arr.id = g.arrangement_id
    LEFT JOIN placements_rateamount ra ON ra.id = g.rate_amount_id
)
SELECT p.*,
       round(p.care_unit * p.quantity * p.paid_percent / p.divisor, 2) AS care_payment,
       round(p.rent_unit * p.quantity * p.paid_percent / p.divisor, 2) AS rent,
       round(p.household_unit * p.quantity * p.paid_percent / p.divisor, 2) AS household_contribution
FROM priced p
ORDER BY p.carer_id, p.arrangement_id, p.line_kind, p.first_day, p.paid_percent DESC
"""

AWAY_WORDS = {
    "": "",
    AbsenceReason.HOSPITAL: " in hospital",
    "hospital_beyond": " in hospital beyond the first {nights} nights",
    AbsenceReason.HOLIDAY: " on holiday",
    AbsenceReason.CARER_LEAVE: " while the carer was on leave",
}
RATE_KIND_WORDS = {
    "live_in_weekly": "a live-in weekly band",
    "short_break_nightly": "a nightly rate",
    "day_support_session": "a sessional rate",
}
KIND_WORDS = {
    LineKind.LIVE_IN: "a stay",
    LineKind.SHORT_BREAKS: "short breaks",
    LineKind.DAY_SUPPORT: "day support",
}


@dataclass
class WorkedOut:
    lines: list[PaymentLine]
    problems: list[PaymentProblem]


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _rows(run: PaymentRun, settings: PaymentSettings) -> list[dict]:
    params = {
        "scheme": run.scheme_id,
        "period": run.period,
        "hospital_nights": settings.hospital_paid_nights,
        "hospital_percent": settings.hospital_paid_percent,
        "holiday_percent": settings.holiday_paid_percent,
        "leave_percent": settings.carer_leave_paid_percent,
    }
    with connection.cursor() as cursor:
        cursor.execute(RUN_SQL, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def describe(row: dict, settings: PaymentSettings) -> str:
    """A line in words: "Live-in band 2: 10 nights at £520.00 a week"."""
    rate, count, percent = row["rate_name"], row["quantity"], row["paid_percent"]
    if row["line_kind"] == LineKind.DAY_SUPPORT:
        if row["extra"]:
            return (
                f"{rate}: {plural(count, 'session')} as an extra person "
                f"at {pounds(row['extra_person_uplift'])} uplift a session"
            )
        return f"{rate}: {plural(count, 'session')} at {pounds(row['amount'])} a session"
    if row["rate_kind"] == "live_in_weekly":
        weekly = row["weekly_care"] + row["weekly_rent"] + row["weekly_household"]
        price = f"{pounds(weekly)} a week"
    else:
        price = f"{pounds(row['amount'])} a night"
    away = AWAY_WORDS[row["away"]].format(nights=settings.hospital_paid_nights)
    nights = plural(count, "night")
    if percent == 0:
        return f"{rate}: {nights}{away}, not paid ({price})"
    if percent == 100:
        return f"{rate}: {nights}{away} at {price}"
    return f"{rate}: {nights}{away} at {percent}% of {price}"


def _span(first: datetime.date, last: datetime.date) -> str:
    if first == last:
        return f"on {first:%-d %b %Y}"
    return f"from {first:%-d %b %Y} to {last:%-d %b %Y}"


def _problem_text(code: str, row: dict, arrangement: Arrangement, count: int, first, last) -> str:
    who = f"{arrangement.person.name} with {arrangement.carer.name}"
    unit = "session" if row["line_kind"] == LineKind.DAY_SUPPORT else "night"
    if code == "no_rate":
        return f"{who}: no payment band or rate is chosen. Choose one on the arrangement's page."
    if code == "wrong_kind":
        return (
            f"{who}: {row['rate_name']} is {RATE_KIND_WORDS[row['rate_kind']]}, which cannot pay for "
            f"{KIND_WORDS[row['line_kind']]}. Choose another rate on the arrangement's page."
        )
    if code == "no_uplift":
        return (
            f"{who}: {row['rate_name']} has no uplift for an extra person in force for "
            f"{plural(count, unit)} {_span(first, last)}. Add it to the rate in admin."
        )
    return (
        f"{who}: {row['rate_name']} has no amount in force for {plural(count, unit)} "
        f"{_span(first, last)}. Add the amount for those dates to the rate in admin."
    )


def _problem_code(row: dict) -> str:
    if row["payment_rate_id"] is None:
        return "no_rate"
    if row["divisor"] is None:
        return "wrong_kind"
    if row["rate_amount_id"] is not None and row["extra"] and row["extra_person_uplift"] is None:
        return "no_uplift"
    return "no_amount"


def work_out(run: PaymentRun, *, created_by) -> WorkedOut:
    """The lines and problems of ``run`` as things stand (not saved)."""
    settings = PaymentSettings.for_scheme(run.scheme_id)
    lines, unpaid = [], defaultdict(list)
    for row in _rows(run, settings):
        if row["care_payment"] is None or row["rent"] is None or row["household_contribution"] is None:
            unpaid[(row["arrangement_id"], _problem_code(row))].append(row)
            continue
        lines.append(
            PaymentLine(
                run=run,
                carer_id=row["carer_id"],
                arrangement_id=row["arrangement_id"],
                person_id=row["person_id"],
                kind=row["line_kind"],
                description=describe(row, settings),
                quantity=row["quantity"],
                rate_amount_id=row["rate_amount_id"],
                paid_percent=row["paid_percent"],
                care_payment=row["care_payment"],
                rent=row["rent"],
                household_contribution=row["household_contribution"],
                total=row["care_payment"] + row["rent"] + row["household_contribution"],
                created_by=created_by,
            )
        )
    return WorkedOut(lines, _problems(run, unpaid))


def _problems(run: PaymentRun, unpaid: dict) -> list[PaymentProblem]:
    """One problem for each arrangement and kind of problem, with its days."""
    if not unpaid:
        return []
    ids = {arrangement_id for arrangement_id, _ in unpaid}
    arrangements = Arrangement.objects.select_related("person", "carer").in_bulk(ids)
    problems = []
    for (arrangement_id, code), rows in unpaid.items():
        count = sum(row["quantity"] for row in rows)
        first = min(row["first_day"] for row in rows)
        last = max(row["last_day"] for row in rows)
        text = _problem_text(code, rows[0], arrangements[arrangement_id], count, first, last)
        problems.append(PaymentProblem(run=run, arrangement_id=arrangement_id, description=text))
    return problems
