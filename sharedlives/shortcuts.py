from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable

from sharedlives.models import STAFF_ROLES, User


def paginate(request, queryset, per_page=None, param="page"):
    """A page of ``queryset`` from ?page= (or ?<param>= for a second list on
    the page), forgiving a bad or too-large number."""
    paginator = IdsFirstPaginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get(param))


class IdsFirstPaginator(Paginator):
    """Finds a page's rows in two steps, in one query: the ids of the page,
    in the list's order (from an index, narrow), then those rows with their
    joins and annotations. Asking for the rows at once makes PostgreSQL build
    every row skipped before a far page (page 300 of 10,000 households:
    7,500 rows built, or 10,000 sorted on disk, to show 25)."""

    def _get_page(self, object_list, number, paginator):
        if _plain(self.object_list) and object_list.query.is_sliced:
            object_list = self.object_list.filter(pk__in=object_list.values("pk"))
        return super()._get_page(object_list, number, paginator)


def _plain(rows) -> bool:
    """Whether ``rows`` is a query of records that can be filtered again: not
    rows of values, not a union, not distinct."""
    return (
        isinstance(rows, QuerySet)
        and rows._iterable_class is ModelIterable
        and not rows.query.combinator
        and not rows.query.distinct
    )


class Counted:
    """A queryset whose length is already known (counted with the page's
    other figures), for ``paginate``: the paginator then asks the database
    only for the rows of the page, not for a count of its own."""

    ordered = True

    def __init__(self, queryset, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]


def scheme_staff(scheme):
    """The managers and coordinators of a scheme, for "coordinator" choices."""
    return User.objects.filter(
        memberships__scheme=scheme, memberships__role__in=STAFF_ROLES, is_active=True
    ).order_by("first_name", "last_name")


def staff_names(staff):
    """(pk, name) for each user of the queryset ``staff``, read as columns:
    a large scheme has hundreds of staff, and a drop-down needs no objects."""
    for pk, first_name, last_name, username in staff.values_list("pk", "first_name", "last_name", "username"):
        yield pk, User.name_from(first_name, last_name, username)


def staff_choices(scheme) -> list[tuple[str, str]]:
    """The scheme's staff as choices for a plain ChoiceField."""
    return [(str(pk), name) for pk, name in staff_names(scheme_staff(scheme))]
