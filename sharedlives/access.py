"""Who may see and change which records: the one place that answers it.

Every view gets its objects through these helpers or through a model's
``visible_to(membership)`` queryset, never by a bare primary key. Something
outside the user's reach is a 404 (so its existence is not revealed); a record
they may see but not change is a 403 when they try to change it.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from carers.models import Carer, PanelMeeting
from people.models import Person
from placements.models import Arrangement, Feedback, Incident, Referral


def can_edit_records(membership) -> bool:
    """Managers and coordinators keep the scheme's records; carers read theirs."""
    return bool(membership and membership.is_staff_role)


def require_staff(request) -> None:
    """For pages only staff may use (creating records, lists of the scheme)."""
    if not can_edit_records(request.membership):
        raise PermissionDenied("Only the scheme's staff can do this.")


def _get(queryset, request, pk, *, for_change: bool):
    obj = get_object_or_404(queryset.visible_to(request.membership), pk=pk)
    can_edit = can_edit_records(request.membership)
    if for_change and not can_edit:
        raise PermissionDenied("You can see this record but not change it.")
    return obj, can_edit


def get_carer_for_user(request, pk, *, for_change=False, queryset=None) -> tuple[Carer, bool]:
    if queryset is None:
        queryset = Carer.objects.select_related("scheme", "coordinator")
    return _get(queryset, request, pk, for_change=for_change)


def get_person_for_user(request, pk, *, for_change=False, queryset=None) -> tuple[Person, bool]:
    if queryset is None:
        queryset = Person.objects.select_related("scheme", "coordinator")
    return _get(queryset, request, pk, for_change=for_change)


def get_arrangement_for_user(request, pk, *, for_change=False, queryset=None) -> tuple[Arrangement, bool]:
    if queryset is None:
        queryset = Arrangement.objects.select_related("scheme", "person", "carer")
    return _get(queryset, request, pk, for_change=for_change)


def get_referral_for_user(request, pk, *, for_change=False, queryset=None) -> tuple[Referral, bool]:
    """Referrals are the scheme staff's: a carer (or another scheme) gets a 404."""
    if queryset is None:
        queryset = Referral.objects.select_related("scheme", "person", "coordinator")
    return _get(queryset, request, pk, for_change=for_change)


def get_panel_meeting_for_user(request, pk, *, queryset=None) -> PanelMeeting:
    """Panel meetings are the scheme staff's: anyone else gets a 404."""
    if queryset is None:
        queryset = PanelMeeting.objects.all()
    return get_object_or_404(queryset.visible_to(request.membership), pk=pk)


def get_incident_for_user(request, pk, *, queryset=None) -> Incident:
    """Incidents are the scheme staff's: a carer (or another scheme) gets a 404."""
    if queryset is None:
        queryset = Incident.objects.select_related("person", "carer", "arrangement")
    return get_object_or_404(queryset.visible_to(request.membership), pk=pk)


def get_feedback_for_user(request, pk, *, queryset=None) -> Feedback:
    """Compliments and complaints are the scheme staff's: anyone else gets a 404."""
    if queryset is None:
        queryset = Feedback.objects.select_related("person", "carer")
    return get_object_or_404(queryset.visible_to(request.membership), pk=pk)
