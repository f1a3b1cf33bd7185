"""The view log: who opened a person's or a carer household's record.

Kept apart from the change history (sharedlives.audit): a row for each page
of a person (``people/<pk>/...``) or a household (``carers/<pk>/...``) that
someone opened, each export and each downloaded file. Carers' own looks are
logged too: opening the household's pages or a person's profile is still
access to personal data. The table is append-only (RecordView's trigger)
and only the registered manager reads it (sharedlives.views_viewlog).

Writing a row costs one INSERT and no reads: the record was already found
within the user's scheme by the access layer, so the scheme is the user's.
"""

from functools import wraps

from django.urls import Resolver404, resolve

from carers.models import Carer
from people.models import Person
from sharedlives.models import RecordView, RecordViewKind

PATH_LENGTH = RecordView._meta.get_field("path").max_length

# What each logged address is, in the words the manager reads.
PAGE_NAMES = {
    "person_detail": "Details",
    "person_edit": "Edit details",
    "person_contacts": "Edit contacts",
    "person_history": "History of changes",
    "person_profile": "One-page profile",
    "person_profile_edit": "Edit the one-page profile",
    "person_profile_print": "One-page profile, to print",
    "person_export": "Subject access export",
    "carer_detail": "Household",
    "carer_edit": "Edit details",
    "carer_household": "Edit household",
    "carer_history": "History of changes",
    "carer_availability": "Availability",
    "carer_approval": "Approval",
    "check_create": "Add a check",
    "check_edit": "A check",
    "assessment_edit": "Assessment",
    "carer_decision": "Approval decision",
    "terms_change": "Change of terms",
    "carer_review_create": "Annual review",
    "carer_export": "Subject access export",
    "certificate_file": "An uploaded certificate",
    "panel_pack": "Panel pack",
    "payment_run_csv": "Payment run file (CSV)",
    "allocation_report": "Allocations report (CSV)",
}


def _pk(record):
    return getattr(record, "pk", record)


def _row(request, *, kind, person=None, carer=None) -> RecordView:
    return RecordView(
        scheme_id=request.membership.scheme_id,
        user_id=request.user.pk,
        kind=kind,
        person_id=_pk(person),
        carer_id=_pk(carer),
        path=request.get_full_path()[:PATH_LENGTH],
    )


def record_view(
    request,
    *,
    person: Person | int | None = None,
    carer: Carer | int | None = None,
    kind: RecordViewKind = RecordViewKind.PAGE,
) -> RecordView:
    """Log that the signed-in user opened (or exported, or downloaded) this
    person's or household's record, at this address. Call it only after the
    access layer has found the record for ``request.membership``. An export
    naming many people passes neither and is logged against the user only."""
    row = _row(request, kind=kind, person=person, carer=carer)
    row.save(force_insert=True)
    return row


def record_views_of_carers(request, carers, *, kind: RecordViewKind = RecordViewKind.PAGE) -> None:
    """One row for each household on a page that shows several (a panel
    pack), in a single INSERT."""
    RecordView.objects.bulk_create([_row(request, kind=kind, carer=carer) for carer in carers])


def logs_view_of(record: str, kind: RecordViewKind = RecordViewKind.PAGE):
    """For a view whose ``pk`` is a person (``record="person"``) or a
    household (``"carer"``): when it shows its page (a GET answered 200, so
    the access layer found the record), log the view."""
    if record not in ("person", "carer"):
        raise ValueError(f"The view log records a person or a carer, not {record!r}.")

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if request.method == "GET" and response.status_code == 200:
                record_view(request, kind=kind, **{record: kwargs["pk"]})
            return response

        return wrapper

    return decorator


def page_name(path: str) -> str:
    """The words for a logged address ("One-page profile"), or the address
    itself for one this list does not know."""
    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return path
    return PAGE_NAMES.get(match.url_name, path)
