"""Postcodes in SQL: what a household's index and the reports group by."""

from django.db.models import CharField, Func


class PostcodeDistrict(Func):
    """The outward code of a postcode: "LS6 2AB" -> "LS6" (spaces or not)."""

    template = r"upper(regexp_replace(regexp_replace(%(expressions)s, '\s', '', 'g'), '.{3}$', ''))"
    output_field = CharField()
