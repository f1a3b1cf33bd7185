"""``manage.py bench`` (``make bench``): every main page measured under load on
the large data set, in one table. See sharedlives/bench/ and the README's
"Benchmark" section."""

import os
import platform
from pathlib import Path
from time import perf_counter

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.shortcuts import resolve_url

from sharedlives import demo
from sharedlives.bench import pages as bench_pages
from sharedlives.bench import run
from sharedlives.bench.results import Measured, PageResult, format_table, shortfalls, typical
from sharedlives.bench.signin import SignInFailed, cookie_header, sign_in
from sharedlives.demo_second_factor import DEMO_TOTP_SECRET

# Building the data set should take under five minutes (the target).
BUILD_TARGET_SECONDS = 300


class Command(BaseCommand):
    help = (
        "Build the large data set on the bench database if it is missing, serve the app under gunicorn "
        "with production settings, drive each page with locust and print one table. Run with BENCH=true."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=10_000, help="Carer households (default 10,000).")
        parser.add_argument("--requests", type=int, default=200, help="Requests for each page (default 200).")
        parser.add_argument("--users", type=int, default=2, help="Locust users at once (default 2).")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2).")
        parser.add_argument(
            "--totp-secret",
            default=os.environ.get("BENCH_TOTP_SECRET", DEMO_TOTP_SECRET),
            help="The staff logins' authenticator key (base32), for when signing in asks for a code; "
            "by default the demo's.",
        )
        parser.add_argument(
            "--rebuild", action="store_true", help="Drop the bench database and build it again first."
        )
        parser.add_argument("--out", type=Path, default=settings.BASE_DIR / "var" / "bench")

    def handle(self, *args, **options) -> None:
        if not settings.BENCH:
            raise CommandError("Run with BENCH=true (make bench does), so the bench database is used.")
        try:
            self._bench(**options)
        except (run.BenchFailed, SignInFailed, LookupError) as problem:
            raise CommandError(str(problem)) from problem

    def _bench(
        self,
        *,
        scale: int,
        requests: int,
        users: int,
        workers: int,
        totp_secret: str,
        rebuild: bool,
        out,
        **_,
    ):
        out.mkdir(parents=True, exist_ok=True)
        self._database(scale, rebuild)
        scale_scheme = bench_pages.find_scale_scheme(scale)
        pages = bench_pages.bench_pages(scale_scheme)
        environment = run.production_environment()
        run.collect_static(environment)
        load_before = os.getloadavg()
        self.stdout.write(
            f"Serving with {workers} gunicorn workers; {requests} requests a page, {users} at once."
        )
        with run.gunicorn(environment, run.free_port(), workers, out / "gunicorn.log") as address:
            # Signed in once each, through the sign-in form, as a person would.
            login_path = resolve_url(settings.LOGIN_URL)
            sessions = {
                login: sign_in(address, login_path, username, demo.PASSWORD, totp_secret)
                for login, username in [
                    (bench_pages.COORDINATOR, scale_scheme.coordinator),
                    (bench_pages.CARER, scale_scheme.carer),
                ]
            }

            def measure(page, prefix: str) -> tuple[Measured, int]:
                session = sessions[page.login]
                queries = run.warm_up(session, address, page)
                measured = run.run_locust(
                    page,
                    address,
                    cookie_header(session),
                    requests_per_page=requests,
                    users=users,
                    prefix=out / prefix,
                )
                self.stdout.write(f"  {page.name}: {measured.per_second:.1f} requests a second")
                return measured, queries

            # The floor page is measured again just before each page, and
            # each page compared with that: other work on the machine then
            # weighs on both alike.
            floor_page, floor_runs, results = pages[0], [], []
            for index, page in enumerate(pages[1:], start=1):
                floor, floor_queries = measure(floor_page, f"page{index:02d}-floor")
                measured, queries = measure(page, f"page{index:02d}")
                floor_runs.append(floor)
                results.append(PageResult(page, measured, queries, floor.per_second))
        floors = typical(floor_runs)
        results.insert(0, PageResult(floor_page, floors, floor_queries, floors.per_second))
        self._report(results, scale_scheme, load_before, os.getloadavg())

    def _database(self, scale: int, rebuild: bool) -> None:
        """The bench database, migrated, with the scale data set in it."""
        name = settings.DATABASES["default"]["NAME"]
        connection.close()
        # Django's own way in to create a database (as for the tests' one).
        with connection._nodb_cursor() as cursor:
            if rebuild:
                self.stdout.write(f"Dropping the database {name}.")
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                self.stdout.write(f"Creating the database {name}.")
                cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
        call_command("migrate", interactive=False, verbosity=0)
        if bench_pages.find_scale_scheme(scale) is not None:
            self.stdout.write(f"The {scale:,}-household data set is already in {name}.")
            return
        self.stdout.write(f"Building the {scale:,}-household data set in {name} (seed_demo --scale {scale}).")
        started = perf_counter()
        call_command("seed_demo", scale=scale, verbosity=1, stdout=self.stdout)
        took = perf_counter() - started
        verdict = "met" if took < BUILD_TARGET_SECONDS else "NOT MET"
        self.stdout.write(
            f"Built in {took:.0f} s (target under {BUILD_TARGET_SECONDS // 60} minutes: {verdict})."
        )

    def _report(self, results: list[PageResult], scale_scheme, load_before, load_after) -> None:
        missed = [result for result in results if shortfalls(result)]
        self.stdout.write("")
        self.stdout.write(
            f"{scale_scheme.scheme} on {settings.DATABASES['default']['NAME']}, {self._machine()}."
        )
        self.stdout.write(
            f"Load average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after"
            f" on {os.cpu_count()} cores{': other work was running' if load_before[0] >= 0.5 else ''}."
        )
        self.stdout.write("")
        self.stdout.write(format_table(results))
        self.stdout.write("")
        met = len(results) - 1 - len(missed)
        self.stdout.write(f"{met} of {len(results) - 1} pages met their target.")

    @staticmethod
    def _machine() -> str:
        cpu = platform.processor() or platform.machine()
        try:
            with open("/proc/cpuinfo") as info:
                cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
        except (OSError, StopIteration):
            pass
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            postgres = cursor.fetchone()[0].split()[0]
        return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL {postgres}"
