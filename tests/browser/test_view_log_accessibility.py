"""The view log's pages in a browser: the manager follows "Who has looked"
from a person's record to a coordinator's own log, and axe finds no WCAG
2.1 A or AA failures on any of the four pages, on a computer or a phone."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from sharedlives.models import RecordView, RecordViewKind
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import assert_no_violations

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 22, 10, 30, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def looked_at(scheme, coordinator, carer, arrangement):
    """The coordinator opened the person's profile, the household's page and
    a payment run's file; the carer printed the person's profile."""
    person, household = arrangement.person, arrangement.carer
    RecordView.objects.create(
        scheme=scheme, user=coordinator, person=person, path=f"/people/{person.pk}/profile/"
    )
    RecordView.objects.create(
        scheme=scheme, user=coordinator, carer=household, path=f"/carers/{household.pk}/"
    )
    RecordView.objects.create(
        scheme=scheme, user=coordinator, kind=RecordViewKind.EXPORT, path="/payments/runs/1/csv/"
    )
    RecordView.objects.create(
        scheme=scheme, user=carer, person=person, path=f"/people/{person.pk}/profile/print/"
    )
    return arrangement


def test_the_manager_follows_who_has_looked_to_what_a_coordinator_looked_at(
    page, live_server, manager, coordinator, looked_at
):
    person = looked_at.person
    sign_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/people/{person.pk}/")

    page.get_by_role("link", name="Who has looked").click()

    table = page.get_by_role("table", name="Who has looked at this person's record, newest first")
    # The headings, the manager's own look at the person just now, and two before.
    expect(table.get_by_role("row")).to_have_count(4)
    expect(table).to_contain_text("One-page profile, to print")
    table.get_by_role("link", name=coordinator.display_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"What {coordinator.display_name} has looked at"
    )
    expect(page.get_by_role("cell", name="Several people or households")).to_be_visible()
    assert_no_violations(page)


@pytest.mark.parametrize("width", [1280, 375], ids=["computer", "phone"])
def test_the_log_pages_have_no_accessibility_failures(
    page, live_server, manager, coordinator, looked_at, width
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, manager.username)

    for path in [
        f"/people/{looked_at.person.pk}/viewers/",
        f"/carers/{looked_at.carer.pk}/viewers/",
        "/staff/",
        f"/staff/{coordinator.pk}/viewed/",
    ]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        assert_no_violations(page)
