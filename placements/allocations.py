"""The allocation report: for each person, the upfront (indicative)
allocation and the agreed amount (both £ a week, on the referral their
arrangement came from) over a chosen period, against what approved payment
runs actually paid for them, and the differences. One SQL query, set-based
(each figure grouped once for the scheme, then joined to the people), so it
takes the same time whichever page of people is shown.

- Allocated over the period: the weekly amount for each night of each of
  the person's arrangements (current or ended) within the period, a seventh
  of the week a night, rounded to the penny once per arrangement.
- Paid: the lines of approved runs whose whole period lies within the
  chosen dates (adjustments included). The care payment is what the budget
  pays for; rent and the household contribution come from elsewhere
  (housing benefit, the person), so they are shown in the total paid only.
"""

import datetime

from django.db import connection

from people.models import Person
from placements.models import PaymentRun, RunStatus

FIGURES = ("indicative", "agreed", "agreed_difference", "paid_care", "paid_difference", "paid_total")

ROWS_SQL = """
WITH allocated AS (
    SELECT a.person_id,
           sum(round(r.indicative_allocation * (upper(x.nights) - lower(x.nights)) / 7.0, 2)) AS indicative,
           sum(round(r.agreed_amount * (upper(x.nights) - lower(x.nights)) / 7.0, 2)) AS agreed,
           (array_agg(r.funder ORDER BY a.start_date DESC, a.id DESC))[1] AS funder
    FROM placements_arrangement a
    JOIN placements_referral r ON r.id = a.referral_id
    CROSS JOIN LATERAL (SELECT daterange(a.start_date, a.end_date, '[)') * %(period)s::daterange AS nights) x
    WHERE a.scheme_id = %(scheme)s AND a.status IN ('current', 'ended') AND NOT isempty(x.nights)
    GROUP BY a.person_id
),
paid AS (
    SELECT l.person_id, sum(l.care_payment) AS paid_care, sum(l.total) AS paid_total
    FROM placements_paymentline l
    JOIN placements_paymentrun pr ON pr.id = l.run_id
    WHERE pr.scheme_id = %(scheme)s AND pr.status = 'approved' AND pr.period <@ %(period)s::daterange
      AND l.person_id IS NOT NULL
    GROUP BY l.person_id
)
SELECT p.id, p.first_name, p.preferred_name, p.last_name, coalesce(al.funder, '') AS funder,
       al.indicative, al.agreed, al.agreed - al.indicative AS agreed_difference,
       pd.paid_care, pd.paid_care - al.agreed AS paid_difference, pd.paid_total
FROM people_person p
LEFT JOIN allocated al ON al.person_id = p.id
LEFT JOIN paid pd ON pd.person_id = p.id
WHERE p.scheme_id = %(scheme)s
  AND (al.indicative IS NOT NULL OR al.agreed IS NOT NULL OR pd.person_id IS NOT NULL){caseload}
"""
ORDER = " ORDER BY p.last_name, p.first_name, p.id"


def period_of(first: datetime.date, last: datetime.date) -> str:
    """The days from ``first`` to ``last`` (included), as PostgreSQL reads a daterange."""
    return f"[{first.isoformat()},{(last + datetime.timedelta(days=1)).isoformat()})"


class AllocationRows:
    """The people with an allocation or a payment in the period, by name, as
    Person records carrying the figures. The registered manager sees everyone;
    a coordinator the people they coordinate. Paginator takes it as it is
    (``count`` and slices); iterating gives every row, for the CSV."""

    def __init__(self, membership, first: datetime.date, last: datetime.date):
        self.params = {
            "scheme": membership.scheme_id,
            "period": period_of(first, last),
            "user": membership.user_id,
        }
        caseload = "" if membership.is_manager else " AND p.coordinator_id = %(user)s"
        self.sql = ROWS_SQL.format(caseload=caseload)

    def _fetch(self, tail: str, params=None) -> list[Person]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql + ORDER + tail, {**self.params, **(params or {})})
            names = [column.name for column in cursor.description]
            return [self._person(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]

    @staticmethod
    def _person(row: dict) -> Person:
        person = Person(
            id=row["id"],
            first_name=row["first_name"],
            preferred_name=row["preferred_name"],
            last_name=row["last_name"],
        )
        person.funder = row["funder"]
        for name in FIGURES:
            setattr(person, name, row[name])
        return person

    def count(self) -> int:
        with connection.cursor() as cursor:
            # self.sql is this module's own fixed SQL, with every value a bound parameter.
            cursor.execute(f"SELECT count(*) FROM ({self.sql}) AS people", self.params)  # nosec B608
            return cursor.fetchone()[0]

    def __getitem__(self, key: slice) -> list[Person]:
        start, stop = key.start or 0, key.stop
        return self._fetch(" LIMIT %(limit)s OFFSET %(offset)s", {"limit": stop - start, "offset": start})

    def __iter__(self):
        return iter(self._fetch(""))

    def totals(self) -> dict:
        """The sums of each figure across the rows (a blank counts as nothing)."""
        sums = ", ".join(f"sum({name})" for name in FIGURES)
        with connection.cursor() as cursor:
            # The sums are of FIGURES (fixed names); self.sql is as in count().
            cursor.execute(f"SELECT {sums} FROM ({self.sql}) AS people", self.params)  # nosec B608
            return dict(zip(FIGURES, cursor.fetchone(), strict=True))


def runs_counted(scheme_id, first: datetime.date, last: datetime.date) -> tuple[list, list]:
    """The approved runs counted (wholly within the dates) and those left out
    because they cross the start or the end."""
    period = (first, last + datetime.timedelta(days=1))
    runs = PaymentRun.objects.filter(
        scheme_id=scheme_id, status=RunStatus.APPROVED, period__overlap=period
    ).order_by("period")
    counted, crossing = [], []
    for run in runs:
        inside = run.period.lower >= period[0] and run.period.upper <= period[1]
        (counted if inside else crossing).append(run)
    return counted, crossing
