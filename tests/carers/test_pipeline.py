"""The approval pipeline: every applicant household by stage, the longest
waiting first, with what is still outstanding."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carers.models import CarerStatus, CheckKind, Recommendation
from carers.views.pipeline import SHOWN_PER_STAGE
from tests.factories import (
    AssessmentFactory,
    CarerFactory,
    CheckFactory,
    HouseholdMemberFactory,
    PanelItemFactory,
    PanelMeetingFactory,
    SchemeCheckSettingFactory,
    applicant_with_checks_complete,
)
from tests.sharedlives.pages import Element, Page

URL = reverse("approval_pipeline")
LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 22, 10, tzinfo=LONDON)
TODAY = NOW.date()
S = CarerStatus


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def _applicant(scheme, status, days_in_stage, **fields):
    return CarerFactory(
        scheme=scheme, status=status, status_changed_at=NOW - dt.timedelta(days=days_in_stage), **fields
    )


def _stage(response, status) -> Element:
    assert response.status_code == 200
    return Page(response).find("section", **{"aria-labelledby": f"stage-{status}"})


def _rows(response, status) -> list[list[str]]:
    """The applicants shown at a stage, each as [name, days in stage,
    coordinator, what is outstanding]."""
    listed = _stage(response, status).first("ol")
    if listed is None:
        return []
    rows = []
    for entry in (e for e in listed.children if isinstance(e, Element)):
        parts = {e.attrs.get("class", "").split()[-1]: e.text for e in entry.iter() if e.attrs.get("class")}
        rows.append([parts["applicant"], parts["days"], parts["coordinator"], parts["outstanding"]])
    return rows


def _names(response, status) -> list[str]:
    return [row[0] for row in _rows(response, status)]


# --- What it shows ---


def test_it_groups_applicants_by_stage_in_stage_order(client, coordinator, scheme):
    _applicant(scheme, S.ASSESSMENT, 3, first_name="Grace", last_name="Okafor")
    _applicant(scheme, S.ENQUIRY, 1, first_name="Tom", last_name="Barker")
    _applicant(scheme, S.PANEL, 2, first_name="Ann", last_name="Lee")
    client.force_login(coordinator)

    response = client.get(URL)

    headings = [
        h.text for h in Page(response).root.iter() if h.tag == "h2" and h.attrs.get("id", "")[:6] == "stage-"
    ]
    assert headings == [
        "Enquiry (1 applicant)",
        "Initial visit (0 applicants)",
        "Application (0 applicants)",
        "Assessment (1 applicant)",
        "Ready for panel (0 applicants)",
        "Panel (1 applicant)",
    ]
    assert _names(response, S.ENQUIRY) == ["Tom Barker"]
    assert _names(response, S.ASSESSMENT) == ["Grace Okafor"]
    assert "No applicants at this stage." in _stage(response, S.APPLICATION).text


def test_the_longest_in_their_stage_come_first_with_their_days_and_coordinator(
    client, coordinator, manager, scheme
):
    _applicant(scheme, S.INITIAL_VISIT, 3, first_name="Jo", last_name="Adams", coordinator=manager)
    _applicant(scheme, S.INITIAL_VISIT, 12, first_name="Jo", last_name="Baker", coordinator=coordinator)
    _applicant(scheme, S.INITIAL_VISIT, 1, first_name="Jo", last_name="Clarke")
    _applicant(scheme, S.INITIAL_VISIT, 0, first_name="Jo", last_name="Davies", coordinator=manager)
    client.force_login(coordinator)

    rows = _rows(client.get(URL), S.INITIAL_VISIT)

    assert [row[:3] for row in rows] == [
        ["Jo Baker", "12 days in this stage", f"Coordinator: {coordinator.display_name}"],
        ["Jo Adams", "3 days in this stage", f"Coordinator: {manager.display_name}"],
        ["Jo Clarke", "1 day in this stage", "Coordinator: none yet"],
        ["Jo Davies", "In this stage since today", f"Coordinator: {manager.display_name}"],
    ]


def test_approved_and_other_schemes_households_are_not_in_the_stages(
    client, coordinator, scheme, other_scheme
):
    CarerFactory(scheme=scheme, status=S.APPROVED, first_name="Asha", last_name="Patel")
    _applicant(other_scheme, S.ENQUIRY, 4, first_name="Zoe", last_name="Anders")
    client.force_login(coordinator)

    response = client.get(URL)

    assert "Asha Patel" not in Page(response).main_text
    assert "Zoe Anders" not in Page(response).main_text
    assert _names(response, S.ENQUIRY) == []


def test_early_stages_show_the_next_step(client, coordinator, scheme):
    _applicant(scheme, S.ENQUIRY, 2)
    _applicant(scheme, S.INITIAL_VISIT, 2)
    _applicant(scheme, S.APPLICATION, 2)
    client.force_login(coordinator)

    response = client.get(URL)

    assert _rows(response, S.ENQUIRY)[0][3] == "Next: an initial visit at home."
    assert _rows(response, S.INITIAL_VISIT)[0][3] == "Next: decide whether to invite an application."
    assert _rows(response, S.APPLICATION)[0][3].startswith("Next: the application")


def test_an_assessment_shows_the_outstanding_checks_and_assessment(client, coordinator, scheme):
    # A short checklist, to read in one sentence.
    for kind in CheckKind:
        if kind not in (CheckKind.DBS, CheckKind.GP_REFERENCE):
            SchemeCheckSettingFactory(scheme=scheme, kind=kind, required=False, renewal_months=None)
    carer = _applicant(scheme, S.ASSESSMENT, 30, first_name="Grace", last_name="Okafor")
    CheckFactory(carer=carer, kind=CheckKind.GP_REFERENCE)
    HouseholdMemberFactory(carer=carer, name="Derek Okafor", date_of_birth=dt.date(1990, 1, 1))
    AssessmentFactory(carer=carer, shared_with_applicant_on=None, applicant_comments="")
    client.force_login(coordinator)

    outstanding = _rows(client.get(URL), S.ASSESSMENT)[0][3]

    assert outstanding == (
        "1 of 3 checks are complete: the DBS check for Grace Okafor and the DBS check for Derek Okafor "
        "are outstanding. The report has not been shared with the applicant. The applicant's comments "
        "on the report are not recorded (or that they chose not to comment)."
    )


def test_an_assessment_not_yet_recorded_is_said(client, coordinator, scheme):
    _applicant(scheme, S.ASSESSMENT, 5)
    client.force_login(coordinator)

    assert "The assessment has not been recorded." in _rows(client.get(URL), S.ASSESSMENT)[0][3]


def test_ready_for_panel_says_to_add_them_to_an_agenda(client, coordinator, scheme):
    applicant_with_checks_complete(scheme, status=S.READY_FOR_PANEL, today=TODAY)
    client.force_login(coordinator)

    assert _rows(client.get(URL), S.READY_FOR_PANEL)[0][3] == "Next: add them to a panel meeting's agenda."


def test_the_panel_stage_shows_the_meeting_and_the_recommendation(client, coordinator, scheme):
    waiting = _applicant(scheme, S.PANEL, 3, last_name="Adams")
    decided = _applicant(scheme, S.PANEL, 2, last_name="Baker")
    PanelItemFactory(carer=waiting, meeting=PanelMeetingFactory(scheme=scheme, date=dt.date(2026, 12, 3)))
    PanelItemFactory(
        carer=decided,
        meeting=PanelMeetingFactory(scheme=scheme, date=dt.date(2026, 11, 5)),
        recommendation=Recommendation.APPROVE,
        reasons="A strong assessment.",
    )
    client.force_login(coordinator)

    rows = _rows(client.get(URL), S.PANEL)

    assert rows[0][3] == "On the agenda of the panel on 3 Dec 2026: no recommendation yet."
    assert rows[1][3] == "Panel recommended: approve. Next: the registered manager's decision."


def test_each_applicant_links_to_their_approval_tab(client, coordinator, scheme):
    carer = _applicant(scheme, S.ENQUIRY, 1)
    client.force_login(coordinator)

    link = _stage(client.get(URL), S.ENQUIRY).first("a")

    assert link.attrs["href"] == reverse("carer_approval", args=[carer.pk])


# --- Only the longest waiting of a big stage ---


def test_a_big_stage_shows_the_longest_waiting_and_links_to_them_all(client, coordinator, scheme):
    for days in range(SHOWN_PER_STAGE + 3):
        _applicant(scheme, S.ENQUIRY, days, first_name="Jo", last_name=f"Day{days:02}")
    client.force_login(coordinator)

    response = client.get(URL)

    names = _names(response, S.ENQUIRY)
    assert len(names) == SHOWN_PER_STAGE
    longest = SHOWN_PER_STAGE + 2
    assert names[0] == f"Jo Day{longest:02}" and names[-1] == "Jo Day03"
    link = next(
        a for a in _stage(response, S.ENQUIRY).iter() if a.tag == "a" and a.text.startswith("Show all")
    )
    assert link.text == f"Show all {SHOWN_PER_STAGE + 3} at this stage"
    assert link.attrs["href"] == reverse("carer_list") + "?status=enquiry"


def test_a_small_stage_has_no_show_all_link(client, coordinator, scheme):
    _applicant(scheme, S.ENQUIRY, 1)
    client.force_login(coordinator)

    assert "Show all" not in _stage(client.get(URL), S.ENQUIRY).text


# --- Filter by coordinator ---


@pytest.fixture
def two_caseloads(scheme, coordinator, manager):
    _applicant(scheme, S.ENQUIRY, 1, first_name="Tom", last_name="Barker", coordinator=coordinator)
    _applicant(scheme, S.ENQUIRY, 2, first_name="Asha", last_name="Patel", coordinator=manager)
    _applicant(scheme, S.ENQUIRY, 3, first_name="Ann", last_name="Lee")


def test_the_coordinator_filter(client, coordinator, manager, two_caseloads):
    client.force_login(coordinator)

    response = client.get(URL, {"coordinator": manager.pk})

    assert _names(response, S.ENQUIRY) == ["Asha Patel"]
    assert "Enquiry (1 applicant)" in _stage(response, S.ENQUIRY).text
    assert f"for {manager.display_name}" in Page(response).main_text


def test_the_filter_is_labelled_and_offers_anyone_first(client, coordinator, two_caseloads):
    client.force_login(coordinator)

    page = Page(client.get(URL))

    select = page.find("select", name="coordinator")
    assert page.find("label", **{"for": select.attrs["id"]}).text == "Coordinator"
    assert page.options_of("coordinator")[0] == "Anyone"


def test_mine_shows_the_users_own_caseload(client, coordinator, two_caseloads):
    client.force_login(coordinator)
    mine = next(a for a in Page(client.get(URL)).root.iter() if a.tag == "a" and a.text == "Mine")

    response = client.get(URL + mine.attrs["href"].removeprefix(URL))

    assert _names(response, S.ENQUIRY) == ["Tom Barker"]


def test_anyone_shows_every_applicant(client, coordinator, two_caseloads):
    client.force_login(coordinator)

    assert _names(client.get(URL, {"coordinator": ""}), S.ENQUIRY) == ["Ann Lee", "Asha Patel", "Tom Barker"]


def test_a_coordinator_of_another_scheme_is_refused_as_a_filter(
    client, coordinator, other_coordinator, two_caseloads
):
    client.force_login(coordinator)

    response = client.get(URL, {"coordinator": other_coordinator.pk})

    assert "Select a valid choice" in Page(response).error_for("coordinator")
    assert len(_names(response, S.ENQUIRY)) == 3


def test_the_show_all_link_keeps_the_coordinator(client, coordinator, scheme):
    for days in range(SHOWN_PER_STAGE + 1):
        _applicant(scheme, S.APPLICATION, days, coordinator=coordinator)
    client.force_login(coordinator)

    response = client.get(URL, {"coordinator": coordinator.pk})

    link = next(
        a for a in _stage(response, S.APPLICATION).iter() if a.tag == "a" and a.text.startswith("Show all")
    )
    assert link.attrs["href"] == f"{reverse('carer_list')}?status=application&coordinator={coordinator.pk}"


# --- After approval ---


def test_the_summary_counts_approved_suspended_and_overdue_reviews(client, coordinator, scheme, other_scheme):
    CarerFactory(scheme=scheme, status=S.APPROVED, next_review_due=dt.date(2027, 1, 5))
    CarerFactory(
        scheme=scheme,
        status=S.APPROVED,
        next_review_due=dt.date(2026, 11, 1),
        first_name="Ann",
        last_name="Lee",
    )
    CarerFactory(scheme=scheme, status=S.SUSPENDED, next_review_due=dt.date(2026, 10, 1))
    CarerFactory(scheme=scheme, status=S.RESIGNED, next_review_due=dt.date(2026, 10, 1))
    CarerFactory(scheme=other_scheme, status=S.APPROVED, next_review_due=dt.date(2026, 10, 1))
    client.force_login(coordinator)

    response = client.get(URL)

    page = Page(response)
    summary = page.find("section", **{"aria-labelledby": "after-approval"})
    assert summary.text == "After approval 2 approved carers 1 suspended 2 annual reviews overdue"
    links = {a.text: a.attrs["href"] for a in summary.iter() if a.tag == "a"}
    assert links["2 approved carers"] == reverse("carer_list") + "?status=approved"
    assert links["1 suspended"] == reverse("carer_list") + "?status=suspended"
    assert links["2 annual reviews overdue"] == "#reviews-overdue"
    overdue = page.find("section", **{"aria-labelledby": "reviews-overdue"})
    assert "Ann Lee 1 Nov 2026 21 days" in overdue.text


def test_no_overdue_reviews_is_said_without_a_link(client, coordinator, scheme):
    client.force_login(coordinator)

    page = Page(client.get(URL))

    assert "0 annual reviews overdue" in page.main_text
    assert page.find("section", **{"aria-labelledby": "reviews-overdue"}) is None


# --- Who may see it ---


def test_a_manager_sees_it_too(client, manager, scheme):
    _applicant(scheme, S.ENQUIRY, 1, first_name="Tom", last_name="Barker")
    client.force_login(manager)

    assert _names(client.get(URL), S.ENQUIRY) == ["Tom Barker"]


def test_a_carer_cannot_see_it(client, carer):
    client.force_login(carer)

    assert client.get(URL).status_code == 403


def test_it_takes_no_post(client, coordinator):
    client.force_login(coordinator)

    assert client.post(URL).status_code == 405


# --- Cost ---


def _fill(scheme, coordinator, per_stage):
    """``per_stage`` applicants at every stage, each with what the page reads."""
    for status in (S.ENQUIRY, S.INITIAL_VISIT, S.APPLICATION, S.ASSESSMENT, S.READY_FOR_PANEL, S.PANEL):
        for days in range(per_stage):
            carer = _applicant(scheme, status, days, coordinator=coordinator)
            if status in (S.ASSESSMENT, S.READY_FOR_PANEL):
                CheckFactory(carer=carer, kind=CheckKind.GP_REFERENCE)
                HouseholdMemberFactory(carer=carer, date_of_birth=dt.date(1990, 1, 1))
                AssessmentFactory(carer=carer)
            if status == S.PANEL:
                PanelItemFactory(carer=carer, meeting=PanelMeetingFactory(scheme=scheme))
    CarerFactory.create_batch(
        per_stage, scheme=scheme, status=S.APPROVED, next_review_due=dt.date(2026, 1, 1)
    )


def test_the_pipeline_costs_the_same_queries_for_many_applicants_as_for_few(
    client, coordinator, scheme, django_assert_max_num_queries
):
    # Each applicant shown needs their checks, household, assessment and
    # panel items: fetched applicant by applicant, 120 shown would cost
    # hundreds of queries. Prefetched, and with every count in one query,
    # the number stays the same however many carers the scheme has.
    client.force_login(coordinator)
    _fill(scheme, coordinator, 2)
    client.get(URL)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        assert len(_names(client.get(URL), S.ASSESSMENT)) == 2

    _fill(scheme, coordinator, SHOWN_PER_STAGE + 5)
    for filters in ({}, {"coordinator": coordinator.pk}):
        with django_assert_max_num_queries(len(few) + (1 if filters else 0)):
            assert len(_names(client.get(URL, filters), S.PANEL)) == SHOWN_PER_STAGE
    # The session, the user, their membership; the coordinator choices; the
    # counts; the applicants shown with their checks, household members and
    # panel items; the scheme's check settings; the overdue reviews.
    assert len(few) <= 11
