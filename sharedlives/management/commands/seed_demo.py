"""``manage.py seed_demo``: demo data to try the site with, or a large scheme
for benchmarks (``--scale N``). The building is done in sharedlives.demo."""

from importlib.util import find_spec
from time import perf_counter

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from sharedlives import demo
from sharedlives.demo_second_factor import HOW_TO_GET_A_CODE
from sharedlives.models import Scheme

SIGN_IN_HINT = (
    "Sign in at /accounts/login/ (`make run` serves the site at http://127.0.0.1:8000/, or on PORT)."
)


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Fill an empty database with two demo schemes (Leeds and North Yorkshire) and logins to try "
        "them with. With --scale N, also add a benchmark scheme of N carer households, 3N people "
        "and 5N arrangements."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (successfully) if the database already has a scheme.",
        )
        parser.add_argument(
            "--scale",
            type=positive_int,
            metavar="N",
            help="Add a benchmark scheme with N carers, 3N people and 5N arrangements "
            "(the demo is created first if the database is empty).",
        )

    def handle(self, *args, if_empty: bool, scale: int | None, verbosity: int, **options) -> None:
        if find_spec("faker") is None:
            raise CommandError("seed_demo needs Faker: pip install -r requirements-dev.txt")
        has_data = Scheme.objects.exists()
        if has_data and if_empty:
            self.stdout.write("The database already has schemes, so no demo data was added.")
            self._logins(demo.existing_demo_logins())
            return
        if has_data and not scale:
            raise CommandError(
                "The database already has schemes; seed_demo only fills an empty database. "
                "Use --if-empty to skip quietly, --scale N to add a benchmark scheme, or "
                "`manage.py flush` first (this deletes everything)."
            )

        started = perf_counter()
        # Progress lines matter for a long benchmark build; the demo takes seconds.
        demo_report = self._progress if verbosity >= 2 else demo.quiet
        scale_report = self._progress if verbosity >= 1 else demo.quiet
        # All or nothing: a failure part-way leaves the database as it was.
        with transaction.atomic():
            demo.check_constraints_now()
            logins = [] if has_data else demo.build_demo(demo_report)
            if scale:
                logins += demo.build_scale(scale, scale_report)
        elapsed = perf_counter() - started

        what = "Demo data" if not scale else f"Benchmark scheme ({scale:,} carers)"
        if scale and not has_data:
            what = f"Demo data and a benchmark scheme ({scale:,} carers)"
        self.stdout.write(self.style.SUCCESS(f"{what} created in {elapsed:.1f} s."))
        self._counts()
        self._logins(logins)

    def _progress(self, message: str) -> None:
        self.stdout.write(message)

    def _counts(self) -> None:
        self.stdout.write("")
        for scheme in Scheme.objects.order_by("pk"):
            self.stdout.write(
                f"  {scheme.name}: {scheme.carers.count():,} carers, {scheme.people.count():,} people, "
                f"{scheme.arrangements.count():,} arrangements"
            )

    def _logins(self, logins: list[demo.Login]) -> None:
        headings = ("Username", "Role", "Scheme", "Password")
        rows = [(login.username, login.role, login.scheme, demo.PASSWORD) for login in logins]
        widths = [max(len(row[i]) for row in [headings, *rows]) for i in range(len(headings))]

        def line(cells) -> str:
            return "  " + "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

        self.stdout.write("")
        self.stdout.write("Logins (every one has the same password):")
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(line(headings).rstrip()))
        self.stdout.write(line("-" * width for width in widths))
        for row in rows:
            self.stdout.write(line(row).rstrip())
        self.stdout.write("")
        self.stdout.write(HOW_TO_GET_A_CODE)
        self.stdout.write("")
        self.stdout.write(SIGN_IN_HINT)
