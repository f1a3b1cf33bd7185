"""Every page the app serves, opened by everyone who can open it, is safe to
send to a browser.

Signed out, and signed in as a carer, a coordinator, the registered manager
and an administrator, the walk GETs every address of the project (the
admin's lists and forms for the administrator), filled with the ids of one
household that has something of everything (tests/sharedlives/
test_two_carers.py). On every answer, pages, redirects, refusals and
downloads alike:

- the Content Security Policy: our own files only, nothing inline;
- the other headers: nosniff, same-origin referrer and opener, no framing,
  and ``Cache-Control: no-store``, since pages and downloads hold people's
  personal data and must not outlive the visit in a shared computer's cache;
- no inline script or style in the HTML, nothing loaded from another site;
- every form that posts carries the CSRF token;
- and opening a page changes nothing: only a POST does.

The walk is slow (a few hundred pages), so it runs once for the module, in a
transaction rolled back at the end, and each test reads what it found.
"""

import datetime as dt
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection, transaction
from django.http import HttpResponseBase
from django.templatetags.static import static
from django.test import Client, override_settings
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

from sharedlives.models import Role
from tests.factories import CarerFactory, MembershipFactory, SchemeFactory, UserFactory
from tests.second_factor import register_totp, sign_in_with_code
from tests.sharedlives.pages import Page
from tests.sharedlives.test_two_carers import OTHER_IDS, PK_RECORDS, _household

# Also makes pytest-django set up the test database, which the module's
# fixture below needs (a session of only unmarked tests would get none).
pytestmark = pytest.mark.django_db

ROLES = ["signed out", "carer", "coordinator", "manager", "administrator"]

POLICY = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# Tables a GET may write to: the session (the scheme being worked in), the
# log of who viewed whose record, the sign-in log, and allauth's copy of the
# login's own e-mail address (made when its e-mail page is first opened).
WRITTEN_BY_READING = {"sessions.session", "sharedlives.recordview", "account.emailaddress"}
WRITTEN_BY_READING_APPS = {"axes"}
# How many pages each user at least sees (a sanity check on the walk: signed
# in, not sent to sign in everywhere). Staff see most of the app.
AT_LEAST_SHOWN = {"signed out": 2, "carer": 10, "coordinator": 75, "manager": 75, "administrator": 20}


@dataclass
class Visit:
    role: str
    where: str  # "GET /carers/1/ (carer_detail)"
    response: HttpResponseBase
    body: str

    @property
    def is_html(self) -> bool:
        return self.response.get("Content-Type", "").startswith("text/html")


# --- The addresses ---


def _site_pages(patterns, prefix=""):
    """(name, prefix, id names) of every page but the admin's."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            yield from _site_pages(entry.url_patterns, prefix or str(entry.pattern))
        else:
            yield entry.name, prefix, tuple(entry.pattern.regex.groupindex)


def _fill(id_name, prefix, records):
    if id_name == "pk" and prefix in PK_RECORDS:
        return records[PK_RECORDS[prefix]].pk
    if id_name in OTHER_IDS:
        return records[OTHER_IDS[id_name]].pk
    return "1"  # a token from an e-mail's link: the page says the link is no good


def _site_addresses(records):
    for name, prefix, ids in sorted(set(_site_pages(get_resolver().url_patterns))):
        try:
            url = reverse(name, kwargs={id_name: _fill(id_name, prefix, records) for id_name in ids})
        except NoReverseMatch:
            pytest.fail(f"the walk cannot make an address for {name} (ids {ids})")
        yield url, name


def _admin_addresses(records):
    yield reverse("admin:index"), "admin:index"
    for model in admin.site._registry:
        meta = model._meta
        for page in ("changelist", "add"):
            name = f"admin:{meta.app_label}_{meta.model_name}_{page}"
            yield reverse(name), name
    for record in records.values():
        if type(record) in admin.site._registry:
            meta = record._meta
            name = f"admin:{meta.app_label}_{meta.model_name}_change"
            yield reverse(name, args=[record.pk]), name


# --- The database, before and after ---


def _snapshot() -> dict:
    """Every row of every table a reading page must leave alone."""
    rows = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in WRITTEN_BY_READING or model._meta.app_label in WRITTEN_BY_READING_APPS:
            continue
        if model._meta.managed and not model._meta.proxy:
            rows[label] = list(model._base_manager.order_by("pk").values_list())
    return rows


# --- The walk ---


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def _walk(role, user, records) -> tuple[list[Visit], list[str]]:
    """What every page answers ``user`` (None: signed out), and the tables
    that changed while they read them."""
    client = Client()
    if role == "administrator":
        sign_in_with_code(client, user)  # admin wants the code from the app
        addresses = list(_admin_addresses(records))
    else:
        if user is not None:
            client.force_login(user)
        addresses = [*_site_addresses(records), (reverse("admin:login"), "admin:login")]
    before = _snapshot()
    visits = []
    for url, name in addresses:
        response = client.get(url)
        visits.append(Visit(role, f"GET {url} ({name})", response, _body(response)))
    after = _snapshot()
    changed = sorted(label for label in before if before[label] != after[label])
    return visits, changed


@pytest.fixture(scope="module")
def walked(django_db_setup, django_db_blocker, tmp_path_factory):
    """{role: (visits, tables changed by reading)}."""
    uploads = tmp_path_factory.mktemp("uploads")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(UPLOADS_ROOT=uploads, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        assert connection.settings_dict["NAME"].startswith("test_"), "not the test database"
        scheme = SchemeFactory(name="Leeds Shared Lives")
        household = CarerFactory(scheme=scheme, first_name="Asha", last_name="Patel")
        users = {"signed out": None}
        for role, username, carer in [
            (Role.CARER, "carer", household),
            (Role.COORDINATOR, "coordinator", None),
            (Role.MANAGER, "manager", None),
        ]:
            users[username] = UserFactory(username=username)
            MembershipFactory(user=users[username], scheme=scheme, role=role, carer=carer)
        users["administrator"] = UserFactory(username="admin", is_superuser=True, is_staff=True)
        register_totp(users["administrator"])
        records = _household(
            household,
            users["carer"],
            member="Ravi Patel",
            pet="Biscuit",
            room="Back bedroom",
            person={"first_name": "Ben", "last_name": "Hughes"},
            change="Arjun Patel",
            certificate="patel-gas-safety.pdf",
            address="4 Moor Road",
            profile="Tea with my gran on Sundays.",
            run_month=dt.date(2026, 10, 1),
        )
        yield {role: _walk(role, users[role], records) for role in ROLES}
        transaction.set_rollback(True)


def _visits(walked, role) -> list[Visit]:
    return walked[role][0]


# --- What is checked on each answer ---


def _policy(header: str) -> dict:
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {words[0]: sorted(words[1:]) for words in directives}


class _InlineCode(HTMLParser):
    """Script or style written into the page, and files from other sites."""

    LOADS = {"script": "src", "img": "src", "iframe": "src", "embed": "src", "object": "data"}
    LOADS |= {"audio": "src", "video": "src", "source": "src", "link": "href", "form": "action"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            self.found.append("an inline <script>")
        if tag == "style":
            self.found.append("a <style> element")
        if "style" in attrs:
            self.found.append(f'<{tag} style="{attrs["style"]}">')
        self.found += [f"<{tag} {name}=...>" for name in attrs if name.startswith("on")]
        self.found += [
            f'<{tag} {name}="{value}">'
            for name, value in attrs.items()
            if value.strip().lower().startswith("javascript:")
        ]
        where = attrs.get(self.LOADS.get(tag, ""), "")
        if tag == "link" and "stylesheet" not in attrs.get("rel", "") and "icon" not in attrs.get("rel", ""):
            where = ""
        if urlparse(where).netloc:
            self.found.append(f"<{tag}> from another site: {where}")

    handle_startendtag = handle_starttag


def _inline_code(visit) -> list[str]:
    parser = _InlineCode()
    parser.feed(visit.body)
    return parser.found


def _forms_without_csrf_token(visit) -> list[str]:
    missing = []
    for form in Page(visit.response).root.iter():
        if form.tag != "form" or form.attrs.get("method", "get").lower() != "post":
            continue
        tokens = [
            e
            for e in form.iter()
            if e.tag == "input" and e.attrs.get("name") == "csrfmiddlewaretoken" and e.attrs.get("value")
        ]
        if not tokens:
            missing.append(f"form action={form.attrs.get('action', '')!r}")
    return missing


# --- The tests ---


@pytest.mark.parametrize("role", ROLES)
def test_the_walk_opens_the_pages_the_user_may_open(walked, role):
    """A sanity check on the walk itself: each user really sees pages (not
    just a sign-in redirect), and no page fails."""
    visits = _visits(walked, role)
    failed = [v.where for v in visits if v.response.status_code >= 500]
    shown = [v for v in visits if v.response.status_code == 200 and v.is_html]

    assert failed == []
    assert len(shown) >= AT_LEAST_SHOWN[role]


@pytest.mark.parametrize("role", ROLES)
def test_every_answer_carries_the_content_security_policy(walked, role):
    wrong = [
        f"{v.where}: {v.response.get('Content-Security-Policy')}"
        for v in _visits(walked, role)
        if _policy(v.response.get("Content-Security-Policy", "")) != POLICY
    ]

    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("header", "value"), HEADERS.items())
def test_every_answer_carries_the_other_security_headers(walked, role, header, value):
    wrong = [
        f"{v.where}: {v.response.get(header)}"
        for v in _visits(walked, role)
        if v.response.get(header) != value
    ]

    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_no_answer_may_be_kept_in_a_cache(walked, role):
    kept = [
        f"{v.where}: {v.response.get('Cache-Control')}"
        for v in _visits(walked, role)
        if "no-store" not in v.response.get("Cache-Control", "")
    ]

    assert kept == []


def test_downloads_are_not_kept_in_a_cache_either(walked):
    downloads = [
        v
        for role in ROLES
        for v in _visits(walked, role)
        if v.response.status_code == 200 and "attachment" in v.response.get("Content-Disposition", "")
    ]
    names = {v.where.rsplit("(", 1)[1].rstrip(")") for v in downloads}

    # A certificate a carer uploaded, and the CSV of a payment run.
    assert {"certificate_file", "payment_run_csv"} <= names
    assert all("no-store" in v.response["Cache-Control"] for v in downloads)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_has_inline_script_or_style_or_loads_from_another_site(walked, role):
    found = {v.where: problems for v in _visits(walked, role) if v.is_html and (problems := _inline_code(v))}

    assert found == {}


@pytest.mark.parametrize("role", ROLES)
def test_every_form_that_posts_carries_the_csrf_token(walked, role):
    forms = {
        v.where: missing
        for v in _visits(walked, role)
        if v.is_html and (missing := _forms_without_csrf_token(v))
    }

    assert forms == {}


@pytest.mark.parametrize("role", ROLES)
def test_opening_every_page_changes_nothing(walked, role):
    changed_tables = walked[role][1]

    assert changed_tables == []


def test_the_checks_find_what_they_look_for():
    """The walk's checks are not blind: a page with inline code, or a form
    without its token, is caught."""
    page = (
        '<div style="color: red" onclick="go()"><script>alert(1)</script>'
        '<script type="application/json">{}</script><style>p {}</style>'
        '<a href="javascript:go()">go</a><script src="https://cdn.example.com/x.js"></script>'
        '<img src="/static/a.png"><form method="POST" action="/x/"></form>'
        '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="t"></form></div>'
    )

    class _Response:
        content = page.encode()

    visit = Visit("test", "a made-up page", _Response(), page)

    assert _inline_code(visit) == [
        '<div style="color: red">',
        "<div onclick=...>",
        "an inline <script>",
        "a <style> element",
        '<a href="javascript:go()">',
        "<script> from another site: https://cdn.example.com/x.js",
    ]
    assert _forms_without_csrf_token(visit) == ["form action='/x/'"]


def test_static_files_keep_their_caching_and_their_type(client, settings):
    """Stylesheets and scripts hold no personal data: browsers may keep them
    (WhiteNoise answers before the app's no-store), but never guess their type."""
    settings.WHITENOISE_USE_FINDERS = True  # the test run has no collected files

    response = client.get(static("css/app.css"))

    assert response.status_code == 200
    assert "max-age" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
