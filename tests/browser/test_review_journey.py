"""A coordinator records an arrangement's review in Chromium: who came, how
Sam took part and what he said, what is working and not, one action, and
the next review. The arrangement's page then shows the review and when the
next is due.

The clock is fixed (time-machine, ticking) at 10:00 on 20 Nov 2026."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from placements.models import ArrangementReview
from tests.browser.conftest import sign_in
from tests.factories import ArrangementFactory, MonitoringVisitFactory

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def sam(scheme, carer_household):
    """Sam Reid, living with Asha Patel since 6 Oct 2026; his first review was due on 17 Nov."""
    arrangement = ArrangementFactory(
        scheme=scheme,
        carer=carer_household,
        person__first_name="Sam",
        person__last_name="Reid",
        start_date=dt.date(2026, 10, 6),
        next_review_due=dt.date(2026, 11, 17),
    )
    MonitoringVisitFactory(arrangement=arrangement, due_on=dt.date(2026, 12, 6))
    return arrangement


def test_a_coordinator_records_a_review_with_an_action(page, live_server, coordinator, sam):
    sign_in(page, live_server, coordinator.username)
    page.goto(f"{live_server.url}/arrangements/{sam.pk}/")
    section = page.get_by_role("region", name="Reviews and visits")
    expect(section).to_contain_text("Next review due on 17 Nov 2026: Overdue by 3 days.")
    expect(section).to_contain_text("No review has been recorded yet.")

    section.get_by_role("link", name="Record the review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the review")
    expect(page.get_by_label("Held on")).to_have_value("2026-11-20")
    expect(page.get_by_label("Next review due on")).to_have_value("2027-11-20")
    page.get_by_label("Held on").fill("2026-11-19")
    page.get_by_label("The person", exact=True).check()
    page.get_by_label("The carer", exact=True).check()
    page.get_by_label("Social worker or care manager").check()
    page.get_by_label("Names of those who attended").fill("Priya Shah (social worker)")
    page.get_by_label("Took part and spoke for themselves").check()
    page.get_by_label("Sam Reid's own views, in their own words").fill(
        "I like my room. I want to go to college."
    )
    page.get_by_label("What is working").fill("Cooking together on Sundays.")
    page.get_by_label("What is not working").fill("The bus to town is hard at busy times.")
    page.get_by_label("Outcomes and goals").fill("Start a college course in January.")
    first = page.get_by_role("group", name="Action 1")
    first.get_by_label("What").fill("Ask the college about a taster day")
    first.get_by_label("Who").fill("Asha Patel")
    first.get_by_label("By when").fill("2026-12-18")
    page.get_by_label("Next review due on").fill("2027-05-19")
    page.get_by_role("button", name="Record the review").click()

    expect(page.get_by_role("status")).to_contain_text(
        "The review held on 19 Nov 2026 has been recorded. The next review is due on 19 May 2027. "
        "1 action agreed."
    )
    section = page.get_by_role("region", name="Reviews and visits")
    expect(section).to_contain_text("Next review due on 19 May 2027: due in 180 days.")
    expect(section).to_contain_text("19 Nov 2026")
    expect(section).to_contain_text("The person, The carer, Social worker or care manager")
    expect(section).to_contain_text("Ask the college about a taster day")
    review = ArrangementReview.objects.get(arrangement=sam)
    assert review.due_on == dt.date(2026, 11, 17)

    section.get_by_role("link", name="Read the review of 19 Nov 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review of 19 Nov 2026")
    views = page.get_by_role("region", name="In Sam Reid's own words")
    expect(views).to_contain_text("I like my room. I want to go to college.")
