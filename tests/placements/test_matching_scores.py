"""The score of each carer on the shortlist, every point of it explained in
words, and the shortlist's order."""

import datetime as dt
from decimal import Decimal

import pytest

from placements.matching import rank_carers
from placements.models import ArrangementStatus, MatchingSettings
from sharedlives.choices import NeedsGroup
from tests.factories import (
    ArrangementFactory,
    PersonFactory,
    PostcodeLocationFactory,
    ProposalFactory,
    ReferralFactory,
    RoomFactory,
    approved_carer,
)

TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def person(scheme):
    return PersonFactory(
        scheme=scheme,
        first_name="Sam",
        last_name="Jones",
        postcode="LS6 2AB",
        needs_groups=[NeedsGroup.AUTISM],
        interests=["gardening", "football", "music", "films"],
        languages=["urdu", "english"],
        faith="muslim",
    )


@pytest.fixture
def referral(person):
    return ReferralFactory(scheme=person.scheme, person=person)


def _carer(scheme, first_name, **fields):
    """A household that shares nothing with Sam, unless told otherwise."""
    fields.setdefault("postcode", "YO1 7HH")
    return approved_carer(scheme, first_name=first_name, last_name="Carer", **fields)


def _matches(referral):
    ranking = rank_carers(referral, TODAY)
    return ranking.explain_shortlist(ranking.shortlist())


def _only(referral):
    [match] = _matches(referral)
    return match


def test_shared_interests_earn_points_for_each_up_to_the_most(scheme, referral):
    _carer(scheme, "Ann", interests=["music", "swimming", "gardening", "football"])

    match = _only(referral)

    assert [str(reason) for reason in match.reasons] == [
        "Shares 3 interests: gardening, football, music (9 points)"
    ]
    assert match.score == 9


def test_interest_points_stop_at_the_schemes_most(scheme, referral):
    MatchingSettings.objects.create(scheme=scheme, points_per_shared_interest=5, most_interest_points=12)
    _carer(scheme, "Ann", interests=["music", "gardening", "football", "films"])

    assert _only(referral).score == 12


def test_one_shared_interest_is_said_as_one(scheme, referral):
    _carer(scheme, "Ann", interests=["films"])

    assert _only(referral).snapshot == ["Shares an interest: films (3 points)"]


def test_a_shared_language_earns_points(scheme, referral):
    _carer(scheme, "Ann", languages=["polish", "urdu"])

    assert _only(referral).snapshot == ["Speaks Urdu (8 points)"]


def test_a_language_earns_points_whatever_the_capitals(scheme, referral):
    _carer(scheme, "Ann", languages=["English", "Urdu"])

    assert _only(referral).snapshot == ["Speaks Urdu (8 points)"]


def test_sharing_english_alone_earns_nothing(scheme, referral):
    # Everyone at the scheme speaks English: it tells carers apart no more than their postcode's weather.
    _carer(scheme, "Ann", languages=["english"])

    assert _only(referral).snapshot == []


def test_the_same_faith_earns_points_whatever_the_capitals(scheme, referral):
    _carer(scheme, "Ann", faith="Muslim")

    assert _only(referral).snapshot == ["Shares the person's faith or belief: Muslim (4 points)"]


def test_experience_with_the_same_needs_earns_points_for_each_year(scheme, referral):
    carer = _carer(scheme, "Ann")
    autistic = PersonFactory(scheme=scheme, needs_groups=[NeedsGroup.AUTISM, NeedsGroup.LEARNING_DISABILITY])
    ArrangementFactory(
        scheme=scheme,
        carer=carer,
        person=autistic,
        kind="short_breaks",
        status=ArrangementStatus.ENDED,
        start_date=dt.date(2023, 9, 1),
        end_date=dt.date(2024, 9, 1),
        end_reason="completed",
    )

    match = _only(referral)

    assert match.snapshot == ["Has supported people with autism for 3 years (6 points)"]


def test_experience_points_stop_at_the_most(scheme, referral):
    carer = _carer(scheme, "Ann")
    ArrangementFactory(
        scheme=scheme,
        carer=carer,
        kind="day_support",
        person=PersonFactory(scheme=scheme, needs_groups=[NeedsGroup.AUTISM]),
        start_date=dt.date(2020, 9, 1),
    )

    assert _only(referral).snapshot == ["Has supported people with autism for 6 years (10 points)"]


def test_experience_with_other_needs_earns_nothing(scheme, referral):
    carer = _carer(scheme, "Ann")
    ArrangementFactory(
        scheme=scheme,
        carer=carer,
        kind="day_support",
        person=PersonFactory(scheme=scheme, needs_groups=[NeedsGroup.DEMENTIA]),
        start_date=dt.date(2020, 9, 1),
    )

    assert _only(referral).reasons == []


def test_a_carer_close_by_earns_points_falling_to_none_at_the_furthest(scheme, referral):
    PostcodeLocationFactory(postcode="LS6 2AB", latitude=Decimal("53.81900"), longitude=Decimal("-1.57100"))
    # About 4 miles north of LS6 2AB, and 0.3 miles away.
    _carer(scheme, "Ann", latitude=Decimal("53.87700"), longitude=Decimal("-1.57100"))
    _carer(scheme, "Bob", latitude=Decimal("53.82300"), longitude=Decimal("-1.57100"))

    matches = {match.carer.first_name: match for match in _matches(referral)}

    assert matches["Ann"].snapshot == ["4 miles away (8 points)"]
    assert matches["Ann"].distance_text == "4 miles"
    assert matches["Bob"].snapshot == ["Less than a mile away (10 points)"]


def test_distance_uses_the_carers_postcode_when_they_have_no_coordinates(scheme, referral):
    PostcodeLocationFactory(postcode="LS6 2AB", latitude=Decimal("53.81900"), longitude=Decimal("-1.57100"))
    PostcodeLocationFactory(postcode="LS17 5AA", latitude=Decimal("53.87700"), longitude=Decimal("-1.57100"))
    _carer(scheme, "Ann", postcode="LS17 5AA")

    match = _only(referral)

    assert round(match.distance, 1) == 4.0
    assert match.snapshot == ["4 miles away (8 points)"]


def test_where_distance_is_unknown_the_same_postcode_district_or_area_earns_points(scheme, referral):
    # LS6 2AB is not in the postcode directory.
    _carer(scheme, "Ann", postcode="LS6 3XY")
    _carer(scheme, "Bob", postcode="LS16 1AA")
    _carer(scheme, "Col", postcode="BD1 1AA")

    matches = {match.carer.first_name: match for match in _matches(referral)}

    assert matches["Ann"].snapshot == ["In the same postcode district (LS6) (6 points)"]
    assert matches["Ann"].distance_text == "Not known"
    assert matches["Bob"].snapshot == ["In the same postcode area (LS) (2 points)"]
    assert matches["Col"].reasons == []


def test_the_district_counts_where_only_the_carers_location_is_unknown(scheme, referral):
    PostcodeLocationFactory(postcode="LS6 2AB", latitude=Decimal("53.81900"), longitude=Decimal("-1.57100"))
    _carer(scheme, "Ann", postcode="LS6 4ZZ")

    assert _only(referral).snapshot == ["In the same postcode district (LS6) (6 points)"]


def test_a_room_with_its_own_bathroom_earns_points(scheme, referral):
    RoomFactory(carer=_carer(scheme, "Ann"), own_bathroom=True)

    assert _only(referral).snapshot == ["Has a room with its own bathroom (2 points)"]


def test_the_score_is_the_sum_of_its_parts_and_the_best_comes_first(scheme, referral):
    _carer(scheme, "Low", interests=["films"])
    best = _carer(scheme, "Top", interests=["music", "football"], languages=["urdu"], faith="muslim")
    RoomFactory(carer=best, own_bathroom=True)
    _carer(scheme, "Mid", languages=["Urdu"])
    _carer(scheme, "Nil")

    matches = _matches(referral)

    assert [(m.carer.first_name, m.score) for m in matches] == [
        ("Top", 20),
        ("Mid", 8),
        ("Low", 3),
        ("Nil", 0),
    ]
    assert matches[0].snapshot == [
        "Shares 2 interests: football, music (6 points)",
        "Speaks Urdu (8 points)",
        "Shares the person's faith or belief: Muslim (4 points)",
        "Has a room with its own bathroom (2 points)",
    ]


def test_carers_with_the_same_score_are_in_name_order(scheme, referral):
    for last_name in ("Young", "Abbott", "Mills"):
        approved_carer(scheme, first_name="Jo", last_name=last_name, postcode="YO1 7HH")

    assert [m.carer.last_name for m in _matches(referral)] == ["Abbott", "Mills", "Young"]


def test_the_schemes_weights_set_the_points(scheme, referral):
    MatchingSettings.objects.create(scheme=scheme, points_for_language=1, points_for_own_bathroom=0)
    RoomFactory(carer=_carer(scheme, "Ann", languages=["urdu"]), own_bathroom=True)

    assert _only(referral).snapshot == ["Speaks Urdu (1 point)"]


def test_a_carer_already_proposed_is_marked_with_the_date(scheme, referral):
    proposed = _carer(scheme, "Ann")
    _carer(scheme, "Bob")
    ProposalFactory(referral=referral, carer=proposed, proposed_on=dt.date(2026, 11, 3))

    matches = {match.carer.first_name: match.proposed_on for match in _matches(referral)}

    assert matches == {"Ann": dt.date(2026, 11, 3), "Bob": None}
