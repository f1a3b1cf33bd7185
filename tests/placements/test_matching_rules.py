"""The hard rules of matching: each leaves a carer out, with the reason in
words, and a carer who is the same in every other way stays on the shortlist."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from carers.models import CarerStatus, Smoking
from people.models import SmokingPreference
from placements.matching import rank_carers
from placements.models import ArrangementStatus, MatchingSettings
from sharedlives.choices import ArrangementKind, NeedsGroup, PetKind
from tests.factories import (
    ApprovalTermsFactory,
    ArrangementFactory,
    CarerFactory,
    DaySessionFactory,
    PersonFactory,
    PetFactory,
    PostcodeLocationFactory,
    ReferralFactory,
    RoomFactory,
    ShortBreakBookingFactory,
    UnavailabilityFactory,
    WantedSessionFactory,
    WantedStayFactory,
    approved_carer,
)

TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def person(scheme):
    return PersonFactory(scheme=scheme, first_name="Sam", last_name="Jones", postcode="LS6 2AB")


def _referral(person, kind=ArrangementKind.LIVE_IN, **fields):
    return ReferralFactory(scheme=person.scheme, person=person, kind=kind, **fields)


def _carer(scheme, first_name, status=CarerStatus.APPROVED, **fields):
    """An approved household with terms in force (see ``approved_carer``), or a suspended one."""
    carer = approved_carer(scheme, first_name=first_name, last_name="Carer", **fields)
    if status != CarerStatus.APPROVED:
        carer.status = status
        carer.save(update_fields=["status"])
    return carer


def _ranked(referral) -> tuple[list[str], dict[str, list[str]]]:
    """The shortlist's carers by first name, and each carer left out with the reasons."""
    ranking = rank_carers(referral, TODAY)
    shortlist = [match.carer.first_name for match in ranking.explain_shortlist(ranking.shortlist())]
    left_out = {e.carer.first_name: e.reasons for e in ranking.explain_excluded(ranking.excluded())}
    return shortlist, left_out


def test_a_suspended_carer_is_left_out(scheme, person):
    _carer(scheme, "Sue", status=CarerStatus.SUSPENDED)
    _carer(scheme, "Ann")

    shortlist, left_out = _ranked(_referral(person))

    assert shortlist == ["Ann"]
    assert left_out == {"Sue": ["Suspended."]}


def test_carers_not_approved_are_not_considered_at_all(scheme, person):
    CarerFactory(scheme=scheme, first_name="Amy", status=CarerStatus.ASSESSMENT)
    _carer(scheme, "Ann")

    shortlist, left_out = _ranked(_referral(person))

    assert shortlist == ["Ann"]
    assert left_out == {}


def test_a_carer_with_no_terms_in_force_on_the_start_wanted_is_left_out(scheme, person):
    _carer(scheme, "Tia", starts_on=dt.date(2027, 2, 1))  # new terms start after 4 Jan
    ended = _carer(scheme, "Eve")
    ended.approvals.update(ends_on=dt.date(2026, 12, 31))
    _carer(scheme, "Ann")

    shortlist, left_out = _ranked(_referral(person, wanted_from=dt.date(2027, 1, 4)))

    assert shortlist == ["Ann"]
    assert left_out == {
        "Eve": ["No terms of approval in force on 4 Jan 2027."],
        "Tia": ["No terms of approval in force on 4 Jan 2027."],
    }


def test_a_start_already_past_is_checked_against_todays_terms(scheme, person):
    _carer(scheme, "Ann", starts_on=dt.date(2026, 10, 1))

    shortlist, _ = _ranked(_referral(person, wanted_from=dt.date(2026, 9, 1)))

    assert shortlist == ["Ann"]


def test_a_carer_not_approved_for_the_kind_of_arrangement_is_left_out(scheme, person):
    _carer(scheme, "Dee", kinds=[ArrangementKind.LIVE_IN, ArrangementKind.DAY_SUPPORT])
    _carer(scheme, "Ann", kinds=[ArrangementKind.SHORT_BREAKS])
    referral = _referral(person, ArrangementKind.SHORT_BREAKS, wanted_from=None)
    WantedStayFactory(referral=referral)

    shortlist, left_out = _ranked(referral)

    assert shortlist == ["Ann"]
    assert left_out == {"Dee": ["Not approved for short breaks (only live-in and day support)."]}


def test_a_carer_not_approved_for_each_of_the_persons_needs_is_left_out(scheme, person):
    person.needs_groups = [NeedsGroup.LEARNING_DISABILITY, NeedsGroup.AUTISM, NeedsGroup.SENSORY]
    person.save()
    _carer(scheme, "Lou", needs_groups=[NeedsGroup.LEARNING_DISABILITY])
    _carer(
        scheme, "Ann", needs_groups=[NeedsGroup.AUTISM, NeedsGroup.SENSORY, NeedsGroup.LEARNING_DISABILITY]
    )

    shortlist, left_out = _ranked(_referral(person))

    assert shortlist == ["Ann"]
    assert left_out == {
        "Lou": ["Not approved to support people with autism or people with a sensory impairment."]
    }


def test_a_carer_on_probation_who_already_supports_the_schemes_limit_is_left_out(scheme, person):
    MatchingSettings.objects.create(scheme=scheme, probation_max_people=1)
    busy = _carer(scheme, "Pam")
    free = _carer(scheme, "Ann")
    for carer in (busy, free):
        carer.approvals.update(probation_ends_on=dt.date(2027, 3, 1))
    ArrangementFactory(scheme=scheme, carer=busy, kind=ArrangementKind.DAY_SUPPORT)

    shortlist, left_out = _ranked(_referral(person))

    assert shortlist == ["Ann"]
    assert left_out == {
        "Pam": [
            "On probation until 1 Mar 2027, and already supporting as many people as the scheme "
            "allows until then (1 person)."
        ]
    }


def test_probation_that_ends_before_the_start_does_not_limit(scheme, person):
    carer = _carer(scheme, "Ann")
    carer.approvals.update(probation_ends_on=dt.date(2027, 1, 1))
    ArrangementFactory(scheme=scheme, carer=carer, kind=ArrangementKind.DAY_SUPPORT)

    shortlist, _ = _ranked(_referral(person, wanted_from=dt.date(2027, 1, 4)))

    assert shortlist == ["Ann"]


def test_a_carer_with_no_place_free_for_a_live_in_arrangement_is_left_out(scheme, person):
    full = _carer(scheme, "Fay", max_people=1)
    room_for_two = _carer(scheme, "Ann", max_people=2)
    for carer in (full, room_for_two):
        ArrangementFactory(scheme=scheme, carer=carer, start_date=dt.date(2025, 1, 6))

    shortlist, left_out = _ranked(_referral(person))

    assert shortlist == ["Ann"]
    assert left_out == {"Fay": ["No place free on some of the nights wanted (approved for 1 person)."]}


def test_someone_moving_out_before_the_start_frees_their_place(scheme, person):
    carer = _carer(scheme, "Ann", max_people=1)
    ArrangementFactory(
        scheme=scheme,
        carer=carer,
        status=ArrangementStatus.ENDED,
        start_date=dt.date(2025, 1, 6),
        end_date=dt.date(2027, 1, 4),
        end_reason="planned_move",
    )

    shortlist, _ = _ranked(_referral(person, wanted_from=dt.date(2027, 1, 4)))

    assert shortlist == ["Ann"]


def test_a_live_in_place_is_full_if_a_short_break_is_booked_on_a_night_wanted(scheme, person):
    booked = _carer(scheme, "Bea", max_people=1)
    ShortBreakBookingFactory(
        arrangement=ArrangementFactory(scheme=scheme, carer=booked, kind=ArrangementKind.SHORT_BREAKS),
        dates=(dt.date(2027, 3, 5), dt.date(2027, 3, 8)),
    )
    _carer(scheme, "Ann", max_people=1)

    shortlist, left_out = _ranked(_referral(person, wanted_from=dt.date(2027, 1, 4)))

    assert shortlist == ["Ann"]
    assert left_out == {"Bea": ["No place free on some of the nights wanted (approved for 1 person)."]}


def test_a_carer_with_a_short_break_booked_on_the_nights_wanted_is_left_out(scheme, person):
    referral = _referral(person, ArrangementKind.SHORT_BREAKS, wanted_from=None)
    WantedStayFactory(referral=referral, dates=(dt.date(2027, 2, 5), dt.date(2027, 2, 8)))
    clash = _carer(scheme, "Cat", max_people=1)
    other_dates = _carer(scheme, "Ann", max_people=1)
    for carer, dates in (
        (clash, (dt.date(2027, 2, 7), dt.date(2027, 2, 9))),
        (other_dates, (dt.date(2027, 2, 8), dt.date(2027, 2, 10))),
    ):
        arrangement = ArrangementFactory(scheme=scheme, carer=carer, kind=ArrangementKind.SHORT_BREAKS)
        ShortBreakBookingFactory(arrangement=arrangement, dates=dates)

    shortlist, left_out = _ranked(referral)

    assert shortlist == ["Ann"]  # Ann's guest arrives the day Sam would go home
    assert left_out == {"Cat": ["No place free on some of the nights wanted (approved for 1 person)."]}


def test_short_breaks_count_people_living_with_the_carer_too(scheme, person):
    referral = _referral(person, ArrangementKind.SHORT_BREAKS, wanted_from=None)
    WantedStayFactory(referral=referral)
    full = _carer(scheme, "Liv", max_people=2)
    ArrangementFactory(scheme=scheme, carer=full)
    ShortBreakBookingFactory(
        arrangement=ArrangementFactory(scheme=scheme, carer=full, kind=ArrangementKind.SHORT_BREAKS),
        dates=(dt.date(2027, 2, 1), dt.date(2027, 2, 6)),
    )
    ArrangementFactory(scheme=scheme, carer=_carer(scheme, "Ann", max_people=2))

    shortlist, left_out = _ranked(referral)

    assert shortlist == ["Ann"]
    assert left_out == {"Liv": ["No place free on some of the nights wanted (approved for 2 people)."]}


def test_a_carer_away_on_a_night_wanted_is_left_out(scheme, person):
    referral = _referral(person, ArrangementKind.SHORT_BREAKS, wanted_from=None)
    WantedStayFactory(referral=referral, dates=(dt.date(2027, 2, 5), dt.date(2027, 2, 8)))
    away = _carer(scheme, "Ava")
    UnavailabilityFactory(
        carer=away, starts_on=dt.date(2027, 2, 7), ends_on=dt.date(2027, 2, 14), note="Half term"
    )
    back_in_time = _carer(scheme, "Ann")
    UnavailabilityFactory(carer=back_in_time, starts_on=dt.date(2027, 1, 30), ends_on=dt.date(2027, 2, 4))

    shortlist, left_out = _ranked(referral)

    assert shortlist == ["Ann"]
    assert left_out == {"Ava": ["Away on some of the nights wanted (Half term, 7 Feb 2027 to 14 Feb 2027)."]}


def test_a_carer_with_no_place_at_the_day_support_times_wanted_is_left_out(scheme, person):
    referral = _referral(person, ArrangementKind.DAY_SUPPORT, wanted_from=None)
    WantedSessionFactory(referral=referral, weekday=2, starts_at=dt.time(10), ends_at=dt.time(15))
    kinds = [ArrangementKind.DAY_SUPPORT]
    busy = _carer(scheme, "Dot", max_people=1, kinds=kinds)
    other_day = _carer(scheme, "Ann", max_people=1, kinds=kinds)
    DaySessionFactory(
        arrangement=ArrangementFactory(scheme=scheme, carer=busy, kind=ArrangementKind.DAY_SUPPORT),
        weekday=2,
        starts_at=dt.time(14),
        ends_at=dt.time(17),
    )
    DaySessionFactory(
        arrangement=ArrangementFactory(scheme=scheme, carer=other_day, kind=ArrangementKind.DAY_SUPPORT),
        weekday=3,
        starts_at=dt.time(10),
        ends_at=dt.time(15),
    )

    shortlist, left_out = _ranked(referral)

    assert shortlist == ["Ann"]
    assert left_out == {"Dot": ["No place free at the times wanted (approved for 1 person)."]}


def test_a_carer_with_an_animal_the_person_avoids_is_left_out(scheme, person):
    person.pets_to_avoid = [PetKind.DOG]
    person.save()
    PetFactory(carer=_carer(scheme, "Dan"), kind=PetKind.DOG, name="Biscuit")
    PetFactory(carer=_carer(scheme, "Ann"), kind=PetKind.CAT, name="Pepper")

    shortlist, left_out = _ranked(_referral(person))

    assert shortlist == ["Ann"]
    assert left_out == {"Dan": ["Has an animal Sam Jones is allergic to or afraid of: dog (Biscuit)."]}


def test_a_wheelchair_user_needs_a_room_both_on_the_ground_floor_and_step_free(scheme, person):
    person.wheelchair_user = True
    person.save()
    RoomFactory(carer=_carer(scheme, "Gus"), ground_floor=True, step_free=False)
    RoomFactory(carer=_carer(scheme, "Ann"), ground_floor=True, step_free=True)

    shortlist, left_out = _ranked(_referral(person))

    assert shortlist == ["Ann"]
    assert left_out == {
        "Gus": ["No room both on the ground floor and step-free, and Sam Jones uses a wheelchair."]
    }


def test_a_carer_whose_household_smokes_is_left_out_for_someone_who_wants_a_smoke_free_home(scheme, person):
    person.smoking_preference = SmokingPreference.SMOKE_FREE
    person.save()
    _carer(scheme, "Sid", smoking=Smoking.OUTSIDE)
    _carer(scheme, "Ann", smoking=Smoking.NO_ONE)

    shortlist, left_out = _ranked(_referral(person))

    assert shortlist == ["Ann"]
    assert left_out == {"Sid": ["Someone smokes, outside only, and Sam Jones wants a smoke-free home."]}


def test_smoking_does_not_matter_to_someone_with_no_preference(scheme, person):
    _carer(scheme, "Sid", smoking=Smoking.INSIDE)

    shortlist, _ = _ranked(_referral(person))

    assert shortlist == ["Sid"]


def test_a_carer_further_than_the_furthest_distance_is_left_out(scheme, person):
    PostcodeLocationFactory(postcode="LS6 2AB", latitude=Decimal("53.81900"), longitude=Decimal("-1.57100"))
    # About 40 miles north, and about 3 miles north.
    _carer(scheme, "Far", latitude=Decimal("54.39800"), longitude=Decimal("-1.57100"))
    _carer(scheme, "Ann", latitude=Decimal("53.86245"), longitude=Decimal("-1.57100"))

    shortlist, left_out = _ranked(_referral(person))

    assert shortlist == ["Ann"]
    assert left_out == {"Far": ["40 miles away: further than the 25 miles allowed."]}


def test_the_referral_can_set_a_shorter_furthest_distance(scheme, person):
    PostcodeLocationFactory(postcode="LS6 2AB", latitude=Decimal("53.81900"), longitude=Decimal("-1.57100"))
    _carer(scheme, "Ann", latitude=Decimal("53.86245"), longitude=Decimal("-1.57100"))

    _, left_out = _ranked(_referral(person, max_distance_miles=2))

    assert left_out == {"Ann": ["3 miles away: further than the 2 miles allowed."]}


def test_a_carer_whose_location_is_unknown_is_never_too_far(scheme, person):
    PostcodeLocationFactory(postcode="LS6 2AB", latitude=Decimal("53.81900"), longitude=Decimal("-1.57100"))
    _carer(scheme, "Ann", postcode="YO1 7HH")  # not in the directory, no coordinates

    shortlist, _ = _ranked(_referral(person, max_distance_miles=2))

    assert shortlist == ["Ann"]


def test_a_carer_left_out_by_several_rules_is_given_each(scheme, person):
    person.pets_to_avoid = [PetKind.CAT]
    person.smoking_preference = SmokingPreference.SMOKE_FREE
    person.save()
    carer = _carer(scheme, "Viv", smoking=Smoking.INSIDE, kinds=[ArrangementKind.DAY_SUPPORT])
    PetFactory(carer=carer, kind=PetKind.CAT, name="")

    _, left_out = _ranked(_referral(person))

    assert left_out == {
        "Viv": [
            "Not approved for live-in (only day support).",
            "Has an animal Sam Jones is allergic to or afraid of: cat.",
            "Someone smokes indoors, and Sam Jones wants a smoke-free home.",
        ]
    }


def test_the_latest_terms_count_where_two_are_in_force(scheme, person):
    carer = _carer(scheme, "Ann", kinds=[ArrangementKind.DAY_SUPPORT], starts_on=dt.date(2026, 1, 5))
    carer.approvals.update(ends_on=dt.date(2027, 1, 4))
    ApprovalTermsFactory(carer=carer, decision__decided_on=dt.date(2027, 1, 4), max_people=2)

    shortlist, _ = _ranked(_referral(person, wanted_from=dt.date(2027, 1, 4)))

    assert shortlist == ["Ann"]


def test_another_schemes_carers_are_not_considered(scheme, other_scheme, person):
    approved_carer(other_scheme, first_name="Yan")

    shortlist, left_out = _ranked(_referral(person))

    assert (shortlist, left_out) == ([], {})


def test_counts_say_how_many_each_rule_leaves_out(scheme, person):
    person.pets_to_avoid = [PetKind.DOG]
    person.save()
    _carer(scheme, "Sue", status=CarerStatus.SUSPENDED)
    PetFactory(carer=_carer(scheme, "Dan"), kind=PetKind.DOG)
    PetFactory(carer=_carer(scheme, "Dee", status=CarerStatus.SUSPENDED), kind=PetKind.DOG)
    _carer(scheme, "Ann")
    ranking = rank_carers(_referral(person), TODAY)

    counts = ranking.counts()

    assert (counts["carers"], counts["shortlisted"], counts["excluded"]) == (4, 1, 3)
    assert (counts["suspended"], counts["pets"], counts["kind"]) == (2, 2, 0)
    assert ranking.rule_labels()["pets"] == "Has an animal Sam Jones avoids (dog)"


def test_bench_matching_times_each_referral_in_matching(scheme, person):
    _carer(scheme, "Ann")
    _referral(person)
    out = StringIO()

    call_command("bench_matching", stdout=out)

    assert "Live-in referral for Sam Jones: 1 carer, 1 shortlisted, 0 left out, in " in out.getvalue()
