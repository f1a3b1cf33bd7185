"""Planning an arrangement: a person due to live with or visit a carer. A
new arrangement is always planned; starting it is a step of its own."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from carers.models import CarerStatus
from placements.models import Arrangement, ArrangementStatus, RateKind, ReferralStage
from sharedlives.choices import ArrangementKind
from tests.factories import (
    ArrangementFactory,
    CarerFactory,
    PaymentRateFactory,
    PersonFactory,
    ProposalFactory,
    ReferralFactory,
    RoomFactory,
    WantedStayFactory,
    approved_carer,
)
from tests.sharedlives.pages import Page

URL = reverse("arrangement_create")
OVERLAP = (
    "This person already has a live-in arrangement for some of these dates. "
    "End that one first, or change the dates."
)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def person(scheme):
    return PersonFactory(scheme=scheme, first_name="Daniel", last_name="Reid")


@pytest.fixture
def data(person, carer_household):
    return {
        "person": person.pk,
        "carer": carer_household.pk,
        "kind": "live_in",
        "start_date": "2027-01-04",
        "end_date": "",
        "room": "",
        "payment_rate": "",
        "agreement_recorded_on": "",
        "licence_recorded_on": "",
        "weekly_rent": "",
        "notes": "Introductions went well.",
    }


def test_a_coordinator_plans_an_arrangement(client, coordinator, scheme, person, carer_household, data):
    room = RoomFactory(carer=carer_household, name="Front bedroom")
    band = PaymentRateFactory(scheme=scheme, name="Live-in band 2")
    client.force_login(coordinator)

    response = client.post(
        URL,
        {**data, "room": room.pk, "payment_rate": band.pk, "agreement_recorded_on": "2026-12-01"},
        follow=True,
    )

    arrangement = Arrangement.objects.get()
    assert response.redirect_chain == [(reverse("arrangement_detail", args=[arrangement.pk]), 302)]
    assert (arrangement.scheme, arrangement.person, arrangement.carer) == (scheme, person, carer_household)
    assert (arrangement.kind, arrangement.status) == ("live_in", ArrangementStatus.PLANNED)
    assert (arrangement.start_date, arrangement.end_date) == (dt.date(2027, 1, 4), None)
    assert (arrangement.room, arrangement.payment_rate) == (room, band)
    assert arrangement.agreement_recorded_on == dt.date(2026, 12, 1)
    page = Page(response)
    assert "Done: The arrangement has been planned." in " ".join(page.messages)
    assert "Live-in: Daniel Reid with Asha Patel" in page.main_text
    assert "Planned · from 4 Jan 2027" in page.main_text


def test_status_is_not_a_field_of_the_form(client, coordinator):
    client.force_login(coordinator)

    page = Page(client.get(URL))

    assert page.find("select", name="status") is None
    assert page.find("select", name="end_reason") is None


def test_a_posted_status_is_ignored_and_the_arrangement_is_planned(client, coordinator, data):
    client.force_login(coordinator)

    client.post(URL, {**data, "status": "current"})

    assert Arrangement.objects.get().status == ArrangementStatus.PLANNED


def test_the_form_starts_with_the_person_it_was_opened_from(client, coordinator, person):
    client.force_login(coordinator)

    select = Page(client.get(URL, {"person": person.pk})).find("select", name="person")

    assert [o.text for o in select.iter() if o.tag == "option" and "selected" in o.attrs] == ["Daniel Reid"]


def test_the_form_ignores_a_person_of_another_scheme_it_was_opened_from(client, coordinator, other_scheme):
    theirs = PersonFactory(scheme=other_scheme, first_name="Hidden", last_name="Person")
    client.force_login(coordinator)

    response = client.get(URL, {"person": theirs.pk})

    assert response.status_code == 200
    assert "Hidden Person" not in response.content.decode()


def test_the_choices_are_this_schemes_people_carers_rooms_and_rates_only(
    client, coordinator, scheme, person, carer_household, other_scheme
):
    CarerFactory(scheme=other_scheme, first_name="Far", last_name="Away")
    RoomFactory(carer=carer_household, name="Back bedroom")
    RoomFactory(carer__scheme=other_scheme, name="Their room")
    PaymentRateFactory(scheme=scheme, name="Live-in band 1")
    PaymentRateFactory(scheme=other_scheme, name="Their band")
    client.force_login(coordinator)

    page = Page(client.get(URL))

    assert page.options_of("person") == ["---------", "Daniel Reid"]
    assert page.options_of("carer") == ["---------", "Asha Patel (Approved)"]
    assert page.options_of("room") == ["No room (not a stay)", "Asha Patel: Back bedroom"]
    assert page.options_of("payment_rate") == ["Not yet agreed", "Live-in band 1 (Live-in weekly band)"]


def test_a_carer_of_another_scheme_is_refused(client, coordinator, other_scheme, data):
    theirs = CarerFactory(scheme=other_scheme)
    client.force_login(coordinator)

    response = client.post(URL, {**data, "carer": theirs.pk})

    assert "Select a valid choice" in Page(response).error_for("carer")
    assert not Arrangement.objects.exists()


def test_an_arrangement_needs_an_approved_carer(client, coordinator, scheme, data):
    applicant = CarerFactory(
        scheme=scheme, first_name="Grace", last_name="Okafor", status=CarerStatus.ASSESSMENT
    )
    client.force_login(coordinator)

    response = client.post(URL, {**data, "carer": applicant.pk})

    page = Page(response)
    assert page.error_for("carer") == (
        "Grace Okafor is not an approved carer (assessment), so an arrangement cannot be planned with them."
    )
    assert page.value_of("notes") == "Introductions went well."
    assert not Arrangement.objects.exists()


def test_a_room_of_another_carer_is_refused(client, coordinator, other_carer_household, data):
    theirs = RoomFactory(carer=other_carer_household, name="Attic room")
    client.force_login(coordinator)

    response = client.post(URL, {**data, "room": theirs.pk})

    assert Page(response).error_for("room") == (
        "Attic room is one of Tom Barker's rooms: choose one of Asha Patel's."
    )
    assert not Arrangement.objects.exists()


def test_day_support_has_no_room(client, coordinator, carer_household, data):
    room = RoomFactory(carer=carer_household)
    client.force_login(coordinator)

    response = client.post(URL, {**data, "kind": "day_support", "room": room.pk})

    assert Page(response).error_for("room").startswith("Only live-in and other stays have a room here")
    assert not Arrangement.objects.exists()


def test_a_rate_of_the_wrong_kind_is_refused(client, coordinator, scheme, data):
    nightly = PaymentRateFactory(
        scheme=scheme, name="Short breaks standard", kind=RateKind.SHORT_BREAK_NIGHTLY
    )
    client.force_login(coordinator)

    response = client.post(URL, {**data, "payment_rate": nightly.pk})

    assert Page(response).error_for("payment_rate") == (
        "Short breaks standard is a short-break nightly rate; live-in is paid by a live-in weekly band."
    )
    assert not Arrangement.objects.exists()


def test_a_licence_and_rent_are_for_live_in_only(client, coordinator, data):
    client.force_login(coordinator)

    response = client.post(
        URL, {**data, "kind": "short_breaks", "licence_recorded_on": "2026-12-01", "weekly_rent": "100"}
    )

    page = Page(response)
    assert page.error_for("weekly_rent") == "Only a live-in arrangement has a licence agreement and rent."
    assert (
        page.error_for("licence_recorded_on")
        == "Only a live-in arrangement has a licence agreement and rent."
    )
    assert not Arrangement.objects.exists()


def test_a_negative_rent_is_refused(client, coordinator, data):
    client.force_login(coordinator)

    response = client.post(URL, {**data, "weekly_rent": "-5"})

    assert "greater than or equal to 0" in Page(response).error_for("weekly_rent")
    assert not Arrangement.objects.exists()


def test_an_end_before_the_start_is_refused(client, coordinator, data):
    client.force_login(coordinator)

    response = client.post(URL, {**data, "start_date": "2027-01-04", "end_date": "2027-01-03"})

    page = Page(response)
    assert page.error_for("end_date") == "The end date must be on or after the start date."
    assert page.value_of("end_date") == "2027-01-03"
    assert OVERLAP not in page.main_text
    assert not Arrangement.objects.exists()


def test_an_arrangement_may_end_on_the_day_it_starts(client, coordinator, data):
    client.force_login(coordinator)

    response = client.post(
        URL, {**data, "kind": "day_support", "start_date": "2027-01-04", "end_date": "2027-01-04"}
    )

    assert response.status_code == 302


def test_a_second_live_in_home_for_the_same_dates_is_refused(client, coordinator, scheme, person, data):
    ArrangementFactory(scheme=scheme, person=person, start_date=dt.date(2025, 1, 6))  # no end date
    client.force_login(coordinator)

    response = client.post(URL, data)

    assert response.status_code == 200
    assert OVERLAP in Page(response).messages
    assert Arrangement.objects.count() == 1


def test_a_live_in_home_after_the_last_one_ended_is_accepted(client, coordinator, scheme, person, data):
    ArrangementFactory(
        scheme=scheme,
        person=person,
        status=ArrangementStatus.ENDED,
        start_date=dt.date(2024, 1, 6),
        end_date=dt.date(2027, 1, 4),
        end_reason="planned_move",
    )
    client.force_login(coordinator)

    assert client.post(URL, data).status_code == 302
    assert Arrangement.objects.count() == 2


def test_short_breaks_while_living_with_another_carer_are_accepted(client, coordinator, scheme, person, data):
    ArrangementFactory(scheme=scheme, person=person, start_date=dt.date(2025, 1, 6))
    client.force_login(coordinator)

    response = client.post(URL, {**data, "kind": "short_breaks"})

    assert response.status_code == 302
    assert Arrangement.objects.count() == 2


def test_a_stay_with_a_full_household_is_refused_in_words(client, coordinator, scheme, data):
    carer = approved_carer(scheme, first_name="Mary", last_name="Lowe", max_people=1)
    ArrangementFactory(
        scheme=scheme,
        carer=carer,
        person__first_name="Sam",
        person__last_name="Jones",
        start_date=dt.date(2026, 1, 6),
    )
    client.force_login(coordinator)

    response = client.post(URL, {**data, "carer": carer.pk})

    assert Page(response).error_for("start_date") == (
        "Mary Lowe has no place free for over a year from 4 Jan 2027: they are approved for 1 person "
        "and Sam Jones is staying."
    )
    assert Arrangement.objects.count() == 1


# --- From a referral's page: ?referral=&carer= ---


@pytest.fixture
def referral(scheme, person):
    return ReferralFactory(
        scheme=scheme,
        person=person,
        stage=ReferralStage.INTRODUCTIONS,
        wanted_from=dt.date(2027, 2, 1),
        wanted_until=None,
    )


@pytest.fixture
def proposed(referral, scheme):
    carer = approved_carer(scheme, first_name="Nadia", last_name="Khan")
    ProposalFactory(referral=referral, carer=carer)
    return carer


def _referral_url(referral, carer=None):
    query = f"?referral={referral.pk}" + (f"&carer={carer.pk}" if carer else "")
    return URL + query


def test_a_referral_fills_in_the_person_the_kind_the_start_and_the_carer(
    client, coordinator, referral, proposed, carer_household
):
    client.force_login(coordinator)

    page = Page(client.get(_referral_url(referral, proposed)))

    person = page.find("select", name="person")
    assert "disabled" in person.attrs
    assert [o.text for o in person.iter() if o.tag == "option" and "selected" in o.attrs] == ["Daniel Reid"]
    assert "disabled" in page.find("select", name="kind").attrs
    assert page.value_of("start_date") == "2027-02-01"
    # Only the carers proposed for the referral are offered.
    assert page.options_of("carer") == ["---------", "Nadia Khan (Approved)"]
    carer = page.find("select", name="carer")
    assert [o.text for o in carer.iter() if o.tag == "option" and "selected" in o.attrs] == [
        "Nadia Khan (Approved)"
    ]
    assert "For the live-in referral of Daniel Reid, received 1 Oct 2026." in page.main_text


def test_a_short_breaks_referral_starts_on_the_first_stay_wanted(client, coordinator, scheme, person):
    stay = WantedStayFactory(
        referral__scheme=scheme,
        referral__person=person,
        referral__stage=ReferralStage.MATCHING,
        dates=(dt.date(2027, 3, 12), dt.date(2027, 3, 14)),
    )
    client.force_login(coordinator)

    page = Page(client.get(_referral_url(stay.referral)))

    assert page.value_of("start_date") == "2027-03-12"


def test_an_arrangement_planned_from_a_referral_is_linked_to_it(
    client, coordinator, referral, proposed, data
):
    client.force_login(coordinator)

    # The person and kind posted are ignored: they are the referral's.
    response = client.post(
        _referral_url(referral, proposed),
        {**data, "person": "", "kind": "day_support", "carer": proposed.pk, "start_date": "2027-02-01"},
    )

    assert response.status_code == 302
    arrangement = Arrangement.objects.get()
    assert arrangement.referral == referral
    assert (arrangement.person, arrangement.kind, arrangement.carer) == (
        referral.person,
        ArrangementKind.LIVE_IN,
        proposed,
    )


def test_a_carer_not_proposed_for_the_referral_is_refused(client, coordinator, referral, proposed, data):
    client.force_login(coordinator)

    response = client.post(_referral_url(referral), data)  # carer_household was never proposed

    assert "Select a valid choice" in Page(response).error_for("carer")
    assert not Arrangement.objects.exists()


def test_a_carer_in_the_address_who_was_not_proposed_is_not_filled_in(
    client, coordinator, referral, proposed, carer_household
):
    client.force_login(coordinator)

    page = Page(client.get(_referral_url(referral, carer_household)))

    carer = page.find("select", name="carer")
    assert [
        o for o in carer.iter() if o.tag == "option" and "selected" in o.attrs and o.attrs.get("value")
    ] == []


def test_a_closed_referral_is_refused(client, coordinator, referral, proposed, data):
    referral.stage = ReferralStage.WITHDRAWN
    referral.save()
    client.force_login(coordinator)

    response = client.post(_referral_url(referral), {**data, "carer": proposed.pk})

    assert (
        "This referral is closed (withdrawn), so an arrangement cannot be made from it."
        in Page(response).main_text
    )
    assert not Arrangement.objects.exists()


def test_a_referral_that_already_has_an_arrangement_is_refused(
    client, coordinator, scheme, referral, proposed, data
):
    ArrangementFactory(
        scheme=scheme,
        person=referral.person,
        carer=proposed,
        referral=referral,
        status=ArrangementStatus.PLANNED,
    )
    client.force_login(coordinator)

    response = client.post(
        _referral_url(referral), {**data, "carer": proposed.pk, "start_date": "2028-01-01"}
    )

    assert "An arrangement has already been made from this referral." in Page(response).main_text
    assert Arrangement.objects.count() == 1


def test_another_schemes_referral_is_not_found(client, coordinator, other_scheme):
    theirs = ReferralFactory(scheme=other_scheme)
    client.force_login(coordinator)

    assert client.get(_referral_url(theirs)).status_code == 404
    assert client.get(URL + "?referral=abc").status_code == 404


def test_a_carer_cannot_plan_an_arrangement(client, carer, referral):
    client.force_login(carer)

    assert client.get(URL).status_code == 403
    assert client.get(_referral_url(referral)).status_code == 403
    assert client.post(URL, {}).status_code == 403


def test_the_page_takes_no_other_method(client, coordinator):
    client.force_login(coordinator)

    assert client.put(URL).status_code == 405


def test_the_rent_is_kept_to_the_penny(client, coordinator, data):
    client.force_login(coordinator)

    client.post(URL, {**data, "weekly_rent": "112.50", "licence_recorded_on": "2026-12-01"})

    arrangement = Arrangement.objects.get()
    assert (arrangement.weekly_rent, arrangement.licence_recorded_on) == (
        Decimal("112.50"),
        dt.date(2026, 12, 1),
    )


def test_an_unknown_kind_is_refused_next_to_the_field(client, coordinator, data):
    client.force_login(coordinator)

    response = client.post(URL, {**data, "kind": "holiday"})

    assert "Select a valid choice" in Page(response).error_for("kind")
    assert not Arrangement.objects.exists()
