"""No WCAG 2.1 A or AA failures that axe-core can find on any page of the
carers' portal, on a phone (390 x 844), nor on the coordinators' queue of
changes. Each page is checked with content in it (a household member, a pet,
a room, checks in several states, certificates, changes waiting, answered
and done, dates away, two people with their contacts), and the two upload
and date forms with an error showing, since that is where markup goes wrong.
Each page must also fit the screen, with no sideways scrolling.

The clock is fixed (ticking) at 10:00 on 20 Nov 2026.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from carers.changes import accept_change, decline_change, note_change, propose_change
from carers.models import ChangeKind, CheckKind, CheckStatus, Smoking
from people.models import ContactKind
from placements.models import ArrangementStatus
from sharedlives.choices import ArrangementKind, NeedsGroup, PetKind
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_portal import PHONE, assert_fits_the_screen
from tests.factories import (
    ApprovalTermsFactory,
    ArrangementFactory,
    CertificateFactory,
    CheckFactory,
    ContactFactory,
    HouseholdMemberFactory,
    PersonFactory,
    PetFactory,
    RoomFactory,
    UnavailabilityFactory,
)

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True, reduced_motion="reduce"
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def portal(scheme, carer_household, carer, coordinator):
    """Asha Patel's household, with something on every page of her portal.
    Returns the ids the pages about one member, pet or room need."""
    household = carer_household
    for user, first, last in [(carer, "Asha", "Patel"), (coordinator, "Claire", "Hughes")]:
        user.first_name, user.last_name = first, last
        user.save()
    household.coordinator = coordinator
    household.interests, household.languages = ["gardening", "music"], ["English", "Gujarati"]
    household.next_review_due = dt.date(2027, 1, 5)
    household.save()
    ravi = HouseholdMemberFactory(
        carer=household, name="Ravi Patel", relationship="son", date_of_birth=dt.date(2006, 3, 1)
    )
    biscuit = PetFactory(carer=household, kind=PetKind.DOG, name="Biscuit", notes="Friendly")
    room = RoomFactory(carer=household, name="Back bedroom", ground_floor=True, own_bathroom=True)
    ApprovalTermsFactory(
        carer=household,
        needs_groups=[NeedsGroup.LEARNING_DISABILITY, NeedsGroup.AUTISM],
        conditions="Short breaks only at weekends.",
        probation_ends_on=dt.date(2027, 1, 5),
    )

    # Checks: one due soon, one expired, one being checked, one not started.
    CheckFactory(
        carer=household, kind=CheckKind.DBS, issued_on=dt.date(2024, 1, 10), expires_on=dt.date(2027, 1, 10)
    )
    CheckFactory(
        carer=household,
        kind=CheckKind.GAS_SAFETY,
        issued_on=dt.date(2025, 11, 1),
        expires_on=dt.date(2026, 11, 1),
    )
    CheckFactory(
        carer=household,
        kind=CheckKind.GP_REFERENCE,
        status=CheckStatus.REQUESTED,
        received_on=None,
        issued_on=None,
    )
    CheckFactory(
        carer=household,
        kind=CheckKind.DBS,
        household_member=ravi,
        status=CheckStatus.CONCERN,
        risk_assessment="Low risk: discussed with Ravi.",
    )
    CheckFactory(
        carer=household,
        kind=CheckKind.FIRST_AID,
        status=CheckStatus.NOT_STARTED,
        issued_on=None,
        received_on=None,
        requested_on=None,
    )
    CertificateFactory(carer=household, uploaded_by=carer, original_name="dbs-update.pdf")
    CertificateFactory(
        carer=household,
        kind=CheckKind.HOME_INSURANCE,
        uploaded_by=carer,
        original_name="home-insurance-schedule-2026-with-a-long-name.pdf",
        verified_by=coordinator,
        verified_at=NOW,
    )
    UnavailabilityFactory(carer=household)

    # Changes: three waiting, one accepted, one declined, two done (one noted).
    asha, claire = carer.memberships.get(), coordinator.memberships.get()

    def propose(kind, values=None, target=None):
        return propose_change(
            carer=household,
            membership=asha,
            kind=kind,
            values=values,
            target_id=target.pk if target else None,
        )

    propose(ChangeKind.ADD_PET, {"kind": PetKind.CAT, "name": "Pepper", "notes": ""})
    propose(
        ChangeKind.ADD_MEMBER,
        {"name": "Jordan Patel", "relationship": "nephew", "date_of_birth": dt.date(2009, 5, 1)},
    )
    propose(ChangeKind.SMOKING, {"smoking": Smoking.OUTSIDE})
    accept_change(
        change=propose(ChangeKind.ADD_ROOM, {"name": "Box room", "ground_floor": False, "notes": "Small"}),
        membership=claire,
        reason="Thank you: we will look at it on our next visit.",
    )
    decline_change(
        change=propose(ChangeKind.REMOVE_PET, target=biscuit),
        membership=claire,
        reason="Please call me first: Biscuit is on your approval terms.",
    )
    propose(ChangeKind.CONTACT, {"phone": "07700 900123", "email": "asha.patel@example.org"})
    note_change(
        change=propose(ChangeKind.INTERESTS, {"interests": ["gardening", "music"], "languages": ["English"]}),
        membership=claire,
    )

    # The people who live with or visit her, and their key contacts.
    chloe = PersonFactory(scheme=scheme, first_name="Chloe", last_name="Evans", coordinator=coordinator)
    ContactFactory(person=chloe, name="Megan Evans", relationship="sister", phone="0113 496 0001")
    ContactFactory(
        person=chloe,
        kind=ContactKind.SOCIAL_WORKER,
        name="Dev Sharma",
        relationship="social worker",
        organisation="Leeds City Council",
    )
    ArrangementFactory(scheme=scheme, person=chloe, carer=household)
    ArrangementFactory(
        scheme=scheme,
        carer=household,
        kind=ArrangementKind.SHORT_BREAKS,
        status=ArrangementStatus.PLANNED,
        start_date=dt.date(2026, 12, 5),
        person__first_name="Omar",
        person__last_name="Hussain",
    )
    return {"member": ravi.pk, "pet": biscuit.pk, "room": room.pk}


def open_as_carer(page, live_server, name, *args):
    sign_in(page, live_server, "carer")
    response = page.goto(live_server.url + reverse(name, args=args))
    assert response.status == 200, f"{name} answered {response.status}"


# Each page: the household member, pet or room it is about (if any), its
# heading, and something it shows, so that axe looks at a page with content.
PAGES = {
    "portal_home": (None, "Hello Asha", "Expires in 51 days, on 10 Jan 2027"),
    "portal_household": (None, "Asha Patel", "Box room"),
    "portal_contact": (None, "Your phone and e-mail", "The scheme uses these to reach you."),
    "portal_member_add": (None, "Someone has moved in", "Anyone aged 16 or over will need a DBS check"),
    "portal_member_remove": ("member", "Ravi Patel has moved out", "Has Ravi Patel (son) moved out?"),
    "portal_pet_add": (None, "A new pet", "Some people are allergic to or afraid of animals."),
    "portal_pet_remove": ("pet", "Dog (Biscuit) has gone", "Is Dog (Biscuit) no longer with you?"),
    "portal_room_add": (None, "A room to offer", "tell us what the room has"),
    "portal_room_change": ("room", "Change the Back bedroom", "tell us what the room has"),
    "portal_room_remove": ("room", "Stop offering the Back bedroom", "no longer a room you can offer?"),
    "portal_smoking": (None, "Smoking at home", "Some people need a smoke-free home."),
    "portal_interests": (None, "Interests and languages", "These help the scheme match you with people."),
    "portal_changes": (None, "Changes you have sent", "The scheme said: Please call me first"),
    "portal_checks": (None, "Your checks and training", "The scheme is checking it"),
    "portal_people": (None, "People who live with or visit you", "Dev Sharma"),
}


@pytest.mark.parametrize("name", PAGES)
def test_a_portal_page(phone, live_server, portal, name):
    record, heading, shows = PAGES[name]
    open_as_carer(phone, live_server, name, *([portal[record]] if record else []))

    expect(phone.get_by_role("heading", level=1)).to_have_text(heading)
    expect(phone.get_by_role("main")).to_contain_text(shows)
    assert_fits_the_screen(phone)
    assert_no_violations(phone)


def test_the_home_page_with_the_menu_open(phone, live_server, portal):
    open_as_carer(phone, live_server, "portal_home")
    phone.get_by_role("button", name="Show or hide the menu").click()
    expect(
        phone.get_by_role("navigation", name="Main").get_by_role("link", name="My household")
    ).to_be_visible()

    assert_fits_the_screen(phone)
    assert_no_violations(phone)


def test_dates_away_with_an_error(phone, live_server, portal):
    open_as_carer(phone, live_server, "portal_availability")
    expect(phone.get_by_role("region", name="Dates you have given us")).to_contain_text(
        "20 Dec 2026 to 3 Jan 2027"
    )
    # These overlap the family holiday already given.
    phone.get_by_label("First day away").fill("2027-01-01")
    phone.get_by_label("Last day away").fill("2027-01-10")
    phone.get_by_role("button", name="Add these dates").click()

    expect(phone.get_by_label("First day away")).to_have_accessible_description(
        "These dates overlap dates you have already given."
    )
    assert_fits_the_screen(phone)
    assert_no_violations(phone)


def test_certificates_with_an_error(phone, live_server, portal, tmp_path):
    notes = tmp_path / "certificate.pdf"
    notes.write_text("Not a PDF, whatever its name says.")
    open_as_carer(phone, live_server, "portal_certificates")
    phone.get_by_label("What it is").select_option(label="Gas safety certificate")
    phone.get_by_label("The file").set_input_files(notes)
    phone.get_by_role("button", name="Upload").click()

    expect(phone.get_by_label("The file")).to_have_accessible_description(
        re.compile(r"This file is not a PDF or a photo \(JPEG, PNG or HEIC\)\. Choose another\.$")
    )
    expect(
        phone.get_by_role("region", name="Certificates you have sent").get_by_role("listitem")
    ).to_have_count(2)
    assert_fits_the_screen(phone)
    assert_no_violations(phone)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_coordinators_queue_of_changes(request, live_server, portal, size):
    page = request.getfixturevalue("phone" if size == "phone" else "page")
    # No transitions, so axe sees the colours a button settles on, not halfway.
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, live_server, "coordinator")
    page.goto(live_server.url + reverse("change_queue"))
    expect(page.get_by_role("heading", level=2, name="Waiting for an answer (3)")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Changed at once, to note (1)")).to_be_visible()
    # One decline open, with its reason box showing.
    page.locator("summary", has_text="Decline").first.click()
    expect(page.get_by_label("Why? The carer will see this.").first).to_be_visible()

    if size == "phone":
        assert_fits_the_screen(page)
    assert_no_violations(page)
