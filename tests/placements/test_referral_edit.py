"""Editing a referral (never its stage), two editors at once, its History
tab, and the referrals on the person's page."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import Referral, ReferralStage, WantedStay
from sharedlives.choices import ArrangementKind
from sharedlives.forms import STALE_MESSAGE
from tests.factories import PersonFactory, ReferralFactory, WantedStayFactory
from tests.sharedlives.pages import Page, form_data, history_entries

R = ReferralStage
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def referral(scheme):
    person = PersonFactory(scheme=scheme, first_name="Daniel", last_name="Reid")
    return ReferralFactory(scheme=scheme, person=person, stage=R.ASSESSMENT_VISIT, agreed_amount=None)


def _url(name, referral):
    return reverse(name, args=[referral.pk])


def _opened(client, referral) -> dict:
    response = client.get(_url("referral_edit", referral))
    assert response.status_code == 200
    context = response.context
    return form_data(context["form"], *context["formsets"])


def test_a_coordinator_records_the_agreed_amount(client, coordinator, referral):
    client.force_login(coordinator)
    data = _opened(client, referral) | {"agreed_amount": "470.00"}

    response = client.post(_url("referral_edit", referral), data, follow=True)

    assert response.redirect_chain == [(_url("referral_detail", referral), 302)]
    assert "Done: The referral for Daniel Reid has been saved." in Page(response).messages
    assert "£20.00 a week more than the upfront allocation." in Page(response).main_text
    referral.refresh_from_db()
    assert referral.agreed_amount == Decimal("470.00")
    assert referral.stage == R.ASSESSMENT_VISIT


def test_the_form_has_no_stage_and_no_person(client, coordinator, referral):
    client.force_login(coordinator)

    data = _opened(client, referral)

    assert "stage" not in data
    assert "person" not in data


def test_a_stay_is_added_changed_and_removed_on_the_edit_page(client, coordinator, scheme):
    referral = WantedStayFactory(referral__scheme=scheme).referral
    client.force_login(coordinator)
    data = _opened(client, referral)
    data.update(
        {
            "stays-0-arrives_on": "2027-02-06",
            "stays-1-arrives_on": "2027-04-01",
            "stays-1-leaves_on": "2027-04-03",
        }
    )

    assert client.post(_url("referral_edit", referral), data).status_code == 302
    assert [(s.dates.lower, s.dates.upper) for s in WantedStay.objects.all()] == [
        (dt.date(2027, 2, 6), dt.date(2027, 2, 8)),
        (dt.date(2027, 4, 1), dt.date(2027, 4, 3)),
    ]

    data = _opened(client, referral) | {"stays-0-DELETE": "on"}
    assert client.post(_url("referral_edit", referral), data).status_code == 302
    assert [(s.dates.lower, s.dates.upper) for s in WantedStay.objects.all()] == [
        (dt.date(2027, 4, 1), dt.date(2027, 4, 3))
    ]


def test_two_editors_at_once_the_second_is_told_and_nothing_of_theirs_is_saved(
    client, coordinator, manager, referral
):
    client.force_login(coordinator)
    first = _opened(client, referral)
    second = _opened(client, referral)
    assert client.post(_url("referral_edit", referral), first | {"risks": "None known."}).status_code == 302

    response = client.post(
        _url("referral_edit", referral),
        second
        | {
            "risks": "Wanders at night.",
            "stays-0-arrives_on": "2027-01-01",
            "stays-0-leaves_on": "2027-01-03",
        },
    )

    assert response.status_code == 200
    page = Page(response)
    assert STALE_MESSAGE in page.messages
    assert page.value_of("risks") == "Wanders at night."
    referral.refresh_from_db()
    assert referral.risks == "None known."
    assert not WantedStay.objects.exists()


def test_changing_the_kind_to_one_the_person_already_has_open_is_refused(client, coordinator, referral):
    ReferralFactory(scheme=referral.scheme, person=referral.person, kind=ArrangementKind.DAY_SUPPORT)
    client.force_login(coordinator)
    data = _opened(client, referral) | {"kind": "day_support"}

    response = client.post(_url("referral_edit", referral), data)

    assert response.status_code == 200
    assert Page(response).error_for("kind") == "Daniel Reid already has an open referral for day support."
    assert Referral.objects.get(pk=referral.pk).kind == ArrangementKind.LIVE_IN


def test_a_received_date_when_the_person_was_under_16_is_refused(client, coordinator, referral):
    referral.person.date_of_birth = dt.date(2010, 1, 1)
    referral.person.save()
    client.force_login(coordinator)
    data = _opened(client, referral) | {"received_on": "2025-12-31"}

    response = client.post(_url("referral_edit", referral), data)

    assert Page(response).error_for("received_on") == (
        "Daniel Reid was 15 on 31 Dec 2025: Shared Lives supports people aged 16 or over."
    )


def test_another_schemes_coordinator_cannot_change_the_referral(
    client, other_coordinator, coordinator, referral
):
    client.force_login(coordinator)
    data = _opened(client, referral) | {"risks": "Changed."}
    client.force_login(other_coordinator)

    assert client.post(_url("referral_edit", referral), data).status_code == 404
    referral.refresh_from_db()
    assert referral.risks != "Changed."


def test_a_carer_cannot_change_a_referral(client, carer, referral):
    client.force_login(carer)

    assert client.post(_url("referral_edit", referral), {"risks": "Changed."}).status_code == 404
    assert Referral.objects.get().risks != "Changed."


def test_the_edit_page_takes_no_delete(client, coordinator, referral):
    client.force_login(coordinator)

    assert client.delete(_url("referral_edit", referral)).status_code == 405


# --- History ---


def test_the_history_shows_who_changed_what(client, coordinator, referral):
    client.force_login(coordinator)
    data = _opened(client, referral) | {"funder": "nhs_chc"}
    client.post(_url("referral_edit", referral), data)

    newest = history_entries(client.get(_url("referral_history", referral)))[0]

    assert newest["title"] == "Referral changed"
    assert newest["byline"].endswith(f"by {coordinator.display_name}")
    assert newest["changes"] == [("Who pays", "Council", "NHS continuing healthcare")]


# --- On the person's page ---


def test_the_persons_page_lists_their_referrals_with_a_button_for_a_new_one(client, coordinator, referral):
    ReferralFactory(
        scheme=referral.scheme,
        person=referral.person,
        kind=ArrangementKind.SHORT_BREAKS,
        stage=R.WITHDRAWN,
        received_on=dt.date(2025, 3, 4),
    )
    client.force_login(coordinator)

    page = Page(client.get(reverse("person_detail", args=[referral.person.pk])))

    section = page.find("section", **{"aria-labelledby": "referrals"})
    rows = [r for r in section.first("tbody").iter() if r.tag == "tr"]
    assert [row.text for row in rows] == [
        "Live-in Assessment visit 1 Oct 2026",
        "Short breaks Withdrawn 4 Mar 2025",
    ]
    button = next(e for e in section.iter() if e.tag == "a" and e.text == "New referral")
    assert button.attrs["href"] == f"{reverse('referral_create')}?person={referral.person.pk}"


def test_the_persons_page_costs_the_same_queries_for_many_referrals(
    client, coordinator, referral, django_assert_max_num_queries
):
    client.force_login(coordinator)
    url = reverse("person_detail", args=[referral.person.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    for kind in ("short_breaks", "day_support", "emergency"):
        ReferralFactory.create_batch(
            2, scheme=referral.scheme, person=referral.person, kind=kind, stage=R.DECLINED
        )
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_a_carer_sees_no_referrals_on_the_page_of_someone_living_with_them(client, carer, arrangement):
    ReferralFactory(scheme=arrangement.scheme, person=arrangement.person, kind=ArrangementKind.SHORT_BREAKS)
    client.force_login(carer)

    page = Page(client.get(reverse("person_detail", args=[arrangement.person.pk])))

    assert page.find("section", **{"aria-labelledby": "referrals"}) is None
    assert "Short breaks" not in page.main_text
