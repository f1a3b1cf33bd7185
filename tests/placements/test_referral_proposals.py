"""The carers proposed on a referral's page: each side's answer, the
introductions planned once both are interested, and how each visit went."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from placements.models import Answer, Introduction, IntroductionStatus, Proposal, ReferralStage
from tests.factories import (
    ArrangementFactory,
    CarerFactory,
    IntroductionFactory,
    PersonFactory,
    ProposalFactory,
    ReferralFactory,
)
from tests.sharedlives.pages import Page

R = ReferralStage
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def referral(scheme):
    person = PersonFactory(scheme=scheme, first_name="Daniel", last_name="Reid")
    return ReferralFactory(scheme=scheme, person=person, stage=R.MATCHING)


@pytest.fixture
def proposal(referral, coordinator):
    """Tom Barker, proposed to Daniel Reid; nobody has answered yet."""
    return ProposalFactory(
        referral=referral,
        carer=CarerFactory(scheme=referral.scheme, first_name="Tom", last_name="Barker"),
        proposed_by=coordinator,
        score=27,
        reasons=["shares 2 interests: football, music", "4 miles away"],
    )


@pytest.fixture
def both_interested(proposal):
    proposal.person_answer = proposal.carer_answer = Answer.INTERESTED
    proposal.save()
    return proposal


def _detail(referral, anchor=""):
    return reverse("referral_detail", args=[referral.pk]) + anchor


def _answer(client, proposal, side, **fields):
    prefix = f"proposal{proposal.pk}-{side}"
    data = {"side": side, **{f"{prefix}-{name}": value for name, value in fields.items()}}
    return client.post(reverse("referral_answer", args=[proposal.referral_id, proposal.pk]), data)


def _plan(client, proposal, **fields):
    data = {f"plan{proposal.pk}-{name}": value for name, value in fields.items()}
    return client.post(reverse("referral_introduction_plan", args=[proposal.referral_id, proposal.pk]), data)


def _record(client, introduction, **fields):
    data = {f"introduction{introduction.pk}-{name}": value for name, value in fields.items()}
    referral_pk = introduction.proposal.referral_id
    return client.post(reverse("referral_introduction_record", args=[referral_pk, introduction.pk]), data)


def _card(response, proposal):
    return Page(response).find("article", id=f"proposal-{proposal.pk}")


# --- What the page shows ---


def test_each_proposal_shows_the_carer_the_score_and_why_they_were_suggested(client, coordinator, proposal):
    client.force_login(coordinator)

    card = _card(client.get(_detail(proposal.referral)), proposal)

    assert card.first("h3").text == "Tom Barker"
    assert f"Proposed on 20 Oct 2026 by {coordinator.display_name} · score 27" in card.text
    assert [li.text for li in card.first("ul").children if not isinstance(li, str)] == [
        "shares 2 interests: football, music",
        "4 miles away",
    ]
    assert "The person's answer Waiting for an answer" in card.text
    assert "The carer's answer Waiting for an answer" in card.text
    assert "Introductions follow once both the person and the carer say they are interested." in card.text


# --- Answers ---


def test_the_persons_answer_is_recorded(client, coordinator, proposal):
    client.force_login(coordinator)

    response = _answer(client, proposal, "person", answer="interested", reason="", answered_on="2026-11-18")

    assert response.status_code == 302
    assert response.url == _detail(proposal.referral, f"#proposal-{proposal.pk}")
    page = client.get(response.url)
    assert "Done: Daniel Reid's answer has been recorded: interested." in Page(page).messages
    assert "The person's answer Interested on 18 Nov 2026" in _card(page, proposal).text
    proposal.refresh_from_db()
    assert (proposal.person_answer, proposal.person_answered_on) == (Answer.INTERESTED, dt.date(2026, 11, 18))
    assert proposal.carer_answer == Answer.WAITING


def test_the_carers_no_is_recorded_with_the_reason(client, coordinator, proposal):
    client.force_login(coordinator)

    response = _answer(
        client,
        proposal,
        "carer",
        answer="not_interested",
        reason="No room until spring.",
        answered_on="2026-11-19",
    )

    page = client.get(response.url)
    assert "Done: Tom Barker's answer has been recorded: not interested." in Page(page).messages
    card = _card(page, proposal)
    assert "The carer's answer Not interested on 19 Nov 2026 Why: No room until spring." in card.text
    assert "No introductions: the carer is not interested." in card.text


@pytest.mark.parametrize(("side", "who"), [("person", "the person"), ("carer", "the carer")])
def test_not_interested_needs_the_reason_and_the_answer_is_kept(client, coordinator, proposal, side, who):
    client.force_login(coordinator)

    response = _answer(client, proposal, side, answer="not_interested", reason=" ", answered_on="2026-11-18")

    assert response.status_code == 200
    page = Page(response)
    prefix = f"proposal{proposal.pk}-{side}"
    assert page.error_for(f"{prefix}-reason") == f"Say why {who} is not interested."
    assert page.value_of(f"{prefix}-answered_on") == "2026-11-18"
    checked = page.find("input", name=f"{prefix}-answer", value="not_interested")
    assert "checked" in checked.attrs
    proposal.refresh_from_db()
    assert (proposal.person_answer, proposal.carer_answer) == (Answer.WAITING, Answer.WAITING)


def test_an_answer_dated_in_the_future_is_refused(client, coordinator, proposal):
    client.force_login(coordinator)

    response = _answer(client, proposal, "person", answer="interested", reason="", answered_on="2026-11-21")

    assert (
        Page(response).error_for(f"proposal{proposal.pk}-person-answered_on") == "This date is in the future."
    )
    assert Proposal.objects.get().person_answer == Answer.WAITING


def test_an_answer_must_say_whose_it_is(client, coordinator, proposal):
    client.force_login(coordinator)

    response = _answer(client, proposal, "someone", answer="interested", answered_on="2026-11-18")

    assert (
        "Problem: Say whose answer this is: the person's or the carer's."
        in Page(client.get(response.url)).messages
    )
    assert Proposal.objects.get().person_answer == Answer.WAITING


def test_a_proposal_of_another_referral_is_not_found_through_this_one(client, coordinator, proposal, scheme):
    other = ReferralFactory(scheme=scheme)
    client.force_login(coordinator)

    response = client.post(
        reverse("referral_answer", args=[other.pk, proposal.pk]),
        {"side": "person", f"proposal{proposal.pk}-person-answer": "interested"},
    )

    assert response.status_code == 404


# --- Introductions ---


def test_introductions_are_planned_once_both_are_interested(client, coordinator, both_interested):
    client.force_login(coordinator)

    response = _plan(client, both_interested, kind="tea_visit", planned_for="2026-12-02", notes="At Tom's.")

    assert response.status_code == 302
    page = client.get(response.url)
    assert "Done: Tea visit with Tom Barker planned for 2 Dec 2026." in Page(page).messages
    assert "Tea visit on 2 Dec 2026 · Planned Notes: At Tom's." in _card(page, both_interested).text
    introduction = Introduction.objects.get()
    assert (introduction.kind, introduction.recorded_by) == ("tea_visit", coordinator)


def test_a_plan_form_is_offered_only_once_both_are_interested(client, coordinator, proposal):
    client.force_login(coordinator)

    before = _card(client.get(_detail(proposal.referral)), proposal)
    proposal.person_answer = proposal.carer_answer = Answer.INTERESTED
    proposal.save()
    after = _card(client.get(_detail(proposal.referral)), proposal)

    plan_url = reverse("referral_introduction_plan", args=[proposal.referral_id, proposal.pk])
    assert not [e for e in before.iter() if e.tag == "form" and e.attrs.get("action") == plan_url]
    assert [e for e in after.iter() if e.tag == "form" and e.attrs.get("action") == plan_url]


@pytest.mark.parametrize(("person", "carer"), [("waiting", "interested"), ("interested", "not_interested")])
def test_an_introduction_before_both_are_interested_is_refused(client, coordinator, proposal, person, carer):
    proposal.person_answer, proposal.carer_answer, proposal.carer_reason = person, carer, "Too far."
    proposal.save()
    client.force_login(coordinator)

    response = _plan(client, proposal, kind="first_meeting", planned_for="2026-12-02", notes="")

    assert response.status_code == 200
    assert (
        "Introductions follow once both the person and the carer say they are interested."
        in Page(response).messages[0]
    )
    assert not Introduction.objects.exists()


def test_an_introduction_needs_a_date(client, coordinator, both_interested):
    client.force_login(coordinator)

    response = _plan(client, both_interested, kind="first_meeting", planned_for="", notes="At the café.")

    page = Page(response)
    assert page.error_for(f"plan{both_interested.pk}-planned_for") == "This field is required."
    assert page.value_of(f"plan{both_interested.pk}-notes") == "At the café."
    assert not Introduction.objects.exists()


def test_a_visit_held_is_recorded_with_how_it_went_for_each_of_them(client, coordinator, both_interested):
    introduction = IntroductionFactory(proposal=both_interested)
    client.force_login(coordinator)

    response = _record(
        client,
        introduction,
        status="held",
        for_person="I liked the dog and the garden.",
        for_carer="Daniel settled quickly; we talked football.",
    )

    page = client.get(response.url)
    assert "Done: The first meeting on 2 Nov 2026 has been recorded as held." in Page(page).messages
    text = _card(page, both_interested).text
    assert "First meeting on 2 Nov 2026 · Held" in text
    assert "How it went for the person: I liked the dog and the garden." in text
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.HELD


def test_a_visit_held_needs_how_it_went_for_both(client, coordinator, both_interested):
    introduction = IntroductionFactory(proposal=both_interested)
    client.force_login(coordinator)

    response = _record(client, introduction, status="held", for_person="Went well.", for_carer="")

    assert response.status_code == 200
    page = Page(response)
    prefix = f"introduction{introduction.pk}"
    assert page.error_for(f"{prefix}-for_carer") == "Say how the visit went for the carer."
    assert page.error_for(f"{prefix}-for_person") == ""
    assert page.value_of(f"{prefix}-for_person") == "Went well."
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.PLANNED


def test_a_cancelled_visit_needs_no_account_of_it(client, coordinator, both_interested):
    introduction = IntroductionFactory(proposal=both_interested)
    client.force_login(coordinator)

    response = _record(client, introduction, status="cancelled", for_person="", for_carer="")

    assert response.status_code == 302
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.CANCELLED


def test_plan_the_arrangement_links_to_a_new_arrangement_for_this_referral_and_carer(
    client, coordinator, both_interested
):
    client.force_login(coordinator)

    card = _card(client.get(_detail(both_interested.referral)), both_interested)

    link = next(e for e in card.iter() if e.tag == "a" and e.text == "Plan the arrangement with Tom Barker")
    query = f"?referral={both_interested.referral_id}&carer={both_interested.carer_id}"
    assert link.attrs["href"] == reverse("arrangement_create") + query


def test_no_second_arrangement_is_offered_once_one_exists(client, coordinator, both_interested):
    referral = both_interested.referral
    ArrangementFactory(
        scheme=referral.scheme, person=referral.person, carer=both_interested.carer, referral=referral
    )
    client.force_login(coordinator)

    card = _card(client.get(_detail(referral)), both_interested)

    assert "Plan the arrangement" not in card.text


# --- Who may record them ---


@pytest.fixture
def introduction(both_interested):
    return IntroductionFactory(proposal=both_interested)


def _steps(introduction):
    proposal = introduction.proposal
    return [
        (lambda c: _answer(c, proposal, "person", answer="interested", answered_on="2026-11-18")),
        (lambda c: _plan(c, proposal, kind="first_meeting", planned_for="2026-12-02")),
        (lambda c: _record(c, introduction, status="cancelled")),
    ]


def _state(introduction):
    proposal = Proposal.objects.get(pk=introduction.proposal_id)
    return (
        proposal.person_answer,
        proposal.person_answered_on,
        Introduction.objects.count(),
        introduction.status,
    )


@pytest.mark.parametrize("who", ["other_coordinator", "carer"])
def test_nobody_outside_the_schemes_staff_can_record_a_step(client, request, introduction, who):
    client.force_login(request.getfixturevalue(who))
    before = _state(introduction)

    for step in _steps(introduction):
        assert step(client).status_code == 404

    introduction.refresh_from_db()
    assert _state(introduction) == before


@pytest.mark.parametrize(
    "name", ["referral_answer", "referral_introduction_plan", "referral_introduction_record"]
)
def test_the_steps_take_only_a_post(client, coordinator, introduction, name):
    client.force_login(coordinator)
    second = introduction.pk if name == "referral_introduction_record" else introduction.proposal_id

    response = client.get(reverse(name, args=[introduction.proposal.referral_id, second]))

    assert response.status_code == 405
