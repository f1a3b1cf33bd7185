"""axe finds no WCAG 2.1 A or AA failures on the reports, filled with a
scheme's year: carers joining and leaving, referrals, endings, reviews on
time and late, lapsed checks, incidents, CQC notifications and complaints;
and each chart is an image named by its title, with its values as text."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from carers.models import CarerStatus, CheckKind
from placements.models import ArrangementStatus, FeedbackKind, ReferralStage, ReferralStageChange
from sharedlives.choices import ArrangementKind
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import assert_no_violations
from tests.factories import (
    ArrangementFactory,
    ArrangementReviewFactory,
    CarerFactory,
    CarerReviewFactory,
    CheckFactory,
    CqcNotificationFactory,
    FeedbackFactory,
    IncidentFactory,
    ReferralFactory,
    StageChangeFactory,
    approved_carer,
)

pytestmark = pytest.mark.browser

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=LONDON)
S = CarerStatus


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=True):
        yield


def at(month, day, year=2026):
    return dt.datetime(year, month, day, 10, tzinfo=LONDON)


@pytest.fixture
def year(scheme, manager):
    for i, kind in enumerate(ArrangementKind.values):
        carer = approved_carer(scheme, kinds=[kind], max_people=2, postcode=f"LS{i + 1} 2AB")
        StageChangeFactory(carer=carer, from_status="", to_status=S.ENQUIRY, changed_at=at(1, 5 + i))
        StageChangeFactory(carer=carer, from_status=S.PANEL, to_status=S.APPROVED, changed_at=at(6, 1 + i))
        arrangement = ArrangementFactory(
            scheme=scheme, carer=carer, kind=kind, next_review_due=dt.date(2026, 11, 1)
        )
        ArrangementReviewFactory(
            arrangement=arrangement, held_on=dt.date(2026, 3, 2), due_on=dt.date(2026, 3, 1)
        )
        CarerReviewFactory(carer=carer, held_on=dt.date(2026, 5, 1), due_on=dt.date(2026, 5, 3))
        CheckFactory(carer=carer, kind=CheckKind.DBS, issued_on=dt.date(2023, 1, 1), requested_on=None)
        CheckFactory(carer=carer, kind=CheckKind.FIRST_AID, issued_on=dt.date(2025, 2, 1), requested_on=None)
    resigned = CarerFactory(scheme=scheme, status=S.RESIGNED)
    StageChangeFactory(carer=resigned, from_status=S.APPROVED, to_status=S.RESIGNED, changed_at=at(9, 1))
    CarerFactory(scheme=scheme, status=S.ASSESSMENT)
    ArrangementFactory(
        scheme=scheme,
        status=ArrangementStatus.ENDED,
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2026, 4, 1),
        end_reason="planned_move",
    )
    referral = ReferralFactory(scheme=scheme, received_on=dt.date(2026, 2, 1), stage=ReferralStage.DECLINED)
    ReferralStageChange.objects.create(
        referral=referral,
        from_stage="received",
        to_stage="declined",
        changed_at=at(2, 20),
        reason="Not eligible",
    )
    IncidentFactory(scheme=scheme, occurred_at=at(4, 2))
    CqcNotificationFactory(incident__scheme=scheme, incident__occurred_at=at(5, 3), due_from=at(5, 3))
    CqcNotificationFactory(
        incident__scheme=scheme,
        incident__occurred_at=at(6, 3),
        due_from=at(6, 3),
        sent_on=dt.date(2026, 6, 4),
        reference="CQC-1234",
        sent_by=manager,
    )
    FeedbackFactory(scheme=scheme, received_on=dt.date(2026, 3, 3))
    FeedbackFactory(scheme=scheme, kind=FeedbackKind.COMPLAINT, received_on=dt.date(2026, 4, 4))


PAGES = {
    "list": "/reports/",
    "at-a-glance": "/reports/at-a-glance/",
    "yearly-count": "/reports/yearly-count/?year=2026",
    "inspection": "/reports/inspection/",
    "period-error": "/reports/inspection/?start=2026-06-01&end=2026-01-01",
    "year-error": "/reports/yearly-count/?year=1990",
}


@pytest.mark.parametrize("name", PAGES)
def test_a_report_page(page, live_server, manager, year, name):
    sign_in(page, live_server, manager.username)

    response = page.goto(live_server.url + PAGES[name])

    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert_no_violations(page)


def test_a_chart_is_an_image_named_by_its_title_with_its_values_as_text(page, live_server, manager, year):
    sign_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/reports/at-a-glance/")

    chart = page.get_by_role("img", name="Current arrangements by kind")

    expect(chart).to_have_count(1)
    expect(chart.locator("desc")).to_have_text(
        "Bar chart of current arrangements by kind. Live-in: 1; Short breaks: 1; Day support: 1; "
        "Home from hospital: 1; Emergency: 1."
    )
    expect(chart.locator("text.chart-value")).to_have_text(["1", "1", "1", "1", "1"])


def test_the_inspection_report_prints_without_the_menu(page, live_server, manager, year):
    sign_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/reports/inspection/")

    page.emulate_media(media="print")

    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Show the report")).to_be_hidden()
    expect(page.get_by_role("heading", name="For a CQC inspection")).to_be_visible()
    expect(page.get_by_role("img", name="Incidents, by category")).to_be_visible()
