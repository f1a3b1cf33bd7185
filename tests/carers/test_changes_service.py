"""The portal's change services: what a carer asks for, what waits for the
scheme and what takes effect at once, how a change reads before and after,
and the coordinator's answer (accept, decline, note)."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from carers.changes import accept_change, decline_change, note_change, propose_change
from carers.checklist import build_checklist
from carers.models import (
    NEEDS_ACCEPTANCE,
    TAKES_EFFECT_AT_ONCE,
    Carer,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    Check,
    CheckKind,
    CheckStatus,
    CheckSubject,
    Pet,
    Smoking,
    Unavailability,
)
from sharedlives.choices import PetKind
from sharedlives.models import Role
from sharedlives.workflow import WorkflowRefused
from tests.factories import (
    CarerFactory,
    ChangeRequestFactory,
    HouseholdMemberFactory,
    MembershipFactory,
    PetFactory,
    RoomFactory,
    SchemeFactory,
    UnavailabilityFactory,
    UserFactory,
)

K = ChangeKind
LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 22, 10, tzinfo=LONDON)
TODAY = NOW.date()

ONLY_THE_HOUSEHOLD = ["Only this household's carers can ask for this change."]
ONLY_THE_STAFF = ["Only the staff of this household's scheme can answer this change."]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def household(carer_household):
    """Asha Patel's household: a son, a dog, a back bedroom and half term away."""
    carer_household.phone = "0113 496 0000"
    carer_household.email = "asha@example.org"
    carer_household.save()
    HouseholdMemberFactory(
        carer=carer_household, name="Ravi Patel", relationship="son", date_of_birth=dt.date(2005, 3, 1)
    )
    PetFactory(carer=carer_household, kind=PetKind.DOG, name="Biscuit")
    RoomFactory(carer=carer_household, name="Back bedroom")
    UnavailabilityFactory(
        carer=carer_household, starts_on=dt.date(2027, 2, 1), ends_on=dt.date(2027, 2, 7), note="Half term"
    )
    return carer_household


@pytest.fixture
def as_carer(carer, household):
    return carer.memberships.get()


@pytest.fixture
def as_coordinator(coordinator):
    return coordinator.memberships.get()


@pytest.fixture
def as_manager(manager):
    return manager.memberships.get()


@pytest.fixture
def as_other_carer(other_carer):
    return other_carer.memberships.get()


@pytest.fixture
def as_other_coordinator(other_coordinator):
    return other_coordinator.memberships.get()


def _target(household, kind):
    """The member, pet or room a change is about, if it is about one."""
    if kind == K.REMOVE_MEMBER:
        return household.household_members.get().pk
    if kind == K.REMOVE_PET:
        return household.pets.get().pk
    if kind in (K.CHANGE_ROOM, K.REMOVE_ROOM):
        return household.rooms.get().pk
    if kind == K.REMOVE_AVAILABILITY:
        return household.unavailable_dates.get().pk
    return None


# What a carer asks for, of each kind.
VALUES = {
    K.CONTACT: {"phone": "07700 900123", "email": "asha.patel@example.org"},
    K.ADD_MEMBER: {"name": "Sam", "relationship": "son", "date_of_birth": dt.date(2008, 1, 1)},
    K.REMOVE_MEMBER: {},
    K.ADD_PET: {"kind": PetKind.CAT, "name": "Pepper", "notes": "Stays indoors"},
    K.REMOVE_PET: {},
    K.ADD_ROOM: {
        "name": "Box room",
        "ground_floor": True,
        "step_free": True,
        "own_bathroom": False,
        "notes": "",
    },
    K.CHANGE_ROOM: {
        "name": "Back bedroom",
        "ground_floor": False,
        "step_free": False,
        "own_bathroom": True,
        "notes": "New shower room",
    },
    K.REMOVE_ROOM: {},
    K.SMOKING: {"smoking": Smoking.OUTSIDE},
    K.INTERESTS: {"interests": ["gardening", "cooking"], "languages": ["English", "Urdu"]},
    K.AVAILABILITY: {"starts_on": dt.date(2026, 12, 20), "ends_on": dt.date(2027, 1, 3), "note": "Holiday"},
    K.REMOVE_AVAILABILITY: {},
}

# Before and after, as the carer and the coordinator read them.
SNAPSHOTS = {
    K.CONTACT: (
        {"Phone": "0113 496 0000", "Email": "asha@example.org"},
        {"Phone": "07700 900123", "Email": "asha.patel@example.org"},
    ),
    K.ADD_MEMBER: ({}, {"Name": "Sam", "Relationship": "son", "Date of birth": "1 Jan 2008"}),
    K.REMOVE_MEMBER: ({"Name": "Ravi Patel", "Relationship": "son", "Date of birth": "1 Mar 2005"}, {}),
    K.ADD_PET: ({}, {"Kind": "Cat", "Name": "Pepper", "Notes": "Stays indoors"}),
    K.REMOVE_PET: ({"Kind": "Dog", "Name": "Biscuit"}, {}),
    K.ADD_ROOM: (
        {},
        {
            "Name": "Box room",
            "Ground floor": "Yes",
            "Step-free access": "Yes",
            "Own bathroom": "No",
            "Notes": "—",
        },
    ),
    K.CHANGE_ROOM: (
        {
            "Name": "Back bedroom",
            "Ground floor": "No",
            "Step-free access": "No",
            "Own bathroom": "No",
            "Notes": "—",
        },
        {
            "Name": "Back bedroom",
            "Ground floor": "No",
            "Step-free access": "No",
            "Own bathroom": "Yes",
            "Notes": "New shower room",
        },
    ),
    K.REMOVE_ROOM: (
        {"Name": "Back bedroom", "Ground floor": "No", "Step-free access": "No", "Own bathroom": "No"},
        {},
    ),
    K.SMOKING: ({"Smoking": "No one smokes"}, {"Smoking": "Someone smokes, outside only"}),
    K.INTERESTS: (
        {"Interests": "—", "Languages": "—"},
        {"Interests": "gardening, cooking", "Languages": "English, Urdu"},
    ),
    K.AVAILABILITY: ({}, {"Starts on": "20 Dec 2026", "Ends on": "3 Jan 2027", "Note": "Holiday"}),
    K.REMOVE_AVAILABILITY: ({"Starts on": "1 Feb 2027", "Ends on": "7 Feb 2027", "Note": "Half term"}, {}),
}


def _household_state(carer: Carer) -> dict:
    """Everything a change could alter, to compare before and after."""
    carer.refresh_from_db()
    return {
        "carer": (carer.phone, carer.email, carer.smoking, carer.interests, carer.languages, carer.version),
        "members": list(carer.household_members.values_list("name", "relationship", "date_of_birth")),
        "pets": list(carer.pets.values_list("kind", "name", "notes")),
        "rooms": list(carer.rooms.values_list("name", "ground_floor", "step_free", "own_bathroom", "notes")),
        "away": list(carer.unavailable_dates.values_list("starts_on", "ends_on")),
        "checks": list(carer.checks.values_list("kind", "household_member__name")),
    }


def _propose(household, membership, kind, **overrides):
    return propose_change(
        carer=household,
        membership=membership,
        kind=kind,
        values=VALUES[kind],
        target_id=_target(household, kind),
        **overrides,
    )


def test_every_kind_of_change_is_either_waited_on_or_done_at_once():
    assert set(NEEDS_ACCEPTANCE) | set(TAKES_EFFECT_AT_ONCE) == set(ChangeKind)
    assert not set(NEEDS_ACCEPTANCE) & set(TAKES_EFFECT_AT_ONCE)
    assert set(VALUES) == set(ChangeKind)


# --- Proposing ---


@pytest.mark.parametrize("kind", NEEDS_ACCEPTANCE)
def test_a_change_the_scheme_relies_on_waits_and_changes_nothing_yet(household, as_carer, carer, kind):
    before = _household_state(household)

    change = _propose(household, as_carer, kind)

    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING
    assert change.needs_acceptance
    assert (change.proposed_by, change.proposed_at) == (carer, NOW)
    assert (change.decided_by, change.decided_at) == (None, None)
    assert _household_state(household) == before
    assert list(ChangeRequest.objects.pending()) == [change]
    assert not ChangeRequest.objects.unseen().exists()


def test_new_contact_details_take_effect_at_once(household, as_carer):
    change = _propose(household, as_carer, K.CONTACT)

    household.refresh_from_db()
    assert change.status == ChangeStatus.DONE
    assert (household.phone, household.email) == ("07700 900123", "asha.patel@example.org")
    assert household.version == 2


def test_new_interests_and_languages_take_effect_at_once(household, as_carer):
    change = _propose(household, as_carer, K.INTERESTS)

    household.refresh_from_db()
    assert change.status == ChangeStatus.DONE
    assert household.interests == ["gardening", "cooking"]
    assert household.languages == ["English", "Urdu"]


def test_dates_away_take_effect_at_once(household, as_carer):
    change = _propose(household, as_carer, K.AVAILABILITY)

    assert change.status == ChangeStatus.DONE
    away = Unavailability.objects.get(carer=household, note="Holiday")
    assert (away.starts_on, away.ends_on, away.note) == (
        dt.date(2026, 12, 20),
        dt.date(2027, 1, 3),
        "Holiday",
    )


@pytest.mark.parametrize("kind", TAKES_EFFECT_AT_ONCE)
def test_a_change_done_at_once_waits_only_to_be_noted(household, as_carer, kind):
    change = _propose(household, as_carer, kind)

    change.refresh_from_db()
    assert change.status == ChangeStatus.DONE
    assert not change.needs_acceptance
    assert (change.decided_by, change.decided_at, change.noted_at) == (None, None, None)
    assert list(ChangeRequest.objects.unseen()) == [change]
    assert not ChangeRequest.objects.pending().exists()


@pytest.mark.parametrize("kind", list(ChangeKind))
def test_before_and_after_read_as_a_person_would_expect(household, as_carer, kind):
    change = _propose(household, as_carer, kind)

    change.refresh_from_db()
    before, after = SNAPSHOTS[kind]
    assert (change.before, change.after) == (before, after)
    # Shown in the order the form asks for them, whatever order the database keeps.
    assert change.before_rows == list(before.items())
    assert change.after_rows == list(after.items())


def test_a_changed_room_shows_the_same_labels_before_and_after(household, as_carer):
    change = _propose(household, as_carer, K.CHANGE_ROOM)

    assert [label for label, _ in change.before_rows] == [label for label, _ in change.after_rows]


def test_the_values_to_apply_are_kept_as_plain_data(household, as_carer):
    change = _propose(household, as_carer, K.ADD_MEMBER)

    change.refresh_from_db()
    assert change.data == {"name": "Sam", "relationship": "son", "date_of_birth": "2008-01-01"}
    assert change.target_id is None


def test_a_removal_names_what_is_removed(household, as_carer):
    pet = household.pets.get()

    change = _propose(household, as_carer, K.REMOVE_PET)

    assert change.target_id == pet.pk


def test_the_schemes_staff_can_ask_on_a_households_behalf(household, as_coordinator, coordinator):
    change = _propose(household, as_coordinator, K.ADD_PET)

    assert change.proposed_by == coordinator
    assert change.status == ChangeStatus.PENDING


@pytest.mark.parametrize("who", ["as_other_carer", "as_other_coordinator"])
@pytest.mark.parametrize("kind", [K.ADD_PET, K.CONTACT, K.REMOVE_MEMBER])
def test_no_one_else_can_ask_for_a_change_to_a_household(request, household, who, kind):
    membership = request.getfixturevalue(who)
    before = _household_state(household)

    with pytest.raises(WorkflowRefused) as refused:
        _propose(household, membership, kind)

    assert refused.value.reasons == ONLY_THE_HOUSEHOLD
    assert not ChangeRequest.objects.exists()
    assert _household_state(household) == before


@pytest.mark.parametrize(
    ("kind", "make"),
    [(K.REMOVE_PET, PetFactory), (K.REMOVE_MEMBER, HouseholdMemberFactory), (K.CHANGE_ROOM, RoomFactory)],
)
def test_a_carer_cannot_ask_about_another_households_pet_member_or_room(
    household, as_carer, other_carer_household, kind, make
):
    theirs = make(carer=other_carer_household)

    with pytest.raises(WorkflowRefused) as refused:
        propose_change(
            carer=household, membership=as_carer, kind=kind, values=VALUES[kind], target_id=theirs.pk
        )

    assert refused.value.reasons == ["That is no longer part of the household."]
    assert not ChangeRequest.objects.exists()
    assert type(theirs).objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("kind", [K.REMOVE_MEMBER, K.REMOVE_PET, K.CHANGE_ROOM, K.REMOVE_ROOM])
def test_a_removal_or_room_change_must_say_which_one(household, as_carer, kind):
    with pytest.raises(WorkflowRefused) as refused:
        propose_change(carer=household, membership=as_carer, kind=kind, values=VALUES[kind], target_id=None)

    assert refused.value.reasons == ["Say which one it is."]
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("kind", [K.REMOVE_MEMBER, K.REMOVE_PET, K.CHANGE_ROOM, K.REMOVE_ROOM])
def test_the_same_removal_cannot_be_asked_for_twice_while_it_waits(household, as_carer, kind):
    _propose(household, as_carer, kind)

    with pytest.raises(WorkflowRefused) as refused:
        _propose(household, as_carer, kind)

    assert refused.value.reasons == ["You have already told us about this; it is waiting for the scheme."]
    assert ChangeRequest.objects.count() == 1


def test_a_declined_removal_can_be_asked_for_again(household, as_carer, as_coordinator):
    first = _propose(household, as_carer, K.REMOVE_PET)
    decline_change(change=first, membership=as_coordinator, reason="Biscuit was seen at the last visit.")

    again = _propose(household, as_carer, K.REMOVE_PET)

    assert again.status == ChangeStatus.PENDING


# --- Accepting ---


def test_accepting_records_who_decided_and_when(household, as_carer, as_coordinator, coordinator):
    change = _propose(household, as_carer, K.ADD_PET)

    accepted = accept_change(change=change, membership=as_coordinator, reason=" Lovely. ")

    accepted.refresh_from_db()
    assert accepted.status == ChangeStatus.ACCEPTED
    assert (accepted.decided_by, accepted.decided_at, accepted.reason) == (coordinator, NOW, "Lovely.")
    assert not ChangeRequest.objects.pending().exists()


def test_accepting_a_new_member_adds_them_to_the_household(household, as_carer, as_coordinator):
    change = _propose(household, as_carer, K.ADD_MEMBER)

    accepted = accept_change(change=change, membership=as_coordinator)

    sam = household.household_members.get(name="Sam")
    assert (sam.relationship, sam.date_of_birth) == ("son", dt.date(2008, 1, 1))
    accepted.refresh_from_db()
    assert accepted.target_id == sam.pk


def test_a_new_member_aged_16_or_over_gets_a_dbs_check_naming_them(
    household, as_carer, as_coordinator, coordinator
):
    change = _propose(household, as_carer, K.ADD_MEMBER)  # Sam is 18

    accept_change(change=change, membership=as_coordinator)

    sam = household.household_members.get(name="Sam")
    check = Check.objects.get(household_member=sam)
    assert (check.kind, check.subject, check.status) == (
        CheckKind.DBS,
        CheckSubject.MEMBER,
        CheckStatus.NOT_STARTED,
    )
    assert check.carer == household
    assert check.recorded_by == coordinator
    assert "Sam" in check.notes
    assert check.subject_name == "Sam"
    # It is on the household's checklist, waiting to be done.
    items = [i for i in build_checklist(household, TODAY).items if i.household_member == sam]
    assert [(i.kind, i.latest, i.complete) for i in items] == [(CheckKind.DBS, check, False)]


@pytest.mark.parametrize(
    ("born", "gets_a_check"),
    [
        (dt.date(2010, 11, 22), True),  # 16 today
        (dt.date(2010, 11, 21), True),  # 16 yesterday
        (dt.date(2010, 11, 23), False),  # 16 tomorrow
        (dt.date(2015, 6, 1), False),
    ],
)
def test_the_dbs_check_starts_at_16(household, as_carer, as_coordinator, born, gets_a_check):
    change = propose_change(
        carer=household,
        membership=as_carer,
        kind=K.ADD_MEMBER,
        values={"name": "Maya", "relationship": "daughter", "date_of_birth": born},
    )

    accept_change(change=change, membership=as_coordinator)

    maya = household.household_members.get(name="Maya")
    assert Check.objects.filter(household_member=maya, kind=CheckKind.DBS).exists() is gets_a_check
    assert Check.objects.filter(carer=household).count() == int(gets_a_check)


def test_the_age_is_taken_on_the_day_the_change_is_accepted(household, as_carer, as_coordinator):
    change = propose_change(
        carer=household,
        membership=as_carer,
        kind=K.ADD_MEMBER,
        values={"name": "Maya", "relationship": "daughter", "date_of_birth": dt.date(2010, 11, 25)},
    )

    with time_machine.travel(dt.datetime(2026, 11, 25, 9, tzinfo=LONDON), tick=False):
        accept_change(change=change, membership=as_coordinator)

    assert Check.objects.filter(household_member__name="Maya", kind=CheckKind.DBS).exists()


def test_accepting_a_new_pet_adds_it(household, as_carer, as_coordinator):
    accept_change(change=_propose(household, as_carer, K.ADD_PET), membership=as_coordinator)

    assert list(household.pets.values_list("kind", "name", "notes")) == [
        (PetKind.CAT, "Pepper", "Stays indoors"),
        (PetKind.DOG, "Biscuit", ""),
    ]


def test_accepting_a_new_room_adds_it(household, as_carer, as_coordinator):
    accept_change(change=_propose(household, as_carer, K.ADD_ROOM), membership=as_coordinator)

    room = household.rooms.get(name="Box room")
    assert (room.ground_floor, room.step_free, room.own_bathroom) == (True, True, False)


def test_accepting_a_room_change_updates_the_room(household, as_carer, as_coordinator):
    room = household.rooms.get()

    accept_change(change=_propose(household, as_carer, K.CHANGE_ROOM), membership=as_coordinator)

    room.refresh_from_db()
    assert (room.name, room.own_bathroom, room.notes) == ("Back bedroom", True, "New shower room")
    assert household.rooms.count() == 1


@pytest.mark.parametrize(
    ("kind", "related"),
    [(K.REMOVE_MEMBER, "household_members"), (K.REMOVE_PET, "pets"), (K.REMOVE_ROOM, "rooms")],
)
def test_accepting_a_removal_removes_it(household, as_carer, as_coordinator, kind, related):
    change = _propose(household, as_carer, kind)

    accept_change(change=change, membership=as_coordinator)

    assert not getattr(household, related).exists()
    change.refresh_from_db()
    assert change.status == ChangeStatus.ACCEPTED
    # What was removed can still be read on the change.
    assert change.before == SNAPSHOTS[kind][0]


def test_a_removal_leaves_other_households_alone(household, as_carer, as_coordinator, other_carer_household):
    theirs = PetFactory(carer=other_carer_household, name="Biscuit")

    accept_change(change=_propose(household, as_carer, K.REMOVE_PET), membership=as_coordinator)

    assert Pet.objects.filter(pk=theirs.pk).exists()


def test_accepting_a_smoking_change_changes_it_and_the_households_version(
    household, as_carer, as_coordinator
):
    change = _propose(household, as_carer, K.SMOKING)
    household.refresh_from_db()
    assert (household.smoking, household.version) == (Smoking.NO_ONE, 1)

    accept_change(change=change, membership=as_coordinator)

    household.refresh_from_db()
    assert (household.smoking, household.version) == (Smoking.OUTSIDE, 2)


def test_a_manager_can_accept_too(household, as_carer, as_manager, manager):
    accepted = accept_change(change=_propose(household, as_carer, K.ADD_PET), membership=as_manager)

    assert accepted.decided_by == manager
    assert household.pets.count() == 2


# --- Declining ---


@pytest.mark.parametrize("reason", ["", "   "])
def test_declining_needs_a_reason(household, as_carer, as_coordinator, reason):
    change = _propose(household, as_carer, K.ADD_PET)

    with pytest.raises(WorkflowRefused) as refused:
        decline_change(change=change, membership=as_coordinator, reason=reason)

    assert refused.value.reasons == ["Say why, so the carer knows."]
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING


@pytest.mark.parametrize("kind", NEEDS_ACCEPTANCE)
def test_declining_changes_nothing_in_the_household(household, as_carer, as_coordinator, coordinator, kind):
    change = _propose(household, as_carer, kind)
    before = _household_state(household)

    declined = decline_change(change=change, membership=as_coordinator, reason=" We need to visit first. ")

    assert _household_state(household) == before
    declined.refresh_from_db()
    assert declined.status == ChangeStatus.DECLINED
    assert (declined.decided_by, declined.decided_at) == (coordinator, NOW)
    assert declined.reason == "We need to visit first."


# --- A change is answered once ---


@pytest.mark.parametrize("first", ["accept", "decline"])
@pytest.mark.parametrize("second", ["accept", "decline"])
def test_a_decided_change_cannot_be_decided_again(
    household, as_carer, as_coordinator, as_manager, coordinator, first, second
):
    change = _propose(household, as_carer, K.ADD_PET)
    answers = {
        "accept": lambda membership: accept_change(change=change, membership=membership),
        "decline": lambda membership: decline_change(change=change, membership=membership, reason="No room."),
    }
    answers[first](as_coordinator)
    after_first = _household_state(household)

    with pytest.raises(WorkflowRefused) as refused:
        answers[second](as_manager)

    done = "accepted" if first == "accept" else "declined"
    assert refused.value.reasons == [f"{coordinator.display_name} has already {done} this change."]
    assert _household_state(household) == after_first
    change.refresh_from_db()
    assert change.decided_by == coordinator


@pytest.mark.parametrize("kind", TAKES_EFFECT_AT_ONCE)
def test_a_change_done_at_once_cannot_be_accepted_or_declined(household, as_carer, as_coordinator, kind):
    change = _propose(household, as_carer, kind)
    after = _household_state(household)

    for answer in (
        lambda: accept_change(change=change, membership=as_coordinator),
        lambda: decline_change(change=change, membership=as_coordinator, reason="No."),
    ):
        with pytest.raises(WorkflowRefused) as refused:
            answer()
        (reason,) = refused.value.reasons
        assert reason[0].isupper(), reason

    assert _household_state(household) == after
    change.refresh_from_db()
    assert change.status == ChangeStatus.DONE


# --- Noting a change done at once ---


def test_noting_a_change_marks_it_seen(household, as_carer, as_coordinator, coordinator):
    change = _propose(household, as_carer, K.CONTACT)

    noted = note_change(change=change, membership=as_coordinator)

    noted.refresh_from_db()
    assert (noted.noted_by, noted.noted_at) == (coordinator, NOW)
    assert noted.status == ChangeStatus.DONE
    assert not ChangeRequest.objects.unseen().exists()


def test_a_change_noted_twice_keeps_the_first_note(
    household, as_carer, as_coordinator, as_manager, coordinator
):
    change = _propose(household, as_carer, K.INTERESTS)
    note_change(change=change, membership=as_coordinator)

    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        note_change(change=change, membership=as_manager)

    change.refresh_from_db()
    assert (change.noted_by, change.noted_at) == (coordinator, NOW)


# --- Only the scheme's staff answer ---


@pytest.mark.parametrize("who", ["as_carer", "as_other_carer", "as_other_coordinator"])
@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_only_the_schemes_staff_can_accept_or_decline(request, household, as_carer, who, answer):
    change = _propose(household, as_carer, K.ADD_PET)
    before = _household_state(household)
    membership = request.getfixturevalue(who)

    with pytest.raises(WorkflowRefused) as refused:
        if answer == "accept":
            accept_change(change=change, membership=membership)
        else:
            decline_change(change=change, membership=membership, reason="Not allowed.")

    assert refused.value.reasons == ONLY_THE_STAFF
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (ChangeStatus.PENDING, None)
    assert _household_state(household) == before


@pytest.mark.parametrize("who", ["as_carer", "as_other_carer", "as_other_coordinator"])
def test_only_the_schemes_staff_can_note_a_change(request, household, as_carer, who):
    change = _propose(household, as_carer, K.CONTACT)

    with pytest.raises(WorkflowRefused) as refused:
        note_change(change=change, membership=request.getfixturevalue(who))

    assert refused.value.reasons == ["Only the staff of this household's scheme can note this change."]
    change.refresh_from_db()
    assert (change.noted_by, change.noted_at) == (None, None)


def test_changes_are_visible_to_the_household_and_its_schemes_staff_only(
    household, as_carer, as_coordinator, as_other_carer, as_other_coordinator, other_carer_household
):
    ours = _propose(household, as_carer, K.ADD_PET)
    theirs = ChangeRequestFactory(carer=other_carer_household)

    assert list(ChangeRequest.objects.visible_to(as_carer)) == [ours]
    assert list(ChangeRequest.objects.visible_to(as_other_carer)) == [theirs]
    assert set(ChangeRequest.objects.visible_to(as_coordinator)) == {ours, theirs}
    assert not ChangeRequest.objects.visible_to(as_other_coordinator).exists()


# --- Two coordinators answer the same change at the same moment ---


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_accepting_at_once_add_the_pet_once():
    scheme = SchemeFactory()
    household = CarerFactory(scheme=scheme, first_name="Asha", last_name="Patel")
    carer_login = MembershipFactory(
        user=UserFactory(username="asha"), scheme=scheme, role=Role.CARER, carer=household
    )
    coordinators = [
        MembershipFactory(user=UserFactory(username=username), scheme=scheme, role=Role.COORDINATOR)
        for username in ("coordinator-1", "coordinator-2")
    ]
    change = propose_change(
        carer=household,
        membership=carer_login,
        kind=K.ADD_PET,
        values={"kind": PetKind.CAT, "name": "Pepper"},
    )
    both_ready = threading.Barrier(2, timeout=10)
    outcomes: dict[int, object] = {}

    def accept(index: int) -> None:
        try:
            seen = ChangeRequest.objects.get(pk=change.pk)  # each on its own connection
            both_ready.wait()
            outcomes[index] = accept_change(change=seen, membership=coordinators[index])
        except Exception as error:  # reported by the assertions below
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads)
    accepted = [i for i, outcome in outcomes.items() if isinstance(outcome, ChangeRequest)]
    refused = [i for i, outcome in outcomes.items() if isinstance(outcome, WorkflowRefused)]
    assert len(accepted) == 1, outcomes
    assert len(refused) == 1, outcomes
    (winner,), (loser,) = accepted, refused
    winner_name = coordinators[winner].user.display_name
    assert outcomes[loser].reasons == [f"{winner_name} has already accepted this change."]
    assert list(Pet.objects.filter(carer=household).values_list("kind", "name")) == [(PetKind.CAT, "Pepper")]
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (ChangeStatus.ACCEPTED, coordinators[winner].user)


def test_dates_away_taken_back_are_gone_at_once(household, as_carer):
    change = _propose(household, as_carer, K.REMOVE_AVAILABILITY)

    assert change.status == ChangeStatus.DONE
    assert not household.unavailable_dates.exists()
