"""``manage.py bench_reports`` times each report for each scheme."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command

from tests.factories import ArrangementFactory, CarerFactory


@time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London")), tick=False)
def test_it_times_each_report_of_each_scheme(scheme, other_scheme):
    CarerFactory.create_batch(2, scheme=scheme)
    ArrangementFactory(scheme=scheme)
    out = io.StringIO()

    call_command("bench_reports", "--scheme", "Leeds", "--repeat", "1", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "Leeds Shared Lives (3 carer households):"
    assert [line.split(":")[0].strip() for line in lines[1:]] == [
        "Scheme at a glance",
        "Yearly count",
        "For a CQC inspection",
    ]
    assert all(" ms, " in line and " queries, " in line and "CSV rows" in line for line in lines[1:])
