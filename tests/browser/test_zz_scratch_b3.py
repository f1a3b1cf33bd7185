import pytest
from tests.browser.conftest import sign_in
from tests.browser.test_approval_accessibility import approvals, _today  # noqa
from axe_playwright_python.sync_playwright import Axe
pytestmark = pytest.mark.browser
OPTS={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

def test_phone(browser, live_server, approvals):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server, "coordinator")
    for url in [f"/carers/{approvals['grace'].pk}/approval/", "/carers/pipeline/", "/panels/", f"/panels/{approvals['upcoming'].pk}/", f"/panels/{approvals['upcoming'].pk}/pack/", f"/carers/{approvals['grace'].pk}/checks/new/"]:
        page.goto(live_server.url + url)
        r = Axe().run(page, options=OPTS)
        print(url, "VIOL", r.violations_count, [(v["id"], len(v["nodes"])) for v in r.response["violations"]], "INCOMPLETE", [(p["id"], len(p["nodes"])) for p in r.response["incomplete"]])
        sw = page.evaluate("document.documentElement.scrollWidth")
        print("  scrollWidth", sw)
    context.close()
