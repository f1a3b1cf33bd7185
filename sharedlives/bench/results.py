"""Reading locust's CSV output, and the benchmark's one table."""

import csv
from dataclasses import dataclass
from pathlib import Path
from statistics import median

from sharedlives.bench.pages import Page


@dataclass(frozen=True)
class Measured:
    """What locust measured for one page (its ``_stats.csv`` row)."""

    requests: int
    failures: int
    per_second: float
    median_ms: float
    p95_ms: float


@dataclass(frozen=True)
class PageResult:
    """A page's figures, and the floor page's throughput measured just
    before it: on a machine doing other work too, the two are compared under
    the same load."""

    page: Page
    measured: Measured
    queries: int | None  # from the X-Queries header
    floor_per_second: float

    @property
    def share_of_floor(self) -> float:
        return self.measured.per_second / self.floor_per_second if self.floor_per_second else 0.0


def typical(runs: list[Measured]) -> Measured:
    """The floor page's figures over several runs: the median of each."""
    return Measured(
        requests=sum(run.requests for run in runs),
        failures=sum(run.failures for run in runs),
        per_second=median(run.per_second for run in runs),
        median_ms=median(run.median_ms for run in runs),
        p95_ms=median(run.p95_ms for run in runs),
    )


def _number(text: str) -> float:
    # Locust writes "N/A" for a percentile of no requests.
    return float(text) if text not in ("", "N/A") else float("nan")


def read_locust_stats(path: Path, name: str) -> Measured:
    """The row called ``name`` in a locust ``<prefix>_stats.csv``."""
    with open(path, newline="") as stats:
        for row in csv.DictReader(stats):
            if row["Name"] == name:
                return Measured(
                    requests=int(row["Request Count"]),
                    failures=int(row["Failure Count"]),
                    per_second=_number(row["Requests/s"]),
                    median_ms=_number(row["50%"]),
                    p95_ms=_number(row["95%"]),
                )
    raise LookupError(f"{path} has no row for {name!r}")


def shortfalls(result: PageResult) -> list[str]:
    """Where a page misses its target, in words (none: it is met)."""
    target, measured = result.page.target, result.measured
    if target is None:
        return []
    missed = []
    if measured.failures:
        missed.append(f"{measured.failures} failed")
    share = result.share_of_floor
    if not share >= target.least_share_of_floor:
        missed.append(f"{share:.2f} of floor")
    if not measured.p95_ms < target.most_p95_ms:
        missed.append(f"p95 {measured.p95_ms:.0f} ms")
    return missed


def _verdict(result: PageResult) -> str:
    if result.page.target is None:
        return "(the floor)"
    missed = shortfalls(result)
    label = result.page.target.label
    return f"{label}: met" if not missed else f"{label}: NOT MET ({', '.join(missed)})"


def format_table(results: list[PageResult]) -> str:
    """One Markdown table (readable in a terminal, and pasted as it is into
    the README): page, requests per second, median and 95th-percentile
    latency, SQL queries per request, throughput as a share of the floor
    page's, and the target."""
    headings = ["page", "req/s", "median ms", "p95 ms", "queries", "× floor", "target"]
    rows = [
        [
            result.page.name,
            f"{result.measured.per_second:.1f}",
            f"{result.measured.median_ms:.0f}",
            f"{result.measured.p95_ms:.0f}",
            "?" if result.queries is None else str(result.queries),
            f"{result.share_of_floor:.2f}" if result.floor_per_second else "?",
            _verdict(result),
        ]
        for result in results
    ]
    widths = [max(len(row[i]) for row in [headings, *rows]) for i in range(len(headings))]
    numeric = {1, 2, 3, 4, 5}

    def line(cells) -> str:
        padded = [
            cell.rjust(width) if i in numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            "-" * (width + 1) + ":" if i in numeric else "-" * (width + 2) for i, width in enumerate(widths)
        )
        + "|"
    )
    return "\n".join([line(headings), rule, *(line(row) for row in rows)])
