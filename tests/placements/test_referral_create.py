"""Recording a new referral, with the stays or days and hours wanted."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from placements.models import Referral, ReferralStage, ReferralStageChange, WantedSession, WantedStay
from tests.factories import PersonFactory, ReferralFactory
from tests.sharedlives.pages import Page

URL = reverse("referral_create")
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def person(scheme):
    return PersonFactory(
        scheme=scheme, first_name="Daniel", last_name="Reid", date_of_birth=dt.date(1990, 6, 15)
    )


def _empty_formsets(stays=0, sessions=0) -> dict:
    return {
        "stays-TOTAL_FORMS": str(max(stays, 1)),
        "stays-INITIAL_FORMS": "0",
        "sessions-TOTAL_FORMS": str(max(sessions, 1)),
        "sessions-INITIAL_FORMS": "0",
    }


@pytest.fixture
def data(person, coordinator):
    return {
        "person": person.pk,
        "kind": "live_in",
        "received_on": "2026-11-18",
        "coordinator": coordinator.pk,
        "source": "social_worker",
        "referrer_name": "Priya Shah",
        "referrer_organisation": "Leeds City Council adult social care",
        "referrer_phone": "0113 222 4444",
        "referrer_email": "priya.shah@leeds.example",
        "wanted_from": "2027-01-04",
        "wanted_until": "",
        "needs_summary": "Needs prompting with personal care.",
        "risks": "None known.",
        "assessment_visit_on": "",
        "max_distance_miles": "",
        "funder": "personal_budget",
        "indicative_allocation": "450.00",
        "agreed_amount": "",
        "notes": "",
        **_empty_formsets(),
    }


def test_a_coordinator_records_a_referral_and_its_first_stage(client, coordinator, scheme, person, data):
    client.force_login(coordinator)

    response = client.post(URL, data, follow=True)

    referral = Referral.objects.get()
    assert response.redirect_chain == [(reverse("referral_detail", args=[referral.pk]), 302)]
    assert (referral.scheme, referral.person, referral.kind) == (scheme, person, "live_in")
    assert referral.stage == ReferralStage.RECEIVED
    assert referral.indicative_allocation == Decimal("450.00")
    assert referral.wanted_from == dt.date(2027, 1, 4)
    change = ReferralStageChange.objects.get()
    assert (change.from_stage, change.to_stage, change.changed_by) == ("", "received", coordinator)
    assert change.reason == "Referred by social worker or care manager on 18 Nov 2026."
    page = Page(response)
    assert "Done: The referral for Daniel Reid has been recorded." in page.messages
    assert "Live-in referral: Daniel Reid" in page.main_text


def test_short_breaks_are_recorded_with_the_stays_wanted(client, coordinator, data):
    client.force_login(coordinator)
    data.update(
        kind="short_breaks",
        wanted_from="",
        **_empty_formsets(stays=2),
        **{
            "stays-0-arrives_on": "2027-02-05",
            "stays-0-leaves_on": "2027-02-08",
            "stays-1-arrives_on": "2027-03-12",
            "stays-1-leaves_on": "2027-03-14",
        },
    )

    response = client.post(URL, data, follow=True)

    stays = [(s.dates.lower, s.dates.upper) for s in WantedStay.objects.all()]
    assert stays == [(dt.date(2027, 2, 5), dt.date(2027, 2, 8)), (dt.date(2027, 3, 12), dt.date(2027, 3, 14))]
    assert "5 Feb 2027 to 8 Feb 2027" in Page(response).main_text


def test_day_support_is_recorded_with_the_days_and_hours_wanted(client, coordinator, data):
    client.force_login(coordinator)
    data.update(
        kind="day_support",
        **{"sessions-0-weekday": "2", "sessions-0-starts_at": "10:00", "sessions-0-ends_at": "15:00"},
    )

    response = client.post(URL, data, follow=True)

    session = WantedSession.objects.get()
    assert (session.weekday, session.starts_at, session.ends_at) == (2, dt.time(10), dt.time(15))
    assert "Wednesday 10:00 to 15:00" in Page(response).main_text


def test_the_form_starts_with_the_person_it_was_opened_from(client, coordinator, person):
    client.force_login(coordinator)

    page = Page(client.get(URL, {"person": person.pk}))

    select = page.find("select", name="person")
    assert [o.text for o in select.iter() if o.tag == "option" and "selected" in o.attrs] == ["Daniel Reid"]
    assert page.value_of("received_on") == "2026-11-20"


def test_the_form_offers_only_people_of_the_scheme(client, coordinator, person, other_scheme):
    PersonFactory(scheme=other_scheme, first_name="Adam", last_name="Abbott")
    client.force_login(coordinator)

    options = Page(client.get(URL)).options_of("person")

    assert "Adam Abbott" not in options
    assert "Daniel Reid" in options


def test_someone_under_16_on_the_day_of_the_referral_is_refused(client, coordinator, scheme, data):
    young = PersonFactory(
        scheme=scheme, first_name="Mia", last_name="Lord", date_of_birth=dt.date(2010, 11, 19)
    )
    client.force_login(coordinator)
    data.update(person=young.pk)

    response = client.post(URL, data)

    assert response.status_code == 200
    assert Page(response).error_for("person") == (
        "Mia Lord was 15 on 18 Nov 2026: Shared Lives supports people aged 16 or over."
    )
    assert not Referral.objects.exists()


def test_someone_who_turned_16_by_the_day_of_the_referral_is_accepted(client, coordinator, scheme, data):
    sixteen = PersonFactory(scheme=scheme, date_of_birth=dt.date(2010, 11, 18))
    client.force_login(coordinator)
    data.update(person=sixteen.pk)

    assert client.post(URL, data).status_code == 302
    assert Referral.objects.get().person == sixteen


def test_a_second_open_referral_of_the_same_kind_is_refused_next_to_the_kind(
    client, coordinator, scheme, person, data
):
    ReferralFactory(scheme=scheme, person=person, stage=ReferralStage.ASSESSMENT_VISIT)
    client.force_login(coordinator)

    response = client.post(URL, data)

    assert response.status_code == 200
    page = Page(response)
    assert page.error_for("kind") == "Daniel Reid already has an open referral for live-in."
    assert page.value_of("referrer_name") == "Priya Shah"
    assert Referral.objects.count() == 1
    assert not ReferralStageChange.objects.exists()


def test_an_open_referral_of_another_kind_or_a_closed_one_does_not_stand_in_the_way(
    client, coordinator, scheme, person, data
):
    ReferralFactory(scheme=scheme, person=person, kind="short_breaks", stage=ReferralStage.MATCHING)
    ReferralFactory(scheme=scheme, person=person, kind="live_in", stage=ReferralStage.WITHDRAWN)
    client.force_login(coordinator)

    assert client.post(URL, data).status_code == 302
    assert Referral.objects.count() == 3


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"received_on": "2026-11-21"}, "received_on", "This date is in the future."),
        (
            {"wanted_until": "2027-01-01"},
            "wanted_until",
            "The end date must be on or after the date it is wanted from.",
        ),
        (
            {"assessment_visit_on": "2026-11-17"},
            "assessment_visit_on",
            "The assessment visit cannot be before the referral came in.",
        ),
        (
            {"indicative_allocation": "-5"},
            "indicative_allocation",
            "Ensure this value is greater than or equal to 0.",
        ),
        (
            {"max_distance_miles": "0"},
            "max_distance_miles",
            "Ensure this value is greater than or equal to 1.",
        ),
        ({"max_distance_miles": "600"}, "max_distance_miles", "Give a distance of 500 miles or less."),
    ],
)
def test_bad_dates_and_amounts_are_refused_next_to_the_field(
    client, coordinator, data, changes, field, error
):
    client.force_login(coordinator)
    data.update(changes)

    response = client.post(URL, data)

    assert response.status_code == 200
    assert Page(response).error_for(field) == error
    assert not Referral.objects.exists()


def test_a_stay_that_ends_before_it_starts_is_refused_and_the_input_kept(client, coordinator, data):
    client.force_login(coordinator)
    data.update(
        kind="short_breaks",
        needs_summary="Loves music.",
        **{"stays-0-arrives_on": "2027-02-08", "stays-0-leaves_on": "2027-02-08"},
    )

    response = client.post(URL, data)

    assert response.status_code == 200
    page = Page(response)
    assert page.error_for("stays-0-leaves_on") == "The day they go home must be after the day they arrive."
    assert page.value_of("stays-0-arrives_on") == "2027-02-08"
    assert page.value_of("needs_summary") == "Loves music."
    assert not Referral.objects.exists()
    assert not WantedStay.objects.exists()


def test_a_session_that_ends_before_it_starts_is_refused(client, coordinator, data):
    client.force_login(coordinator)
    data.update(
        kind="day_support",
        **{"sessions-0-weekday": "1", "sessions-0-starts_at": "15:00", "sessions-0-ends_at": "10:00"},
    )

    response = client.post(URL, data)

    assert response.status_code == 200
    page = Page(response)
    assert page.error_for("sessions-0-ends_at") == "The session must end after it starts."
    assert page.value_of("sessions-0-starts_at") == "15:00"
    assert not Referral.objects.exists()


def test_a_half_filled_stay_says_what_is_missing(client, coordinator, data):
    client.force_login(coordinator)
    data.update(kind="short_breaks", **{"stays-0-arrives_on": "2027-02-05"})

    response = client.post(URL, data)

    assert Page(response).error_for("stays-0-leaves_on") == "This field is required."
    assert not Referral.objects.exists()


def test_short_breaks_may_be_recorded_before_the_dates_are_known(client, coordinator, data):
    # The dates are needed before matching (the move's guard), not to record the referral.
    client.force_login(coordinator)
    data.update(kind="short_breaks", wanted_from="")

    assert client.post(URL, data).status_code == 302
    assert not WantedStay.objects.exists()


def test_a_carer_cannot_open_or_send_the_form(client, carer, data):
    client.force_login(carer)

    assert client.get(URL).status_code == 403
    assert client.post(URL, data).status_code == 403
    assert not Referral.objects.exists()


def test_a_person_of_another_scheme_cannot_be_referred(client, other_coordinator, data):
    client.force_login(other_coordinator)

    response = client.post(URL, data)

    assert response.status_code == 200
    assert Page(response).error_for("person").startswith("Select a valid choice.")
    assert not Referral.objects.exists()


def test_the_form_takes_no_put(client, coordinator):
    client.force_login(coordinator)

    assert client.put(URL).status_code == 405
