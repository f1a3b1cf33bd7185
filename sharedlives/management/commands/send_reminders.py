"""E-mail each member of staff what is overdue and what falls due in the
next week, once a day. Run it daily from cron or a systemd timer (the README
shows both); running it again the same day sends nothing more."""

import argparse
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sharedlives.reminders import DAYS_AHEAD, already_sent, build_digest, recipients, send_digest


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"give a date like 2026-11-25, not {value!r}") from None


class Command(BaseCommand):
    help = (
        f"E-mail each coordinator (and the registered manager) what is overdue and what falls due "
        f"in the next {DAYS_AHEAD} days, once a day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=_day, help="The day to send for, as YYYY-MM-DD (default: today), to catch up."
        )
        parser.add_argument("--dry-run", action="store_true", help="Say who would get what; send nothing.")

    def handle(self, *args, date=None, dry_run=False, **options):
        day = date or timezone.localdate()
        sent = nothing = repeated = 0
        failed = []
        for membership in recipients():
            who = f"{membership.user.display_name} <{membership.user.email}> ({membership.scheme})"
            if already_sent(membership, day):
                repeated += 1
                continue
            digest = build_digest(membership, day)
            if digest is None:
                nothing += 1
                continue
            if dry_run:
                self._describe(who, digest)
                sent += 1
                continue
            try:
                if send_digest(digest=digest):
                    sent += 1
                else:
                    repeated += 1
            except OSError as error:  # the mail server refused or could not be reached
                failed.append(who)
                self.stderr.write(f"Could not send to {who}: {error}")
        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(
            f"{verb} {sent} e-mail{'s' if sent != 1 else ''} for {day:%-d %b %Y}; "
            f"{nothing} with nothing due; {repeated} already sent that day."
        )
        if failed:
            raise CommandError(f"{len(failed)} e-mail(s) could not be sent; run the command again to retry.")

    def _describe(self, who: str, digest) -> None:
        counts = digest.counts
        self.stdout.write(f"{who}: {counts.overdue} overdue, {counts.due} due in the next {DAYS_AHEAD} days")
        for found in digest.lists:
            for item in found.items:
                self.stdout.write(f"  - {item.whose}: {item.what} ({item.words})")
            if found.more:
                self.stdout.write(f"  - and {found.more} more {found.section.title.lower()}")
