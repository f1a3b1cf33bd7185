"""A carer on a phone tells the scheme about a new pet, someone who has moved
in and a new certificate; their coordinator accepts the changes, sees the DBS
check the new member needs and the certificate waiting to be verified.

The carer's side runs at 390 x 844 pixels, a phone held upright: no page may
be wider than the screen, and the main buttons are big enough to tap. The
clock is fixed (ticking) at 10:00 on 20 Nov 2026.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from carers.views.portal import WAITING
from tests.browser.conftest import choose_from_menu, sign_in, sign_out

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))
PHONE = {"width": 390, "height": 844}
# WCAG 2.5.5 and the GOV.UK and Apple guidance: a target a thumb can hit.
TOUCH_TARGET_PX = 44


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def phone(browser):
    """A page in a phone-sized browser that takes taps."""
    context = browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def household(carer_household, carer, coordinator):
    """Asha Patel's household, with Claire Hughes as its coordinator."""
    for user, first, last in [(carer, "Asha", "Patel"), (coordinator, "Claire", "Hughes")]:
        user.first_name, user.last_name = first, last
        user.save()
    carer_household.coordinator = coordinator
    carer_household.save()
    return carer_household


def small_pdf() -> bytes:
    """A real one-page PDF (blank, 200 x 100 points), cross-reference table and all."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def assert_fits_the_screen(page):
    """Nothing on the page is wider than the phone: no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px screen"


def assert_big_enough_to_tap(*targets):
    for target in targets:
        expect(target).to_be_visible()
        # Measure once the stylesheets have loaded: a link can be visible
        # before them, at the browser's own (smaller) size.
        target.page.wait_for_load_state("load")
        box = target.bounding_box()
        assert box["height"] >= TOUCH_TARGET_PX, f"{target} is only {box['height']}px high"


def heading(page):
    return page.get_by_role("heading", level=1)


def open_the_menu(page):
    """On a phone the main menu folds away behind a button."""
    # The button works once Bootstrap's script, last on the page, has run.
    page.wait_for_load_state("load")
    toggle = page.get_by_role("button", name="Show or hide the menu")
    assert_big_enough_to_tap(toggle)
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    # Measured once it has finished opening, not while it slides open.
    expect(page.locator("#" + toggle.get_attribute("aria-controls"))).to_have_class(re.compile(r"\bshow\b"))
    return page.get_by_role("navigation", name="Main")


def go_by_the_menu(page, link):
    menu = open_the_menu(page)
    target = menu.get_by_role("link", name=link, exact=True)
    assert_big_enough_to_tap(target)
    target.click()


def accept(page, change):
    # The button says "Accept"; a screen reader hears which change, and whose.
    # (Playwright spaces out the hidden words, being positioned: "Accept :".)
    return page.get_by_role("button", name=re.compile(rf"^Accept\s*: {change}, Asha Patel$"))


def test_a_carer_tells_the_scheme_and_their_coordinator_accepts(
    phone, page, live_server, household, tmp_path
):
    pdf = tmp_path / "home-insurance-2026.pdf"
    pdf.write_bytes(small_pdf())

    # Asha signs in on her phone and lands on her own home page.
    sign_in(phone, live_server, "carer")
    expect(heading(phone)).to_have_text("Hello Asha")
    assert_fits_the_screen(phone)
    assert_big_enough_to_tap(
        phone.get_by_role("link", name="Tell us about a change"),
        phone.get_by_role("link", name="Upload a certificate"),
        phone.get_by_role("link", name="Dates away"),
    )

    # A new cat, from her household page, reached through the menu.
    go_by_the_menu(phone, "My household")
    expect(heading(phone)).to_have_text("Asha Patel")
    assert_fits_the_screen(phone)
    new_pet = phone.get_by_role("link", name="A new pet")
    assert_big_enough_to_tap(new_pet, phone.get_by_role("link", name="Someone has moved in"))
    new_pet.click()
    expect(heading(phone)).to_have_text("A new pet")
    phone.get_by_label("What kind of animal").select_option(label="Cat")
    phone.get_by_label("Name", exact=True).fill("Pepper")
    assert_fits_the_screen(phone)
    send = phone.get_by_role("button", name="Tell the scheme")
    assert_big_enough_to_tap(send, phone.get_by_role("link", name="Cancel"))
    send.click()
    expect(phone.get_by_role("status")).to_have_text(WAITING)
    waiting = phone.get_by_role("region", name="Waiting for the scheme")
    expect(waiting.get_by_role("listitem").filter(has_text="A new pet")).to_contain_text(
        "Waiting for the scheme"
    )

    # Her nephew, 17, has moved in: he will need a DBS check.
    phone.get_by_role("link", name="Someone has moved in").click()
    expect(heading(phone)).to_have_text("Someone has moved in")
    phone.get_by_label("Full name").fill("Jordan Patel")
    phone.get_by_label("Who they are to you").fill("nephew")
    phone.get_by_label("Date of birth").fill("2009-05-01")
    assert_fits_the_screen(phone)
    phone.get_by_role("button", name="Tell the scheme").click()
    expect(phone.get_by_role("status")).to_have_text(
        f"{WAITING} Jordan Patel will need a DBS check; the scheme will contact you."
    )
    expect(waiting.get_by_role("listitem").filter(has_text="Someone has moved in")).to_contain_text(
        "Jordan Patel"
    )
    assert_fits_the_screen(phone)

    # Her new home insurance schedule, as a PDF.
    go_by_the_menu(phone, "Certificates")
    expect(heading(phone)).to_have_text("Certificates")
    phone.get_by_label("What it is").select_option(label="Home insurance")
    phone.get_by_label("The file").set_input_files(pdf)
    assert_fits_the_screen(phone)
    upload = phone.get_by_role("button", name="Upload")
    assert_big_enough_to_tap(upload)
    upload.click()
    expect(phone.get_by_role("status")).to_have_text(WAITING)
    sent = phone.get_by_role("region", name="Certificates you have sent").get_by_role("listitem")
    expect(sent).to_have_count(1)
    expect(sent).to_contain_text("Home insurance")
    expect(sent.get_by_role("link", name="home-insurance-2026.pdf")).to_be_visible()
    expect(sent).to_contain_text("sent on 20 Nov 2026")
    expect(sent).to_contain_text("Waiting for the scheme to check it")
    assert_fits_the_screen(phone)

    # Her changes page lists both, each waiting for the scheme.
    go_by_the_menu(phone, "My changes")
    expect(heading(phone)).to_have_text("Changes you have sent")
    changes = phone.get_by_role("main").get_by_role("listitem")
    expect(changes).to_have_count(2)
    for kind in ["A new pet", "Someone has moved in"]:
        change = changes.filter(has=phone.get_by_role("heading", name=kind, exact=True))
        expect(change).to_contain_text("Sent on 20 Nov 2026. Waiting for the scheme.")
    assert_fits_the_screen(phone)

    # The coordinators' queue is not for her.
    response = phone.goto(f"{live_server.url}/carers/changes/")
    assert response.status == 403
    expect(heading(phone)).to_have_text("You cannot do that")
    expect(phone.get_by_role("main")).to_contain_text("this page is for another role")
    assert_fits_the_screen(phone)
    sign_out(phone)

    # Claire, her coordinator, at her desk: both changes wait in her queue.
    sign_in(page, live_server, "coordinator")
    choose_from_menu(page, "Carers", "Changes from carers")
    expect(heading(page)).to_have_text("Changes from carers")
    expect(page.get_by_role("heading", name="Waiting for an answer (2)")).to_be_visible()
    pet = page.get_by_role("table", name="A new pet: before and after")
    expect(pet.get_by_role("row", name="Kind")).to_have_text(re.compile(r"Kind\s*—\s*Cat \(new\)"))
    expect(pet.get_by_role("row", name="Name")).to_have_text(re.compile(r"Name\s*—\s*Pepper \(new\)"))
    member = page.get_by_role("table", name="Someone has moved in: before and after")
    expect(member.get_by_role("row", name="Name")).to_contain_text("Jordan Patel (new)")
    expect(member.get_by_role("row", name="Relationship")).to_contain_text("nephew (new)")
    expect(member.get_by_role("row", name="Date of birth")).to_contain_text("1 May 2009 (new)")

    # One click accepts the cat, and it is part of the household.
    accept(page, "a new pet").click()
    expect(page.get_by_role("status")).to_have_text("Done: Accepted: a new pet for Asha Patel.")
    expect(page.get_by_role("heading", name="Waiting for an answer (1)")).to_be_visible()
    page.get_by_role("link", name="Asha Patel").click()
    expect(heading(page)).to_have_text("Asha Patel")
    expect(page.get_by_role("region", name="Who lives here")).to_contain_text("Cat (Pepper)")

    # Accepting Jordan adds his DBS check to the household's checklist.
    page.go_back()
    accept(page, "someone has moved in").click()
    expect(page.get_by_role("status")).to_have_text(
        "Done: Accepted. Jordan Patel is 17, so a DBS check has been added to the household's checklist."
    )
    expect(page.get_by_role("main")).to_contain_text("No changes are waiting for your carers.")

    choose_from_menu(page, "Carers", "All carers")
    page.get_by_role("link", name="Asha Patel").click()
    page.get_by_role("navigation", name="Sections of this record").get_by_role(
        "link", name="Approval"
    ).click()
    checks = page.get_by_role("region", name="Checks", exact=True)
    jordan = checks.get_by_role("row", name=re.compile("^Enhanced DBS with barred list: Jordan Patel"))
    expect(jordan).to_contain_text("Outstanding: Not started")

    # The certificate waits on the home insurance check, to be viewed and verified.
    insurance = checks.get_by_role("row", name=re.compile("^Home insurance"))
    expect(insurance).to_contain_text(
        "Certificate to verify: Home insurance, uploaded by Asha Patel on 20 Nov 2026"
    )
    expect(insurance.get_by_role("button", name=re.compile("^Mark verified"))).to_be_visible()
    with page.expect_download() as download:
        insurance.get_by_role("link", name="View home-insurance-2026.pdf").click()
    assert download.value.suggested_filename == "home-insurance-2026.pdf"
    assert download.value.path().read_bytes() == pdf.read_bytes()
