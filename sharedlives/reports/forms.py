"""The choices on a report's page: a period (from and to) or a year."""

import datetime

from django import forms

from sharedlives.dates import add_months
from sharedlives.forms import DateInput, Form
from sharedlives.reports.periods import Period, last_complete_year, last_twelve_months, year_label, year_of

LONGEST_PERIOD_YEARS = 5
YEARS_OFFERED = 10


class PeriodForm(Form):
    """From and to, both days included; the last 12 months unless chosen.
    Always bound, so the page shows the dates it reports on; a date left
    blank is the default's (so neither is marked required)."""

    start = forms.DateField(label="From", widget=DateInput(), required=False)
    end = forms.DateField(label="To", widget=DateInput(), required=False)

    def __init__(self, query, *, today: datetime.date):
        default = last_twelve_months(today)
        data = {"start": default.starts_on.isoformat(), "end": default.ends_on.isoformat()}
        data.update({name: query[name] for name in ("start", "end") if query.get(name, "").strip()})
        super().__init__(data)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The period must end on or after the day it starts.")
            elif end >= add_months(start, 12 * LONGEST_PERIOD_YEARS):
                self.add_error("end", f"Choose a period of {LONGEST_PERIOD_YEARS} years or less.")
        return cleaned

    @property
    def period(self) -> Period | None:
        """The period chosen, or None while the dates have an error."""
        if not self.is_valid():
            return None
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])


class YearForm(Form):
    """A year from 1 April to 31 March, by the year it starts; the last
    complete year unless chosen."""

    year = forms.TypedChoiceField(
        label="Year (1 April to 31 March)",
        coerce=int,
        required=False,  # a blank choice is the last complete year
        error_messages={"invalid_choice": "Choose one of the years in the list."},
    )

    def __init__(self, query, *, today: datetime.date):
        latest = year_of(today)
        data = {"year": query.get("year", "").strip() or str(last_complete_year(today))}
        super().__init__(data)
        self.fields["year"].choices = [
            (year, year_label(year)) for year in range(latest, latest - YEARS_OFFERED, -1)
        ]

    @property
    def chosen_year(self) -> int | None:
        return self.cleaned_data["year"] if self.is_valid() else None
