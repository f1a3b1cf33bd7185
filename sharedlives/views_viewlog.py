"""The view log's pages, for the registered manager only: who has looked at
a person's or a household's record, and what one login has looked at.

A coordinator or a carer who can see the record is refused (403); a record
or a login outside the manager's scheme is not found (404). Each page reads
only its own scheme's rows, whatever other schemes the login belongs to."""

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Exists, IntegerField, OuterRef, Subquery, Value, When
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from sharedlives.access import get_carer_for_user, get_person_for_user
from sharedlives.models import Membership, RecordView, Role, User
from sharedlives.shortcuts import paginate
from sharedlives.viewlog import page_name

ROLES = dict(Role.choices)
# Staff first, the manager at the top; then carers' logins.
ROLE_ORDER = Case(
    When(role=Role.MANAGER, then=Value(0)),
    When(role=Role.COORDINATOR, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _require_manager(request) -> None:
    if not (request.membership and request.membership.is_manager):
        raise PermissionDenied("Only the registered manager can see who has looked at records.")


def _role_in_scheme(scheme_id, user_ref="user"):
    return Subquery(
        Membership.objects.filter(user=OuterRef(user_ref), scheme_id=scheme_id).values("role")[:1]
    )


def _page(request, views):
    """One page of the log, newest first, each row with the words for the
    page it names; the viewer's role in this scheme comes in the same query."""
    page = paginate(request, views)
    for view in page.object_list:
        view.page_name = page_name(view.path)
        view.role_name = ROLES.get(getattr(view, "viewer_role", None), "")
    return page


def _viewers(request, **record):
    scheme_id = request.membership.scheme_id
    views = (
        RecordView.objects.filter(scheme_id=scheme_id, **record)
        .select_related("user")
        .annotate(viewer_role=_role_in_scheme(scheme_id))
    )
    return _page(request, views)


@require_safe
def person_viewers(request, pk):
    """Who has looked at this person's record: pages, exports and files."""
    person, can_edit = get_person_for_user(request, pk)
    _require_manager(request)
    context = {"person": person, "can_edit": can_edit, "page": _viewers(request, person=person)}
    return render(request, "people/person_viewers.html", context)


@require_safe
def carer_viewers(request, pk):
    """Who has looked at this household's record: pages, exports and files."""
    carer, can_edit = get_carer_for_user(request, pk)
    _require_manager(request)
    context = {"carer": carer, "can_edit": can_edit, "page": _viewers(request, carer=carer)}
    return render(request, "carers/carer_viewers.html", context)


@require_safe
def user_record_views(request, user_pk):
    """What one login has looked at in this scheme. Someone who has left the
    scheme can still be looked up by what they looked at while here."""
    _require_manager(request)
    scheme_id = request.membership.scheme_id
    known_here = Exists(Membership.objects.filter(user=OuterRef("pk"), scheme_id=scheme_id)) | Exists(
        RecordView.objects.filter(user=OuterRef("pk"), scheme_id=scheme_id)
    )
    viewer = get_object_or_404(
        User.objects.filter(known_here).annotate(role=_role_in_scheme(scheme_id, "pk")), pk=user_pk
    )
    views = RecordView.objects.filter(scheme_id=scheme_id, user=viewer).select_related("person", "carer")
    context = {"viewer": viewer, "role_name": ROLES.get(viewer.role, ""), "page": _page(request, views)}
    return render(request, "sharedlives/user_record_views.html", context)


@require_safe
def staff_list(request):
    """Everyone who can sign in to this scheme, staff first, with when each
    last looked at a record; each links to what they have looked at."""
    _require_manager(request)
    scheme_id = request.membership.scheme_id
    last_view = RecordView.objects.filter(user=OuterRef("user"), scheme_id=scheme_id).order_by("-viewed_at")
    members = (
        Membership.objects.filter(scheme_id=scheme_id)
        .select_related("user", "carer")
        .annotate(role_order=ROLE_ORDER, last_viewed_at=Subquery(last_view.values("viewed_at")[:1]))
        .order_by("role_order", "user__first_name", "user__last_name", "user__username")
    )
    return render(request, "sharedlives/staff_list.html", {"page": paginate(request, members)})
