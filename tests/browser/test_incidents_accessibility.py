"""axe finds no WCAG 2.1 A or AA failures on the incident pages, filled as
the registered manager sees them on a busy week: notifications waiting and
sent, an incident with its notification form, and the incident form with
errors."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import assert_no_violations
from tests.factories import CqcNotificationFactory, FeedbackFactory, IncidentFactory

pytestmark = pytest.mark.browser

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def week(scheme, manager, arrangement):
    waiting = CqcNotificationFactory(
        incident__scheme=scheme,
        incident__person=arrangement.person,
        incident__carer=arrangement.carer,
        incident__arrangement=arrangement,
        incident__category="safeguarding",
        incident__notifiable_events=["abuse", "police"],
        incident__actions_taken="Told the safeguarding team.",
        due_from=dt.datetime(2026, 11, 17, 9, tzinfo=LONDON),
    )
    CqcNotificationFactory(
        incident__scheme=scheme,
        due_from=dt.datetime(2026, 11, 2, 9, tzinfo=LONDON),
        sent_on=dt.date(2026, 11, 4),
        reference="CQC-0042",
        sent_by=manager,
    )
    IncidentFactory(scheme=scheme, category="medication", person=arrangement.person)
    FeedbackFactory(scheme=scheme, kind="complaint", carer=arrangement.carer)
    return {"incident": waiting.incident}


PAGES = {
    "incident-list": "/incidents/",
    "incident-new": "/incidents/new/",
    "incident-detail": "/incidents/{incident}/",
    "notifications": "/incidents/notifications/",
    "feedback-list": "/feedback/",
    "feedback-new": "/feedback/new/",
}


@pytest.mark.parametrize("name", PAGES)
def test_a_page(page, live_server, manager, week, name):
    sign_in(page, live_server, manager.username)
    url = PAGES[name].format(**{key: record.pk for key, record in week.items()})

    response = page.goto(live_server.url + url)

    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert_no_violations(page)


def test_the_notification_list_with_a_mark_as_sent_form_open(page, live_server, manager, week):
    sign_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/incidents/notifications/")

    page.get_by_text("Mark as sent").first.click()

    expect(page.get_by_label("CQC's reference")).to_be_visible()
    assert_no_violations(page)


def test_the_incident_form_with_errors(page, live_server, coordinator, week):
    sign_in(page, live_server, coordinator.username)
    page.goto(f"{live_server.url}/incidents/new/")
    page.get_by_label("Date and time it happened").fill("2030-01-01T09:00")
    page.get_by_role("button", name="Record the incident").click()

    expect(page.locator(".invalid-feedback").first).to_be_visible()
    assert_no_violations(page)


def test_marking_a_notification_sent_with_an_error_shows_it_on_the_incident(page, live_server, manager, week):
    sign_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/incidents/{week['incident'].pk}/")
    page.get_by_label("CQC's reference").fill("")
    page.get_by_role("button", name="Mark as sent").click()

    expect(page.get_by_text("Record CQC's reference for the notification.")).to_be_visible()
    assert_no_violations(page)
