"""Editing an arrangement. Ending it is a step of its own (test_arrangement_end);
once it has started, the person, the carer and the kind are fixed."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from placements.models import ArrangementStatus, RateKind
from sharedlives.choices import ArrangementKind
from sharedlives.forms import STALE_MESSAGE
from tests.factories import (
    ArrangementFactory,
    CarerFactory,
    PaymentRateFactory,
    PersonFactory,
    RoomFactory,
    ShortBreakBookingFactory,
)
from tests.sharedlives.pages import Page, form_data


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def url(arrangement):
    return reverse("arrangement_edit", args=[arrangement.pk])


def _opened(client, url) -> dict:
    return form_data(client.get(url).context["form"])


def test_the_form_has_no_status_or_ending(client, coordinator, url):
    client.force_login(coordinator)

    page = Page(client.get(url))

    assert page.find("select", name="status") is None
    assert page.find("select", name="end_reason") is None


def test_a_live_in_arrangement_does_not_clash_with_itself(client, coordinator, arrangement, url):
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), "notes": "Settled in well."})

    assert response.status_code == 302
    arrangement.refresh_from_db()
    assert arrangement.notes == "Settled in well."


def test_the_person_carer_and_kind_are_fixed_once_started(
    client, coordinator, scheme, arrangement, other_carer_household, url
):
    other_person = PersonFactory(scheme=scheme)
    client.force_login(coordinator)
    opened = _opened(client, url)
    page = Page(client.get(url))

    response = client.post(
        url,
        {**opened, "person": other_person.pk, "carer": other_carer_household.pk, "kind": "day_support"},
    )

    assert all("disabled" in page.find("select", name=name).attrs for name in ("person", "carer", "kind"))
    assert response.status_code == 302
    arrangement.refresh_from_db()
    assert (arrangement.person_id, arrangement.carer_id, arrangement.kind) != (
        other_person.pk,
        other_carer_household.pk,
        "day_support",
    )
    assert arrangement.kind == ArrangementKind.LIVE_IN


def test_a_planned_arrangement_can_change_carer_and_kind(client, coordinator, scheme, other_carer_household):
    planned = ArrangementFactory(
        scheme=scheme, status=ArrangementStatus.PLANNED, start_date=dt.date(2027, 1, 4)
    )
    url = reverse("arrangement_edit", args=[planned.pk])
    client.force_login(coordinator)

    response = client.post(
        url,
        {
            **_opened(client, url),
            "carer": other_carer_household.pk,
            "kind": "short_breaks",
            "licence_recorded_on": "",
            "weekly_rent": "",
        },
    )

    assert response.status_code == 302
    planned.refresh_from_db()
    assert (planned.carer, planned.kind) == (other_carer_household, ArrangementKind.SHORT_BREAKS)


def test_a_planned_arrangement_with_bookings_keeps_its_carer(
    client, coordinator, scheme, other_carer_household
):
    planned = ArrangementFactory(
        scheme=scheme, kind=ArrangementKind.SHORT_BREAKS, status=ArrangementStatus.PLANNED
    )
    ShortBreakBookingFactory(arrangement=planned)
    url = reverse("arrangement_edit", args=[planned.pk])
    client.force_login(coordinator)

    response = client.post(
        url, {**_opened(client, url), "carer": other_carer_household.pk, "kind": "live_in"}
    )

    page = Page(response)
    assert page.error_for("carer").startswith("This arrangement has short breaks booked with")
    assert page.error_for("kind") == "This arrangement has short breaks booked: cancel them first."
    planned.refresh_from_db()
    assert planned.carer != other_carer_household


def test_a_started_arrangement_keeps_its_agreements(client, coordinator, arrangement, url):
    client.force_login(coordinator)

    response = client.post(
        url,
        {**_opened(client, url), "agreement_recorded_on": "", "licence_recorded_on": "", "weekly_rent": ""},
    )

    page = Page(response)
    assert page.error_for("agreement_recorded_on") == "Record the date the arrangement agreement was signed."
    assert page.error_for("licence_recorded_on") == "A live-in arrangement needs its licence agreement."
    assert page.error_for("weekly_rent") == "A live-in arrangement needs its weekly rent."
    arrangement.refresh_from_db()
    assert arrangement.agreement_recorded_on is not None


def test_a_room_and_rate_can_be_recorded(client, coordinator, scheme, arrangement, url):
    room = RoomFactory(carer=arrangement.carer, name="Garden room")
    band = PaymentRateFactory(scheme=scheme, name="Live-in band 3")
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), "room": room.pk, "payment_rate": band.pk})

    assert response.status_code == 302
    arrangement.refresh_from_db()
    assert (arrangement.room, arrangement.payment_rate) == (room, band)


def test_a_room_of_another_carer_and_a_rate_of_another_kind_are_refused(
    client, coordinator, scheme, arrangement, url
):
    theirs = RoomFactory(
        carer=CarerFactory(scheme=scheme, first_name="Tom", last_name="Barker"), name="Attic"
    )
    sessional = PaymentRateFactory(scheme=scheme, name="Day rate", kind=RateKind.DAY_SUPPORT_SESSION)
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), "room": theirs.pk, "payment_rate": sessional.pk})

    page = Page(response)
    assert page.error_for("room") == "Attic is one of Tom Barker's rooms: choose one of Asha Patel's."
    assert page.error_for("payment_rate") == (
        "Day rate is a day-support sessional rate; live-in is paid by a live-in weekly band."
    )
    arrangement.refresh_from_db()
    assert arrangement.room is None


def test_moving_the_start_into_another_live_in_home_is_refused(client, coordinator, scheme, arrangement, url):
    ArrangementFactory(
        scheme=scheme,
        person=arrangement.person,
        status=ArrangementStatus.ENDED,
        start_date=dt.date(2023, 1, 1),
        end_date=dt.date(2024, 12, 31),
        end_reason="planned_move",
    )
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), "start_date": "2024-12-01"})

    assert (
        "This person already has a live-in arrangement for some of these dates." in Page(response).main_text
    )
    arrangement.refresh_from_db()
    assert arrangement.start_date == dt.date(2025, 1, 6)


def test_an_ended_arrangement_keeps_its_end_date(client, coordinator, scheme):
    ended = ArrangementFactory(
        scheme=scheme,
        status=ArrangementStatus.ENDED,
        end_date=dt.date(2026, 6, 1),
        end_reason="planned_move",
    )
    url = reverse("arrangement_edit", args=[ended.pk])
    client.force_login(coordinator)

    response = client.post(url, {**_opened(client, url), "end_date": ""})

    assert Page(response).error_for("end_date") == "Enter the date the arrangement ended."
    ended.refresh_from_db()
    assert ended.end_date == dt.date(2026, 6, 1)


def test_a_second_save_from_an_older_page_is_refused(client, coordinator, manager, arrangement, url):
    client.force_login(coordinator)
    other = Client()
    other.force_login(manager)
    first, second = _opened(client, url), _opened(other, url)

    client.post(url, {**first, "notes": "First"})
    response = other.post(url, {**second, "notes": "Second"})

    page = Page(response)
    assert STALE_MESSAGE in page.main_text
    assert page.value_of("notes") == "Second"
    arrangement.refresh_from_db()
    assert arrangement.notes == "First"


def test_a_carer_cannot_edit_their_arrangement(client, carer, arrangement, url):
    client.force_login(carer)

    assert client.get(url).status_code == 403
    assert client.post(url, {"notes": "Mine"}).status_code == 403


def test_another_schemes_coordinator_cannot_find_it(client, other_coordinator, url):
    client.force_login(other_coordinator)

    assert client.get(url).status_code == 404
