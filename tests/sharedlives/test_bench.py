"""`make bench`: the floor page, the query count on each response, signing in
as a person would, reading locust's CSV and the one table. (The benchmark
itself is not run here: it takes minutes and the large data set.)"""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sharedlives.bench.pages import (
    HEAVY,
    LIST_OR_DETAIL,
    Page,
    find_scale_scheme,
)
from sharedlives.bench.results import (
    Measured,
    PageResult,
    format_table,
    read_locust_stats,
    shortfalls,
    typical,
)
from sharedlives.bench.signin import SignInFailed, cookie_header, post_form_with, sign_in, totp
from sharedlives.demo_second_factor import DEMO_TOTP_SECRET
from tests.factories import SchemeFactory
from tests.second_factor import PASSWORD

FLOOR = "/bench/floor/"
QUERY_COUNT = "sharedlives.bench.middleware.QueryCountMiddleware"

# What locust 2.47 writes to <prefix>_stats.csv (from a run of the benchmark).
LOCUST_STATS = """\
Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,\
Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%
GET,floor (Django itself),100,0,12,14.02,4.49,59.55,0.0,137.1073364106698,0.0,12,14,15,17,22,24,43,60,60,60,60
GET,carer list,200,3,40,44.1,20.3,180.2,48211.0,45.5,0.7,40,42,45,47,60,95,120,150,180,180,180
,Aggregated,300,3,20,30.0,4.49,180.2,0.0,182.6,0.7,20,30,40,45,50,60,120,150,180,180,180
"""


def _page(name, target=LIST_OR_DETAIL):
    return Page(name, "/somewhere/", "coordinator", target)


def _result(name, per_second, median, p95, queries=5, target=LIST_OR_DETAIL, failures=0, floor=120):
    measured = Measured(requests=200, failures=failures, per_second=per_second, median_ms=median, p95_ms=p95)
    return PageResult(_page(name, target), measured, queries, floor_per_second=floor)


# --- The floor page ------------------------------------------------------------


def test_the_floor_page_answers_a_signed_in_user_with_nothing(client, settings, coordinator):
    settings.BENCH = True
    client.force_login(coordinator)
    response = client.get(FLOOR)
    assert response.status_code == 200
    assert response.content == b""


def test_the_floor_page_needs_a_login_like_every_other(client, settings, scheme):
    settings.BENCH = True
    response = client.get(FLOOR)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_the_floor_page_is_not_there_unless_measuring(client, settings, coordinator):
    settings.BENCH = False
    client.force_login(coordinator)
    assert client.get(FLOOR).status_code == 404


def test_the_floor_page_only_reads(client, settings, coordinator):
    settings.BENCH = True
    client.force_login(coordinator)
    assert client.post(FLOOR).status_code == 405


# --- The query count -----------------------------------------------------------


def test_each_response_says_how_many_queries_it_made_when_measuring(client, settings, coordinator):
    settings.MIDDLEWARE = [QUERY_COUNT, *settings.MIDDLEWARE]
    client.force_login(coordinator)
    client.get(reverse("dashboard"))  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"))
    # The session's, the sign-in's and the page's own queries all count.
    assert int(response["X-Queries"]) == len(queries) > 3


def test_the_query_count_is_only_added_when_measuring(client, coordinator):
    assert QUERY_COUNT not in settings.MIDDLEWARE
    client.force_login(coordinator)
    assert "X-Queries" not in client.get(reverse("dashboard"))


# --- Signing in ----------------------------------------------------------------


def test_the_code_is_the_one_an_authenticator_app_shows():
    # RFC 6238's SHA-1 test vectors (the key "12345678901234567890"), six digits.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert totp(secret, at=59) == "287082"
    assert totp(secret, at=1111111109) == "081804"
    assert totp(secret.lower(), at=1234567890) == "005924"


def test_it_finds_the_form_with_a_field_and_its_hidden_values():
    html = """
        <form method="get" action="/search/"><input name="q"></form>
        <form method="post" action="/accounts/login/">
          <input type="hidden" name="csrfmiddlewaretoken" value="abc">
          <input type="text" name="login"><input type="password" name="password">
        </form>"""
    form = post_form_with(html, "password")
    assert form.action == "/accounts/login/"
    assert form.fields == {"csrfmiddlewaretoken": "abc"}
    assert {"login", "password"} <= form.inputs
    assert post_form_with(html, "code") is None


@pytest.fixture
def open_dashboard(live_server):
    def get(session):
        return session.get(f"{live_server.url}{reverse('dashboard')}", allow_redirects=False)

    return get


def test_a_carer_signs_in_through_the_form_with_their_password(live_server, carer, open_dashboard):
    session = sign_in(live_server.url, resolve_url(settings.LOGIN_URL), "carer", PASSWORD)
    # Signed in: their start page sends them on to their portal, not to sign in.
    assert open_dashboard(session).headers["Location"] == reverse("portal_home")
    assert "sessionid=" in cookie_header(session)


def test_staff_sign_in_with_the_code_their_authenticator_would_show(live_server, coordinator, open_dashboard):
    # The factories' staff have set up their authenticator with the demo's key.
    session = sign_in(
        live_server.url, resolve_url(settings.LOGIN_URL), "coordinator", PASSWORD, DEMO_TOTP_SECRET
    )
    assert open_dashboard(session).status_code == 200


def test_staff_asked_for_a_code_without_the_key_are_told_so(live_server, coordinator):
    with pytest.raises(SignInFailed, match="asked for an authenticator code"):
        sign_in(live_server.url, resolve_url(settings.LOGIN_URL), "coordinator", PASSWORD)


def test_a_wrong_password_is_reported(live_server, carer):
    with pytest.raises(SignInFailed, match="carer could not sign in"):
        sign_in(live_server.url, resolve_url(settings.LOGIN_URL), "carer", "not-the-password-at-all")


# --- The scale data set ----------------------------------------------------------


def test_it_finds_the_scale_scheme_of_the_size_asked_for_and_its_logins(db):
    SchemeFactory(name="Leeds Shared Lives")
    SchemeFactory(name="Scale test scheme 1 (2,000 carers)")
    scheme = SchemeFactory(name="Scale test scheme 2 (10,000 carers)")
    found = find_scale_scheme(10_000)
    assert found.scheme == scheme
    assert (found.coordinator, found.carer) == ("scale2-coord-1", "scale2-carer-1")
    assert find_scale_scheme(2_000).coordinator == "scale-coord-1"
    assert find_scale_scheme(500) is None


# --- Locust's CSV and the table ------------------------------------------------


def test_it_reads_a_pages_row_from_locusts_csv(tmp_path: Path):
    stats = tmp_path / "page01_stats.csv"
    stats.write_text(LOCUST_STATS)
    measured = read_locust_stats(stats, "carer list")
    assert measured == Measured(requests=200, failures=3, per_second=45.5, median_ms=40, p95_ms=95)


def test_a_page_locust_did_not_measure_is_an_error(tmp_path: Path):
    stats = tmp_path / "page01_stats.csv"
    stats.write_text(LOCUST_STATS.splitlines()[0] + "\n,Aggregated,0,0,0,0.0,0,0,0,0.0,0.0" + ",N/A" * 11)
    with pytest.raises(LookupError, match="no row for 'carer list'"):
        read_locust_stats(stats, "carer list")


def test_a_page_meets_its_target_with_enough_throughput_and_a_short_enough_p95():
    assert shortfalls(_result("carer list", 40, 30, 99)) == []
    assert shortfalls(_result("carer list", 39, 30, 99)) == ["0.33 of floor"]
    assert shortfalls(_result("carer list", 60, 30, 100)) == ["p95 100 ms"]
    assert shortfalls(_result("matching", 12, 150, 250, target=HEAVY)) == []
    assert shortfalls(_result("carer list", 60, 30, 50, failures=2)) == ["2 failed"]


def test_each_page_is_compared_with_the_floor_measured_just_before_it():
    # The machine got busier: the floor and the page both slowed by half.
    assert shortfalls(_result("carer list", 20, 30, 99, floor=60)) == []


def test_the_floor_row_is_the_median_of_its_runs():
    runs = [
        Measured(100, 0, per_second, median, p95)
        for per_second, median, p95 in [(90, 9, 20), (120, 8, 15), (200, 5, 9)]
    ]
    assert typical(runs) == Measured(requests=300, failures=0, per_second=120, median_ms=8, p95_ms=15)


def test_the_table_gives_each_page_its_figures_and_its_share_of_the_floor():
    results = [
        _result("floor (Django itself)", 120, 8, 15, queries=3, target=None),
        _result("carer list", 60.04, 20.4, 45, queries=8),
        # The floor measured before matching was slower than the typical one.
        _result("matching for a referral", 6, 300, 450, queries=17, target=HEAVY, floor=100),
    ]
    lines = format_table(results).splitlines()
    assert [cell.strip() for cell in lines[0].strip("|").split("|")] == [
        "page",
        "req/s",
        "median ms",
        "p95 ms",
        "queries",
        "× floor",
        "target",
    ]
    assert set(lines[1]) <= {"|", "-", ":"}
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    assert rows == [
        ["floor (Django itself)", "120.0", "8", "15", "3", "1.00", "(the floor)"],
        ["carer list", "60.0", "20", "45", "8", "0.50", "1/3 of floor, p95 < 100 ms: met"],
        [
            "matching for a referral",
            "6.0",
            "300",
            "450",
            "17",
            "0.06",
            "1/10 of floor, p95 < 300 ms: NOT MET (0.06 of floor, p95 450 ms)",
        ],
    ]
    # One width for every line, so the columns line up in a terminal.
    assert len({len(line) for line in lines}) == 1
