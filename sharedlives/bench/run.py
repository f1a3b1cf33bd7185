"""Running the pieces of `make bench` as processes of their own: the app
under gunicorn with production settings, and locust for each page."""

import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests
from django.conf import settings

from sharedlives.bench.middleware import QUERIES_HEADER
from sharedlives.bench.pages import Page
from sharedlives.bench.results import Measured, read_locust_stats

BIN = Path(sys.executable).parent
LOCUSTFILE = Path(__file__).with_name("locustfile.py")


class BenchFailed(Exception):
    pass


def production_environment() -> dict[str, str]:
    """What `make serve` sets (DEBUG off, plain HTTP on loopback), with BENCH
    on: the bench database, the X-Queries header and the floor page."""
    key = os.environ.get("SECRET_KEY", "")
    return {
        **os.environ,
        "BENCH": "true",
        "DEBUG": "false",
        "SECRET_KEY": key if len(key) >= 50 else secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
    }


def collect_static(environment: dict[str, str]) -> None:
    """With DEBUG off the pages need the static files' manifest."""
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    subprocess.run(command, env=environment, cwd=settings.BASE_DIR, check=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(environment: dict[str, str], port: int, workers: int, log: Path):
    """The app served on 127.0.0.1:``port`` until the block ends; yields its
    address once /healthz answers."""
    address = f"http://127.0.0.1:{port}"
    command = [str(BIN / "gunicorn"), "sharedlives.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--error-logfile", str(log)]
    # No control socket: it has one fixed path, which a `make serve` may hold.
    command += ["--no-control-socket"]
    server = subprocess.Popen(command, env=environment, cwd=settings.BASE_DIR)
    try:
        _wait_until_up(server, f"{address}/healthz", log)
        yield address
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(server: subprocess.Popen, url: str, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchFailed(f"gunicorn stopped (exit {server.returncode}); see {log}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still starting
            pass
        time.sleep(0.2)
    raise BenchFailed(f"gunicorn did not answer {url} within {seconds:.0f} s; see {log}")


def warm_up(session: requests.Session, address: str, page: Page, times: int = 5) -> int:
    """Opens the page a few times (so each worker has it warm), checks that
    it answers 200, and returns the queries its last answer made."""
    for _ in range(times):
        response = session.get(f"{address}{page.path}", allow_redirects=False, timeout=120)
        if response.status_code != 200:
            where = response.headers.get("Location", "")
            raise BenchFailed(f"{page.name} ({page.path}) answered {response.status_code} {where}".strip())
    if QUERIES_HEADER not in response.headers:
        raise BenchFailed(f"{page.name} has no {QUERIES_HEADER} header: is the server running with BENCH?")
    return int(response.headers[QUERIES_HEADER])


def run_locust(
    page: Page, address: str, cookie: str, *, requests_per_page: int, users: int, prefix: Path
) -> Measured:
    """Drives one page with locust, headless, in a process of its own, and
    reads back what it measured from its CSV (``<prefix>_stats.csv``)."""
    command = [str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "--only-summary"]
    command += ["--users", str(users), "--spawn-rate", str(users), "--host", address, "--csv", str(prefix)]
    # A safety net: at least 1 request a second should finish long before.
    command += ["--run-time", f"{max(60, requests_per_page)}s", "--loglevel", "WARNING"]
    environment = {
        **os.environ,
        "BENCH_PATH": page.path,
        "BENCH_NAME": page.name,
        "BENCH_COOKIE": cookie,
        "BENCH_REQUESTS": str(requests_per_page),
    }
    log = prefix.with_name(prefix.name + ".log")
    with open(log, "w") as output:
        subprocess.run(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
    try:
        return read_locust_stats(prefix.with_name(prefix.name + "_stats.csv"), page.name)
    except (OSError, LookupError) as problem:
        raise BenchFailed(f"locust measured nothing for {page.name} ({problem}); see {log}") from problem
