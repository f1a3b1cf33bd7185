"""axe finds no WCAG 2.1 A or AA failures on "my work", as a coordinator
sees it on a busy day (every list with something in it, overdue items,
a household flagged for lapsed checks, more than one page of reviews) and
as the registered manager sees it filtered to one coordinator."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from carers.models import CheckKind
from placements.models import IncidentCategory, ReferralStage
from sharedlives.choices import ArrangementKind
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import assert_no_violations
from tests.factories import (
    ArrangementFactory,
    ArrangementReviewFactory,
    CarerFactory,
    CheckFactory,
    CqcNotificationFactory,
    IncidentFactory,
    MonitoringVisitFactory,
    PersonFactory,
    ReferralFactory,
    ReviewActionFactory,
)

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("Europe/London"))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=True):
        yield


def _day(offset):
    return TODAY + dt.timedelta(days=offset)


@pytest.fixture
def busy_day(scheme, coordinator):
    grace = CarerFactory(
        scheme=scheme,
        first_name="Grace",
        last_name="Okafor",
        coordinator=coordinator,
        next_review_due=_day(3),
    )
    CheckFactory(carer=grace, kind=CheckKind.DBS, issued_on=_day(-1100), expires_on=_day(-5))
    CheckFactory(carer=grace, kind=CheckKind.HOME_INSURANCE, issued_on=_day(-300), expires_on=_day(20))
    for n in range(12):
        person = PersonFactory(scheme=scheme, coordinator=coordinator)
        arrangement = ArrangementFactory(
            scheme=scheme,
            person=person,
            carer=grace,
            kind=ArrangementKind.DAY_SUPPORT,
            next_review_due=_day(n - 6),
        )
        MonitoringVisitFactory(arrangement=arrangement, due_on=_day(n - 2))
    sam = PersonFactory(scheme=scheme, first_name="Sam", last_name="Reid", coordinator=coordinator)
    lived = ArrangementFactory(scheme=scheme, person=sam, carer=grace, next_review_due=_day(40))
    review = ArrangementReviewFactory(arrangement=lived, held_on=_day(-50))
    ReviewActionFactory(review=review, what="Find a swimming club", who="Grace", due_on=_day(-4))
    ReviewActionFactory(review=review, what="Ask about a hearing test", who="Sam", due_on=_day(9))
    IncidentFactory(
        scheme=scheme,
        arrangement=lived,
        category=IncidentCategory.MEDICATION,
        what_happened="Evening tablets missed.",
        occurred_at=timezone.make_aware(dt.datetime(2026, 11, 20, 18)),
    )
    CqcNotificationFactory(incident__scheme=scheme, incident__arrangement=lived)
    ReferralFactory(scheme=scheme, person=sam, coordinator=coordinator, stage=ReferralStage.RECEIVED)
    ReferralFactory(scheme=scheme, coordinator=coordinator, stage=ReferralStage.MATCHING)


def test_my_work_as_a_coordinator(page, live_server, coordinator, busy_day):
    sign_in(page, live_server, coordinator.username)

    response = page.goto(f"{live_server.url}/my-work/")

    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("link", name="My work")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("Overdue by 6 days").first).to_be_visible()
    expect(page.get_by_role("navigation", name="Reviews: pages")).to_be_visible()
    assert_no_violations(page)


def test_my_work_as_the_manager_filtered_to_a_coordinator(page, live_server, manager, coordinator, busy_day):
    sign_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/my-work/")

    page.get_by_label("Whose work").select_option(label=coordinator.display_name)
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()

    expect(
        page.get_by_text(f"For the carers and people {coordinator.display_name} looks after")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="CQC notifications to send (1)")).to_be_visible()
    assert_no_violations(page)


def test_my_work_on_a_phone(page, live_server, coordinator, busy_day):
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, live_server, coordinator.username)

    page.goto(f"{live_server.url}/my-work/")

    page.get_by_role("link", name="Checks and training").click()
    expect(page.get_by_role("heading", name="Checks and training (2)")).to_be_in_viewport()
    assert_no_violations(page)
