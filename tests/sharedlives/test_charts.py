"""Bar charts drawn on the server: the longest bar fills the width, every
value is written beside its bar, and the text alternative says them all."""

from django.template.loader import render_to_string

from sharedlives.charts import VALUE_ROOM, WIDTH, bar_chart, format_value
from tests.sharedlives.pages import Element, _TreeBuilder


def _svg(chart) -> Element:
    builder = _TreeBuilder()
    builder.feed(render_to_string("includes/_bar_chart.html", {"chart": chart}))
    return builder.root.first("svg")


def test_the_longest_bar_fills_the_width_and_the_others_are_in_proportion():
    chart = bar_chart("Arrangements by kind", [("Live-in", 40), ("Short breaks", 10), ("Emergency", 0)])

    widths = [float(bar.width) for bar in chart.bars]

    assert widths == [WIDTH - VALUE_ROOM, (WIDTH - VALUE_ROOM) / 4, 0]
    assert chart.height == 3 * 50


def test_a_small_value_is_never_drawn_as_nothing():
    chart = bar_chart("Counts", [("Many", 100_000), ("One", 1)])

    assert float(chart.bars[1].width) == 2


def test_every_value_is_written_beside_its_bar():
    chart = bar_chart("Days", [("Median", 12.5), ("Longest", 1234)], unit="days")

    svg = _svg(chart)

    assert [e.text for e in svg.iter() if e.attrs.get("class") == "chart-value"] == [
        "12.5 days",
        "1,234 days",
    ]
    assert [e.text for e in svg.iter() if e.attrs.get("class") == "chart-label"] == ["Median", "Longest"]
    value = next(e for e in svg.iter() if e.attrs.get("class") == "chart-value")
    assert float(value.attrs["x"]) > float(chart.bars[0].width)


def test_the_svg_is_an_image_named_by_its_title_and_described_by_every_value():
    chart = bar_chart(
        "Endings by reason", [("Death", 1), ("Planned move", 3)], summary="Bar chart of endings."
    )

    svg = _svg(chart)

    assert svg.attrs["role"] == "img"
    assert svg.attrs["aria-labelledby"] == "chart-endings-by-reason-title chart-endings-by-reason-desc"
    assert svg.first("title").text == "Endings by reason"
    assert svg.first("desc").text == "Bar chart of endings. Death: 1; Planned move: 3."
    assert "style" not in svg.attrs


def test_a_chart_of_nothing_says_so():
    chart = bar_chart("Incidents", [("Accident", 0), ("Other", None)])

    assert [bar.width for bar in chart.bars] == ["0.0", "0.0"]
    assert chart.desc == "Accident: 0; Other: none."


def test_values_are_written_as_people_read_them():
    assert format_value(1234) == "1,234"
    assert format_value(12.0) == "12"
    assert format_value(33.333, "%") == "33.3%"
    assert format_value(None) == "none"
