"""``manage.py bench_reports``: how long each report takes, and how many
queries it makes, for each scheme on this database (for example the large
scheme ``manage.py seed_demo --scale 10000`` builds)."""

from time import perf_counter

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sharedlives.models import Membership, Role, Scheme
from sharedlives.reports import at_a_glance, inspection, yearly_count
from sharedlives.reports.base import csv_response
from sharedlives.reports.periods import last_complete_year, last_twelve_months


class Command(BaseCommand):
    help = "Time each report (its figures and its CSV) for each scheme, as the scheme's manager sees it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scheme", default="", help="Only schemes whose name contains this.")
        parser.add_argument("--repeat", type=int, default=3, help="Runs of each report; the fastest counts.")

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        period, year = last_twelve_months(today), last_complete_year(today)
        builders = {
            "Scheme at a glance": lambda m: at_a_glance.build(m, period, today),
            "Yearly count": lambda m: yearly_count.build(m, year, today),
            "For a CQC inspection": lambda m: inspection.build(m, period, today),
        }
        schemes = Scheme.objects.filter(name__icontains=options["scheme"]).order_by("name")
        if not schemes:
            self.stdout.write("No scheme matches.")
        for scheme in schemes:
            # The reports read only the scheme and the role from a membership.
            membership = Membership(scheme=scheme, role=Role.MANAGER)
            carers = scheme.carers.count()
            self.stdout.write(f"{scheme} ({carers:,} carer households):")
            for name, build in builders.items():
                took, queries, rows = self._time(build, membership, options["repeat"])
                self.stdout.write(f"  {name}: {took * 1000:.0f} ms, {queries} queries, {rows:,} CSV rows")

    @staticmethod
    def _time(build, membership, repeat: int) -> tuple[float, int, int]:
        fastest, queries, rows = float("inf"), 0, 0
        for _ in range(max(repeat, 1)):
            with CaptureQueriesContext(connection) as captured:
                started = perf_counter()
                response = csv_response(build(membership))
                fastest = min(fastest, perf_counter() - started)
            queries = len(captured)
            rows = response.content.decode().count("\n") - 1
        return fastest, queries, rows
