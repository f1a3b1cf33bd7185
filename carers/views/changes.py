"""The scheme's side of the carers' portal: the queue of changes carers ask
for, the coordinator's answer to each, and the certificates carers upload.

Every answer goes through carers.changes; these views find the change (or
certificate) within the user's scheme, call the service and say what
happened, or why it was refused."""

from django.contrib import messages
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from carers import changes as services
from carers.checklist import DBS_AGE
from carers.lapsed import lapsed_flag
from carers.models import Carer, Certificate, ChangeKind, ChangeRequest, HouseholdMember
from sharedlives.access import require_staff
from sharedlives.forms import posted_text
from sharedlives.models import RecordViewKind
from sharedlives.shortcuts import paginate
from sharedlives.viewlog import record_view
from sharedlives.workflow import WorkflowRefused

MINE, EVERYONE = "mine", "everyone"
# What the queue's address may carry back after an answer: the filter and the pages.
QUEUE_PARAMS = ("whose", "page", "noted_page")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _rows(change) -> list[dict]:
    """Each line of the before-and-after table: what it is, what it was, what
    it will be (or is now), and how it changes, in words: "new" for what is
    added, "removed" for what goes, "changed" where a value differs."""
    before_rows, after_rows = change.before_rows, change.after_rows  # in form order
    labels = [label for label, _ in before_rows]
    labels += [label for label, _ in after_rows if label not in labels]
    rows = []
    for label in labels:
        before = change.before.get(label, "—")
        after = change.after.get(label, "—")
        if not change.before:
            marker = "new" if after != "—" else ""
        elif not change.after:
            after, marker = "Removed", "removed"
        else:
            marker = "changed" if before != after else ""
        rows.append({"label": label, "before": before, "after": after, "marker": marker})
    return rows


def _queue_url(request) -> str:
    """The queue, with the filter and pages the answer was given from."""
    sent = QueryDict(request.POST.get("queue", ""))
    query = QueryDict(mutable=True)
    for name in QUEUE_PARAMS:
        value = sent.get(name, "")
        allowed = value in (MINE, EVERYONE) if name == "whose" else value.isdigit()
        if allowed:
            query[name] = value
    url = reverse("change_queue")
    return f"{url}?{query.urlencode()}" if query else url


@require_safe
def change_queue(request):
    """The changes carers asked for that wait for an answer, oldest first,
    and below them the changes that took effect at once, to be noted."""
    require_staff(request)
    membership = request.membership
    whose = request.GET.get("whose")
    if whose not in (MINE, EVERYONE):
        has_carers = Carer.objects.visible_to(membership).filter(coordinator=request.user).exists()
        whose = MINE if has_carers else EVERYONE
    changes = (
        ChangeRequest.objects.visible_to(membership)
        .select_related("carer", "carer__coordinator", "proposed_by")
        .annotate(carer_checks_lapsed=lapsed_flag(request, carer="carer"))
    )
    if whose == MINE:
        changes = changes.filter(carer__coordinator=request.user)
    pending = paginate(request, changes.pending().order_by("proposed_at", "id"))
    pending.object_list = list(pending.object_list)
    for change in pending.object_list:
        change.rows = _rows(change)
    # A second list on the page, so its own page number.
    unseen = paginate(request, changes.unseen().order_by("proposed_at", "id"), param="noted_page")
    unseen.object_list = list(unseen.object_list)
    for change in unseen.object_list:
        change.rows = _rows(change)
    context = {
        "whose": whose,
        "pending": pending,
        "page": pending,
        "unseen": unseen,
        "queue_query": request.GET.urlencode(),
    }
    return render(request, "carers/change_queue.html", context)


def _change_for_staff(request, change_pk) -> ChangeRequest:
    require_staff(request)
    return get_object_or_404(
        ChangeRequest.objects.visible_to(request.membership).select_related("carer"), pk=change_pk
    )


def _what(change) -> str:
    return f"{_lower_first(change.get_kind_display())} for {change.carer.name}"


def _accepted_message(change) -> str:
    if change.kind == ChangeKind.ADD_MEMBER and change.target_id:
        member = HouseholdMember.objects.filter(pk=change.target_id).first()
        if member is not None:
            age = member.age_on(timezone.localdate())
            if age >= DBS_AGE:
                return (
                    f"Accepted. {member.name} is {age}, so a DBS check has been added to the "
                    "household's checklist."
                )
    return f"Accepted: {_what(change)}."


@require_POST
def change_accept(request, change_pk):
    change = _change_for_staff(request, change_pk)
    try:
        accepted = services.accept_change(
            change=change, membership=request.membership, reason=posted_text(request, "reason")
        )
    except WorkflowRefused as refused:
        messages.error(request, f"Not accepted: {_what(change)}. {' '.join(refused.reasons)}")
    else:
        messages.success(request, _accepted_message(accepted))
    return redirect(_queue_url(request))


@require_POST
def change_decline(request, change_pk):
    change = _change_for_staff(request, change_pk)
    try:
        services.decline_change(
            change=change, membership=request.membership, reason=posted_text(request, "reason")
        )
    except WorkflowRefused as refused:
        messages.error(request, f"Not declined: {_what(change)}. {' '.join(refused.reasons)}")
    else:
        messages.success(request, f"Declined: {_what(change)}. The carer can see your reason.")
    return redirect(_queue_url(request))


@require_POST
def change_note(request, change_pk):
    change = _change_for_staff(request, change_pk)
    try:
        services.note_change(change=change, membership=request.membership)
    except WorkflowRefused as refused:
        messages.error(request, " ".join(refused.reasons))
    else:
        messages.success(request, f"Noted: {_what(change)}.")
    return redirect(_queue_url(request))


@require_safe
def certificate_file(request, certificate_pk):
    """The uploaded file, for the carer who uploaded it for their household
    and for their scheme's staff; anyone else is told it does not exist.
    Always a download, never shown in the browser, so an uploaded file
    cannot run as a page of this site."""
    membership = request.membership
    certificate = get_object_or_404(Certificate.objects.visible_to(membership), pk=certificate_pk)
    if not (membership.is_staff_role or membership.carer_id == certificate.carer_id):
        raise Http404("No such certificate.")
    try:
        handle = certificate.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    record_view(request, carer=certificate.carer_id, kind=RecordViewKind.DOWNLOAD)
    response = FileResponse(
        handle, as_attachment=True, filename=certificate.original_name, content_type=certificate.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def certificate_verify(request, certificate_pk):
    require_staff(request)
    certificate = get_object_or_404(
        Certificate.objects.visible_to(request.membership).select_related("carer"), pk=certificate_pk
    )
    carer = certificate.carer
    what = f"the certificate from {carer.name} ({certificate.get_kind_display()})"
    try:
        services.verify_certificate(certificate=certificate, membership=request.membership)
    except WorkflowRefused as refused:
        messages.error(request, f"Not verified: {what}. {' '.join(refused.reasons)}")
    else:
        messages.success(
            request, f"Verified {what}. Record the check it supports, if you have not yet, so it counts."
        )
    return redirect(reverse("carer_approval", args=[carer.pk]) + "#checklist")
