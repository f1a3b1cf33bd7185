"""The daily reminders e-mail: for each member of staff, what is overdue and
what falls due in the next week, from the same workload as "my work"
(``sharedlives.work``). ``manage.py send_reminders`` sends them."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from sharedlives.models import STAFF_ROLES, Membership, ReminderDigest
from sharedlives.work import Counts, Section, Workload
from sharedlives.work_items import WorkItem

DAYS_AHEAD = 7
# How many records each list of the e-mail names; the rest wait on My work.
SHOWN = 20


@dataclass
class DigestList:
    section: Section
    items: list[WorkItem]

    @property
    def more(self) -> int:
        return self.section.total - len(self.items)


@dataclass
class Digest:
    membership: Membership
    day: datetime.date
    workload: Workload
    counts: Counts
    lists: list[DigestList]

    @property
    def item_count(self) -> int:
        """How many records the e-mail names."""
        return sum(len(found.items) for found in self.lists)

    def context(self) -> dict:
        site = settings.SITE_URL
        return {
            "user": self.membership.user,
            "scheme": self.membership.scheme,
            "whole_scheme": self.workload.coordinator is None,
            "day": self.day,
            "due_by": self.workload.due_by,
            "days_ahead": DAYS_AHEAD,
            "counts": self.counts,
            "lists": self.lists,
            "site_url": site,
            "my_work_url": site + reverse("my_work"),
        }

    def message(self) -> EmailMultiAlternatives:
        context = self.context()
        subject = " ".join(render_to_string("emails/reminders_subject.txt", context).split())
        text = render_to_string("emails/reminders.txt", context)
        message = EmailMultiAlternatives(
            subject, text, settings.DEFAULT_FROM_EMAIL, [self.membership.user.email]
        )
        message.attach_alternative(render_to_string("emails/reminders.html", context), "text/html")
        return message


def recipients():
    """The staff of every scheme who have an e-mail address."""
    return (
        Membership.objects.filter(role__in=STAFF_ROLES, user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "scheme")
        .order_by("scheme__name", "user__last_name", "user__first_name", "pk")
    )


def build_digest(membership: Membership, day: datetime.date) -> Digest | None:
    """What ``membership`` should be told on ``day``: a coordinator about
    their own caseload, the registered manager about the whole scheme and
    the CQC notifications still to send. None when nothing is due."""
    workload = Workload(
        scheme=membership.scheme,
        coordinator=None if membership.is_manager else membership.user,
        today=day,
        window=DAYS_AHEAD,
        checks_window=DAYS_AHEAD,
        notifications=membership.is_manager,
    )
    counts = workload.counts()
    sections = workload.sections(counts, digest=True)
    if not sections:
        return None
    lists = [DigestList(section, section.describe(list(section.rows[:SHOWN]))) for section in sections]
    return Digest(membership=membership, day=day, workload=workload, counts=counts, lists=lists)


def already_sent(membership: Membership, day: datetime.date) -> bool:
    return ReminderDigest.objects.filter(membership=membership, sent_on=day).exists()


def send_digest(*, digest: Digest) -> bool:
    """Send ``digest``, once a day: False if it was already sent that day.

    The day's row goes in first and the e-mail is sent inside the same
    transaction, so a second run that day finds the row (one running at the
    same moment waits on the unique constraint, then finds it), and a send
    that fails rolls the row back for the next run to try again."""
    try:
        with transaction.atomic():
            ReminderDigest.objects.create(
                membership=digest.membership, sent_on=digest.day, item_count=digest.item_count
            )
            digest.message().send()
    except IntegrityError:
        return False
    return True
