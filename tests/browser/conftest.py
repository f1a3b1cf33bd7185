"""Browser tests: the real pages, in Debian's Chromium, driven by Playwright.

One browser for the whole session; each test gets a fresh context (cookies,
storage) and page. The app is served by pytest-django's ``live_server``
(a transactional database, since the server runs in another thread).

Playwright cannot download its own browsers here, so we launch the system
Chromium (``/usr/bin/chromium`` or ``$CHROMIUM_PATH``). Without one the tests
skip on a developer's machine, but fail in CI: a browser test must never
silently skip there.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from sharedlives.demo_second_factor import DEMO_TOTP_SECRET
from sharedlives.totp import totp_code

# Playwright's sync API runs an asyncio event loop in the test's thread, and
# Django then refuses ORM calls from it (SynchronousOnlyOperation) -- even the
# fixtures' factory calls. Nothing here is really async, so allow it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

PASSWORD = "a-long-test-password"  # tests/factories.py UserFactory

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _chromium_path() -> str | None:
    candidates = [os.environ.get("CHROMIUM_PATH", ""), "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if path is None:
        message = "No Chromium found at $CHROMIUM_PATH or /usr/bin/chromium; browser tests need one."
        if _in_ci():
            pytest.fail(message + " (CI is set: browser tests must not be skipped in CI.)", pytrace=False)
        pytest.skip(message)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


def sign_in(page, live_server, username, password=PASSWORD, totp_secret=DEMO_TOTP_SECRET):
    """Sign in through the real login page, as a person would; staff (who
    have an authenticator app: tests/second_factor.py) then type the code
    their app would show."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    # Still on the login page means the sign-in failed; say so plainly.
    assert "/accounts/login/" not in page.url, f"signing in as {username!r} failed: {page.url}"
    if CODE_PAGE in page.url:
        enter_code(page, totp_secret)
        assert CODE_PAGE not in page.url, f"the code for {username!r} was refused"


CODE_PAGE = "/accounts/2fa/authenticate/"


def enter_code(page, totp_secret):
    """Type the code the app shows now. A code is good once: if this user
    signed in with it already (twice within 30 seconds), the next one does."""
    for steps_ahead in (0, 1):
        page.get_by_label("Code").fill(totp_code(totp_secret, steps_ahead=steps_ahead))
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in", exact=True).click()
        if CODE_PAGE not in page.url:
            return


def sign_out(page):
    """Sign out from the account menu (the user's name), opening the folded
    main menu first on a phone."""
    page.wait_for_load_state("load")  # the menus work once Bootstrap's script has run
    nav = page.get_by_role("navigation", name="Main")
    toggle = nav.get_by_role("button", name="Show or hide the menu")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
        # Opened once it has finished sliding open, not while it moves.
        expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
    account = nav.get_by_role("button", name=re.compile("^Signed in as"))
    account.click()
    expect(account).to_have_attribute("aria-expanded", "true")
    nav.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()


def choose_from_menu(page, menu, item):
    """Open one of the main menu's drop-down menus and follow one of its links."""
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name=menu).click()
    nav.get_by_role("link", name=item).click()
