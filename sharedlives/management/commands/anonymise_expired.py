"""Anonymise the records each scheme no longer keeps: people whose last
arrangement ended (or, with none, whose last referral closed) and carer
households that left the scheme longer ago than the scheme's retention
periods (Django admin, "Retention settings"; 8 and 6 years unless set).
Run it daily or monthly from cron or a systemd timer, like send_reminders;
running it again changes nothing more. Records on legal hold are kept.

The output names records by number only, so that a log of it holds no names."""

import argparse
import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from sharedlives.models import Scheme
from sharedlives.retention import anonymise_household, anonymise_person, households_due, people_due


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"give a date like 2026-11-25, not {value!r}") from None


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


class Command(BaseCommand):
    help = (
        "Anonymise the people and carer households whose retention period has passed "
        "(kept: those on legal hold)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=_day, help="Work as if today were this day, as YYYY-MM-DD (default: today)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be anonymised; change nothing."
        )

    def handle(self, *args, date=None, dry_run=False, **options):
        today = date or timezone.localdate()
        people = households = held = 0
        for scheme in Scheme.objects.order_by("pk"):
            for person in people_due(scheme, today):
                ended = person.last_ended or timezone.localdate(person.last_closed)
                self._say(
                    dry_run,
                    f"person {person.pk} ({scheme}): last arrangement or referral ended {ended:%-d %b %Y}",
                )
                people += dry_run or anonymise_person(person, today=today)
            for carer in households_due(scheme, today):
                left = (
                    f"{carer.get_status_display().lower()} on {timezone.localdate(carer.left_at):%-d %b %Y}"
                )
                self._say(dry_run, f"household {carer.pk} ({scheme}): {left}")
                households += dry_run or anonymise_household(carer, today=today)
            held += people_due(scheme, today, held=True).count()
            held += households_due(scheme, today, held=True).count()
        done = f"{_count(people, 'person', 'people')} and {_count(households, 'household', 'households')}"
        self.stdout.write(
            f"{'Would anonymise' if dry_run else 'Anonymised'} {done} for {today:%-d %b %Y}; "
            f"{_count(held, 'record', 'records')} past the period kept on legal hold."
        )

    def _say(self, dry_run: bool, what: str) -> None:
        self.stdout.write(f"{'Would anonymise' if dry_run else 'Anonymising'} {what}")
