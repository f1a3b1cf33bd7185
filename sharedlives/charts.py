"""Charts drawn on the server as SVG, readable without colour or scripts.

A chart here is a picture of figures the page also gives as a table, so it
never holds the only copy of anything. Each one is an ``<svg role="img">``
with a ``<title>`` and a ``<desc>`` that together say what it shows and
every value, for a screen reader; every bar has its label above it and its
value written beside it, so the chart reads the same in black and white and
when printed. The geometry is worked out here; the markup is
``templates/includes/_bar_chart.html`` (colours and type come from classes in
``static/css/app.css``)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.text import slugify

# The drawing's own units; the SVG scales to the width of its container.
# Narrow, so that type drawn at 16 units still shows at about 14 pixels on
# a phone (the chart is at most 28rem wide, about 18 pixels there).
WIDTH = 400
ROW_HEIGHT = 50
LABEL_BASELINE = 17  # the label sits above its bar
BAR_TOP = 23
BAR_HEIGHT = 20
VALUE_GAP = 8
# Room kept right of the longest bar for its value ("1,234 days").
VALUE_ROOM = 90
MIN_BAR = 2  # a value above nought is never drawn as nothing


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str
    label_y: int
    bar_y: int
    width: str
    value_x: str
    value_y: int


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart: one bar a row, longest value the full width."""

    id: str
    title: str
    desc: str
    bars: list[Bar]
    width: int
    height: int
    bar_height: int = BAR_HEIGHT
    template: str = "includes/_bar_chart.html"


def format_value(value, unit: str = "") -> str:
    """A value as it is written beside its bar: 1,234 or 12.5, then the unit."""
    if value is None:
        return "none"
    if isinstance(value, (float, Decimal)) and value != int(value):
        text = f"{value:,.1f}"
    else:
        text = f"{int(value):,}"
    return f"{text}%" if unit == "%" else f"{text} {unit}".strip()


def bar_chart(
    title: str,
    rows: list[tuple[str, float | int | None]],
    *,
    summary: str = "",
    unit: str = "",
    chart_id: str = "",
) -> BarChart:
    """A horizontal bar chart of ``rows`` (label, value). ``summary`` starts
    the text alternative; every value follows it, in words, in order."""
    biggest = max((value or 0 for _, value in rows), default=0)
    scale = (WIDTH - VALUE_ROOM) / biggest if biggest > 0 else 0
    bars = []
    for index, (label, value) in enumerate(rows):
        top = index * ROW_HEIGHT
        amount = float(value or 0)
        width = max(amount * scale, MIN_BAR) if amount > 0 else 0
        bars.append(
            Bar(
                label=label,
                value=amount,
                text=format_value(value, unit),
                label_y=top + LABEL_BASELINE,
                bar_y=top + BAR_TOP,
                width=f"{width:.1f}",
                value_x=f"{width + VALUE_GAP:.1f}",
                value_y=top + BAR_TOP + BAR_HEIGHT - 5,
            )
        )
    values = "; ".join(f"{bar.label}: {bar.text}" for bar in bars) or "nothing to show"
    desc = f"{summary.rstrip('.')}. {values}." if summary else f"{values}."
    return BarChart(
        id=chart_id or f"chart-{slugify(title)}",
        title=title,
        desc=desc,
        bars=bars,
        width=WIDTH,
        height=max(len(bars), 1) * ROW_HEIGHT,
    )
