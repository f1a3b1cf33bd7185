"""What a report is made of, for its page and its CSV alike: sections of
tables, each table with charts of some of its columns.

The CSV export is one tidy table with the columns ``section``, ``measure``,
``breakdown`` and ``value``: a row for every figure on the page. In a table
broken down by something, the measure is the column ("Current arrangements")
and the breakdown says what the row is ("Kind of arrangement: Live-in"); in a
table of headline figures the measure is the row ("Approved carer
households"), with the column as the breakdown where there are several."""

import csv
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from django.utils.text import slugify

from sharedlives.charts import BarChart, bar_chart

CSV_COLUMNS = ["section", "measure", "breakdown", "value"]
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    caption: str
    row_heading: str
    columns: list[str]
    rows: list[tuple[str, list]]
    # Each row is a measure of its own (a table of headline figures).
    rows_are_measures: bool = False
    note: str = ""
    charts: list[BarChart] = field(default_factory=list)

    def column(self, index: int = 0) -> list[tuple[str, object]]:
        return [(label, values[index]) for label, values in self.rows]

    def with_chart(self, title: str, *, summary: str = "", unit: str = "", index: int = 0) -> "Table":
        """This table, with a bar chart of its column ``index`` (a table may
        have a chart of each of several columns)."""
        self.charts.append(bar_chart(title, self.column(index), summary=summary, unit=unit))
        return self

    def tidy_rows(self):
        for label, values in self.rows:
            for column, value in zip(self.columns, values, strict=True):
                if not self.rows_are_measures:
                    yield column, f"{self.row_heading}: {label}", value
                elif len(self.columns) > 1:
                    yield label, column, value
                else:
                    yield label, "", value


def figures(caption: str, rows: list[tuple[str, object]], note: str = "") -> Table:
    """A table of headline figures, one a row."""
    rows = [(label, [value]) for label, value in rows]
    return Table(caption, "Measure", ["Number"], rows, rows_are_measures=True, note=note)


def breakdown(caption: str, row_heading: str, column: str, rows: list[tuple[str, object]], note="") -> Table:
    """A table of one measure broken down by something (one column)."""
    return Table(caption, row_heading, [column], [(label, [value]) for label, value in rows], note=note)


@dataclass
class Section:
    title: str
    tables: list[Table]
    intro: str = ""
    id: str = field(default="")

    def __post_init__(self):
        self.id = self.id or slugify(self.title)


@dataclass
class Report:
    title: str
    slug: str
    scheme: object
    period: object
    made_on: datetime.date
    sections: list[Section]

    def csv_rows(self):
        yield "Report", "Scheme", "", str(self.scheme)
        yield "Report", "From", "", self.period.starts_on
        yield "Report", "To", "", self.period.ends_on
        yield "Report", "Made on", "", self.made_on
        for section in self.sections:
            for table in section.tables:
                for measure, breakdown_label, value in table.tidy_rows():
                    yield section.title, measure, breakdown_label, value

    @property
    def filename(self) -> str:
        return f"{self.slug}-{self.period.starts_on:%Y-%m-%d}-to-{self.period.ends_on:%Y-%m-%d}.csv"


def csv_value(value) -> str:
    """A value for the CSV: dates as 2026-11-22, numbers plainly, nothing as
    empty, and text that a spreadsheet would run as a formula quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    if isinstance(value, (int, Decimal)):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_response(report: Report) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in report.csv_rows():
        writer.writerow([csv_value(value) for value in row])
    return response


def percent(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``, to one place; None of nothing."""
    return round(100 * part / whole, 1) if whole else None


def rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)
