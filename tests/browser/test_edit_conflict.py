"""Two staff editing one household in two browsers: the second to save
sees what the first changed beside what they typed, on a desktop and on a
phone, and axe finds no WCAG 2.1 A or AA failures on that page."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import assert_no_violations
from tests.factories import CarerFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 375, "height": 740}])
def test_the_second_save_shows_the_first(browser, live_server, coordinator, manager, scheme, viewport):
    household = CarerFactory(scheme=scheme, first_name="Asha", last_name="Patel", town="Leeds")
    url = f"{live_server.url}/carers/{household.pk}/edit/"
    mine, theirs = (browser.new_context(viewport=viewport, locale="en-GB") for _ in range(2))
    try:
        coordinator_page, manager_page = mine.new_page(), theirs.new_page()
        sign_in(coordinator_page, live_server, coordinator.username)
        sign_in(manager_page, live_server, manager.username)
        coordinator_page.goto(url)
        manager_page.goto(url)
        manager_page.get_by_label("Town or city").fill("Bradford")
        manager_page.get_by_role("button", name="Save").click()
        expect(manager_page.get_by_text("Asha Patel's details have been saved.")).to_be_visible()

        coordinator_page.get_by_label("Town or city").fill("Otley")
        coordinator_page.get_by_role("button", name="Save").click()

        conflict = coordinator_page.get_by_role("region", name="What changed since you opened it")
        expect(conflict).to_be_visible()
        # The field, as it was opened, their change, and what this user entered.
        row = conflict.get_by_role("row", name="Town or city Leeds Bradford Otley (you changed it too)")
        expect(row).to_be_visible()
        expect(coordinator_page.get_by_label("Town or city")).to_have_value("Otley")
        assert_no_violations(coordinator_page)
    finally:
        mine.close()
        theirs.close()
