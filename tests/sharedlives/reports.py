"""Reading a report as its user would: the CSV export as figures, and the
tables on its page."""

import csv
import io

from tests.sharedlives.pages import Element, Page

CSV_HEADER = ["section", "measure", "breakdown", "value"]


def csv_figures(response) -> dict[tuple[str, str, str], str]:
    """The CSV export, as {(section, measure, breakdown): value}; each
    figure once."""
    assert response.status_code == 200, response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == CSV_HEADER
    found = {}
    for section, measure, breakdown, value in rows[1:]:
        key = (section, measure, breakdown)
        assert key not in found, f"{key} is in the CSV twice"
        found[key] = value
    return found


def section_of(figures: dict, section: str) -> dict[tuple[str, str], str]:
    """One section's figures, as {(measure, breakdown): value}."""
    return {(m, b): v for (s, m, b), v in figures.items() if s == section}


def table(response, caption: str) -> dict[str, list[str]]:
    """The table with ``caption`` (its start) on the page: {row heading: cells}."""
    page = Page(response)
    for element in page.root.iter():
        if element.tag == "table" and element.first("caption").text.startswith(caption):
            rows = [e for e in element.first("tbody").iter() if e.tag == "tr"]
            return {
                row.first("th").text: [
                    c.text for c in row.children if isinstance(c, Element) and c.tag == "td"
                ]
                for row in rows
            }
    raise AssertionError(f"no table captioned {caption!r}")


def charts(response) -> list[Element]:
    return [e for e in Page(response).root.iter() if e.tag == "svg"]
