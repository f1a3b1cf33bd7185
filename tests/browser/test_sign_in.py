"""Signing in through the real login page and finding your way around."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import choose_from_menu, sign_in
from tests.factories import HouseholdMemberFactory

pytestmark = pytest.mark.browser


def test_a_coordinator_signs_in_and_opens_a_carer_from_the_navigation(page, live_server, coordinator, scheme):
    household = HouseholdMemberFactory(carer__scheme=scheme, name="Ravi Patel", relationship="son")
    carer = household.carer

    sign_in(page, live_server, "coordinator")

    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    choose_from_menu(page, "Carers", "All carers")
    expect(page.get_by_role("heading", name="Carers", level=1)).to_be_visible()

    page.get_by_role("link", name=carer.name).click()
    expect(page).to_have_url(re.compile(rf"/carers/{carer.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(carer.name)
    who_lives_here = page.get_by_role("region", name="Who lives here")
    expect(who_lives_here).to_contain_text("Ravi Patel, son")


def test_a_carer_sees_their_own_home_but_not_another_household(
    page, live_server, carer, carer_household, other_carer_household
):
    sign_in(page, live_server, "carer")

    expect(page.get_by_role("heading", level=1)).to_have_text("Hello " + carer.first_name)
    your_household = page.get_by_role("region", name="Your household")
    expect(your_household.get_by_role("link", name=carer_household.name)).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My household").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(carer_household.name)

    response = page.goto(f"{live_server.url}/carers/{other_carer_household.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text(other_carer_household.name)).to_have_count(0)


def test_on_a_phone_the_menu_button_opens_the_navigation(browser, live_server, coordinator):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        scripts = []
        page.on("response", lambda r: scripts.append((r.url, r.status)) if r.url.endswith(".js") else None)
        sign_in(page, live_server, "coordinator")

        # Bootstrap's JavaScript comes from our own static files, not a CDN.
        assert (f"{live_server.url}/static/bootstrap/js/bootstrap.bundle.min.js", 200) in scripts
        assert page.evaluate("typeof window.bootstrap") == "object"

        main_nav = page.get_by_role("navigation", name="Main")
        carers_menu = main_nav.get_by_role("button", name="Carers")
        menu_button = main_nav.get_by_role("button", name="Show or hide the menu")
        expect(menu_button).to_be_visible()
        expect(menu_button).to_have_attribute("aria-expanded", "false")
        expect(carers_menu).to_be_hidden()

        menu_button.click()

        expect(menu_button).to_have_attribute("aria-expanded", "true")
        for name in ("Dashboard", "My work", "People", "Arrangements", "Reports"):
            expect(main_nav.get_by_role("link", name=name)).to_be_visible()
        expect(main_nav.get_by_role("button", name=re.compile("^Signed in as"))).to_be_visible()

        carers_menu.click()
        main_nav.get_by_role("link", name="All carers").click()
        expect(page.get_by_role("heading", name="Carers", level=1)).to_be_visible()
    finally:
        context.close()
