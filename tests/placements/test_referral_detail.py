"""A referral's page: its facts, its stage with the next moves (or why not
yet), the moves themselves and the stage history; and who may open it."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import Answer, ArrangementStatus, Referral, ReferralStage, ReferralStageChange
from sharedlives.choices import ArrangementKind
from tests.factories import (
    ArrangementFactory,
    IntroductionFactory,
    PersonFactory,
    ProposalFactory,
    ReferralFactory,
    WantedStayFactory,
)
from tests.sharedlives.pages import Page, text

R = ReferralStage
LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=LONDON)
EARLIER = dt.datetime(2026, 11, 6, 9, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def person(scheme):
    return PersonFactory(scheme=scheme, first_name="Daniel", last_name="Reid")


def _referral(person, stage, **fields):
    return ReferralFactory(
        scheme=person.scheme, person=person, stage=stage, stage_changed_at=EARLIER, **fields
    )


@pytest.fixture
def at_assessment(person):
    """Daniel Reid's live-in referral, at the assessment visit stage for 14 days."""
    return _referral(person, R.ASSESSMENT_VISIT)


def _url(name, referral, *more):
    return reverse(name, args=[referral.pk, *more])


def _page(client, referral) -> Page:
    response = client.get(_url("referral_detail", referral))
    assert response.status_code == 200
    return Page(response)


def _moves(page) -> dict[str, str]:
    """Each next move as the page says it, by the stage it goes to."""
    section = page.find("section", id="stage")
    moves = next((e for e in section.iter() if e.tag == "ul" and "moves" in e.attrs.get("class", "")), None)
    if moves is None:
        return {}
    return {
        item.first("strong").text if item.first("strong") else item.first("summary").text: item.text
        for item in moves.children
        if not isinstance(item, str)
    }


def _move(client, referral, to, reason="Because.", expected_from=None, **kwargs):
    data = {"to": to, "reason": reason, "expected_from": expected_from or referral.stage}
    return client.post(_url("referral_move", referral), data, **kwargs)


# --- The facts ---


def test_the_page_shows_who_referred_when_it_is_wanted_the_needs_risks_and_who_pays(
    client, coordinator, at_assessment
):
    at_assessment.referrer_phone = "0113 222 4444"
    at_assessment.wanted_until = dt.date(2027, 6, 30)
    at_assessment.agreed_amount = Decimal("430.00")
    at_assessment.save()
    client.force_login(coordinator)

    main = _page(client, at_assessment).main_text

    assert "Live-in referral: Daniel Reid" in main
    assert (
        "Social worker or care manager: Priya Shah, Leeds City Council adult social care 0113 222 4444"
        in main
    )
    assert "Wanted from 4 Jan 2027 until 30 Jun 2027" in main
    assert "Needs prompting with personal care and support with money and appointments." in main
    assert "Can become anxious in crowds" in main
    assert "Who pays Council" in main
    assert "Upfront (indicative) allocation £450.00 a week" in main
    assert "Agreed amount £430.00 a week £20.00 a week less than the upfront allocation." in main
    assert "Assessment visit 9 Oct 2026" in main


def test_the_page_lists_the_stays_wanted_for_short_breaks(client, coordinator, person):
    referral = _referral(person, R.RECEIVED, kind=ArrangementKind.SHORT_BREAKS, wanted_from=None)
    WantedStayFactory(referral=referral)
    client.force_login(coordinator)

    assert "Stays wanted 5 Feb 2027 to 8 Feb 2027" in _page(client, referral).main_text


def test_the_page_shows_the_arrangement_made_from_the_referral(client, coordinator, person, carer_household):
    referral = _referral(person, R.ARRANGEMENT_STARTED)
    arrangement = ArrangementFactory(
        scheme=person.scheme,
        person=person,
        carer=carer_household,
        referral=referral,
        status=ArrangementStatus.CURRENT,
    )
    client.force_login(coordinator)

    page = _page(client, referral)

    link = page.find("a", href=reverse("arrangement_detail", args=[arrangement.pk]))
    assert link.text == "Live-in with Asha Patel"
    assert "current, from 6 Jan 2025." in page.main_text
    assert "There are no further moves from this stage." in page.main_text


# --- The stage and its moves ---


def test_the_stage_panel_says_how_long_it_has_been_at_the_stage(client, coordinator, at_assessment):
    client.force_login(coordinator)

    assert (
        "At the assessment visit stage for 14 days (since 6 Nov 2026)."
        in _page(client, at_assessment).main_text
    )


def test_each_guard_is_shown_in_words_next_to_the_move_it_stops(client, coordinator, person):
    referral = _referral(
        person,
        R.ASSESSMENT_VISIT,
        assessment_visit_on=None,
        needs_summary="",
        risks="",
        funder="",
        wanted_from=None,
    )
    client.force_login(coordinator)

    moves = _moves(_page(client, referral))

    assert moves["Matching"] == (
        "Matching — not yet: The date of the assessment visit has not been recorded. "
        "The needs assessment summary has not been recorded. "
        "The risks have not been recorded (write “none known” if there are none). "
        "Who pays has not been recorded. The date it is wanted from has not been given."
    )
    assert set(moves) == {"Matching", "Move to declined", "Move to withdrawn"}


def test_introductions_say_they_wait_for_a_carer_both_are_interested_in(client, coordinator, person):
    referral = _referral(person, R.MATCHING)
    client.force_login(coordinator)

    moves = _moves(_page(client, referral))

    assert moves["Introductions"] == (
        "Introductions — not yet: "
        "No carer has been proposed that both the person and the carer are interested in."
    )
    assert moves["Arrangement started"] == "Arrangement started — Start the arrangement from its page."
    assert "Move to no match found" in moves


def test_a_coordinator_moves_the_referral_and_the_history_says_who_when_from_to_and_why(
    client, coordinator, at_assessment
):
    client.force_login(coordinator)

    response = _move(client, at_assessment, R.MATCHING, reason="Visit done; all recorded.", follow=True)

    assert response.redirect_chain == [(_url("referral_detail", at_assessment), 302)]
    page = Page(response)
    assert "Done: The referral for Daniel Reid has moved to matching." in page.messages
    at_assessment.refresh_from_db()
    assert at_assessment.stage == R.MATCHING
    history = page.find("section", id="stage-history").first("tbody")
    row = [cell.text for cell in history.first("tr").children if not isinstance(cell, str)]
    assert row == [
        "20 Nov 2026 10:00",
        coordinator.display_name,
        "Assessment visit",
        "Matching",
        "Visit done; all recorded.",
    ]


def test_a_refused_move_says_why_and_changes_nothing(client, coordinator, at_assessment):
    at_assessment.funder = ""
    at_assessment.save()
    version = Referral.objects.get().version
    client.force_login(coordinator)

    response = _move(client, at_assessment, R.MATCHING, follow=True)

    assert response.redirect_chain == [(_url("referral_detail", at_assessment) + "#stage", 302)]
    assert (
        "Problem: The referral has not been moved to matching. Who pays has not been recorded."
        in Page(response).messages
    )
    at_assessment.refresh_from_db()
    assert (at_assessment.stage, at_assessment.stage_changed_at, at_assessment.version) == (
        R.ASSESSMENT_VISIT,
        EARLIER,
        version,
    )
    assert not ReferralStageChange.objects.exists()


def test_a_move_without_a_reason_is_refused(client, coordinator, at_assessment):
    client.force_login(coordinator)

    response = _move(client, at_assessment, R.WITHDRAWN, reason="  ", follow=True)

    assert (
        "Problem: The referral has not been moved to withdrawn. Say why the referral is moving to this stage."
        in (Page(response).messages)
    )
    assert Referral.objects.get().stage == R.ASSESSMENT_VISIT


def test_a_move_from_a_stage_someone_else_has_just_changed_is_refused(client, coordinator, at_assessment):
    client.force_login(coordinator)

    response = _move(client, at_assessment, R.DECLINED, expected_from=R.RECEIVED, follow=True)

    assert (
        "Problem: The referral has not been moved to declined. Someone else has just moved this referral to "
        "assessment visit. Check its history below, then try again if you still need to."
    ) in Page(response).messages
    assert Referral.objects.get().stage == R.ASSESSMENT_VISIT


def test_the_move_made_by_starting_the_arrangement_is_not_a_button(client, coordinator, person):
    referral = _referral(person, R.INTRODUCTIONS)
    ArrangementFactory(
        scheme=person.scheme, person=person, referral=referral, status=ArrangementStatus.CURRENT
    )
    client.force_login(coordinator)

    response = _move(client, referral, R.ARRANGEMENT_STARTED, follow=True)

    assert (
        "Problem: The referral has not been moved to arrangement started. "
        "Start the arrangement from its page." in Page(response).messages
    )
    assert Referral.objects.get().stage == R.INTRODUCTIONS


@pytest.mark.parametrize("to", ["", "nowhere"])
def test_a_move_to_no_stage_is_refused(client, coordinator, at_assessment, to):
    client.force_login(coordinator)

    response = _move(client, at_assessment, to, follow=True)

    assert "Problem: Choose a stage to move the referral to." in Page(response).messages


def test_the_move_form_carries_the_stage_it_was_shown_at(client, coordinator, at_assessment):
    client.force_login(coordinator)

    section = _page(client, at_assessment).find("section", id="stage")
    hidden = [e.attrs for e in section.iter() if e.tag == "input" and e.attrs.get("name") == "expected_from"]

    assert {attrs["value"] for attrs in hidden} == {R.ASSESSMENT_VISIT}


@pytest.mark.parametrize(
    ("stage", "shown"), [(R.RECEIVED, False), (R.MATCHING, True), (R.INTRODUCTIONS, True)]
)
def test_find_carers_is_offered_while_matching_or_in_introductions(client, coordinator, person, stage, shown):
    referral = _referral(person, stage)
    client.force_login(coordinator)

    page = _page(client, referral)

    links = [
        e
        for e in page.find("main").iter()
        if e.tag == "a" and e.attrs.get("href") == _url("referral_matching", referral)
    ]
    assert bool(links) == shown
    assert all(link.text == "Find carers" for link in links)


def test_the_page_costs_the_same_queries_for_many_proposals_as_for_one(
    client, coordinator, person, django_assert_max_num_queries
):
    referral = _referral(person, R.INTRODUCTIONS)
    IntroductionFactory(proposal__referral=referral)
    client.force_login(coordinator)
    client.get(_url("referral_detail", referral))
    with CaptureQueriesContext(connection) as few:
        _page(client, referral)

    for _ in range(4):
        proposal = ProposalFactory(
            referral=referral, person_answer=Answer.INTERESTED, carer_answer=Answer.INTERESTED
        )
        IntroductionFactory.create_batch(2, proposal=proposal)
    ReferralStageChange.objects.create(
        referral=referral, from_stage=R.MATCHING, to_stage=R.INTRODUCTIONS, changed_at=EARLIER, reason="Met."
    )
    with django_assert_max_num_queries(len(few)):
        _page(client, referral)


# --- Who may open it ---

PAGES = ["referral_detail", "referral_edit", "referral_history"]


@pytest.mark.parametrize("name", PAGES)
def test_the_schemes_staff_can_open_every_page(client, request, at_assessment, name):
    for role in ("manager", "coordinator"):
        client.force_login(request.getfixturevalue(role))
        assert client.get(_url(name, at_assessment)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_another_schemes_coordinator_cannot_find_the_referral(client, other_coordinator, at_assessment, name):
    client.force_login(other_coordinator)

    response = client.get(_url(name, at_assessment))

    assert response.status_code == 404
    assert "Daniel Reid" not in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_a_carer_cannot_find_a_referral_even_for_someone_who_lives_with_them(
    client, carer, arrangement, name
):
    referral = _referral(arrangement.person, R.MATCHING, kind=ArrangementKind.SHORT_BREAKS)
    client.force_login(carer)

    assert client.get(_url(name, referral)).status_code == 404


def test_another_schemes_coordinator_cannot_move_the_referral(client, other_coordinator, at_assessment):
    client.force_login(other_coordinator)

    response = _move(client, at_assessment, R.WITHDRAWN)

    assert response.status_code == 404
    assert Referral.objects.get().stage == R.ASSESSMENT_VISIT


def test_a_carer_cannot_move_a_referral(client, carer, at_assessment):
    client.force_login(carer)

    assert _move(client, at_assessment, R.WITHDRAWN).status_code == 404
    assert Referral.objects.get().stage == R.ASSESSMENT_VISIT


@pytest.mark.parametrize(
    ("name", "method"), [("referral_detail", "post"), ("referral_history", "post"), ("referral_move", "get")]
)
def test_the_pages_take_only_their_own_method(client, coordinator, at_assessment, name, method):
    client.force_login(coordinator)

    assert getattr(client, method)(_url(name, at_assessment)).status_code == 405


def test_a_missing_referral_is_not_found(client, coordinator):
    client.force_login(coordinator)

    assert "Page not found" in text(client.get(reverse("referral_detail", args=[999999])))
