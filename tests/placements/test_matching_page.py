"""The matching page of a referral: the ranked shortlist with every point
explained, the carers left out and why, and proposing a carer from it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carers.models import CarerStatus
from placements.models import Proposal, ReferralStage
from sharedlives.choices import ArrangementKind, PetKind
from tests.factories import (
    CarerFactory,
    PersonFactory,
    PetFactory,
    ProposalFactory,
    ReferralFactory,
    RoomFactory,
    WantedStayFactory,
    approved_carer,
)
from tests.sharedlives.pages import Page

NOW = dt.datetime(2026, 11, 2, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def referral(scheme):
    person = PersonFactory(
        scheme=scheme,
        first_name="Sam",
        last_name="Jones",
        postcode="LS6 2AB",
        interests=["gardening", "music"],
        pets_to_avoid=[PetKind.DOG],
    )
    referral = ReferralFactory(
        scheme=scheme, person=person, kind=ArrangementKind.SHORT_BREAKS, wanted_from=None
    )
    WantedStayFactory(referral=referral, dates=(dt.date(2027, 2, 5), dt.date(2027, 2, 8)))
    return referral


@pytest.fixture
def carers(scheme):
    """Ann shares two interests and lives in Sam's district; Bob shares
    nothing; Dan has a dog, which Sam avoids."""
    ann = approved_carer(scheme, first_name="Ann", last_name="Hill", interests=["music", "gardening"])
    RoomFactory(carer=ann, own_bathroom=True)
    bob = approved_carer(scheme, first_name="Bob", last_name="Ward", postcode="YO1 7HH")
    dan = approved_carer(scheme, first_name="Dan", last_name="Fox")
    PetFactory(carer=dan, kind=PetKind.DOG, name="Biscuit")
    return {"ann": ann, "bob": bob, "dan": dan}


def _url(referral, query=""):
    return reverse("referral_matching", args=[referral.pk]) + query


def _propose(client, referral, carer, **extra):
    return client.post(reverse("referral_propose", args=[referral.pk]), {"carer": carer.pk, **extra})


def _rows(response, section) -> list[list[str]]:
    """Each row of a section's table, as the text of its cells."""
    found = Page(response).find("section", id=section)
    body = found.first("tbody") if found else None
    if body is None:
        return []
    rows = [e for e in body.iter() if e.tag == "tr"]
    return [[cell.text for cell in row.children if not isinstance(cell, str)] for row in rows]


def test_the_page_names_the_person_and_what_is_wanted(client, coordinator, referral, carers):
    client.force_login(coordinator)

    page = Page(client.get(_url(referral)))

    assert page.find("h1").text == "Short breaks referral: Sam Jones"
    wanted = page.find("section", id="wanted").text
    assert "What Sam Jones wants" in wanted
    assert "5 Feb 2027 to 8 Feb 2027" in wanted
    assert "Animals to avoid Dog" in wanted


def test_the_shortlist_is_ranked_with_each_point_explained(client, coordinator, referral, carers):
    client.force_login(coordinator)

    rows = _rows(client.get(_url(referral)), "shortlist")

    assert [row[:2] for row in rows] == [
        ["Ann Hill Leeds LS6 2AB", "14 points"],
        ["Bob Ward Leeds YO1 7HH", "0 points"],
    ]
    assert rows[0][2] == (
        "Shares 2 interests: gardening, music 6 points "
        "In the same postcode district (LS6) 6 points "
        "Has a room with its own bathroom 2 points"
    )
    assert rows[0][3] == "Not known"
    assert rows[0][4] == "Propose Ann Hill"
    assert rows[1][2] == "No points: nothing recorded that they share."


def test_the_carers_left_out_are_listed_with_the_rule_and_counted(client, coordinator, referral, carers):
    suspended = approved_carer(referral.scheme, first_name="Sid", last_name="Bell")
    suspended.status = CarerStatus.SUSPENDED
    suspended.save()
    client.force_login(coordinator)

    response = client.get(_url(referral))

    left_out = Page(response).find("section", id="left-out")
    assert left_out.first("details").first("summary").text == "Show the 2 carers left out, and why"
    assert "Suspended: 1" in left_out.text
    assert "Has an animal Sam Jones avoids (dog): 1" in left_out.text
    assert _rows(response, "left-out") == [
        ["Sid Bell Leeds LS6 2AB", "Suspended."],
        ["Dan Fox Leeds LS6 2AB", "Has an animal Sam Jones is allergic to or afraid of: dog (Biscuit)."],
    ]


def test_the_carers_left_out_have_pages_of_their_own(client, coordinator, referral):
    for n in range(23):
        approved_carer(referral.scheme, first_name="Dog", last_name=f"Owner{n:02d}")
        PetFactory(carer=referral.scheme.carers.get(last_name=f"Owner{n:02d}"), kind=PetKind.DOG)
    client.force_login(coordinator)

    response = client.get(_url(referral, "?left_out=2"))

    assert [row[0].split()[1] for row in _rows(response, "left-out")] == ["Owner20", "Owner21", "Owner22"]
    assert "open" in Page(response).find("details").attrs
    assert "Page 2 of 2" in Page(response).find("section", id="left-out").text


def test_a_carer_already_proposed_is_marked_instead_of_offered(client, coordinator, referral, carers):
    ProposalFactory(referral=referral, carer=carers["ann"], proposed_on=dt.date(2026, 11, 1))
    client.force_login(coordinator)

    rows = _rows(client.get(_url(referral)), "shortlist")

    assert rows[0][4] == "Proposed on 1 Nov 2026"
    assert rows[1][4] == "Propose Bob Ward"


def test_a_referral_not_in_matching_says_why_there_is_no_shortlist(client, coordinator, referral, carers):
    referral.stage = ReferralStage.ASSESSMENT_VISIT
    referral.save()
    client.force_login(coordinator)

    response = client.get(_url(referral))

    assert response.status_code == 200
    assert "This referral is at assessment visit" in Page(response).main_text
    assert Page(response).find("section", id="shortlist") is None


def test_the_page_answers_the_same_few_queries_for_3_or_60_carers(
    client, coordinator, referral, carers, django_assert_max_num_queries
):
    """The ranking runs in the database; only the rows of a page are put into words."""
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get(_url(referral))
    for n in range(57):
        carer = approved_carer(
            referral.scheme, first_name="Carer", last_name=f"N{n:02d}", interests=["music"]
        )
        if n % 2:
            PetFactory(carer=carer, kind=PetKind.DOG)
        if n % 3:
            ProposalFactory(referral=referral, carer=carer)

    with django_assert_max_num_queries(len(few)):
        response = client.get(_url(referral))

    assert len(_rows(response, "shortlist")) == 20
    assert len(_rows(response, "left-out")) == 20


def test_a_coordinator_of_another_scheme_cannot_find_the_page(client, other_coordinator, referral):
    client.force_login(other_coordinator)

    assert client.get(_url(referral)).status_code == 404


def test_a_carer_cannot_find_the_page(client, carer, referral):
    client.force_login(carer)

    assert client.get(_url(referral)).status_code == 404


def test_the_page_takes_no_post(client, coordinator, referral):
    client.force_login(coordinator)

    assert client.post(_url(referral)).status_code == 405


# --- Proposing a carer ---


def test_proposing_a_carer_keeps_the_score_and_reasons_and_goes_to_the_referral(
    client, coordinator, referral, carers
):
    client.force_login(coordinator)

    response = _propose(client, referral, carers["ann"])

    proposal = Proposal.objects.get(referral=referral)
    assert (proposal.carer, proposal.proposed_by, proposal.proposed_on) == (
        carers["ann"],
        coordinator,
        dt.date(2026, 11, 2),
    )
    assert proposal.score == 14
    assert proposal.reasons == [
        "Shares 2 interests: gardening, music (6 points)",
        "In the same postcode district (LS6) (6 points)",
        "Has a room with its own bathroom (2 points)",
    ]
    assert response.status_code == 302
    assert response.url == reverse("referral_detail", args=[referral.pk]) + f"#proposal-{proposal.pk}"
    assert "Ann Hill has been proposed for Sam Jones." in Page(client.get(response.url)).messages[0]


def test_a_carer_who_is_not_approved_is_not_proposed(client, coordinator, referral):
    applicant = CarerFactory(
        scheme=referral.scheme, first_name="Amy", last_name="Cole", status=CarerStatus.ASSESSMENT
    )
    client.force_login(coordinator)

    response = _propose(client, referral, applicant, page="2")

    assert response.url == _url(referral, "?page=2")
    assert Page(client.get(response.url)).messages == [
        "Problem: Amy Cole has not been proposed. Amy Cole is not approved (assessment)."
    ]
    assert not Proposal.objects.exists()


def test_a_carer_a_rule_leaves_out_is_not_proposed(client, coordinator, referral, carers):
    client.force_login(coordinator)

    response = _propose(client, referral, carers["dan"])

    assert Page(client.get(response.url)).messages == [
        "Problem: Dan Fox has not been proposed. "
        "Has an animal Sam Jones is allergic to or afraid of: dog (Biscuit)."
    ]
    assert not Proposal.objects.exists()


def test_a_carer_is_proposed_only_once(client, coordinator, referral, carers):
    ProposalFactory(referral=referral, carer=carers["bob"])
    client.force_login(coordinator)

    response = _propose(client, referral, carers["bob"])

    assert Page(client.get(response.url)).messages == [
        "Problem: Bob Ward has not been proposed. Bob Ward has already been proposed for this referral."
    ]
    assert Proposal.objects.count() == 1


def test_no_carer_is_proposed_once_the_referral_has_left_matching(client, coordinator, referral, carers):
    referral.stage = ReferralStage.NO_MATCH
    referral.save()
    client.force_login(coordinator)

    response = _propose(client, referral, carers["ann"])

    assert "this referral is at no match found" in Page(client.get(response.url)).messages[0]
    assert not Proposal.objects.exists()


def test_proposing_without_choosing_a_carer_says_so(client, coordinator, referral):
    client.force_login(coordinator)

    response = client.post(reverse("referral_propose", args=[referral.pk]), {"carer": "Ann"})

    assert Page(client.get(response.url)).messages == ["Problem: Choose a carer to propose."]
    assert not Proposal.objects.exists()


def test_another_schemes_carer_cannot_be_proposed(client, coordinator, referral, other_scheme):
    stranger = approved_carer(other_scheme)
    client.force_login(coordinator)

    assert _propose(client, referral, stranger).status_code == 404
    assert not Proposal.objects.exists()


def test_a_coordinator_of_another_scheme_cannot_propose(client, other_coordinator, referral, carers):
    client.force_login(other_coordinator)

    assert _propose(client, referral, carers["ann"]).status_code == 404
    assert not Proposal.objects.exists()


def test_a_carer_cannot_propose(client, carer, referral, carers):
    client.force_login(carer)

    assert _propose(client, referral, carers["ann"]).status_code == 404
    assert not Proposal.objects.exists()


def test_proposing_takes_only_a_post(client, coordinator, referral):
    client.force_login(coordinator)

    assert client.get(reverse("referral_propose", args=[referral.pk])).status_code == 405
