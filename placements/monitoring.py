"""Monitoring an arrangement: when its reviews and visits fall due, and the
services that record them.

The timetable comes from the scheme's ``MonitoringSettings``: the first
review a number of weeks after the start, then at least every
``review_every_months``; monitoring visits every ``visit_every_months`` for
the first ``visits_for_months``. Months are calendar months: a visit due a
month after 31 Jan is due on the last day of February.

Each service is for the staff of the arrangement's scheme, runs in one
transaction and refuses with ``WorkflowRefused`` reasons in words."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from placements.models import (
    Arrangement,
    ArrangementReview,
    ArrangementStatus,
    Attendee,
    Involvement,
    MonitoringSettings,
    MonitoringVisit,
    ReviewAction,
)
from sharedlives.access import can_edit_records
from sharedlives.dates import add_months
from sharedlives.workflow import WorkflowRefused

VIEWS_NEEDED = (
    "Write down the person's own views, in their own words. If they chose not to say anything, "
    "write “Did not wish to comment”."
)


def first_review_due(start_date: datetime.date, settings: MonitoringSettings) -> datetime.date:
    return start_date + datetime.timedelta(weeks=settings.first_review_weeks)


def latest_next_review(held_on: datetime.date, settings: MonitoringSettings) -> datetime.date:
    """The latest the review after one held on ``held_on`` may be."""
    return add_months(held_on, settings.review_every_months)


def visit_due_dates(start_date: datetime.date, settings: MonitoringSettings) -> list[datetime.date]:
    """The monitoring visits of an arrangement that starts on ``start_date``."""
    step, span = settings.visit_every_months, settings.visits_for_months
    return [add_months(start_date, months) for months in range(step, span + 1, step)]


def due_in_words(due: datetime.date, today: datetime.date) -> str:
    """How far off a due date is, as a coordinator says it: "due in 3 days",
    "due today", "overdue by 1 day"."""
    days = (due - today).days
    if days == 0:
        return "due today"
    count = f"{abs(days)} day{'' if abs(days) == 1 else 's'}"
    return f"due in {count}" if days > 0 else f"overdue by {count}"


def _is_staff_of(membership, arrangement: Arrangement) -> bool:
    return can_edit_records(membership) and membership.scheme_id == arrangement.scheme_id


# Starting and ending -------------------------------------------------------


def schedule_monitoring(*, arrangement: Arrangement, settings: MonitoringSettings) -> list[MonitoringVisit]:
    """Set the first review and schedule the monitoring visits of an
    arrangement that has just started (called by ``start_arrangement``,
    inside its transaction, with the arrangement locked). Visits after a
    planned end are left out."""
    arrangement.next_review_due = first_review_due(arrangement.start_date, settings)
    arrangement.save(update_fields=["next_review_due"])
    end = arrangement.end_date
    already = set(MonitoringVisit.objects.filter(arrangement=arrangement).values_list("due_on", flat=True))
    return MonitoringVisit.objects.bulk_create(
        MonitoringVisit(arrangement=arrangement, due_on=day)
        for day in visit_due_dates(arrangement.start_date, settings)
        if day not in already and (end is None or day <= end)
    )


def stop_monitoring(*, arrangement: Arrangement, end_date: datetime.date) -> int:
    """An arrangement has ended (called by ``end_arrangement``, inside its
    transaction): no review is due any more, and visits not held that fall
    after the end are cancelled. Returns how many were cancelled."""
    arrangement.next_review_due = None
    arrangement.save(update_fields=["next_review_due"])
    return (
        MonitoringVisit.objects.outstanding()
        .filter(arrangement=arrangement, due_on__gt=end_date)
        .update(cancelled=True)
    )


# Reviews -------------------------------------------------------------------


@dataclass(frozen=True)
class AgreedAction:
    """An action a review agrees: what, who will do it, and by when."""

    what: str
    who: str
    due_on: datetime.date


def _review_reasons(
    arrangement: Arrangement,
    *,
    held_on: datetime.date,
    involvement: str,
    attendees: list[str],
    person_views: str,
    next_review_on: datetime.date,
    latest: datetime.date,
    actions: list[AgreedAction],
    today: datetime.date,
) -> list[str]:
    if arrangement.status != ArrangementStatus.CURRENT:
        return [
            f"Reviews are held for current arrangements; this one is "
            f"{arrangement.get_status_display().lower()}."
        ]
    reasons = []
    if held_on > today:
        reasons.append(f"A review is recorded once it has been held: {held_on:%-d %b %Y} is in the future.")
    if held_on < arrangement.start_date:
        reasons.append(
            f"The review cannot be before the arrangement started ({arrangement.start_date:%-d %b %Y})."
        )
    last = arrangement.reviews.order_by("-held_on").values_list("held_on", flat=True).first()
    if last is not None and held_on <= last:
        reasons.append(
            f"The last review recorded was held on {last:%-d %b %Y}: this one must be held after it."
        )
    if not attendees:
        reasons.append("Say who attended the review.")
    if any(value not in Attendee.values for value in attendees):
        reasons.append("Choose who attended from the list.")
    if involvement not in Involvement.values:
        reasons.append("Say how the person took part.")
    if not person_views.strip():
        reasons.append(VIEWS_NEEDED)
    if next_review_on <= held_on:
        reasons.append("The next review must be after this one.")
    elif next_review_on > latest:
        reasons.append(f"The next review must be no later than {latest:%-d %b %Y}.")
    for action in actions:
        if not (action.what.strip() and action.who.strip()):
            reasons.append("Each action needs what is to be done and who will do it.")
        elif action.due_on < held_on:
            reasons.append(f"“{action.what.strip()}” is due before the review was held.")
    return reasons


@transaction.atomic
def complete_review(
    *,
    arrangement: Arrangement,
    membership,
    held_on: datetime.date,
    attendees: list[str],
    other_attendees: str,
    involvement: str,
    person_views: str,
    carer_views: str,
    working: str,
    not_working: str,
    outcomes: str,
    actions: list[AgreedAction],
    next_review_on: datetime.date | None = None,
) -> ArrangementReview:
    """Record a review of a current arrangement, with the actions it agreed,
    and set when the next one is due (``next_review_on``, or at the latest
    the scheme's ``review_every_months`` after this one, the default).

    Staff of the scheme only. Guards: the arrangement is current; the review
    was held, on or after the start and after the last review; the person's
    own views are written down (a blank is not an answer); the next review
    is after this one and no later than the latest the scheme allows."""
    locked = (
        Arrangement.objects.select_for_update(of=("self",)).select_related("scheme").get(pk=arrangement.pk)
    )
    if not _is_staff_of(membership, locked):
        raise WorkflowRefused(["Only the staff of this scheme can record a review."])
    latest = latest_next_review(held_on, MonitoringSettings.for_scheme(locked.scheme))
    next_review_on = next_review_on or latest
    reasons = _review_reasons(
        locked,
        held_on=held_on,
        involvement=involvement,
        attendees=attendees,
        person_views=person_views,
        next_review_on=next_review_on,
        latest=latest,
        actions=actions,
        today=timezone.localdate(),
    )
    if reasons:
        raise WorkflowRefused(reasons)
    review = ArrangementReview.objects.create(
        arrangement=locked,
        due_on=locked.next_review_due,
        held_on=held_on,
        reviewer=membership.user,
        attendees=list(dict.fromkeys(attendees)),
        other_attendees=other_attendees.strip(),
        involvement=involvement,
        person_views=person_views.strip(),
        carer_views=carer_views.strip(),
        working=working.strip(),
        not_working=not_working.strip(),
        outcomes=outcomes.strip(),
        next_review_on=next_review_on,
    )
    ReviewAction.objects.bulk_create(
        ReviewAction(review=review, what=action.what.strip(), who=action.who.strip(), due_on=action.due_on)
        for action in actions
    )
    locked.next_review_due = next_review_on
    locked.version += 1
    locked.save(update_fields=["next_review_due", "version", "updated_at"])
    arrangement.next_review_due, arrangement.version = next_review_on, locked.version
    return review


# Visits and actions --------------------------------------------------------


@transaction.atomic
def record_visit(
    *, visit: MonitoringVisit, membership, held_on: datetime.date, saw_the_person: bool, notes: str
) -> MonitoringVisit:
    """Record that a monitoring visit was held: when, whether the visitor
    saw the person, and how things are. Staff of the scheme only; a visit is
    recorded once, and not one cancelled when the arrangement ended."""
    locked = (
        MonitoringVisit.objects.select_for_update(of=("self",)).select_related("arrangement").get(pk=visit.pk)
    )
    arrangement = locked.arrangement
    if not _is_staff_of(membership, arrangement):
        raise WorkflowRefused(["Only the staff of this scheme can record a visit."])
    if locked.cancelled:
        raise WorkflowRefused(["This visit was cancelled: the arrangement ended before it was due."])
    if locked.held_on:
        raise WorkflowRefused(
            [f"This visit has already been recorded as held on {locked.held_on:%-d %b %Y}."]
        )
    reasons = []
    if held_on > timezone.localdate():
        reasons.append(f"A visit is recorded once it has been held: {held_on:%-d %b %Y} is in the future.")
    if held_on < arrangement.start_date:
        reasons.append(
            f"The visit cannot be before the arrangement started ({arrangement.start_date:%-d %b %Y})."
        )
    if (
        arrangement.end_date
        and arrangement.status == ArrangementStatus.ENDED
        and held_on > arrangement.end_date
    ):
        reasons.append(f"The arrangement ended on {arrangement.end_date:%-d %b %Y}, before this date.")
    if not notes.strip():
        reasons.append("Say how things are.")
    if reasons:
        raise WorkflowRefused(reasons)
    locked.held_on, locked.saw_the_person, locked.notes = held_on, saw_the_person, notes.strip()
    locked.visited_by = membership.user
    locked.version += 1
    locked.save()
    return locked


@transaction.atomic
def complete_action(*, action: ReviewAction, membership, done_on: datetime.date) -> ReviewAction:
    """Mark an action agreed at a review as done. Staff of the scheme only;
    not in the future, nor before the review that agreed it."""
    locked = (
        ReviewAction.objects.select_for_update(of=("self",))
        .select_related("review__arrangement")
        .get(pk=action.pk)
    )
    if not _is_staff_of(membership, locked.review.arrangement):
        raise WorkflowRefused(["Only the staff of this scheme can mark an action done."])
    if locked.done_on:
        raise WorkflowRefused([f"“{locked.what}” was already marked done on {locked.done_on:%-d %b %Y}."])
    if done_on > timezone.localdate():
        raise WorkflowRefused(["An action is marked done once it has been done, not in the future."])
    held = locked.review.held_on
    if done_on < held:
        raise WorkflowRefused(
            [f"An action cannot be done before the review that agreed it ({held:%-d %b %Y})."]
        )
    locked.done_on, locked.done_by = done_on, membership.user
    locked.save(update_fields=["done_on", "done_by"])
    return locked
