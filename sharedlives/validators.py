import re

from django.core.exceptions import ValidationError

# The shape of every UK postcode (including BFPO-free special cases like
# GIR 0AA), after spaces are removed and letters upper-cased.
_POSTCODE = re.compile(r"^(GIR0AA|[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][ABD-HJLNP-UW-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """'ls62ab ' -> 'LS6 2AB'; raises ValidationError if it is not a UK postcode."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if not _POSTCODE.match(compact):
        raise ValidationError("Enter a UK postcode, like LS6 2AB.", code="invalid_postcode")
    return f"{compact[:-3]} {compact[-3:]}"


def validate_uk_postcode(value: str) -> None:
    normalise_postcode(value)


def validate_not_in_future(value) -> None:
    from django.utils import timezone

    if value and value > timezone.localdate():
        raise ValidationError("This date is in the future.", code="future_date")


# The years a date typed into the app can fall in: wide enough for anyone's
# date of birth and any plan, narrow enough that working out months and
# nights from it never runs past the calendar (year 9999) or for ever.
FIRST_YEAR, LAST_YEAR = 1900, 2100


def validate_plausible_date(value) -> None:
    if value and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            f"Check the year: give a date between {FIRST_YEAR} and {LAST_YEAR}.", code="implausible_date"
        )
