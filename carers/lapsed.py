"""The lapsed-check flag on every page that shows a carer household, and how
a lapse date reads.

A household is flagged when a check or training record the scheme requires
has lapsed (``carers.expiry.flags_household``). Lists annotate the flag in
SQL, so a page of rows costs the same queries as one row; the scheme's rules
are read once a request however many lists on the page flag carers."""

import datetime

from django.utils import timezone

from carers import expiry
from carers.checklist import CheckRule, rules_for
from carers.models import Carer, Check


def check_rules(request, scheme=None) -> dict[str, CheckRule]:
    """The rules of the scheme the user works in, read once and kept on the
    request. Pass ``scheme`` (the same scheme) where a view has prefetched
    its ``check_settings``, to read them from there."""
    if not hasattr(request, "_check_rules"):
        request._check_rules = rules_for(scheme or request.membership.scheme)
    return request._check_rules


def lapsed_flag(request, carer="pk"):
    """For ``annotate``: whether the row's household is flagged today.
    ``carer`` names the row's household: "pk" on carers, "carer" on
    arrangements, proposals, changes and panel items."""
    return expiry.flags_household(check_rules(request), timezone.localdate(), carer=carer)


def flag_carers(request, carers) -> None:
    """Set ``checks_lapsed`` on each of ``carers``, in one query: for rows
    that come from a query this page does not build (the matching ranking, a
    prefetch)."""
    carers = [carer for carer in carers if carer is not None]
    if not carers:
        return
    flagged = set(
        Carer.objects.filter(pk__in={carer.pk for carer in carers})
        .filter(lapsed_flag(request))
        .values_list("pk", flat=True)
    )
    for carer in carers:
        carer.checks_lapsed = carer.pk in flagged


def lapsed_checks(request, carer: Carer) -> list[Check]:
    """The required records of ``carer`` that have lapsed, longest lapsed
    first, each with ``lapses_on`` and ``lapsed_words``: for the flag and the
    banner on the household's own pages. Empty for a household the scheme no
    longer relies on, as the flag is."""
    if carer.status in expiry.CLOSED_STATUSES:
        return []
    today = timezone.localdate()
    records = list(
        expiry.lapsed_required_checks(check_rules(request), today, carer=carer.pk)
        .select_related("household_member")
        .order_by("lapses_on", "kind", "pk")
    )
    for record in records:
        record.carer = carer
        record.lapsed_words = lapse_words(record.lapses_on, today)
    return records


def lapse_words(lapses_on: datetime.date, today: datetime.date) -> str:
    """When a record lapses, from ``today``, in words: "expired 3 days ago",
    "expired yesterday", "lapses today" (its last day), "lapses tomorrow",
    "lapses in 12 days"."""
    days = (lapses_on - today).days
    if days < -1:
        return f"expired {-days} days ago"
    if days == -1:
        return "expired yesterday"
    if days == 0:
        return "lapses today"
    if days == 1:
        return "lapses tomorrow"
    return f"lapses in {days} days"
