from django.conf import settings
from django.core.paginator import Paginator

from sharedlives.models import STAFF_ROLES, User


def paginate(request, queryset, per_page=None, param="page"):
    """A page of ``queryset`` from ?page= (or ?<param>= for a second list on
    the page), forgiving a bad or too-large number."""
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get(param))


def scheme_staff(scheme):
    """The managers and coordinators of a scheme, for "coordinator" choices."""
    return User.objects.filter(
        memberships__scheme=scheme, memberships__role__in=STAFF_ROLES, is_active=True
    ).order_by("first_name", "last_name")
