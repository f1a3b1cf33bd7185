"""Changes carers ask for through the portal, and the scheme's answer.

``propose_change`` records a change a carer asks for: a change to what the
scheme relies on (household members, pets, rooms, smoking) waits for a
coordinator; the rest (contact details, interests and languages, dates
away) takes effect at once and waits only to be noted. ``accept_change`` and
``decline_change`` are the coordinator's answer. Each runs in a transaction
and locks the change, so two coordinators cannot both answer it."""

import datetime

from django.db import transaction
from django.utils import timezone

from carers.checklist import DBS_AGE
from carers.models import (
    NEEDS_ACCEPTANCE,
    Carer,
    Certificate,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    Check,
    CheckKind,
    CheckStatus,
    CheckSubject,
    HouseholdMember,
    Pet,
    Room,
    Unavailability,
)
from sharedlives.display import display_value
from sharedlives.workflow import WorkflowRefused

# For each kind: the model it changes, and the fields a carer may set.
TARGETS = {
    ChangeKind.ADD_MEMBER: (HouseholdMember, ("name", "relationship", "date_of_birth")),
    ChangeKind.REMOVE_MEMBER: (HouseholdMember, ()),
    ChangeKind.ADD_PET: (Pet, ("kind", "name", "notes")),
    ChangeKind.REMOVE_PET: (Pet, ()),
    ChangeKind.ADD_ROOM: (Room, ("name", "ground_floor", "step_free", "own_bathroom", "notes")),
    ChangeKind.CHANGE_ROOM: (Room, ("name", "ground_floor", "step_free", "own_bathroom", "notes")),
    ChangeKind.REMOVE_ROOM: (Room, ()),
    ChangeKind.SMOKING: (Carer, ("smoking",)),
    ChangeKind.CONTACT: (Carer, ("phone", "email")),
    ChangeKind.INTERESTS: (Carer, ("interests", "languages")),
    ChangeKind.AVAILABILITY: (Unavailability, ("starts_on", "ends_on", "note")),
    ChangeKind.REMOVE_AVAILABILITY: (Unavailability, ()),
}

REMOVALS = (
    ChangeKind.REMOVE_MEMBER,
    ChangeKind.REMOVE_PET,
    ChangeKind.REMOVE_ROOM,
    ChangeKind.REMOVE_AVAILABILITY,
)

# What a household member, pet or room is shown by, when it is removed.
SHOWN = {
    HouseholdMember: ("name", "relationship", "date_of_birth"),
    Pet: ("kind", "name"),
    Room: ("name", "ground_floor", "step_free", "own_bathroom"),
    Unavailability: ("starts_on", "ends_on", "note"),
}


def _snapshot(model, fields, source) -> dict:
    """{"Label": "shown value"} for the fields, from a dict or an object."""
    get = source.get if isinstance(source, dict) else lambda name: getattr(source, name)
    fields = [model._meta.get_field(name) for name in fields]
    return {str(field.verbose_name).capitalize(): display_value(field, get(field.name)) for field in fields}


def snapshot_labels(kind: str) -> list[str]:
    """The labels of a change's before and after, in the order to show them
    (PostgreSQL keeps a JSON object's keys in an order of its own)."""
    model, fields = TARGETS[kind]
    return [str(model._meta.get_field(name).verbose_name).capitalize() for name in fields or SHOWN[model]]


def _jsonable(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def _target(carer, kind, target_id):
    model, _ = TARGETS[kind]
    if model is Carer:
        return carer
    if target_id is None:
        return None
    related = {
        HouseholdMember: "household_members",
        Pet: "pets",
        Room: "rooms",
        Unavailability: "unavailable_dates",
    }[model]
    found = getattr(carer, related).filter(pk=target_id).first()
    if found is None:
        raise WorkflowRefused(["That is no longer part of the household."])
    return found


@transaction.atomic
def propose_change(
    *, carer: Carer, membership, kind: str, values: dict | None = None, target_id=None
) -> ChangeRequest:
    """A carer (or staff on their behalf) asks for a change to the household.

    Only the household's own carers and its scheme's staff may ask."""
    if not (
        (membership.is_carer and membership.carer_id == carer.pk)
        or (membership.is_staff_role and membership.scheme_id == carer.scheme_id)
    ):
        raise WorkflowRefused(["Only this household's carers can ask for this change."])
    values = values or {}
    model, fields = TARGETS[kind]
    target = _target(carer, kind, target_id)
    if kind in (*REMOVALS, ChangeKind.CHANGE_ROOM):
        if target is None:
            raise WorkflowRefused(["Say which one it is."])
        if carer.change_requests.pending().filter(kind=kind, target_id=target.pk).exists():
            raise WorkflowRefused(["You have already told us about this; it is waiting for the scheme."])
    before = {}
    if target is not None:
        # A changed room shows the same fields before and after.
        before = _snapshot(model, fields or SHOWN[model], target)
    after = _snapshot(model, fields, values) if fields else {}
    change = ChangeRequest.objects.create(
        carer=carer,
        kind=kind,
        status=ChangeStatus.PENDING if kind in NEEDS_ACCEPTANCE else ChangeStatus.DONE,
        before=before,
        after=after,
        data={name: _jsonable(values[name]) for name in fields if name in values},
        target_id=target.pk if target is not None and model is not Carer else None,
        proposed_by=membership.user,
        proposed_at=timezone.now(),
    )
    if kind not in NEEDS_ACCEPTANCE:
        _apply(change, carer)
    return change


def _values(change) -> dict:
    model, fields = TARGETS[change.kind]
    values = {}
    for name in fields:
        if name not in change.data:
            continue
        value = change.data[name]
        if value and model._meta.get_field(name).get_internal_type() == "DateField":
            value = datetime.date.fromisoformat(value)
        values[name] = value
    return values


def _apply(change: ChangeRequest, carer: Carer) -> None:
    kind, values = change.kind, _values(change)
    if kind in (ChangeKind.SMOKING, ChangeKind.CONTACT, ChangeKind.INTERESTS):
        locked = Carer.objects.select_for_update().get(pk=carer.pk)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.version += 1
        locked.save(update_fields=[*values, "version", "updated_at"])
    elif kind == ChangeKind.ADD_MEMBER:
        member = HouseholdMember.objects.create(carer=carer, **values)
        change.target_id = member.pk
        change.save(update_fields=["target_id"])
        if member.age_on(timezone.localdate()) >= DBS_AGE:
            Check.objects.create(
                carer=carer,
                kind=CheckKind.DBS,
                subject=CheckSubject.MEMBER,
                household_member=member,
                status=CheckStatus.NOT_STARTED,
                notes=f"{member.name} moved in (the carer told us through the portal): a DBS check is due.",
                recorded_by=change.decided_by or change.proposed_by,
            )
    elif kind == ChangeKind.ADD_PET:
        Pet.objects.create(carer=carer, **values)
    elif kind == ChangeKind.ADD_ROOM:
        Room.objects.create(carer=carer, **values)
    elif kind == ChangeKind.CHANGE_ROOM:
        Room.objects.filter(carer=carer, pk=change.target_id).update(**values)
    elif kind in REMOVALS:
        model, _ = TARGETS[kind]
        model.objects.filter(carer=carer, pk=change.target_id).delete()
    elif kind == ChangeKind.AVAILABILITY:
        Unavailability.objects.create(carer=carer, **values)


def _decide(change: ChangeRequest, membership) -> ChangeRequest:
    locked = ChangeRequest.objects.select_for_update().select_related("carer").get(pk=change.pk)
    if not (membership.is_staff_role and membership.scheme_id == locked.carer.scheme_id):
        raise WorkflowRefused(["Only the staff of this household's scheme can answer this change."])
    if locked.status == ChangeStatus.DONE:
        raise WorkflowRefused(["This change took effect at once: there is nothing to accept or decline."])
    if locked.status != ChangeStatus.PENDING:
        who = locked.decided_by.display_name
        raise WorkflowRefused([f"{who} has already {locked.get_status_display().lower()} this change."])
    return locked


@transaction.atomic
def accept_change(*, change: ChangeRequest, membership, reason: str = "") -> ChangeRequest:
    """A coordinator accepts a change; it takes effect now. A new household
    member aged 16 or over gets a DBS check on the household's checklist."""
    locked = _decide(change, membership)
    locked.status = ChangeStatus.ACCEPTED
    locked.decided_by = membership.user
    locked.decided_at = timezone.now()
    locked.reason = reason.strip()
    _apply(locked, locked.carer)
    locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    return locked


@transaction.atomic
def decline_change(*, change: ChangeRequest, membership, reason: str) -> ChangeRequest:
    """A coordinator declines a change, saying why; nothing in the household changes."""
    if not reason.strip():
        raise WorkflowRefused(["Say why, so the carer knows."])
    locked = _decide(change, membership)
    locked.status = ChangeStatus.DECLINED
    locked.decided_by = membership.user
    locked.decided_at = timezone.now()
    locked.reason = reason.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    return locked


@transaction.atomic
def note_change(*, change: ChangeRequest, membership) -> ChangeRequest:
    """A coordinator has seen a change that took effect at once."""
    locked = ChangeRequest.objects.select_for_update().select_related("carer").get(pk=change.pk)
    if not (membership.is_staff_role and membership.scheme_id == locked.carer.scheme_id):
        raise WorkflowRefused(["Only the staff of this household's scheme can note this change."])
    if locked.noted_at is None:
        locked.noted_by = membership.user
        locked.noted_at = timezone.now()
        locked.save(update_fields=["noted_by", "noted_at"])
    return locked


@transaction.atomic
def verify_certificate(*, certificate: Certificate, membership) -> Certificate:
    """A member of the scheme's staff has looked at a certificate a carer
    uploaded and found it in order. The check it supports is still recorded
    on the checklist as usual."""
    # of=self: a lock cannot reach the nullable side of the join to verified_by.
    locked = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("carer", "verified_by")
        .get(pk=certificate.pk)
    )
    if not (membership.is_staff_role and membership.scheme_id == locked.carer.scheme_id):
        raise WorkflowRefused(["Only the staff of this household's scheme can verify this certificate."])
    if locked.verified_at is not None:
        who, when = locked.verified_by.display_name, timezone.localtime(locked.verified_at)
        raise WorkflowRefused([f"{who} has already verified it, on {when:%-d %b %Y}."])
    locked.verified_by = membership.user
    locked.verified_at = timezone.now()
    locked.save(update_fields=["verified_by", "verified_at"])
    return locked
