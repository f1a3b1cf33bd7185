import datetime

from django.db import models


def display_value(field: models.Field | None, value) -> str:
    """A stored value as a person reads it: a choice's label, "Yes"/"No", a
    list joined with commas, a date as 22 Nov 2026, "—" for nothing. Used by
    the audit history and by the before-and-after of carers' changes."""
    if value in (None, "", []):
        return "—"
    if field is not None and field.choices:
        return str(dict(field.choices).get(value, value))
    base = getattr(field, "base_field", None)
    if isinstance(value, list):
        labels = dict(base.choices) if base is not None and base.choices else {}
        return ", ".join(str(labels.get(item, item)) for item in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if (
        isinstance(value, str)
        and isinstance(field, models.DateField)
        and not isinstance(field, models.DateTimeField)
    ):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return f"{value:%-d %b %Y}"
    return str(value)
