"""How the reports write their figures, and the address of a report's CSV."""

import datetime
from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def report_value(value) -> str:
    """A figure as the page shows it: 1,234; 12.5; 22 Nov 2026; "—" for none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return f"{value:%-d %b %Y}"
    if isinstance(value, (float, Decimal)):
        return f"{value:,.1f}".removesuffix(".0")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@register.simple_tag(takes_context=True)
def csv_url(context) -> str:
    """This report's address with its choices, as CSV."""
    query = context["request"].GET.copy()
    query["format"] = "csv"
    return f"?{query.urlencode()}"
