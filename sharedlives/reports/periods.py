"""The periods reports cover: a chosen span of days, or a year from 1 April
to 31 March (the year Shared Lives Plus and CQC count by)."""

import datetime
from dataclasses import dataclass

from sharedlives.dates import add_months

# The year runs 1 April to 31 March: "2025" is 1 Apr 2025 to 31 Mar 2026.
YEAR_STARTS = (4, 1)


@dataclass(frozen=True)
class Period:
    """From ``starts_on`` to ``ends_on``, both days included."""

    starts_on: datetime.date
    ends_on: datetime.date

    def __str__(self) -> str:
        return f"{self.starts_on:%-d %b %Y} to {self.ends_on:%-d %b %Y}"

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def months(self) -> list[datetime.date]:
        """The first day of every month the period touches, in order."""
        month = self.starts_on.replace(day=1)
        found = []
        while month <= self.ends_on:
            found.append(month)
            month = add_months(month, 1)
        return found

    def as_of(self, today: datetime.date) -> datetime.date:
        """The period's last day, or today if the period is not over yet."""
        return min(self.ends_on, today)


def last_twelve_months(today: datetime.date) -> Period:
    """The default period: this month so far and the eleven before it."""
    return Period(add_months(today.replace(day=1), -11), today)


def year_starting(year: int) -> Period:
    """The year from 1 April ``year`` to 31 March the year after."""
    month, day = YEAR_STARTS
    starts_on = datetime.date(year, month, day)
    return Period(starts_on, add_months(starts_on, 12) - datetime.timedelta(days=1))


def year_of(day: datetime.date) -> int:
    """The year (by its first April) that ``day`` falls in."""
    return day.year if (day.month, day.day) >= YEAR_STARTS else day.year - 1


def last_complete_year(today: datetime.date) -> int:
    return year_of(today) - 1


def year_label(year: int) -> str:
    """2025 -> "2025 to 2026 (1 Apr 2025 to 31 Mar 2026)"."""
    return f"{year} to {year + 1} ({year_starting(year)})"
