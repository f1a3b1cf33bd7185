"""The lapsed-check flag: a household whose required check or training has
lapsed is flagged, in words, on every page that shows it, and only that
household; the carer is told on their portal's home page; and nobody moves
in with them until it is renewed."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carers.models import CarerStatus, CheckKind
from placements.models import ArrangementStatus, MonitoringSettings
from sharedlives.choices import ArrangementKind
from sharedlives.models import Role
from tests.factories import (
    ArrangementFactory,
    ChangeRequestFactory,
    CheckFactory,
    MembershipFactory,
    PanelItemFactory,
    PanelMeetingFactory,
    ProposalFactory,
    ReferralFactory,
    UserFactory,
    approved_carer,
    complete_required_checks,
)
from tests.sharedlives.pages import Page

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def _household(scheme, coordinator, first, last, *, lapsed: bool):
    """An approved household with every required check done a month ago;
    if ``lapsed``, its DBS check expired on 1 Nov 2026."""
    carer = approved_carer(
        scheme,
        first_name=first,
        last_name=last,
        coordinator=coordinator,
        next_review_due=dt.date(2026, 10, 1),
    )
    complete_required_checks(carer, TODAY)
    if lapsed:
        carer.checks.filter(kind=CheckKind.DBS).update(expires_on=dt.date(2026, 11, 1))
    return carer


def _on_every_page(scheme, carer, meeting, referral, n=0):
    """The records that put ``carer`` on each page that lists households."""
    arrangement = ArrangementFactory(scheme=scheme, carer=carer, person__first_name=f"Lena{n}")
    ArrangementFactory(
        scheme=scheme,
        carer=carer,
        kind=ArrangementKind.DAY_SUPPORT,
        status=ArrangementStatus.PLANNED,
        start_date=dt.date(2026, 12, 1),
    )
    item = PanelItemFactory(meeting=meeting, carer=carer)
    ChangeRequestFactory(carer=carer)
    ProposalFactory(referral=referral, carer=carer)
    return {"carer": carer, "arrangement": arrangement, "person": arrangement.person, "item": item}


@pytest.fixture
def world(scheme, coordinator):
    """Mary Lowe, whose DBS check has lapsed; Tom Barker, whose checks are
    all in date; Ruth Gale, an applicant whose DBS check lapsed in October.
    Mary and Tom are on every list: arrangements, a panel, changes, a
    referral's proposals."""
    meeting = PanelMeetingFactory(scheme=scheme)
    referral = ReferralFactory(scheme=scheme)
    mary = _household(scheme, coordinator, "Mary", "Lowe", lapsed=True)
    tom = _household(scheme, coordinator, "Tom", "Barker", lapsed=False)
    ruth = approved_carer(scheme, first_name="Ruth", last_name="Gale", coordinator=coordinator)
    ruth.status = CarerStatus.ASSESSMENT
    ruth.save()
    CheckFactory(
        carer=ruth,
        kind=CheckKind.DBS,
        requested_on=None,
        received_on=None,
        issued_on=dt.date(2023, 10, 1),
        expires_on=dt.date(2026, 10, 1),
    )
    return {
        "meeting": meeting,
        "referral": referral,
        "mary": _on_every_page(scheme, mary, meeting, referral),
        "tom": _on_every_page(scheme, tom, meeting, referral),
        "ruth": ruth,
    }


def _flagged(response) -> set[str]:
    """Whose checks the page flags, by where each flag leads."""
    page = Page(response)
    flags = [e for e in page.root.iter() if "lapsed-flag" in e.attrs.get("class", "").split()]
    assert all("Checks lapsed" in flag.text for flag in flags)
    return {flag.text.split(": see ")[1].removesuffix("'s checks") for flag in flags}


LISTS = {
    "carer_list": (lambda w: [], {"Mary Lowe", "Ruth Gale"}),
    "approval_pipeline": (lambda w: [], {"Mary Lowe", "Ruth Gale"}),  # Ruth assessed, Mary's review overdue
    "panel_detail": (lambda w: [w["meeting"].pk], {"Mary Lowe"}),
    "panel_pack": (lambda w: [w["meeting"].pk], {"Mary Lowe"}),
    "change_queue": (lambda w: [], {"Mary Lowe"}),
    "arrangement_list": (lambda w: [], {"Mary Lowe"}),
    "referral_detail": (lambda w: [w["referral"].pk], {"Mary Lowe"}),
    "referral_matching": (lambda w: [w["referral"].pk], {"Mary Lowe"}),
    "dashboard": (lambda w: [], {"Mary Lowe", "Ruth Gale"}),  # Ruth is among "my carers"
}


@pytest.mark.parametrize("name", LISTS)
def test_each_list_flags_the_lapsed_household_and_not_the_current_one(client, coordinator, world, name):
    args, expected = LISTS[name]
    client.force_login(coordinator)

    response = client.get(reverse(name, args=args(world)))

    assert response.status_code == 200
    assert _flagged(response) == expected
    assert "Tom Barker" in Page(response).main_text


# Pages of one household, or of one of its arrangements: what they are
# opened with, from the records of ``_on_every_page``.
OWN_PAGES = {
    "carer_detail": lambda r: [r["carer"].pk],
    "carer_approval": lambda r: [r["carer"].pk],
    "carer_availability": lambda r: [r["carer"].pk],
    "carer_history": lambda r: [r["carer"].pk],
    "arrangement_detail": lambda r: [r["arrangement"].pk],
    "person_detail": lambda r: [r["person"].pk],
    "panel_recommendation": lambda r: [r["item"].meeting_id, r["item"].pk],
}


@pytest.mark.parametrize("name", OWN_PAGES)
@pytest.mark.parametrize(("who", "expected"), [("mary", {"Mary Lowe"}), ("tom", set())])
def test_each_page_of_a_household_flags_it_only_while_a_required_check_has_lapsed(
    client, coordinator, world, name, who, expected
):
    client.force_login(coordinator)

    response = client.get(reverse(name, args=OWN_PAGES[name](world[who])))

    assert response.status_code == 200
    assert _flagged(response) == expected


def test_the_flag_leads_staff_to_the_households_checks(client, coordinator, world):
    mary = world["mary"]["carer"]
    client.force_login(coordinator)

    flag = Page(client.get(reverse("arrangement_detail", args=[world["mary"]["arrangement"].pk]))).find(
        "a", **{"class": "badge text-bg-danger text-decoration-none lapsed-flag"}
    )

    assert flag.attrs["href"] == reverse("carer_approval", args=[mary.pk]) + "#checklist"
    assert flag.text == "⚠ Checks lapsed : see Mary Lowe's checks"  # the name for screen readers


def test_the_household_page_names_each_lapsed_check_and_since_when(client, coordinator, world):
    ruth = world["ruth"]
    CheckFactory(
        carer=ruth,
        kind=CheckKind.HOME_INSURANCE,
        requested_on=None,
        received_on=None,
        issued_on=dt.date(2025, 11, 1),
        expires_on=dt.date(2026, 11, 17),
    )
    client.force_login(coordinator)

    banner = Page(client.get(reverse("carer_detail", args=[ruth.pk]))).find(
        "section", **{"aria-labelledby": "lapsed-heading"}
    )

    assert banner.first("h2").text == "⚠ Required checks have lapsed"
    items = [e.text for e in banner.iter() if e.tag == "li"]
    assert items == [
        "Enhanced DBS with adults' barred list for Ruth Gale: expired on 1 Oct 2026 (expired 50 days ago)",
        "Home insurance: expired on 17 Nov 2026 (expired 3 days ago)",
    ]


def test_a_current_household_has_no_banner(client, coordinator, world):
    client.force_login(coordinator)

    page = Page(client.get(reverse("carer_detail", args=[world["tom"]["carer"].pk])))

    assert page.find("section", **{"aria-labelledby": "lapsed-heading"}) is None
    assert "lapsed" not in page.main_text


def test_a_resigned_household_is_not_flagged(client, coordinator, world):
    """Nobody relies on its checks any more, as the expiring list agrees."""
    mary = world["mary"]["carer"]
    mary.status = CarerStatus.RESIGNED
    mary.save()
    client.force_login(coordinator)

    assert _flagged(client.get(reverse("carer_detail", args=[mary.pk]))) == set()


def test_renewing_the_check_lifts_the_flag(client, coordinator, world):
    mary = world["mary"]["carer"]
    CheckFactory(
        carer=mary,
        kind=CheckKind.DBS,
        requested_on=None,
        received_on=None,
        issued_on=dt.date(2026, 11, 18),
        expires_on=dt.date(2029, 11, 18),
    )
    client.force_login(coordinator)

    assert _flagged(client.get(reverse("carer_list"))) == {"Ruth Gale"}


def test_the_carer_sees_the_flag_in_words_without_the_staff_link(client, scheme, world):
    mary = world["mary"]["carer"]
    user = UserFactory(username="mary")
    MembershipFactory(user=user, scheme=scheme, role=Role.CARER, carer=mary)
    client.force_login(user)

    page = Page(client.get(reverse("carer_detail", args=[mary.pk])))

    flag = next(e for e in page.root.iter() if "lapsed-flag" in e.attrs.get("class", ""))
    assert (flag.tag, flag.text) == ("span", "⚠ Checks lapsed")
    links = [e.attrs.get("href", "") for e in page.root.iter() if e.tag == "a"]
    assert not [href for href in links if href.startswith(reverse("carer_approval", args=[mary.pk]))]


@pytest.mark.parametrize("name", LISTS)
def test_flagging_costs_the_same_queries_however_many_households_are_flagged(
    client, coordinator, scheme, world, name, django_assert_max_num_queries
):
    # The flag is an EXISTS in each list's own query (or one query for a
    # page of rows built elsewhere), and the scheme's rules are read once:
    # never a query per row.
    args, _ = LISTS[name]
    url = reverse(name, args=args(world))
    client.force_login(coordinator)
    client.get(url)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    for n in range(1, 5):
        carer = _household(scheme, coordinator, f"Extra{n}", "Lapsed", lapsed=True)
        _on_every_page(scheme, carer, world["meeting"], world["referral"], n)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert "Extra4 Lapsed" in _flagged(response)


# Someone moving in relies on checks that are in date -------------------------


def test_a_live_in_arrangement_cannot_start_once_a_dbs_check_is_past_its_renewal(client, coordinator, scheme):
    """A DBS check with no expiry date lapses 3 years after issue (the
    default renewal); the household is flagged and nobody moves in."""
    sue = _household(scheme, coordinator, "Sue", "Hart", lapsed=False)
    sue.checks.filter(kind=CheckKind.DBS).update(issued_on=dt.date(2023, 11, 1), expires_on=None)
    planned = ArrangementFactory(
        scheme=scheme,
        carer=sue,
        status=ArrangementStatus.PLANNED,
        start_date=dt.date(2026, 12, 1),
        agreement_recorded_on=dt.date(2026, 11, 15),
    )
    client.force_login(coordinator)

    detail = client.get(reverse("arrangement_detail", args=[planned.pk]))
    response = client.post(reverse("arrangement_start", args=[planned.pk]), {"start_date": "2026-12-01"})

    assert _flagged(detail) == {"Sue Hart"}
    assert response.status_code == 200
    assert (
        "Sue Hart's required checks have lapsed: the DBS check for Sue Hart expired on 1 Nov 2026."
        in Page(response).main_text
    )
    planned.refresh_from_db()
    assert planned.status == ArrangementStatus.PLANNED


# The carer's own portal -------------------------------------------------------


@pytest.fixture
def signed_in_as_mary(client, scheme, world):
    user = UserFactory(username="mary")
    MembershipFactory(user=user, scheme=scheme, role=Role.CARER, carer=world["mary"]["carer"])
    client.force_login(user)
    return client


def _notice(response):
    return Page(response).find("section", **{"aria-labelledby": "checks-due"})


def test_the_portal_home_tells_the_carer_what_has_lapsed_and_what_to_do(signed_in_as_mary, coordinator):
    coordinator.first_name, coordinator.last_name = "Claire", "Hughes"
    coordinator.save()

    notice = _notice(signed_in_as_mary.get(reverse("portal_home")))

    assert notice.first("h2").text == "⚠ Some of your checks or training have expired"
    assert (
        "Enhanced DBS with adults' barred list: Mary Lowe Expired on 1 Nov 2026 The scheme needs this to be "
        "in date: until it is renewed, nobody new can move in with you." in notice.text
    )
    assert (
        "If you need a new DBS check or a place on a course, ask your coordinator, Claire Hughes"
        in notice.text
    )
    links = {e.text: e.attrs["href"] for e in notice.iter() if e.tag == "a"}
    assert links["Upload a new certificate"] == reverse("portal_certificates")
    assert links["All your checks and training"] == reverse("portal_checks")


def test_the_portal_home_warns_of_checks_that_lapse_within_the_schemes_window(signed_in_as_mary, world):
    mary = world["mary"]["carer"]
    mary.checks.filter(kind=CheckKind.DBS).update(expires_on=dt.date(2027, 11, 1))
    mary.checks.filter(kind=CheckKind.HOME_INSURANCE).update(expires_on=dt.date(2027, 1, 4))

    notice = _notice(signed_in_as_mary.get(reverse("portal_home")))

    assert notice.first("h2").text == "⚠ Checks and training to renew soon"
    assert "Home insurance Expires in 45 days, on 4 Jan 2027" in notice.text
    assert "nobody new can move in" not in notice.text


def test_the_window_is_the_schemes_setting(signed_in_as_mary, scheme, world):
    MonitoringSettings.objects.create(scheme=scheme, expiry_warning_days=30)
    mary = world["mary"]["carer"]
    mary.checks.filter(kind=CheckKind.DBS).update(expires_on=dt.date(2027, 11, 1))
    mary.checks.filter(kind=CheckKind.HOME_INSURANCE).update(expires_on=dt.date(2027, 1, 4))

    response = signed_in_as_mary.get(reverse("portal_home"))

    assert "Nothing is due in the next 30 days." in Page(response).main_text
    assert "Home insurance" not in Page(response).main_text
