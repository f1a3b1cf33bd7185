"""The scheme's side of the portal: the queue of changes carers ask for,
accepting, declining and noting them, and the history that shows who asked
and who answered."""

import datetime as dt
from zoneinfo import ZoneInfo

import pghistory
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carers.changes import propose_change
from carers.models import ChangeKind, ChangeRequest, ChangeStatus, Check, CheckKind, CheckStatus, Smoking
from sharedlives.choices import PetKind
from sharedlives.models import Membership
from tests.factories import CarerFactory, ChangeRequestFactory, PetFactory, RoomFactory, UserFactory
from tests.sharedlives.pages import Element, Page, history_entries, text

K = ChangeKind
LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 22, 10, tzinfo=LONDON)
QUEUE = reverse("change_queue")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def household(carer_household, coordinator):
    """Asha Patel's household, on the coordinator's caseload; no one smokes."""
    carer_household.coordinator = coordinator
    carer_household.save()
    return carer_household


def _propose(carer_user, kind, values=None, target_id=None):
    """The carer asks for a change, as their portal would (the history
    credits them, as the middleware does on a real request)."""
    membership = Membership.objects.select_related("carer").get(user=carer_user)
    with pghistory.context(user=carer_user.pk):
        return propose_change(
            carer=membership.carer, membership=membership, kind=kind, values=values, target_id=target_id
        )


def _accept(client, change, **data):
    return client.post(reverse("change_accept", args=[change.pk]), data)


def _decline(client, change, **data):
    return client.post(reverse("change_decline", args=[change.pk]), data)


def _cards(response, section_id) -> list[Element]:
    section = Page(response).find("section", id=section_id)
    changes = next((e for e in section.iter() if e.tag == "ol"), None)
    return [e for e in changes.children if isinstance(e, Element)] if changes else []


def _table(card) -> list[tuple]:
    rows = [e for e in card.iter() if e.tag == "tr"][1:]
    return [tuple(cell.text for cell in row.children if isinstance(cell, Element)) for row in rows]


# --- The queue ---


def test_the_queue_shows_each_change_before_and_after_with_who_asked(client, coordinator, carer, household):
    _propose(carer, K.SMOKING, {"smoking": Smoking.OUTSIDE})
    client.force_login(coordinator)

    response = client.get(QUEUE)

    assert response.status_code == 200
    [card] = _cards(response, "waiting")
    assert card.first("h3").text == "Smoking at home: Asha Patel"
    assert f"Asked by {carer.display_name} on 22 Nov 2026, 10:00" in card.text
    assert card.first("caption").text == "Smoking at home: before and after"
    # What changes is in bold and says so in words, not by colour.
    assert _table(card) == [("Smoking", "No one smokes", "Someone smokes, outside only (changed)")]
    link = card.first("a")
    assert link.attrs["href"] == reverse("carer_detail", args=[household.pk])


def test_what_is_added_or_removed_says_so(client, coordinator, carer, household):
    pet = PetFactory(carer=household, kind=PetKind.CAT, name="Pepper")
    _propose(carer, K.REMOVE_PET, target_id=pet.pk)
    _propose(carer, K.ADD_PET, {"kind": PetKind.DOG, "name": "Biscuit"})
    client.force_login(coordinator)

    gone, added = _cards(client.get(QUEUE), "waiting")

    assert _table(gone) == [("Kind", "Cat", "Removed"), ("Name", "Pepper", "Removed")]
    assert _table(added)[:2] == [("Kind", "—", "Dog (new)"), ("Name", "—", "Biscuit (new)")]


def test_unchanged_values_are_not_marked_as_changed(client, coordinator, carer, household):
    room = RoomFactory(carer=household, name="Back bedroom", ground_floor=False)
    _propose(
        carer,
        K.CHANGE_ROOM,
        {"name": "Back bedroom", "ground_floor": True, "step_free": room.step_free, "own_bathroom": False},
        target_id=room.pk,
    )
    client.force_login(coordinator)

    [card] = _cards(client.get(QUEUE), "waiting")

    rows = {row[0]: row[1:] for row in _table(card)}
    assert rows["Name"] == ("Back bedroom", "Back bedroom (no change)")
    assert rows["Ground floor"] == ("No", "Yes (changed)")


def test_the_oldest_change_comes_first(client, coordinator, household, scheme):
    newer = ChangeRequestFactory(carer=household, proposed_at=NOW - dt.timedelta(hours=1))
    older = ChangeRequestFactory(carer=household, proposed_at=NOW - dt.timedelta(days=3))
    client.force_login(coordinator)

    cards = _cards(client.get(QUEUE), "waiting")

    assert [card.attrs["id"] for card in cards] == [f"change-{older.pk}", f"change-{newer.pk}"]


def test_my_carers_is_the_default_for_a_coordinator_with_a_caseload(
    client, coordinator, manager, household, scheme
):
    theirs = CarerFactory(scheme=scheme, coordinator=manager, first_name="Rob", last_name="Hill")
    ChangeRequestFactory(carer=household)
    ChangeRequestFactory(carer=theirs)
    client.force_login(coordinator)

    mine = text(client.get(QUEUE))
    everyone = text(client.get(QUEUE, {"whose": "everyone"}))

    assert "Asha Patel" in mine
    assert "Rob Hill" not in mine
    assert "Asha Patel" in everyone
    assert "Rob Hill" in everyone


def test_someone_with_no_carers_of_their_own_sees_everyones_changes(client, manager, household):
    ChangeRequestFactory(carer=household)
    client.force_login(manager)

    response = client.get(QUEUE)

    assert len(_cards(response, "waiting")) == 1
    current = Page(response).find("a", **{"aria-current": "true"})
    assert current.text == "Everyone"


def test_answered_changes_are_not_in_the_queue(client, coordinator, household):
    ChangeRequestFactory(
        carer=household, status=ChangeStatus.ACCEPTED, decided_by=coordinator, decided_at=NOW
    )
    client.force_login(coordinator)

    response = client.get(QUEUE)

    assert _cards(response, "waiting") == []
    assert "No changes are waiting for your carers." in text(response)


def test_another_schemes_changes_are_not_in_the_queue(client, other_coordinator, household):
    ChangeRequestFactory(carer=household)
    client.force_login(other_coordinator)

    response = client.get(QUEUE, {"whose": "everyone"})

    assert _cards(response, "waiting") == []
    assert "Asha Patel" not in text(response)


def test_a_carer_cannot_open_the_queue(client, carer, household):
    client.force_login(carer)

    assert client.get(QUEUE).status_code == 403


def test_the_queue_is_paged(client, coordinator, household, settings):
    settings.PAGE_SIZE = 2
    for hours in range(5):
        ChangeRequestFactory(carer=household, proposed_at=NOW - dt.timedelta(hours=hours))
    client.force_login(coordinator)

    first = client.get(QUEUE)
    last = client.get(QUEUE, {"page": 3})

    assert len(_cards(first, "waiting")) == 2
    assert "Waiting for an answer (5)" in text(first)
    assert len(_cards(last, "waiting")) == 1


def test_the_queue_costs_the_same_queries_however_many_changes(
    client, coordinator, carer, household, scheme, django_assert_max_num_queries
):
    # Each change shows its household, the household's coordinator and who
    # asked: joined in, so a full page costs no more than a short one.
    def add(n):
        for _ in range(n):
            carer_household = CarerFactory(scheme=scheme, coordinator=coordinator)
            ChangeRequestFactory(carer=carer_household, proposed_by=UserFactory())
            ChangeRequestFactory(
                carer=carer_household,
                kind=K.CONTACT,
                status=ChangeStatus.DONE,
                before={"Phone": "0113 496 0000"},
                after={"Phone": "07700 900123"},
                proposed_by=UserFactory(),
            )

    client.force_login(coordinator)
    add(2)
    client.get(QUEUE)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE)

    add(30)
    with django_assert_max_num_queries(len(few)):
        response = client.get(QUEUE)
    assert len(_cards(response, "waiting")) == 25
    assert len(_cards(response, "to-note")) == 25
    # The session, the user, their membership, whether they have carers, the
    # scheme's check rules (for the lapsed-check flag), then a count and a
    # page for each of the two lists.
    assert len(few) <= 9


def test_the_queue_takes_no_post(client, coordinator):
    client.force_login(coordinator)

    assert client.post(QUEUE).status_code == 405


# --- Accepting ---


def test_accepting_a_new_pet_adds_it_to_the_household(client, coordinator, carer, household):
    change = _propose(carer, K.ADD_PET, {"kind": PetKind.DOG, "name": "Biscuit", "notes": "Friendly"})
    client.force_login(coordinator)

    response = _accept(client, change, queue="whose=mine")

    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?whose=mine"
    assert [(p.kind, p.name) for p in household.pets.all()] == [(PetKind.DOG, "Biscuit")]
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decided_at) == (ChangeStatus.ACCEPTED, coordinator, NOW)
    assert Page(client.get(response["Location"])).messages == ["Done: Accepted: a new pet for Asha Patel."]


def test_accepting_a_new_member_aged_16_or_over_adds_a_dbs_check(client, coordinator, carer, household):
    change = _propose(
        carer,
        K.ADD_MEMBER,
        {"name": "Sam Patel", "relationship": "son", "date_of_birth": dt.date(2009, 6, 1)},
    )
    client.force_login(coordinator)

    response = _accept(client, change)

    [member] = household.household_members.all()
    assert member.name == "Sam Patel"
    check = Check.objects.get(carer=household, household_member=member)
    assert (check.kind, check.status) == (CheckKind.DBS, CheckStatus.NOT_STARTED)
    assert Page(client.get(response["Location"], follow=True)).messages == [
        "Done: Accepted. Sam Patel is 17, so a DBS check has been added to the household's checklist."
    ]


def test_accepting_a_child_adds_no_dbs_check(client, coordinator, carer, household):
    change = _propose(
        carer,
        K.ADD_MEMBER,
        {"name": "Mia Patel", "relationship": "daughter", "date_of_birth": dt.date(2015, 1, 1)},
    )
    client.force_login(coordinator)

    response = _accept(client, change)

    assert household.household_members.get().name == "Mia Patel"
    assert not Check.objects.filter(carer=household).exists()
    assert Page(client.get(response["Location"])).messages == [
        "Done: Accepted: someone has moved in for Asha Patel."
    ]


def test_accepting_a_room_change_changes_the_room(client, coordinator, carer, household):
    room = RoomFactory(carer=household, name="Back bedroom", ground_floor=False, step_free=False)
    change = _propose(
        carer,
        K.CHANGE_ROOM,
        {"name": "Garden room", "ground_floor": True, "step_free": True, "own_bathroom": True},
        target_id=room.pk,
    )
    client.force_login(coordinator)

    _accept(client, change)

    room.refresh_from_db()
    assert (room.name, room.ground_floor, room.step_free, room.own_bathroom) == (
        "Garden room",
        True,
        True,
        True,
    )


def test_accepting_a_change_of_smoking_changes_the_household(client, coordinator, carer, household):
    change = _propose(carer, K.SMOKING, {"smoking": Smoking.OUTSIDE})
    client.force_login(coordinator)

    _accept(client, change, reason="Thanks for telling us.")

    household.refresh_from_db()
    change.refresh_from_db()
    assert household.smoking == Smoking.OUTSIDE
    assert change.reason == "Thanks for telling us."


def test_the_second_coordinator_to_accept_is_told_who_already_did(
    client, coordinator, manager, carer, household
):
    change = _propose(carer, K.ADD_PET, {"kind": PetKind.CAT, "name": "Pepper"})
    first = Client()
    first.force_login(manager)
    _accept(first, change)
    client.force_login(coordinator)

    response = _accept(client, change)

    assert household.pets.count() == 1
    assert Page(client.get(response["Location"])).messages == [
        "Problem: Not accepted: a new pet for Asha Patel. "
        f"{manager.display_name} has already accepted this change."
    ]
    change.refresh_from_db()
    assert change.decided_by == manager


def test_a_declined_change_cannot_then_be_accepted(client, coordinator, carer, household):
    change = _propose(carer, K.ADD_PET, {"kind": PetKind.CAT, "name": "Pepper"})
    client.force_login(coordinator)
    _decline(client, change, reason="We met Pepper: she lives next door.")

    response = _accept(client, change)

    assert not household.pets.exists()
    # The page shows the decline's message, then the refusal.
    refused = Page(client.get(response["Location"])).messages[-1]
    assert refused.endswith(f"{coordinator.display_name} has already declined this change.")


def test_another_schemes_change_cannot_be_found(client, other_coordinator, household):
    change = ChangeRequestFactory(carer=household)
    client.force_login(other_coordinator)

    for name in ("change_accept", "change_decline", "change_note"):
        assert client.post(reverse(name, args=[change.pk]), {"reason": "No."}).status_code == 404
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING


def test_a_carer_cannot_answer_a_change_even_their_own(client, carer, household):
    change = _propose(carer, K.ADD_PET, {"kind": PetKind.CAT, "name": "Pepper"})
    client.force_login(carer)

    for name in ("change_accept", "change_decline", "change_note"):
        assert client.post(reverse(name, args=[change.pk]), {"reason": "Yes"}).status_code == 403
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING


@pytest.mark.parametrize("name", ["change_accept", "change_decline", "change_note"])
def test_answers_are_posted_only(client, coordinator, household, name):
    change = ChangeRequestFactory(carer=household)
    client.force_login(coordinator)

    response = client.get(reverse(name, args=[change.pk]))

    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_the_way_back_keeps_the_filter_and_page_and_nothing_else(client, coordinator, household):
    change = ChangeRequestFactory(carer=household)
    client.force_login(coordinator)

    response = _accept(client, change, queue="whose=everyone&page=2&next=https://evil.example&noted_page=x")

    assert response["Location"] == f"{QUEUE}?whose=everyone&page=2"


# --- Declining ---


def test_declining_says_why_and_changes_nothing(client, coordinator, carer, household):
    change = _propose(carer, K.ADD_PET, {"kind": PetKind.CAT, "name": "Pepper"})
    client.force_login(coordinator)

    response = _decline(
        client, change, reason="  We met Pepper: she lives next door.  ", queue="whose=everyone"
    )

    assert response["Location"] == f"{QUEUE}?whose=everyone"
    assert not household.pets.exists()
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.reason) == (
        ChangeStatus.DECLINED,
        coordinator,
        "We met Pepper: she lives next door.",
    )
    assert Page(client.get(response["Location"])).messages == [
        "Done: Declined: a new pet for Asha Patel. The carer can see your reason."
    ]


def test_declining_without_a_reason_is_refused_and_nothing_changes(client, coordinator, carer, household):
    change = _propose(carer, K.ADD_PET, {"kind": PetKind.CAT, "name": "Pepper"})
    client.force_login(coordinator)

    response = _decline(client, change, reason="   ")

    change.refresh_from_db()
    assert (change.status, change.decided_by, change.reason) == (ChangeStatus.PENDING, None, "")
    assert Page(client.get(response["Location"])).messages == [
        "Problem: Not declined: a new pet for Asha Patel. Say why, so the carer knows."
    ]


def test_the_decline_form_asks_for_a_reason_with_a_label(client, coordinator, household):
    change = ChangeRequestFactory(carer=household)
    client.force_login(coordinator)

    page = Page(client.get(QUEUE))

    reason = page.find("textarea", id=f"decline-reason-{change.pk}")
    assert "required" in reason.attrs
    assert (
        page.find("label", **{"for": f"decline-reason-{change.pk}"}).text == "Why? The carer will see this."
    )
    assert page.find("label", **{"for": f"accept-reason-{change.pk}"}) is not None


# --- Changes that took effect at once ---


def test_a_change_made_at_once_waits_to_be_noted_then_leaves_the_list(client, coordinator, carer, household):
    change = _propose(carer, K.CONTACT, {"phone": "07700 900123", "email": household.email})
    client.force_login(coordinator)

    [card] = _cards(client.get(QUEUE), "to-note")
    assert card.first("h3").text == "Contact details: Asha Patel"
    assert ("Phone", "0113 496 0000", "07700 900123 (changed)") in _table(card)

    response = client.post(reverse("change_note", args=[change.pk]), {"queue": "whose=mine"})

    assert response["Location"] == f"{QUEUE}?whose=mine"
    change.refresh_from_db()
    assert (change.noted_by, change.noted_at) == (coordinator, NOW)
    after = client.get(response["Location"])
    assert _cards(after, "to-note") == []
    assert Page(after).messages == ["Done: Noted: contact details for Asha Patel."]


# --- Where staff find the queue ---


def test_the_dashboard_and_menu_lead_staff_to_the_queue(client, coordinator, household):
    ChangeRequestFactory(carer=household)
    ChangeRequestFactory(carer=household, kind=K.SMOKING, data={"smoking": Smoking.OUTSIDE})
    client.force_login(coordinator)

    page = Page(client.get(reverse("dashboard")))

    main = page.find("main")
    link = next(e for e in main.iter() if e.tag == "a" and e.text.startswith("Changes from carers"))
    assert link.text == "Changes from carers: 2 waiting"
    assert link.attrs["href"] == QUEUE
    # Two changes for one household still count it once among the approved.
    assert "1 approved carers" in page.main_text
    menu = page.find("nav", **{"aria-label": "Main"})
    assert any(
        e.tag == "a" and e.text == "Changes from carers" and e.attrs["href"] == QUEUE for e in menu.iter()
    )


def test_a_carer_has_no_link_to_the_queue(client, carer, household):
    client.force_login(carer)

    response = client.get(reverse("carer_detail", args=[household.pk]))

    assert response.status_code == 200
    assert not any(e.tag == "a" and e.attrs.get("href") == QUEUE for e in Page(response).root.iter())


# --- The history ---


def test_the_households_history_shows_who_asked_and_who_accepted(client, coordinator, carer, household):
    change = _propose(carer, K.ADD_PET, {"kind": PetKind.CAT, "name": "Pepper"})
    client.force_login(coordinator)
    _accept(client, change)

    entries = history_entries(client.get(reverse("carer_history", args=[household.pk])))

    asked = next(e for e in entries if e["title"] == "Change request added")
    assert asked["byline"].endswith(f"by {carer.display_name}")
    assert ("Status", "—", "Waiting for the scheme") in asked["changes"]
    accepted = next(e for e in entries if e["title"] == "Change request changed")
    assert accepted["byline"].endswith(f"by {coordinator.display_name}")
    assert ("Status", "Waiting for the scheme", "Accepted") in accepted["changes"]
    pet = next(e for e in entries if e["title"] == "Pet added")
    assert pet["byline"].endswith(f"by {coordinator.display_name}")
    assert ChangeRequest.objects.get().decided_by == coordinator


def test_a_change_reads_in_the_order_of_its_form_not_the_databases(client, coordinator, carer, household):
    # jsonb keeps an object's keys in an order of its own ("Note" first).
    _propose(
        carer,
        ChangeKind.AVAILABILITY,
        {"starts_on": dt.date(2027, 2, 28), "ends_on": dt.date(2027, 3, 3), "note": "Half term"},
    )
    client.force_login(coordinator)

    page = text(client.get(reverse("change_queue")))

    assert page.index("Starts on —") < page.index("Ends on —") < page.index("Note — Half term")
