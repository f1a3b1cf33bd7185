"""From a referral to a person living with the right carer, in Chromium:
the coordinator records the referral, moves it to matching, proposes the
carer the matching page ranks first, records both answers and an
introduction, plans the arrangement and starts it. axe checks the matching
page on the way.

The clock is fixed (time-machine, ticking) at 10:00 on 20 Nov 2026."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from placements.models import Arrangement, ArrangementStatus, Referral, ReferralStage
from sharedlives.choices import ArrangementKind, NeedsGroup, PetKind
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import assert_no_violations
from tests.factories import (
    PersonFactory,
    PetFactory,
    RoomFactory,
    approved_carer,
    complete_required_checks,
)

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def households(scheme):
    """Two approved households: the Okafors share Sam's interests; the
    Clarkes have a dog, which Sam is afraid of."""
    okafor = approved_carer(
        scheme,
        first_name="Grace",
        last_name="Okafor",
        kinds=[ArrangementKind.LIVE_IN],
        needs_groups=[NeedsGroup.LEARNING_DISABILITY],
        interests=["gardening", "football", "music"],
        starts_on=dt.date(2025, 3, 3),
    )
    RoomFactory(carer=okafor, name="Garden room", ground_floor=True, step_free=True)
    complete_required_checks(okafor, NOW.date())
    clarke = approved_carer(
        scheme,
        first_name="Tom",
        last_name="Clarke",
        kinds=[ArrangementKind.LIVE_IN],
        needs_groups=[NeedsGroup.LEARNING_DISABILITY],
        starts_on=dt.date(2025, 3, 3),
    )
    PetFactory(carer=clarke, kind=PetKind.DOG, name="Rex")
    return okafor, clarke


def move_to(page, stage, reason):
    section = page.get_by_role("region", name="Stage", exact=True)
    section.locator("summary", has_text=f"Move to {stage}").click()
    section.get_by_label(f"Why is the referral moving to {stage}?").fill(reason)
    section.get_by_role("button", name=f"Move to {stage}").click()
    expect(page.get_by_role("status")).to_contain_text(f"has moved to {stage}")


def answer(proposal, heading, text):
    proposal.locator("summary", has_text=f"Record {heading.lower()}").click()
    form = proposal.locator("form", has=proposal.page.get_by_role("button", name=f"Save {heading.lower()}"))
    form.get_by_label("Interested", exact=True).check()
    form.get_by_label("Why").fill(text)
    form.get_by_role("button", name=f"Save {heading.lower()}").click()


def test_a_referral_goes_through_matching_and_introductions_to_an_arrangement(
    page, live_server, scheme, coordinator, households
):
    okafor, clarke = households
    sam = PersonFactory(
        scheme=scheme,
        first_name="Samuel",
        preferred_name="Sam",
        last_name="Reid",
        date_of_birth=dt.date(1994, 5, 2),
        needs_groups=[NeedsGroup.LEARNING_DISABILITY],
        interests=["gardening", "football"],
        pets_to_avoid=[PetKind.DOG],
    )

    # The referral, recorded from Sam's page.
    sign_in(page, live_server, coordinator.username)
    page.goto(f"{live_server.url}/people/{sam.pk}/")
    page.get_by_role("link", name="New referral").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("referral")
    page.get_by_label("Kind of arrangement wanted").select_option(label="Live-in")
    page.get_by_label("Referral received on").fill("2026-11-02")
    page.get_by_label("Referred by").select_option(label="Social worker or care manager")
    page.get_by_label("Referrer's name").fill("Priya Shah")
    page.get_by_label("Wanted from").fill("2027-01-04")
    page.get_by_label("Needs assessment summary").fill("Needs prompting with personal care and money.")
    page.get_by_label("Risks").fill("Anxious in crowds; a calm home helps.")
    page.get_by_label("Assessment visit held on").fill("2026-11-10")
    page.get_by_label("Who pays").select_option(label="Council")
    page.get_by_role("button", name=re.compile("^Save|^Record")).click()
    expect(page.get_by_role("status")).to_contain_text("The referral for Sam Reid has been recorded.")
    referral = Referral.objects.get(person=sam)

    move_to(page, "assessment visit", "Visit booked with Sam and his social worker.")
    move_to(page, "matching", "Assessment done: Sam would like to live with a family.")

    # The matching page ranks the Okafors and explains why; the Clarkes are left out, with the rule.
    page.get_by_role("link", name="Find carers").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sam Reid")
    shortlist = page.locator("#shortlist")
    expect(shortlist).to_contain_text("Grace Okafor")
    expect(shortlist).to_contain_text("Shares 2 interests: gardening, football")
    expect(shortlist).not_to_contain_text("Tom Clarke")
    left_out = page.locator("details", has_text="Tom Clarke").first
    left_out.locator("summary").first.click()
    expect(left_out).to_contain_text("dog")
    assert_no_violations(page)

    shortlist.get_by_role("button", name="Propose Grace Okafor").click()
    expect(page.get_by_role("status")).to_contain_text("Grace Okafor")
    proposal = page.locator("article", has=page.get_by_role("heading", name="Grace Okafor"))
    answer(proposal, "The person's answer", "Sam liked the garden in the photos.")
    expect(page.get_by_role("status")).to_be_visible()
    proposal = page.locator("article", has=page.get_by_role("heading", name="Grace Okafor"))
    answer(proposal, "The carer's answer", "They would love to meet Sam.")

    # An introduction, planned and then recorded as held.
    proposal = page.locator("article", has=page.get_by_role("heading", name="Grace Okafor"))
    proposal.locator("summary", has_text="Plan an introduction with Grace Okafor").click()
    proposal.get_by_label("Kind of visit").select_option(label="Tea visit")
    proposal.get_by_label("Date").first.fill("2026-11-18")
    proposal.get_by_role("button", name="Plan the visit").click()
    expect(page.get_by_role("status")).to_be_visible()
    proposal = page.locator("article", has=page.get_by_role("heading", name="Grace Okafor"))
    proposal.locator("summary", has_text="Record how the tea visit went").click()
    proposal.get_by_label("It was held").check()
    proposal.get_by_label("How it went for the person").fill("Sam said: I liked the dog-free garden.")
    proposal.get_by_label("How it went for the carer").fill("A lovely afternoon; Sam helped with the tea.")
    proposal.get_by_role("button", name="Save").click()
    expect(page.get_by_role("main")).to_contain_text("Sam said: I liked the dog-free garden.")

    move_to(page, "introductions", "Both want to go ahead after the tea visit.")

    # The arrangement, planned from the proposal, then started.
    page.get_by_role("link", name="Plan the arrangement with Grace Okafor").click()
    page.get_by_label("Arrangement agreement signed on").fill("2026-11-19")
    page.get_by_label("Licence agreement signed on").fill("2026-11-19")
    page.get_by_label("Weekly rent, £").fill("105.00")
    page.get_by_role("button", name="Plan the arrangement").click()
    expect(page.get_by_role("status")).to_be_visible()
    arrangement = Arrangement.objects.get(person=sam)
    assert arrangement.status == ArrangementStatus.PLANNED
    expect(page.get_by_role("main")).to_contain_text("Planned")
    page.get_by_role("link", name="Start the arrangement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start the arrangement")
    page.get_by_label("Start date").fill("2026-11-20")
    page.get_by_role("button", name="Start the arrangement").click()
    expect(page.get_by_role("status")).to_be_visible()

    arrangement.refresh_from_db()
    referral.refresh_from_db()
    assert arrangement.status == ArrangementStatus.CURRENT
    assert arrangement.carer == okafor
    assert referral.stage == ReferralStage.ARRANGEMENT_STARTED
    page.goto(f"{live_server.url}/referrals/{referral.pk}/")
    expect(page.get_by_role("region", name="Stage", exact=True)).to_contain_text(
        "At the arrangement started stage"
    )
