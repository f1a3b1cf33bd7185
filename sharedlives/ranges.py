from django.db import models


class Range(models.Func):
    """A range built from two columns, e.g. daterange(start_date, end_date, '[)').

    Exclusion constraints use it for dates, and for an id as a one-value range
    (int8range(carer_id, carer_id, '[]')): plain integer equality in a GiST
    index would need the btree_gist extension, which the embedded PostgreSQL
    lacks. Give the field's name ("carer"), not its column ("carer_id"): form
    validation substitutes the new row's values by field name."""

    def __init__(self, lower, upper, *, function, bounds="[]", output_field=None):
        super().__init__(lower, upper, models.Value(bounds), function=function, output_field=output_field)
