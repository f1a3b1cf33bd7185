"""``manage.py bench_matching``: how long the matching page's ranking takes
for the referrals in matching, on this database (for example the benchmark
scheme ``manage.py seed_demo --scale 10000`` builds)."""

from time import perf_counter

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from placements.matching import rank_carers
from placements.models import Referral, ReferralStage


class Command(BaseCommand):
    help = (
        "Time the ranking of carers (the counts, the first page of the shortlist and of the carers left "
        "out, in words) for referrals in matching."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scheme", default="", help="Only schemes whose name contains this.")
        parser.add_argument(
            "--referrals", type=int, default=5, help="How many referrals to rank (default 5)."
        )

    def handle(self, *args, **options) -> None:
        referrals = (
            Referral.objects.filter(stage__in=(ReferralStage.MATCHING, ReferralStage.INTRODUCTIONS))
            .filter(scheme__name__icontains=options["scheme"])
            .select_related("scheme", "person")
            .prefetch_related("wanted_stays", "wanted_sessions")
            .order_by("pk")[: options["referrals"]]
        )
        today = timezone.localdate()
        found = False
        for referral in referrals:
            found = True
            with CaptureQueriesContext(connection) as queries:
                started = perf_counter()
                ranking = rank_carers(referral, today)
                counts = ranking.counts()
                ranking.explain_shortlist(ranking.shortlist()[:20])
                ranking.explain_excluded(ranking.excluded()[:20])
                took = perf_counter() - started
            carers = f"{counts['carers']:,} carer{'s' if counts['carers'] != 1 else ''}"
            self.stdout.write(
                f"{referral.scheme}, {referral}: {carers}, "
                f"{counts['shortlisted']:,} shortlisted, {counts['excluded']:,} left out, "
                f"in {took * 1000:.0f} ms ({len(queries)} queries)"
            )
        if not found:
            self.stdout.write("No referral is in matching or introductions.")
