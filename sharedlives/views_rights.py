"""Subject access: the registered manager downloads everything the scheme
holds about a person or a carer household, as one ZIP.

The page (GET) says what the export holds; the button (POST) makes it, logs
it as a subject access export, and downloads it. A coordinator is refused
(403); a carer, or a record of another scheme, is not found (404)."""

import tempfile

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from sharedlives.access import get_carer_for_user, get_person_for_user
from sharedlives.models import RecordViewKind
from sharedlives.subject_access import gather_household, gather_person, write_zip
from sharedlives.viewlog import record_view

# Kept in memory up to this size, then in a temporary file on disk.
IN_MEMORY_BYTES = 8 * 1024 * 1024


def _require_staff(request) -> None:
    """Carers never export: not found, as for any record out of their reach."""
    if request.membership is None or not request.membership.is_staff_role:
        raise Http404("Carers cannot export records.")


def _require_manager(request) -> None:
    if not request.membership.is_manager:
        raise PermissionDenied("Only the registered manager can export everything held about someone.")


def _download(request, export, **record) -> FileResponse:
    spooled = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115 (the response closes it)
    write_zip(export, spooled)
    spooled.seek(0)
    record_view(request, kind=RecordViewKind.SUBJECT_ACCESS, **record)
    response = FileResponse(
        spooled, as_attachment=True, filename=export.filename, content_type="application/zip"
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def person_export(request, pk):
    _require_staff(request)
    person, can_edit = get_person_for_user(request, pk)
    _require_manager(request)
    if request.method == "POST":
        return _download(request, gather_person(person, made_by=request.user), person=person)
    context = {"person": person, "can_edit": can_edit, "subject": person, "kind": "person"}
    return render(request, "exports/export_confirm.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def carer_export(request, pk):
    _require_staff(request)
    carer, can_edit = get_carer_for_user(request, pk)
    _require_manager(request)
    if request.method == "POST":
        return _download(request, gather_household(carer, made_by=request.user), carer=carer)
    context = {"carer": carer, "can_edit": can_edit, "subject": carer, "kind": "household"}
    return render(request, "exports/export_confirm.html", context)
