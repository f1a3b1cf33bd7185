"""The daily reminders e-mail (``manage.py send_reminders``): each member of
staff is told what is overdue and what falls due in the next 7 days, once a
day, naming each record with a link to it. Today is Wednesday 25 Nov 2026."""

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from carers.models import CheckKind
from sharedlives.models import ReminderDigest, Role
from tests.factories import (
    ArrangementFactory,
    ArrangementReviewFactory,
    CarerFactory,
    CheckFactory,
    CqcNotificationFactory,
    MembershipFactory,
    MonitoringVisitFactory,
    PersonFactory,
    ReviewActionFactory,
    UserFactory,
)
from tests.sharedlives.test_settings import _manage

TODAY = dt.date(2026, 11, 25)
SITE = "https://sharedlives.example.org"


@pytest.fixture(autouse=True)
def _today(settings):
    settings.SITE_URL = SITE
    with time_machine.travel(dt.datetime(2026, 11, 25, 6, tzinfo=dt.UTC), tick=False):
        yield


def _day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


@pytest.fixture
def outbox(db, mailoutbox):
    """The e-mails sent (asked for after the database, which starts each
    test with a new outbox)."""
    return mailoutbox


def _send(*args) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _to(outbox, user):
    return [message for message in outbox if message.to == [user.email]]


def _html(message) -> str:
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


@pytest.fixture
def grace(scheme, coordinator):
    """Grace Okafor's household, the coordinator's, with Lena Ward living there."""
    return CarerFactory(scheme=scheme, first_name="Grace", last_name="Okafor", coordinator=coordinator)


@pytest.fixture
def lena_with_grace(scheme, grace):
    lena = PersonFactory(scheme=scheme, first_name="Lena", last_name="Ward")
    return ArrangementFactory(scheme=scheme, person=lena, carer=grace, next_review_due=_day(-12))


@pytest.fixture
def due(grace, lena_with_grace):
    """Overdue: Lena's review (by 12 days). Within the week: Grace's annual
    review (5 days), a visit (7 days), Grace's home insurance (3 days), an
    action (2 days). Later: a visit (8 days), gas safety (20 days), an action
    (30 days)."""
    grace.next_review_due = _day(5)
    grace.save()
    MonitoringVisitFactory(arrangement=lena_with_grace, due_on=_day(7))
    MonitoringVisitFactory(arrangement=lena_with_grace, due_on=_day(8))
    CheckFactory(carer=grace, kind=CheckKind.HOME_INSURANCE, issued_on=_day(-362), expires_on=_day(3))
    CheckFactory(carer=grace, kind=CheckKind.GAS_SAFETY, issued_on=_day(-345), expires_on=_day(20))
    review = ArrangementReviewFactory(
        arrangement=lena_with_grace, held_on=_day(-60), next_review_on=_day(300)
    )
    ReviewActionFactory(review=review, what="Book a hearing test", who="Grace", due_on=_day(2))
    ReviewActionFactory(review=review, what="Plan a holiday", who="Lena", due_on=_day(30))
    return review


# --- What the e-mail says ---


def test_a_coordinator_is_told_what_is_overdue_and_due_this_week_with_links(
    outbox, coordinator, grace, lena_with_grace, due
):
    _send()

    (message,) = _to(outbox, coordinator)
    assert (
        message.subject == "Leeds Shared Lives reminders for 25 Nov 2026: 1 overdue, 4 due in the next 7 days"
    )
    body = message.body
    assert "what falls due in the next 7 days (by 2 Dec 2026)" in body
    assert (
        "- Lena Ward with Grace Okafor: Review of the live-in arrangement\n"
        "  Due 13 Nov 2026: overdue by 12 days.\n"
        f"  {SITE}/arrangements/{lena_with_grace.pk}/\n"
    ) in body
    assert (
        "- Grace Okafor: Annual review of the carer's approval\n"
        "  Due 30 Nov 2026: due in 5 days.\n"
        f"  {SITE}{reverse('carer_review_create', args=[grace.pk])}\n"
    ) in body
    assert "- Lena Ward with Grace Okafor: Monitoring visit\n  Due 2 Dec 2026: due in 7 days." in body
    assert (
        "- Grace Okafor: Home insurance\n  Expires 28 Nov 2026: lapses in 3 days. Required by the scheme."
        in body
    )
    assert f"{SITE}/carers/{grace.pk}/approval/#checklist" in body
    assert (
        "- Lena Ward with Grace Okafor: Book a hearing test\n  Due 27 Nov 2026: due in 2 days. Who: Grace."
        in body
    )
    assert f"{SITE}{reverse('arrangement_review_detail', args=[lena_with_grace.pk, due.pk])}" in body
    # Later than the week: not in this e-mail.
    assert "3 Dec 2026" not in body
    assert "Gas safety" not in body
    assert "Plan a holiday" not in body
    assert f"{SITE}{reverse('my_work')}" in body


def test_the_html_part_names_and_links_the_same_records(outbox, coordinator, grace, lena_with_grace, due):
    _send()

    (message,) = _to(outbox, coordinator)
    html = _html(message)
    link = f'<a href="{SITE}/arrangements/{lena_with_grace.pk}/" style="color: #1d70b8;">'
    assert f"{link}Lena Ward with Grace Okafor</a>" in html
    assert "Due 13 Nov 2026: <strong>overdue by 12 days</strong>." in html
    assert "Annual review of the carer&#x27;s approval" in html
    assert f'href="{SITE}/my-work/"' in html
    assert "Plan a holiday" not in html


def test_the_registered_manager_is_told_about_the_whole_scheme_and_cqc_notifications(
    outbox, scheme, manager, coordinator, lena_with_grace
):
    ArrangementFactory(
        scheme=scheme, person__first_name="Ivy", person__last_name="Webb", next_review_due=_day(1)
    )
    CqcNotificationFactory(
        incident__scheme=scheme,
        incident__person=lena_with_grace.person,
        incident__occurred_at=timezone.make_aware(dt.datetime(2026, 11, 24, 15, 0)),
    )

    _send()

    (message,) = _to(outbox, manager)
    assert message.subject == (
        "Leeds Shared Lives reminders for 25 Nov 2026: 1 overdue, 1 due in the next 7 days, "
        "1 CQC notification to send"
    )
    assert "This is what is overdue in Leeds Shared Lives" in message.body
    assert "Ivy Webb with" in message.body
    assert "CQC NOTIFICATIONS TO SEND (1)" in message.body
    assert "- Lena Ward: CQC notification about a serious injury" in message.body
    assert f"{SITE}{reverse('notification_list')}" in message.body
    # The coordinator's own e-mail has their caseload only, and no notifications.
    (theirs,) = _to(outbox, coordinator)
    assert "Ivy Webb" not in theirs.body
    assert "CQC" not in theirs.body


@pytest.mark.parametrize(("offset", "told"), [(-30, True), (-1, True), (0, True), (7, True), (8, False)])
def test_a_review_is_in_the_email_when_overdue_or_due_within_seven_days(
    outbox, scheme, coordinator, offset, told
):
    ArrangementFactory(scheme=scheme, person__coordinator=coordinator, next_review_due=_day(offset))

    _send()

    assert len(_to(outbox, coordinator)) == (1 if told else 0)


def test_a_long_list_names_the_first_twenty_and_links_to_the_rest(outbox, scheme, coordinator):
    for n in range(23):
        ArrangementFactory(scheme=scheme, person__coordinator=coordinator, next_review_due=_day(-n))

    _send()

    (message,) = _to(outbox, coordinator)
    assert message.body.count("First review of the live-in arrangement") == 20
    assert f"- and 3 more: {SITE}/my-work/#reviews" in message.body
    assert ReminderDigest.objects.get(membership__user=coordinator).item_count == 20


# --- Who gets one, and when ---


def test_nobody_with_nothing_due_gets_an_email(outbox, manager, coordinator, lena_with_grace):
    lena_with_grace.next_review_due = _day(8)
    lena_with_grace.save()

    output = _send()

    assert outbox == []
    assert not ReminderDigest.objects.exists()
    assert "Sent 0 e-mails for 25 Nov 2026; 2 with nothing due; 0 already sent that day." in output


def test_staff_without_an_email_address_and_carers_get_none(outbox, scheme, carer, carer_household):
    carer_household.next_review_due = _day(-3)
    carer_household.save()
    no_address = UserFactory(username="no-address", email="")
    MembershipFactory(user=no_address, scheme=scheme, role=Role.MANAGER)

    _send()

    assert outbox == []


def test_running_twice_the_same_day_sends_one_email_and_the_next_day_another(
    outbox, coordinator, lena_with_grace
):
    _send()
    second = _send()

    assert len(_to(outbox, coordinator)) == 1
    assert "0 e-mails" in second and "1 already sent that day" in second
    digest = ReminderDigest.objects.get(membership__user=coordinator)
    assert (digest.sent_on, digest.item_count) == (TODAY, 1)

    _send("--date", "2026-11-26")

    assert len(_to(outbox, coordinator)) == 2
    assert _to(outbox, coordinator)[1].subject.startswith("Leeds Shared Lives reminders for 26 Nov 2026")
    assert "overdue by 13 days" in _to(outbox, coordinator)[1].body


def test_a_dry_run_says_who_would_get_what_and_sends_nothing(outbox, coordinator, lena_with_grace):
    output = _send("--dry-run")

    assert outbox == []
    assert not ReminderDigest.objects.exists()
    assert (
        f"{coordinator.display_name} <{coordinator.email}> (Leeds Shared Lives): 1 overdue, 0 due" in output
    )
    assert (
        "  - Lena Ward with Grace Okafor: First review of the live-in arrangement (overdue by 12 days)"
        in output
    )
    assert "Would send 1 e-mail for 25 Nov 2026" in output


def test_a_failed_send_is_not_recorded_so_the_next_run_tries_again(outbox, coordinator, lena_with_grace):
    refused = ConnectionRefusedError("refused")
    sending = mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=refused)
    with sending, pytest.raises(CommandError, match="could not be sent"):
        _send()

    assert not ReminderDigest.objects.exists()

    _send()

    assert len(_to(outbox, coordinator)) == 1
    assert ReminderDigest.objects.filter(membership__user=coordinator, sent_on=TODAY).count() == 1


def test_a_bad_date_is_refused(db):
    with pytest.raises(CommandError, match="--date: give a date like 2026-11-25"):
        _send("--date", "25/11/2026")


# --- The site's address in links ---


def test_without_site_url_links_use_the_first_allowed_host_over_https():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SITE_URL)",
        DEBUG="false",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="sharedlives.example.org,www.sharedlives.example.org",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "https://sharedlives.example.org"


def test_a_site_url_that_is_not_an_address_is_refused():
    result = _manage("check", DEBUG="true", SITE_URL="sharedlives.example.org")

    assert result.returncode != 0
    assert "SITE_URL must be the site's address" in result.stderr
