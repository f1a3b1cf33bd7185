"""Compliments and complaints: logging one and closing it, each one
function. The scheme's staff do both; carers never see these records."""

import datetime

from django.db import transaction
from django.utils import timezone

from carers.models import Carer
from people.models import Person
from placements.models import Feedback, FeedbackKind
from sharedlives.workflow import WorkflowRefused


def _is_staff_of(membership, record) -> bool:
    return membership is not None and membership.is_staff_role and membership.scheme_id == record.scheme_id


@transaction.atomic
def record_feedback(
    *,
    membership,
    kind: str,
    received_on: datetime.date,
    from_whom: str,
    summary: str,
    person: Person | None = None,
    carer: Carer | None = None,
    response: str = "",
) -> Feedback:
    """Log a compliment or a complaint (the scheme's staff). Guards: a kind,
    who it is from, what they said, a date not in the future, and the person
    and the carer of this scheme."""
    if membership is None or not membership.is_staff_role:
        raise WorkflowRefused(["Only the scheme's staff can record a compliment or a complaint."])
    refusals = []
    if kind not in FeedbackKind.values:
        refusals.append("Choose whether it is a compliment or a complaint.")
    if not from_whom.strip():
        refusals.append("Say who it is from.")
    if not summary.strip():
        refusals.append("Say what they said.")
    if received_on > timezone.localdate():
        refusals.append("The date it was received cannot be in the future.")
    for name, record in (("person", person), ("carer", carer)):
        if record is not None and record.scheme_id != membership.scheme_id:
            refusals.append(f"Choose a {name} of this scheme.")
    if refusals:
        raise WorkflowRefused(refusals)
    return Feedback.objects.create(
        scheme_id=membership.scheme_id,
        kind=kind,
        received_on=received_on,
        from_whom=from_whom.strip(),
        summary=summary.strip(),
        person=person,
        carer=carer,
        response=response.strip(),
        recorded_by=membership.user,
    )


@transaction.atomic
def close_feedback(
    *, feedback: Feedback, membership, closed_on: datetime.date, response: str, outcome: str = ""
) -> Feedback:
    """Close a compliment (acknowledged) or a complaint (answered), by the
    scheme's staff. A complaint needs what we did and its outcome (upheld,
    partly upheld, not upheld, withdrawn); a compliment has no outcome. The
    date is neither in the future nor before it was received."""
    locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if not _is_staff_of(membership, locked):
        raise WorkflowRefused(["Only the staff of this scheme can close a compliment or a complaint."])
    if locked.closed_on is not None:
        raise WorkflowRefused([f"This was closed on {locked.closed_on:%-d %b %Y}."])
    complaint = locked.kind == FeedbackKind.COMPLAINT
    refusals = []
    if complaint and not outcome:
        refusals.append("Record the complaint's outcome before closing it.")
    if complaint and not response.strip():
        refusals.append("Say what we did about the complaint.")
    if closed_on > timezone.localdate():
        refusals.append("The date it was closed cannot be in the future.")
    elif closed_on < locked.received_on:
        refusals.append(
            f"The date it was closed cannot be before it was received ({locked.received_on:%-d %b %Y})."
        )
    if refusals:
        raise WorkflowRefused(refusals)
    locked.closed_on, locked.closed_by = closed_on, membership.user
    locked.response = response.strip()
    locked.outcome = outcome if complaint else ""
    locked.version += 1
    locked.save(update_fields=["closed_on", "closed_by", "response", "outcome", "version", "updated_at"])
    return locked
