"""The rule that says what CQC must be told about an incident, and the steps
that keep an incident's notification in step with it: recording, editing,
closing, marking it sent, and a death told by ending an arrangement."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from placements import incidents as steps
from placements.models import CqcNotification, Incident, IncidentCategory, NotifiableEvent
from placements.services import end_arrangement
from sharedlives.forms import STALE_MESSAGE
from sharedlives.models import Membership
from sharedlives.workflow import WorkflowRefused
from tests.factories import ArrangementFactory, CqcNotificationFactory, IncidentFactory, PersonFactory

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=LONDON)
C, E = IncidentCategory, NotifiableEvent


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def _membership(user):
    return Membership.objects.select_related("scheme").get(user=user)


# --- The rule --------------------------------------------------------------


@pytest.mark.parametrize("event", list(E))
def test_each_event_ticked_needs_a_notification(event):
    assert steps.notification_reasons(C.ACCIDENT, [event]) == [event.value]


@pytest.mark.parametrize(
    ("category", "reasons"),
    [
        (C.ACCIDENT, []),
        (C.MEDICATION, []),
        (C.SAFEGUARDING, ["abuse"]),
        (C.POLICE, ["police"]),
        (C.COMPLAINT, []),
        (C.MISSING, []),
        (C.OTHER, []),
    ],
)
def test_what_each_category_says_by_itself(category, reasons):
    assert steps.notification_reasons(category, []) == reasons


def test_nothing_ticked_in_an_ordinary_category_needs_no_notification():
    assert steps.notification_reasons(C.MEDICATION, []) == []


def test_a_category_and_the_same_event_ticked_give_the_reason_once():
    assert steps.notification_reasons(C.SAFEGUARDING, [E.ABUSE]) == ["abuse"]
    assert steps.notification_reasons(C.POLICE, ["police", "police"]) == ["police"]


def test_reasons_come_in_the_regulations_order_whatever_the_order_ticked():
    reasons = steps.notification_reasons(C.SAFEGUARDING, [E.SERVICE_STOPPED, E.DEATH, E.DOLS])

    assert reasons == ["death", "abuse", "dols", "service_stopped"]


def test_a_missing_person_needs_one_only_when_the_police_are_involved():
    assert steps.notification_reasons(C.MISSING, []) == []
    assert steps.notification_reasons(C.MISSING, [E.POLICE]) == ["police"]


# --- Recording -------------------------------------------------------------


def _record(coordinator, **fields):
    details = {
        "occurred_at": dt.datetime(2026, 11, 18, 16, 45, tzinfo=LONDON),
        "category": C.ACCIDENT,
        "what_happened": "Fell on the stairs.",
    }
    return steps.record_incident(membership=_membership(coordinator), **(details | fields))


def test_recording_an_incident_that_needs_one_creates_its_notification_due_now(coordinator):
    incident = _record(coordinator, notifiable_events=[E.SERIOUS_INJURY])

    notification = incident.notification
    assert notification.reasons == ["serious_injury"]
    assert notification.due_from == NOW
    assert notification.sent_on is None
    assert notification.scheme_id == incident.scheme_id


def test_recording_one_that_needs_none_creates_no_notification(coordinator):
    incident = _record(coordinator, category=C.MEDICATION)

    assert not CqcNotification.objects.filter(incident=incident).exists()


def test_recording_links_the_arrangement_between_the_person_and_the_carer(coordinator, arrangement):
    incident = _record(coordinator, person=arrangement.person, carer=arrangement.carer)

    assert incident.arrangement == arrangement


def test_recording_refuses_a_time_still_to_come_and_another_schemes_person(coordinator, other_scheme):
    stranger = PersonFactory(scheme=other_scheme)

    with pytest.raises(WorkflowRefused) as refusal:
        _record(coordinator, occurred_at=dt.datetime(2026, 11, 21, 9, tzinfo=LONDON), person=stranger)

    assert refusal.value.reasons == [
        "The date and time it happened cannot be in the future.",
        "Choose a person of this scheme.",
    ]
    assert not Incident.objects.exists()


def test_a_carer_cannot_record_an_incident(carer):
    with pytest.raises(WorkflowRefused):
        _record(carer)


# --- Editing: the notification follows the incident -------------------------


def _edit(coordinator, incident, **changes):
    details = {name: getattr(incident, name) for name in steps.INCIDENT_FIELDS}
    incident.refresh_from_db()
    return steps.update_incident(
        incident=incident,
        membership=_membership(coordinator),
        opened_version=incident.version,
        **(details | changes),
    )


def test_an_edit_that_adds_a_reason_creates_the_notification(coordinator, scheme):
    incident = IncidentFactory(scheme=scheme, category=C.ACCIDENT)

    change = _edit(coordinator, incident, category=C.SAFEGUARDING)

    assert change.kind == "created"
    assert CqcNotification.objects.get(incident=incident).reasons == ["abuse"]


def test_an_edit_extends_the_reasons_of_an_unsent_notification(coordinator, scheme):
    notification = CqcNotificationFactory(incident__scheme=scheme, due_from=NOW - dt.timedelta(days=2))
    incident = notification.incident

    change = _edit(coordinator, incident, notifiable_events=["serious_injury", "police"])

    notification.refresh_from_db()
    assert (change.kind, change.added) == ("changed", ["police"])
    assert notification.reasons == ["serious_injury", "police"]
    assert notification.due_from == NOW - dt.timedelta(days=2)  # still waiting since then


def test_an_edit_that_leaves_no_reason_withdraws_an_unsent_notification(coordinator, scheme):
    incident = CqcNotificationFactory(incident__scheme=scheme).incident

    change = _edit(coordinator, incident, notifiable_events=[])

    assert change.kind == "withdrawn"
    assert not CqcNotification.objects.filter(incident=incident).exists()


def test_a_sent_notification_is_kept_and_new_reasons_are_reported(coordinator, manager, scheme):
    notification = CqcNotificationFactory(
        incident__scheme=scheme, sent_on=dt.date(2026, 11, 3), reference="CQC-1", sent_by=manager
    )

    change = _edit(coordinator, notification.incident, notifiable_events=["serious_injury", "police"])

    notification.refresh_from_db()
    assert (change.kind, change.added) == ("sent_needs_update", ["police"])
    assert notification.reasons == ["serious_injury"]
    assert (notification.sent_on, notification.reference) == (dt.date(2026, 11, 3), "CQC-1")


def test_taking_a_reason_off_a_sent_notification_changes_nothing(coordinator, manager, scheme):
    notification = CqcNotificationFactory(
        incident__scheme=scheme, sent_on=dt.date(2026, 11, 3), reference="CQC-1", sent_by=manager
    )

    change = _edit(coordinator, notification.incident, notifiable_events=[])

    assert change.kind == ""
    assert CqcNotification.objects.get(pk=notification.pk).reasons == ["serious_injury"]


def test_an_edit_from_a_stale_form_is_refused(coordinator, scheme):
    incident = IncidentFactory(scheme=scheme)
    opened = incident.version
    Incident.objects.filter(pk=incident.pk).update(version=opened + 1)  # someone else saved

    with pytest.raises(WorkflowRefused) as refusal:
        steps.update_incident(
            incident=incident,
            membership=_membership(coordinator),
            opened_version=opened,
            **{name: getattr(incident, name) for name in steps.INCIDENT_FIELDS} | {"what_happened": "Mine"},
        )

    assert refusal.value.reasons == [STALE_MESSAGE]
    incident.refresh_from_db()
    assert incident.what_happened == "Tripped on the garden step and grazed a knee."


# --- Closing ---------------------------------------------------------------


def test_closing_needs_an_outcome_and_a_sensible_date(coordinator, scheme):
    incident = IncidentFactory(scheme=scheme)

    with pytest.raises(WorkflowRefused) as early:
        steps.close_incident(
            incident=incident,
            membership=_membership(coordinator),
            closed_on=dt.date(2026, 11, 1),
            outcome=" ",
        )
    with pytest.raises(WorkflowRefused) as later:
        steps.close_incident(
            incident=incident,
            membership=_membership(coordinator),
            closed_on=dt.date(2026, 11, 21),
            outcome="Ok",
        )

    assert early.value.reasons == [
        "Record the outcome before closing the incident.",
        "The date it was closed cannot be before it happened (2 Nov 2026).",
    ]
    assert later.value.reasons == ["The date it was closed cannot be in the future."]
    assert Incident.objects.get(pk=incident.pk).is_open


def test_an_incident_waiting_for_its_notification_cannot_be_closed(coordinator, scheme):
    incident = CqcNotificationFactory(incident__scheme=scheme).incident

    with pytest.raises(WorkflowRefused) as refusal:
        steps.close_incident(
            incident=incident,
            membership=_membership(coordinator),
            closed_on=dt.date(2026, 11, 19),
            outcome="Ok",
        )

    assert refusal.value.reasons == [
        "The CQC notification has not been sent yet: the registered manager must send it and record "
        "it as sent before the incident is closed."
    ]


def test_closing_records_who_when_and_the_outcome_and_only_once(coordinator, scheme):
    incident = IncidentFactory(scheme=scheme)
    membership = _membership(coordinator)

    steps.close_incident(
        incident=incident, membership=membership, closed_on=dt.date(2026, 11, 19), outcome="Healed"
    )

    incident.refresh_from_db()
    assert (incident.closed_on, incident.closed_by, incident.outcome) == (
        dt.date(2026, 11, 19),
        coordinator,
        "Healed",
    )
    with pytest.raises(WorkflowRefused) as again:
        steps.close_incident(
            incident=incident, membership=membership, closed_on=dt.date(2026, 11, 20), outcome="X"
        )
    assert again.value.reasons == ["This incident was closed on 19 Nov 2026."]


# --- Marking a notification sent, and how long it took ----------------------


@pytest.fixture
def waiting(scheme):
    """A notification the scheme has known of since late on 16 Nov 2026."""
    return CqcNotificationFactory(
        incident__scheme=scheme, due_from=dt.datetime(2026, 11, 16, 23, 30, tzinfo=LONDON)
    )


def test_the_registered_manager_marks_it_sent_and_the_days_taken_are_counted(manager, waiting):
    steps.mark_notification_sent(
        notification=waiting,
        membership=_membership(manager),
        sent_on=dt.date(2026, 11, 19),
        reference=" N-77 ",
    )

    waiting.refresh_from_db()
    assert (waiting.sent_on, waiting.reference, waiting.sent_by) == (dt.date(2026, 11, 19), "N-77", manager)
    assert waiting.days_taken == 3
    assert steps.days_text(waiting.days_taken) == "3 days"


def test_sent_the_same_day_took_no_days(manager, waiting):
    steps.mark_notification_sent(
        notification=waiting, membership=_membership(manager), sent_on=dt.date(2026, 11, 16), reference="N-1"
    )

    waiting.refresh_from_db()
    assert waiting.days_taken == 0
    assert steps.days_text(0) == "the same day"


def test_waiting_is_counted_in_whole_days(waiting):
    assert steps.waiting_days(waiting, dt.date(2026, 11, 20)) == 4
    assert steps.waiting_days(waiting, dt.date(2026, 11, 16)) == 0


def test_days_are_counted_in_the_uk_not_in_utc(scheme, manager):
    # 00:30 on 1 Jul in summer time is still 30 Jun in UTC.
    summer = CqcNotificationFactory(
        incident__scheme=scheme,
        incident__occurred_at=dt.datetime(2026, 6, 30, 22, tzinfo=LONDON),
        due_from=dt.datetime(2026, 7, 1, 0, 30, tzinfo=LONDON),
        sent_on=dt.date(2026, 7, 1),
        reference="N-5",
        sent_by=manager,
    )
    summer.refresh_from_db()  # the database gives it back in UTC

    assert summer.days_taken == 0
    assert steps.waiting_days(summer, dt.date(2026, 7, 1)) == 0


def test_a_coordinator_cannot_mark_it_sent(coordinator, waiting):
    with pytest.raises(WorkflowRefused) as refusal:
        steps.mark_notification_sent(
            notification=waiting,
            membership=_membership(coordinator),
            sent_on=dt.date(2026, 11, 19),
            reference="N",
        )

    assert refusal.value.reasons == ["Only the registered manager can record a CQC notification as sent."]
    assert CqcNotification.objects.get(pk=waiting.pk).sent_on is None


@pytest.mark.parametrize(
    ("sent_on", "reference", "reasons"),
    [
        (dt.date(2026, 11, 21), "N-1", ["The date it was sent cannot be in the future."]),
        (
            dt.date(2026, 11, 15),
            "N-1",
            ["The date it was sent cannot be before the incident was known (16 Nov 2026)."],
        ),
        (dt.date(2026, 11, 19), "  ", ["Record CQC's reference for the notification."]),
    ],
)
def test_marking_it_sent_needs_a_date_it_could_have_been_sent_and_a_reference(
    manager, waiting, sent_on, reference, reasons
):
    with pytest.raises(WorkflowRefused) as refusal:
        steps.mark_notification_sent(
            notification=waiting, membership=_membership(manager), sent_on=sent_on, reference=reference
        )

    assert refusal.value.reasons == reasons
    assert CqcNotification.objects.get(pk=waiting.pk).sent_on is None


def test_a_notification_is_marked_sent_once(manager, waiting):
    membership = _membership(manager)
    steps.mark_notification_sent(
        notification=waiting, membership=membership, sent_on=dt.date(2026, 11, 17), reference="N-1"
    )

    with pytest.raises(WorkflowRefused) as again:
        steps.mark_notification_sent(
            notification=waiting, membership=membership, sent_on=dt.date(2026, 11, 18), reference="N-2"
        )

    assert again.value.reasons == ["This notification was recorded as sent on 17 Nov 2026 (N-1)."]


# --- A death told by ending an arrangement ----------------------------------


def test_ending_an_arrangement_for_a_death_records_the_incident_and_its_notification(
    coordinator, arrangement
):
    end_arrangement(
        arrangement=arrangement,
        membership=_membership(coordinator),
        end_date=dt.date(2026, 11, 18),
        reason="death",
        note="Died peacefully at home.",
    )

    incident = Incident.objects.get()
    assert (incident.category, incident.notifiable_events) == (C.OTHER, ["death"])
    assert (incident.person, incident.carer, incident.arrangement) == (
        arrangement.person,
        arrangement.carer,
        arrangement,
    )
    assert incident.occurred_at.astimezone(LONDON).date() == dt.date(2026, 11, 18)
    assert "Died peacefully at home." in incident.what_happened
    assert incident.recorded_by == coordinator
    assert incident.notification.reasons == ["death"]
    assert incident.notification.due_from == NOW


def test_a_second_arrangement_ended_for_the_same_death_finds_the_first_incident(
    coordinator, scheme, arrangement
):
    breaks = ArrangementFactory(scheme=scheme, person=arrangement.person, kind="short_breaks")
    for ending in (arrangement, breaks):
        end_arrangement(
            arrangement=ending,
            membership=_membership(coordinator),
            end_date=dt.date(2026, 11, 18),
            reason="death",
        )

    assert Incident.objects.count() == 1
    assert CqcNotification.objects.count() == 1


def test_a_death_cannot_be_recorded_on_a_day_to_come(coordinator, arrangement):
    with pytest.raises(WorkflowRefused) as refusal:
        end_arrangement(
            arrangement=arrangement,
            membership=_membership(coordinator),
            end_date=dt.date(2026, 11, 30),
            reason="death",
        )

    assert refusal.value.reasons == ["A death cannot be recorded on a day still to come: check the end date."]
    arrangement.refresh_from_db()
    assert arrangement.status == "current"
    assert not Incident.objects.exists()


def test_other_endings_record_no_incident(coordinator, arrangement):
    end_arrangement(
        arrangement=arrangement,
        membership=_membership(coordinator),
        end_date=dt.date(2026, 11, 18),
        reason="hospital",
    )

    assert not Incident.objects.exists()
