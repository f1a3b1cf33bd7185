"""The whole approval path in Chromium, from an enquiry to an approved
household, as the coordinator and the registered manager click through it.

The clock is fixed (time-machine, ticking so that times still move on) at
10:00 on 20 Nov 2026, so the dates the pages show can be asserted exactly.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from carers.models import Carer, CarerStatus
from tests.browser.conftest import choose_from_menu, sign_in, sign_out
from tests.factories import complete_required_checks

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def staff(coordinator, manager):
    """The two users of the path, with names the pages can be checked for."""
    for user, first, last in [(coordinator, "Claire", "Hughes"), (manager, "Morag", "Reid")]:
        user.first_name, user.last_name = first, last
        user.save()
    return coordinator, manager


def approval_section(page, name):
    return page.get_by_role("region", name=name, exact=True)


def described(container, term):
    """The value beside a term in a description list."""
    return container.locator("dt", has_text=term).locator("xpath=following-sibling::dd[1]")


def move_to(page, stage, reason):
    """Open a move of Grace Okafor on her Approval tab, give the reason and make it."""
    stage_section = approval_section(page, "Stage")
    stage_section.locator("summary", has_text=f"Move to {stage}").click()
    stage_section.get_by_label(f"Why are they moving to {stage}?").fill(reason)
    stage_section.get_by_role("button", name=f"Move to {stage}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Grace Okafor moved to {stage}.")
    expect(stage_section).to_contain_text(f"At the {stage} stage")


def test_an_enquiry_goes_all_the_way_to_approval(page, live_server, scheme, staff):
    coordinator, _ = staff
    # The coordinator adds the enquiry from the carers list.
    sign_in(page, live_server, "coordinator")
    choose_from_menu(page, "Carers", "All carers")
    page.get_by_role("link", name="Add an enquiry").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an enquiry")
    page.get_by_label("First name*", exact=True).fill("Grace")
    page.get_by_label("Last name*", exact=True).fill("Okafor")
    page.get_by_label("Email").fill("grace.okafor@example.org")
    page.get_by_label("Phone").fill("0113 496 0123")
    page.get_by_label("Address line 1").fill("14 Cardigan Road")
    page.get_by_label("Town or city").fill("Leeds")
    page.get_by_label("Postcode").fill("ls6 3aw")
    page.get_by_label("How they heard of us").fill("A stall at the Leeds carers' fair")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Grace Okafor has been added as an enquiry.")
    carer = Carer.objects.get(first_name="Grace", last_name="Okafor")
    assert carer.status == CarerStatus.ENQUIRY

    # Through the early stages, a reason for each move.
    page.get_by_role("navigation", name="Sections of this record").get_by_role(
        "link", name="Approval"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Okafor")
    expect(approval_section(page, "Stage")).to_contain_text("At the enquiry stage")
    move_to(page, "initial visit", "Enquiry followed up by phone; a visit is booked.")
    move_to(page, "application", "A good first visit: we invited an application.")
    move_to(page, "assessment", "The application form and consents are in.")

    # Ready for panel is not open yet: instead of a button the tab says why, in words.
    stage_section = approval_section(page, "Stage")
    expect(stage_section.locator("summary", has_text="Move to ready for panel")).to_have_count(0)
    refused = stage_section.get_by_role("listitem").filter(has_text="Ready for panel")
    expect(refused).to_contain_text("not yet:")
    expect(refused).to_contain_text("0 of 7 checks are complete")
    expect(refused).to_contain_text("are outstanding")
    expect(refused).to_contain_text("The assessment has not been recorded.")

    # Two checks recorded through their forms, from the checklist's Record links.
    checks = approval_section(page, "Checks")
    checks.get_by_role("link", name="Record Enhanced DBS with barred list: Grace Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a check or training")
    expect(page.get_by_label("Kind of check")).to_have_value("dbs")
    page.get_by_label("Status").select_option(label="Satisfactory")
    page.get_by_label("Details").fill("Certificate 001234567890")
    page.get_by_label("Requested on").fill("2026-09-14")
    page.get_by_label("Received on").fill("2026-10-02")
    page.get_by_label("Issued or completed on").fill("2026-10-01")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Enhanced DBS with adults' barred list for Grace Okafor has been recorded. "
        "Its expiry date was set to 1 Oct 2029, 36 months after it was issued."
    )
    dbs_row = checks.get_by_role("row", name=re.compile("^Enhanced DBS with barred list: Grace Okafor"))
    expect(dbs_row).to_contain_text("Complete: Satisfactory")
    expect(dbs_row).to_contain_text("Recorded by Claire Hughes on 20 Nov 2026")

    checks.get_by_role("link", name="Record Two references").click()
    expect(page.get_by_label("Kind of check")).to_have_value("reference")
    page.get_by_label("Status").select_option(label="Satisfactory")
    page.get_by_label("Details").fill("Pastor Ade Bello, St Chad's")
    page.get_by_label("Received on").fill("2026-10-20")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text("Reference for the household has been recorded.")
    expect(checks.get_by_role("row", name=re.compile("^Two references"))).to_contain_text("1 of 2 complete")

    # The other checks work the same way; to keep this test quick they are
    # made with the factories (a satisfactory record for each still
    # outstanding), and the coordinator reloads the tab.
    made = complete_required_checks(carer, recorded_by=coordinator)
    assert len(made) == 6  # a second reference, GP, home safety, landlord, insurance, induction
    page.reload()
    expect(checks).to_contain_text("7 of 7 checks are complete.")

    # The assessment, through its form: written, shared, no comment.
    expect(refused).to_contain_text("The assessment has not been recorded.")
    approval_section(page, "Assessment").get_by_role("link", name="Record the assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment of Grace Okafor")
    expect(page.get_by_label("Assessor")).to_have_value(str(coordinator.pk))
    page.get_by_label("Home visits so far").fill("7")
    page.get_by_label("Assessment report summary").fill(
        "A warm, organised household. Grace has cared for her late mother and has a ground-floor spare room."
    )
    page.get_by_label("Report written on").fill("2026-11-10")
    page.get_by_label("Report shared with the applicant on").fill("2026-11-12")
    page.get_by_label("The applicant chose not to comment").check()
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.get_by_role("status")).to_contain_text("The assessment of Grace Okafor has been saved.")
    assessment = approval_section(page, "Assessment")
    expect(assessment).to_contain_text("They chose not to comment.")
    expect(assessment).to_contain_text("12 Nov 2026")

    move_to(page, "ready for panel", "Every check is complete and the report is shared.")

    # A panel meeting, through the Panels pages, with Grace on its agenda.
    choose_from_menu(page, "Carers", "Panels")
    expect(page.get_by_role("heading", level=1)).to_have_text("Panel meetings")
    page.get_by_role("link", name="Add a panel meeting").click()
    page.get_by_label("Date").fill("2026-11-20")
    page.get_by_label("Location").fill("Civic Hall, Leeds")
    page.get_by_label("Chair").fill("Jo Khan")
    page.get_by_label("Panel members").fill(
        "Jo Khan, independent chair\nSam Reid, Shared Lives carer\nAmir Shah, social worker"
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Panel on 20 Nov 2026")
    page.get_by_label("Applicant ready for panel").select_option(label="Grace Okafor")
    page.get_by_role("button", name="Add to the agenda").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Grace Okafor is on the agenda and now at the panel stage."
    )
    agenda = page.get_by_role("region", name="Agenda", exact=True)
    expect(agenda).to_contain_text("1. Grace Okafor")
    expect(agenda).to_contain_text("Not yet recorded")

    # The panel's recommendation.
    agenda.get_by_role("link", name="Record the recommendation for Grace Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Panel recommendation for Grace Okafor")
    page.get_by_label("Approve", exact=True).check()
    page.get_by_label("The panel's reasons").fill("A thorough assessment and strong references.")
    page.get_by_role("button", name="Record the recommendation").click()
    expect(page.get_by_role("status")).to_contain_text(
        "The panel's recommendation for Grace Okafor has been recorded."
    )
    expect(agenda).to_contain_text("Approve (recorded by Claire Hughes on 20 Nov 2026)")

    # The decision is not the coordinator's: no link to it, and the form refuses them.
    page.get_by_role("status").get_by_role("link", name="Grace Okafor's approval page").click()
    decision_row = (
        approval_section(page, "Stage").get_by_role("listitem").filter(has_text="Approved or declined")
    )
    expect(decision_row).to_contain_text("the registered manager records the decision.")
    expect(page.get_by_role("link", name="Record the decision")).to_have_count(0)
    response = page.goto(f"{live_server.url}/carers/{carer.pk}/decision/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do that")
    expect(page.get_by_label("Reasons for the decision")).to_have_count(0)
    sign_out(page)

    # The registered manager finds Grace on the pipeline and decides.
    sign_in(page, live_server, "manager")
    choose_from_menu(page, "Carers", "Approvals")
    at_panel = page.get_by_role("region", name=re.compile("^Panel"))
    expect(at_panel).to_contain_text("Panel recommended: approve. Next: the registered manager's decision.")
    at_panel.get_by_role("link", name="Grace Okafor").click()
    approval_section(page, "Stage").get_by_role("link", name="Record the decision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decision on Grace Okafor")
    expect(page.get_by_role("region", name="The panel's recommendation")).to_contain_text("Approve")
    page.get_by_label("Approve", exact=True).check()
    page.get_by_label("Reasons for the decision").fill("The panel's recommendation, and a strong assessment.")
    expect(page.get_by_label("Decided on")).to_have_value("2026-11-20")
    terms = page.get_by_role("group", name="Terms of approval")
    terms.get_by_label("Live-in").check()
    terms.get_by_label("Short breaks").check()
    terms.get_by_label("Most people at a time").fill("2")
    terms.get_by_label("Learning disability").check()
    terms.get_by_label("Older person").check()
    terms.get_by_label("Conditions").fill("Safeguarding training within six months.")
    page.get_by_role("button", name="Record the decision").click()

    # The Approval tab: approved, on these terms, reviewed in a year.
    expect(page.get_by_role("status")).to_contain_text("Grace Okafor has been approved.")
    expect(page).to_have_url(re.compile(rf"/carers/{carer.pk}/approval/$"))
    expect(approval_section(page, "Stage")).to_contain_text("At the approved stage")
    decisions = approval_section(page, "Panel and decision")
    expect(decisions).to_contain_text("Approved by Morag Reid on 20 Nov 2026.")
    in_force = approval_section(page, "Terms of approval")
    for term, value in [
        ("Kinds of arrangement", "Live-in, Short breaks"),
        ("Most people at a time", "2"),
        ("Needs they are approved to support", "Learning disability, Older person"),
        ("Conditions", "Safeguarding training within six months."),
        ("In force", "From 20 Nov 2026"),
    ]:
        expect(described(in_force, term)).to_have_text(value)
    expect(approval_section(page, "Annual reviews")).to_contain_text("Next annual review due on 20 Nov 2027.")

    # Every move in the stage history, newest first, with who made it.
    history = approval_section(page, "Stage history").get_by_role("row")
    moves = [
        ("Morag Reid", "Panel", "Approved", "Decision: The panel's recommendation"),
        ("Claire Hughes", "Ready for panel", "Panel", "On the agenda of the panel on 20 Nov 2026."),
        ("Claire Hughes", "Assessment", "Ready for panel", "Every check is complete"),
        ("Claire Hughes", "Application", "Assessment", "The application form and consents are in."),
        ("Claire Hughes", "Initial visit", "Application", "we invited an application."),
        ("Claire Hughes", "Enquiry", "Initial visit", "Enquiry followed up by phone"),
    ]
    expect(history).to_have_count(len(moves) + 1)  # and the heading row
    for row, (who, frm, to, why) in zip(history.all()[1:], moves, strict=True):
        cells = row.get_by_role("cell")
        expect(cells.nth(0)).to_contain_text("20 Nov 2026")
        expect(cells.nth(1)).to_have_text(who)
        expect(cells.nth(2)).to_have_text(frm)
        expect(cells.nth(3)).to_have_text(to)
        expect(cells.nth(4)).to_contain_text(why)

    carer.refresh_from_db()
    assert carer.status == CarerStatus.APPROVED
    assert carer.next_review_due == dt.date(2027, 11, 20)
