"""Incidents and the CQC notifications some of them need: the rule that
says what CQC must be told, and each step of the work as one function
(compliments and complaints are in placements.feedback).

Who may do what: the scheme's staff (registered manager and coordinators)
record, edit and close incidents; only the registered manager marks a CQC
notification as sent. Carers never see these records."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from carers.models import Carer
from people.models import Person
from placements.models import (
    Arrangement,
    CqcNotification,
    Incident,
    IncidentCategory,
    NotifiableEvent,
)
from sharedlives.forms import STALE_MESSAGE
from sharedlives.workflow import WorkflowRefused

# What a category says by itself, whether or not the event was ticked.
IMPLIED_BY_CATEGORY = {
    IncidentCategory.SAFEGUARDING: NotifiableEvent.ABUSE,
    IncidentCategory.POLICE: NotifiableEvent.POLICE,
}

# The details of an incident that staff record and edit (closing is a step of its own).
INCIDENT_FIELDS = (
    "occurred_at",
    "category",
    "what_happened",
    "person",
    "carer",
    "others_involved",
    "notifiable_events",
    "actions_taken",
    "follow_up",
)


def notification_reasons(category: str, notifiable_events) -> list[str]:
    """What CQC must be told about an incident (empty: no notification).

    The rule (the registration regulations 16 and 18): CQC is notified
    without delay of a death, a serious injury, abuse or an allegation of
    abuse, an incident reported to or investigated by the police, a
    Deprivation of Liberty application or its outcome, and an event that
    stops the service running. The reasons are every one of those events
    ticked on the incident, plus what its category says by itself: a
    safeguarding concern is an allegation of abuse, and police involvement
    is an incident the police know of. No other category needs one by
    itself (a missing person reported to the police: tick "police").
    The reasons come in the order of ``NotifiableEvent``, each once."""
    wanted = {NotifiableEvent(value) for value in notifiable_events}
    implied = IMPLIED_BY_CATEGORY.get(category)
    if implied:
        wanted.add(implied)
    return [event.value for event in NotifiableEvent if event in wanted]


def reasons_text(reasons) -> str:
    """["death", "police"] -> "the death of a person using the service; an incident reported to ..."."""
    return "; ".join(
        NotifiableEvent(value).label[:1].lower() + NotifiableEvent(value).label[1:] for value in reasons
    )


def days_text(days: int) -> str:
    if days == 0:
        return "the same day"
    return f"{days} day{'' if days == 1 else 's'}"


def waiting_days(notification: CqcNotification, today: datetime.date) -> int:
    """Whole days an unsent notification has waited since the scheme knew of it."""
    return max((today - timezone.localtime(notification.due_from).date()).days, 0)


def _is_staff_of(membership, record) -> bool:
    return membership is not None and membership.is_staff_role and membership.scheme_id == record.scheme_id


def _check_staff(membership, what: str) -> None:
    if membership is None or not membership.is_staff_role:
        raise WorkflowRefused([f"Only the scheme's staff can {what}."])


# Incidents ------------------------------------------------------------------


def _check_details(membership, details: dict) -> list[str]:
    reasons = []
    if details["occurred_at"] > timezone.now():
        reasons.append("The date and time it happened cannot be in the future.")
    if not details["what_happened"].strip():
        reasons.append("Say what happened.")
    if details["category"] not in IncidentCategory.values:
        reasons.append("Choose the kind of incident.")
    for name in ("person", "carer"):
        record = details.get(name)
        if record is not None and record.scheme_id != membership.scheme_id:
            reasons.append(f"Choose a {name} of this scheme.")
    return reasons


def _arrangement_between(person: Person | None, carer: Carer | None, day: datetime.date):
    """The arrangement between the person and the carer on ``day`` (the
    latest to start), so that the incident's page links to it."""
    if person is None or carer is None:
        return None
    return (
        Arrangement.objects.filter(person=person, carer=carer, start_date__lte=day)
        .exclude(end_date__lt=day)
        .order_by("-start_date", "-id")
        .first()
    )


def _create_notification(incident: Incident, reasons: list[str]) -> CqcNotification:
    return CqcNotification.objects.create(
        scheme_id=incident.scheme_id, incident=incident, reasons=reasons, due_from=timezone.now()
    )


@transaction.atomic
def record_incident(
    *,
    membership,
    occurred_at: datetime.datetime,
    category: str,
    what_happened: str,
    person: Person | None = None,
    carer: Carer | None = None,
    arrangement: Arrangement | None = None,
    others_involved: str = "",
    notifiable_events=(),
    actions_taken: str = "",
    follow_up: str = "",
) -> Incident:
    """Record an incident (any member of the scheme's staff). When
    ``notification_reasons`` finds that CQC must be told, its notification is
    created too, due from now, for the registered manager to send.

    Guards: not in the future, says what happened, the person and the carer
    of this scheme. The arrangement is the one between the person and the
    carer on that day, unless given."""
    _check_staff(membership, "record an incident")
    details = {
        "occurred_at": occurred_at,
        "category": category,
        "what_happened": what_happened,
        "person": person,
        "carer": carer,
    }
    refusals = _check_details(membership, details)
    if refusals:
        raise WorkflowRefused(refusals)
    if arrangement is None:
        arrangement = _arrangement_between(person, carer, timezone.localtime(occurred_at).date())
    incident = Incident.objects.create(
        scheme_id=membership.scheme_id,
        occurred_at=occurred_at,
        category=category,
        what_happened=what_happened.strip(),
        person=person,
        carer=carer,
        arrangement=arrangement,
        others_involved=others_involved.strip(),
        notifiable_events=list(dict.fromkeys(notifiable_events)),
        actions_taken=actions_taken.strip(),
        follow_up=follow_up.strip(),
        recorded_by=membership.user,
    )
    reasons = notification_reasons(category, notifiable_events)
    if reasons:
        _create_notification(incident, reasons)
    return incident


@dataclass
class NotificationChange:
    """What an edit did to an incident's CQC notification, for the message.

    ``kind``: "" (nothing), "created", "changed" (an unsent one's reasons),
    "withdrawn" (an unsent one no longer needed), or "sent_needs_update"
    (reasons added after it was sent: CQC needs to be told)."""

    kind: str = ""
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    notification: CqcNotification | None = None


def _follow_reasons(incident: Incident, before: list[str], after: list[str]) -> NotificationChange:
    """Keep the notification in step with the incident's reasons.

    Unsent, it follows them: created when first needed, its reasons added to
    or taken away, withdrawn (deleted, kept in the history) when none are
    left. Sent, it is never changed: reasons added since are reported so that
    the user tells CQC."""
    notification = CqcNotification.objects.select_for_update().filter(incident=incident).first()
    added = [r for r in after if r not in before]
    if notification is None:
        if not after:
            return NotificationChange()
        return NotificationChange("created", after, [], _create_notification(incident, after))
    if notification.sent_on is not None:
        untold = [r for r in added if r not in notification.reasons]
        if untold:
            return NotificationChange("sent_needs_update", untold, [], notification)
        return NotificationChange(notification=notification)
    if not after:
        notification.delete()
        return NotificationChange("withdrawn", [], before)
    if after == notification.reasons:
        return NotificationChange(notification=notification)
    removed = [r for r in notification.reasons if r not in after]
    added = [r for r in after if r not in notification.reasons]
    notification.reasons = after
    notification.save(update_fields=["reasons"])
    return NotificationChange("changed", added, removed, notification)


@transaction.atomic
def update_incident(
    *,
    incident: Incident,
    membership,
    opened_version: int | None,
    occurred_at: datetime.datetime,
    category: str,
    what_happened: str,
    person: Person | None = None,
    carer: Carer | None = None,
    others_involved: str = "",
    notifiable_events=(),
    actions_taken: str = "",
    follow_up: str = "",
) -> NotificationChange:
    """Save an edit of an incident (the scheme's staff), unless someone else
    saved one since the form was opened at ``opened_version`` (refused with
    ``STALE_MESSAGE``). The CQC notification follows the incident's reasons
    (``_follow_reasons``)."""
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if not _is_staff_of(membership, locked):
        raise WorkflowRefused(["Only the staff of this scheme can change an incident."])
    if locked.version != opened_version:
        raise WorkflowRefused([STALE_MESSAGE])
    details = {
        "occurred_at": occurred_at,
        "category": category,
        "what_happened": what_happened,
        "person": person,
        "carer": carer,
    }
    refusals = _check_details(membership, details)
    if refusals:
        raise WorkflowRefused(refusals)
    before = notification_reasons(locked.category, locked.notifiable_events)
    person_id, carer_id = getattr(person, "pk", None), getattr(carer, "pk", None)
    if (person_id, carer_id) != (locked.person_id, locked.carer_id) or locked.occurred_at != occurred_at:
        locked.arrangement = _arrangement_between(person, carer, timezone.localtime(occurred_at).date())
    locked.occurred_at, locked.category, locked.person, locked.carer = occurred_at, category, person, carer
    locked.what_happened = what_happened.strip()
    locked.others_involved = others_involved.strip()
    locked.notifiable_events = list(dict.fromkeys(notifiable_events))
    locked.actions_taken, locked.follow_up = actions_taken.strip(), follow_up.strip()
    locked.version += 1
    locked.save()
    incident.version = locked.version
    return _follow_reasons(locked, before, notification_reasons(category, notifiable_events))


@transaction.atomic
def close_incident(*, incident: Incident, membership, closed_on: datetime.date, outcome: str) -> Incident:
    """Close an incident with its outcome (the scheme's staff). Guards: not
    closed already, the outcome written, the date neither in the future nor
    before it happened, and any CQC notification it needs already sent."""
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if not _is_staff_of(membership, locked):
        raise WorkflowRefused(["Only the staff of this scheme can close an incident."])
    if not locked.is_open:
        raise WorkflowRefused([f"This incident was closed on {locked.closed_on:%-d %b %Y}."])
    refusals = []
    if not outcome.strip():
        refusals.append("Record the outcome before closing the incident.")
    happened = timezone.localtime(locked.occurred_at).date()
    if closed_on > timezone.localdate():
        refusals.append("The date it was closed cannot be in the future.")
    elif closed_on < happened:
        refusals.append(f"The date it was closed cannot be before it happened ({happened:%-d %b %Y}).")
    notification = CqcNotification.objects.filter(incident=locked).first()
    if notification is not None and notification.sent_on is None:
        refusals.append(
            "The CQC notification has not been sent yet: the registered manager must send it "
            "and record it as sent before the incident is closed."
        )
    if refusals:
        raise WorkflowRefused(refusals)
    locked.closed_on, locked.closed_by, locked.outcome = closed_on, membership.user, outcome.strip()
    locked.version += 1
    locked.save(update_fields=["closed_on", "closed_by", "outcome", "version", "updated_at"])
    return locked


@transaction.atomic
def mark_notification_sent(
    *, notification: CqcNotification, membership, sent_on: datetime.date, reference: str
) -> CqcNotification:
    """Record that the registered manager sent CQC the notification, with
    the date and CQC's reference. Only the scheme's registered manager may;
    the date is not before the scheme knew of the incident nor in the future."""
    locked = CqcNotification.objects.select_for_update().get(pk=notification.pk)
    if not (_is_staff_of(membership, locked) and membership.is_manager):
        raise WorkflowRefused(["Only the registered manager can record a CQC notification as sent."])
    if locked.sent_on is not None:
        raise WorkflowRefused(
            [f"This notification was recorded as sent on {locked.sent_on:%-d %b %Y} ({locked.reference})."]
        )
    refusals = []
    if not reference.strip():
        refusals.append("Record CQC's reference for the notification.")
    known = timezone.localtime(locked.due_from).date()
    if sent_on > timezone.localdate():
        refusals.append("The date it was sent cannot be in the future.")
    elif sent_on < known:
        refusals.append(f"The date it was sent cannot be before the incident was known ({known:%-d %b %Y}).")
    if refusals:
        raise WorkflowRefused(refusals)
    locked.sent_on, locked.reference, locked.sent_by = sent_on, reference.strip(), membership.user
    locked.save(update_fields=["sent_on", "reference", "sent_by"])
    return locked


def death_incident_of(person: Person) -> Incident | None:
    """The incident that records the person's death, if there is one."""
    return (
        Incident.objects.filter(person=person, notifiable_events__contains=[NotifiableEvent.DEATH])
        .select_related("notification")
        .order_by("occurred_at", "id")
        .first()
    )


def record_death(*, arrangement: Arrangement, membership, died_on: datetime.date, note: str = "") -> Incident:
    """Record the person's death, told when their arrangement ends for that
    reason, as an incident (category "other", notifiable event "death") and
    so its CQC notification. One death is one incident: ending a second
    arrangement for the same death finds the first."""
    existing = death_incident_of(arrangement.person)
    if existing is not None:
        return existing
    if died_on > timezone.localdate():
        raise WorkflowRefused(["A death cannot be recorded on a day still to come: check the end date."])
    person, carer = arrangement.person, arrangement.carer
    what = f"{person.name} died on {died_on:%-d %b %Y}, while supported by {carer.name}."
    what += " Recorded when the arrangement was ended (the time is not known)."
    if note.strip():
        what += f"\n\n{note.strip()}"
    return record_incident(
        membership=membership,
        occurred_at=timezone.make_aware(datetime.datetime.combine(died_on, datetime.time())),
        category=IncidentCategory.OTHER,
        what_happened=what,
        person=person,
        carer=carer,
        arrangement=arrangement,
        notifiable_events=[NotifiableEvent.DEATH],
    )


def with_incident_counts(queryset, field_name: str):
    """Annotate people or carers with ``incident_count`` and
    ``open_incident_count``: subqueries, so no extra query and no join that
    could count a row twice."""
    incidents = Incident.objects.filter(**{field_name: OuterRef("pk")}).order_by().values(field_name)

    def count(rows):
        return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)

    return queryset.annotate(
        incident_count=count(incidents), open_incident_count=count(incidents.filter(closed_on__isnull=True))
    )
