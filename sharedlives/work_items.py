"""Each row of "my work" in words: what is due, whose, the date, how far off
or overdue, and a link to the record. Used by the page and by the reminders
e-mail, so both name records the same way."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from carers.lapsed import lapse_words
from carers.models import Carer, CarerStatus, Check, CheckSubject
from placements.models import (
    Arrangement,
    ArrangementReview,
    CqcNotification,
    Incident,
    Referral,
    ReviewAction,
)
from placements.monitoring import due_in_words


@dataclass
class WorkItem:
    """One line of a list: what is due, whose, when, and where to go."""

    what: str
    whose: str
    date: datetime.date
    words: str  # "overdue by 12 days", "expired yesterday", "open for 3 days"
    url: str  # a path: the e-mail puts the site's address in front
    overdue: bool = False
    note: str = ""
    carer: Carer | None = None  # the household, for the lapsed-checks flag
    checks_lapsed: bool = False


def days_in_words(days: int) -> str:
    return f"{days} day{'' if days == 1 else 's'}"


def pair(arrangement: Arrangement) -> str:
    return f"{arrangement.person.name} with {arrangement.carer.name}"


@dataclass
class Describe:
    """Turns the rows of each list into ``WorkItem``s as of ``today``.
    ``flag(path)`` is the lapsed-checks flag of the household at ``path``,
    for ``annotate``."""

    today: datetime.date
    flag: Callable

    def _due(self, day: datetime.date) -> dict:
        return {"date": day, "words": due_in_words(day, self.today), "overdue": day < self.today}

    def reviews(self, rows: list[tuple]) -> list[WorkItem]:
        """(which, id, due on) rows: their records come in two queries."""
        arrangement_ids = [pk for which, pk, _ in rows if which == "arrangement"]
        carer_ids = [pk for which, pk, _ in rows if which == "carer"]
        arrangements = Arrangement.objects.select_related("person", "carer").annotate(
            reviewed=Exists(ArrangementReview.objects.filter(arrangement=OuterRef("pk"))),
            checks_lapsed=self.flag("carer"),
        )
        carers = Carer.objects.annotate(checks_lapsed=self.flag("pk"))
        found = {
            "arrangement": arrangements.in_bulk(arrangement_ids) if arrangement_ids else {},
            "carer": carers.in_bulk(carer_ids) if carer_ids else {},
        }
        describe = {"arrangement": self._arrangement_review, "carer": self._carer_review}
        return [describe[which](found[which][pk], due_on) for which, pk, due_on in rows]

    def _arrangement_review(self, arrangement: Arrangement, due_on: datetime.date) -> WorkItem:
        review = "Review" if arrangement.reviewed else "First review"
        return WorkItem(
            what=f"{review} of the {arrangement.get_kind_display().lower()} arrangement",
            whose=pair(arrangement),
            url=reverse("arrangement_detail", args=[arrangement.pk]),
            carer=arrangement.carer,
            checks_lapsed=arrangement.checks_lapsed,
            **self._due(due_on),
        )

    def _carer_review(self, carer: Carer, due_on: datetime.date) -> WorkItem:
        return WorkItem(
            what="Annual review of the carer's approval",
            whose=carer.name,
            url=reverse("carer_review_create", args=[carer.pk]),
            note="Suspended." if carer.status == CarerStatus.SUSPENDED else "",
            carer=carer,
            checks_lapsed=carer.checks_lapsed,
            **self._due(due_on),
        )

    def visits(self, visits) -> list[WorkItem]:
        return [
            WorkItem(
                what="Monitoring visit",
                whose=pair(visit.arrangement),
                url=reverse("arrangement_detail", args=[visit.arrangement_id]),
                carer=visit.arrangement.carer,
                checks_lapsed=visit.checks_lapsed,
                **self._due(visit.due_on),
            )
            for visit in visits
        ]

    def checks(self, checks) -> list[WorkItem]:
        return [self._check(check) for check in checks]

    def _check(self, check: Check) -> WorkItem:
        what = check.get_kind_display()
        if check.subject != CheckSubject.HOUSEHOLD:
            what += f" for {check.subject_name}"
        return WorkItem(
            what=what,
            whose=check.carer.name,
            date=check.lapses_on,
            words=lapse_words(check.lapses_on, self.today),
            overdue=check.lapses_on < self.today,
            url=reverse("carer_approval", args=[check.carer_id]) + "#checklist",
            note="Required by the scheme." if check.required else "",
        )

    def actions(self, actions) -> list[WorkItem]:
        return [self._action(action) for action in actions]

    def _action(self, action: ReviewAction) -> WorkItem:
        arrangement = action.review.arrangement
        return WorkItem(
            what=action.what,
            whose=pair(arrangement),
            url=reverse("arrangement_review_detail", args=[arrangement.pk, action.review_id]),
            note=f"Who: {action.who}. Agreed at the review on {action.review.held_on:%-d %b %Y}.",
            carer=arrangement.carer,
            checks_lapsed=action.checks_lapsed,
            **self._due(action.due_on),
        )

    def _since(self, moment: datetime.datetime, today_words: str, words: str) -> dict:
        day = timezone.localdate(moment)
        days = (self.today - day).days
        return {"date": day, "words": today_words if days <= 0 else words.format(days_in_words(days))}

    def incidents(self, incidents) -> list[WorkItem]:
        return [
            WorkItem(
                what=incident.get_category_display(),
                whose=incident_whose(incident),
                url=reverse("incident_detail", args=[incident.pk]),
                note=Truncator(incident.what_happened).words(20),
                **self._since(incident.occurred_at, "open since today", "open for {}"),
            )
            for incident in incidents
        ]

    def notifications(self, notifications) -> list[WorkItem]:
        return [self._notification(notification) for notification in notifications]

    def _notification(self, notification: CqcNotification) -> WorkItem:
        incident = notification.incident
        happened = timezone.localdate(incident.occurred_at)
        since = self._since(notification.due_from, "waiting since today", "waiting {}")
        return WorkItem(
            what="CQC notification about " + "; ".join(notification.get_reasons_display()).lower(),
            whose=incident_whose(incident),
            url=reverse("notification_list"),
            note=f"{incident.get_category_display()} on {happened:%-d %b %Y}.",
            overdue=since["date"] < self.today,
            **since,
        )

    def referrals(self, referrals) -> list[WorkItem]:
        return [self._referral(referral) for referral in referrals]

    def _referral(self, referral: Referral) -> WorkItem:
        coordinator = referral.coordinator
        return WorkItem(
            what=f"{referral.get_stage_display()}: {referral.get_kind_display().lower()}",
            whose=referral.person.name,
            url=reverse("referral_detail", args=[referral.pk]),
            note=f"Coordinator: {coordinator.display_name}." if coordinator else "No coordinator yet.",
            **self._since(referral.stage_changed_at, "in this stage since today", "in this stage for {}"),
        )


def incident_whose(incident: Incident) -> str:
    if incident.arrangement_id:
        return pair(incident.arrangement)
    names = [record.name for record in (incident.person, incident.carer) if record is not None]
    return " and ".join(names) or "The scheme"
