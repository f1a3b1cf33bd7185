"""No WCAG 2.1 A or AA failures that axe-core can find on the approval pages:
the pipeline, a carer's Approval tab, the check, decision and panel pages.

Each page is checked in a busy state (applicants at several stages, checks
in several states, errors showing, an open move form), since that is where
markup goes wrong. The clock is fixed at 10:00 on 20 Nov 2026.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from carers import services
from carers.models import CarerStatus, CheckKind, CheckStatus, CheckSubject, Recommendation
from sharedlives.models import Membership
from tests.browser.conftest import choose_from_menu, sign_in
from tests.browser.test_accessibility import assert_no_violations
from tests.factories import (
    ApprovalDecisionFactory,
    ApprovalTermsFactory,
    AssessmentFactory,
    CarerFactory,
    CarerReviewFactory,
    CheckFactory,
    HouseholdMemberFactory,
    PanelItemFactory,
    PanelMeetingFactory,
    StageChangeFactory,
    applicant_with_checks_complete,
)

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))
S = CarerStatus


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=True):
        yield


def _applicant(scheme, coordinator, status, days, first, last, **fields):
    return CarerFactory(
        scheme=scheme,
        coordinator=coordinator,
        status=status,
        status_changed_at=NOW - dt.timedelta(days=days),
        first_name=first,
        last_name=last,
        **fields,
    )


@pytest.fixture
def approvals(scheme, coordinator, manager):
    """A scheme with applicants at every stage, two panels and an approved
    carer whose annual review is overdue."""
    _applicant(scheme, coordinator, S.ENQUIRY, 2, "Tom", "Barker")
    _applicant(scheme, coordinator, S.INITIAL_VISIT, 9, "Sian", "Jones")
    _applicant(scheme, None, S.APPLICATION, 20, "Kwame", "Mensah")

    # Grace, at application until another coordinator moves her on (below).
    grace = _applicant(scheme, coordinator, S.APPLICATION, 30, "Grace", "Okafor", will_drive_people=True)
    son = HouseholdMemberFactory(carer=grace, name="Daniel Okafor", date_of_birth=dt.date(2008, 5, 1))
    CheckFactory(carer=grace, kind=CheckKind.DBS, subject=CheckSubject.APPLICANT, recorded_by=coordinator)
    CheckFactory(
        carer=grace,
        kind=CheckKind.DBS,
        household_member=son,
        status=CheckStatus.CONCERN,
        details="A caution from 2024",
        risk_assessment="A single caution for a minor offence; no risk to adults at risk.",
        recorded_by=coordinator,
    )
    CheckFactory(carer=grace, kind=CheckKind.REFERENCE, details="Pastor Ade Bello", recorded_by=coordinator)
    CheckFactory(
        carer=grace,
        kind=CheckKind.REFERENCE,
        status=CheckStatus.REQUESTED,
        details="Leeds City Council, former employer",
        received_on=None,
        issued_on=None,
        recorded_by=coordinator,
    )
    CheckFactory(
        carer=grace,
        kind=CheckKind.HOME_INSURANCE,
        issued_on=dt.date(2025, 10, 1),
        received_on=dt.date(2025, 10, 1),
        requested_on=dt.date(2025, 9, 1),
        expires_on=dt.date(2026, 10, 1),
        recorded_by=coordinator,
    )
    CheckFactory(
        carer=grace, kind=CheckKind.GP_REFERENCE, status=CheckStatus.RECEIVED, recorded_by=coordinator
    )
    CheckFactory(carer=grace, kind=CheckKind.FIRST_AID, recorded_by=coordinator)
    AssessmentFactory(
        carer=grace, assessor=coordinator, shared_with_applicant_on=None, applicant_comments="", home_visits=4
    )
    StageChangeFactory(carer=grace, from_status=S.ENQUIRY, to_status=S.INITIAL_VISIT, changed_by=coordinator)
    StageChangeFactory(
        carer=grace,
        from_status=S.INITIAL_VISIT,
        to_status=S.APPLICATION,
        changed_by=coordinator,
        changed_at=NOW - dt.timedelta(days=30),
        reason="A good first visit.",
    )

    ready = applicant_with_checks_complete(
        scheme, status=S.READY_FOR_PANEL, first_name="Priya", last_name="Shah", coordinator=coordinator
    )
    upcoming = PanelMeetingFactory(scheme=scheme, date=dt.date(2026, 12, 3))
    recommended = applicant_with_checks_complete(
        scheme, status=S.PANEL, first_name="Ann", last_name="Lee", coordinator=coordinator
    )
    PanelItemFactory(
        carer=recommended,
        meeting=upcoming,
        recommendation=Recommendation.APPROVE_WITH_CONDITIONS,
        reasons="A strong assessment.",
        conditions="Medication training within three months.",
        recorded_by=coordinator,
        recorded_at=NOW - dt.timedelta(hours=1),
    )
    waiting = applicant_with_checks_complete(
        scheme, status=S.PANEL, first_name="Ben", last_name="Ward", coordinator=coordinator
    )
    PanelItemFactory(carer=waiting, meeting=upcoming)

    past = PanelMeetingFactory(scheme=scheme, date=dt.date(2025, 10, 9))
    approved = _applicant(
        scheme, coordinator, S.APPROVED, 400, "Rose", "Hill", next_review_due=dt.date(2026, 10, 9)
    )
    item = PanelItemFactory(
        carer=approved, meeting=past, recommendation=Recommendation.APPROVE, reasons="Well prepared."
    )
    decision = ApprovalDecisionFactory(
        carer=approved, panel_item=item, decided_by=manager, decided_on=dt.date(2025, 10, 9)
    )
    ApprovalTermsFactory(carer=approved, decision=decision)
    StageChangeFactory(
        carer=approved,
        from_status=S.PANEL,
        to_status=S.APPROVED,
        changed_by=manager,
        reason="Decision: approve.",
    )
    CarerReviewFactory(
        carer=approved,
        due_on=dt.date(2025, 9, 30),
        held_on=dt.date(2025, 9, 25),
        reviewer=coordinator,
        terms_change="To offer short breaks as well.",
    )
    return {
        "grace": grace,
        "ready": ready,
        "recommended": recommended,
        "approved": approved,
        "upcoming": upcoming,
        "past": past,
    }


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_the_approval_pipeline(page, live_server, approvals):
    sign_in(page, live_server, "coordinator")
    choose_from_menu(page, "Carers", "Approvals")

    expect(page.get_by_role("heading", level=1)).to_have_text("Approval pipeline")
    expect(page.get_by_role("region", name="Annual reviews overdue")).to_contain_text("Rose Hill")
    assert_no_violations(page)


def test_a_carers_approval_tab_with_a_refused_move_and_an_open_move_form(
    page, live_server, approvals, manager
):
    grace = approvals["grace"]
    sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/carers/{grace.pk}/approval/")
    stage = page.get_by_role("region", name="Stage", exact=True)
    stage.locator("summary", has_text="Move to declined").click()
    stage.get_by_label("Why are they moving to declined?").fill("They have not replied to our letters.")

    # Meanwhile the registered manager moves her on: the coordinator's move is refused.
    services.move_carer(
        carer=grace,
        to=S.ASSESSMENT,
        membership=Membership.objects.get(user=manager),
        reason="References are coming in.",
    )
    stage.get_by_role("button", name="Move to declined").click()

    expect(page.get_by_role("alert")).to_contain_text("Grace Okafor has not been moved to declined.")
    expect(stage).to_contain_text("At the assessment stage")
    expect(stage).to_contain_text("Ready for panel — not yet:")
    checks = page.get_by_role("region", name="Checks", exact=True)
    for state in ["Complete: Satisfactory", "Outstanding: 1 of 2 complete", "Expired on 1 Oct 2026"]:
        expect(checks).to_contain_text(state)
    expect(checks).to_contain_text("risk assessment waiting for a manager's sign-off")
    stage.locator("summary", has_text="Move to withdrawn").click()
    expect(stage.get_by_label("Why are they moving to withdrawn?")).to_be_visible()
    assert_no_violations(page)


def test_the_check_form_with_an_error(page, live_server, approvals):
    grace = approvals["grace"]
    sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/carers/{grace.pk}/approval/")
    page.get_by_role("link", name="Record Car insurance (business use)").click()
    page.get_by_label("Status").select_option(label="Received")
    page.get_by_label("Received on").fill("2026-12-01")
    page.get_by_role("button", name="Record").click()

    expect(page.get_by_text("The date it was received cannot be in the future.")).to_be_visible()
    assert_no_violations(page)


def test_the_decision_form_empty_and_with_errors(page, live_server, approvals):
    sign_in(page, live_server, "manager")
    page.goto(f"{live_server.url}/carers/{approvals['recommended'].pk}/decision/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Decision on Ann Lee")
    assert_no_violations(page)

    page.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Choose at least one kind of arrangement they are approved for.")).to_be_visible()
    assert_no_violations(page)


def test_the_panel_list(page, live_server, approvals):
    sign_in(page, live_server, "coordinator")
    choose_from_menu(page, "Carers", "Panels")
    expect(page.get_by_role("heading", level=1)).to_have_text("Panel meetings")
    expect(page.get_by_role("link", name="9 Oct 2025")).to_be_visible()
    assert_no_violations(page)


def test_a_panel_meetings_page(page, live_server, approvals):
    sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/panels/{approvals['upcoming'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Panel on 3 Dec 2026")
    expect(page.get_by_label("Applicant ready for panel")).to_be_visible()
    assert_no_violations(page)


def test_the_panel_pack(page, live_server, approvals):
    sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/panels/{approvals['upcoming'].pk}/pack/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Panel pack: Panel on 3 Dec 2026")
    assert_no_violations(page)


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/carers/{grace}/approval/", "Grace Okafor"),
        ("/carers/{approved}/approval/", "Rose Hill"),
        ("/carers/pipeline/", "Approval pipeline"),
    ],
    ids=["applicant-tab", "approved-tab", "pipeline"],
)
def test_on_a_phone(phone, live_server, approvals, path, heading):
    """Tables too wide for a phone scroll sideways; a keyboard must be able to scroll them too."""
    sign_in(phone, live_server, "coordinator")
    phone.goto(live_server.url + path.format(grace=approvals["grace"].pk, approved=approvals["approved"].pk))
    expect(phone.get_by_role("heading", level=1)).to_have_text(heading)
    assert_no_violations(phone)
