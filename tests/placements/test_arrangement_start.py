"""Starting a planned arrangement: the page lists what is still needed, and
starting is refused, in the same words, until nothing is."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from carers.models import ApprovalTerms, CarerStatus
from placements.models import Arrangement, ArrangementStatus, ReferralStage, ReferralStageChange
from sharedlives.choices import ArrangementKind, NeedsGroup
from sharedlives.models import Role
from tests.factories import (
    ArrangementFactory,
    MembershipFactory,
    ProposalFactory,
    ReferralFactory,
    UserFactory,
    approved_carer,
    complete_required_checks,
)
from tests.sharedlives.pages import Page

NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def household(scheme):
    """Mary Lowe: approved on 5 Jan 2026 for live-in and short breaks, two
    people, with her required training complete."""
    carer = approved_carer(scheme, first_name="Mary", last_name="Lowe", max_people=2)
    complete_required_checks(carer, TODAY)
    return carer


@pytest.fixture
def planned(scheme, household):
    """Daniel Reid to move in with Mary Lowe on 1 Dec 2026, every agreement signed."""
    return ArrangementFactory(
        scheme=scheme,
        carer=household,
        person__first_name="Daniel",
        person__last_name="Reid",
        status=ArrangementStatus.PLANNED,
        start_date=dt.date(2026, 12, 1),
        agreement_recorded_on=dt.date(2026, 11, 15),
    )


def _url(arrangement):
    return reverse("arrangement_start", args=[arrangement.pk])


def _reasons(page) -> list[str]:
    return [li.text for li in page.find("main").iter() if li.tag == "li" and li.parent.tag == "ul"]


def test_the_page_offers_the_planned_date_and_says_all_is_in_place(client, coordinator, planned):
    client.force_login(coordinator)

    page = Page(client.get(_url(planned)))

    assert page.value_of("start_date") == "2026-12-01"
    assert "Before it can start on 1 Dec 2026" in page.main_text
    assert "Everything needed is in place" in page.main_text


def test_a_coordinator_starts_the_arrangement(client, coordinator, planned):
    client.force_login(coordinator)

    response = client.post(_url(planned), {"start_date": "2026-12-02"}, follow=True)

    planned.refresh_from_db()
    assert (planned.status, planned.start_date) == (ArrangementStatus.CURRENT, dt.date(2026, 12, 2))
    assert response.redirect_chain == [(reverse("arrangement_detail", args=[planned.pk]), 302)]
    assert "Done: Daniel Reid's arrangement with Mary Lowe started on 2 Dec 2026." in Page(response).messages
    assert "Start the arrangement" not in Page(response).main_text


def test_starting_moves_its_referral_to_arrangement_started(client, coordinator, scheme, planned):
    referral = ReferralFactory(scheme=scheme, person=planned.person, stage=ReferralStage.INTRODUCTIONS)
    ProposalFactory(referral=referral, carer=planned.carer)
    planned.referral = referral
    planned.save()
    client.force_login(coordinator)

    response = client.post(_url(planned), {"start_date": "2026-12-01"}, follow=True)

    referral.refresh_from_db()
    assert referral.stage == ReferralStage.ARRANGEMENT_STARTED
    change = ReferralStageChange.objects.get(referral=referral)
    assert (change.from_stage, change.to_stage) == (
        ReferralStage.INTRODUCTIONS,
        ReferralStage.ARRANGEMENT_STARTED,
    )
    assert change.reason == "Daniel Reid started live-in with Mary Lowe on 1 Dec 2026."
    assert "The referral has moved to “arrangement started”." in " ".join(Page(response).messages)


def _suspend(arrangement):
    arrangement.carer.status = CarerStatus.SUSPENDED
    arrangement.carer.save()


def _short_breaks_only(arrangement):
    ApprovalTerms.objects.filter(carer=arrangement.carer).update(kinds=[ArrangementKind.SHORT_BREAKS])


def _dementia(arrangement):
    arrangement.person.needs_groups = [NeedsGroup.DEMENTIA]
    arrangement.person.save()


def _full(arrangement):
    ArrangementFactory(
        scheme=arrangement.scheme,
        carer=arrangement.carer,
        person__first_name="Sam",
        person__last_name="Jones",
        start_date=dt.date(2026, 2, 1),
    )
    # The terms changed after the arrangement was planned: one person now.
    ApprovalTerms.objects.filter(carer=arrangement.carer).update(max_people=1)


def _training_lapsed(arrangement):
    arrangement.carer.checks.filter(kind="induction").delete()


def _dbs_lapsed(arrangement):
    arrangement.carer.checks.filter(kind="dbs").update(expires_on=dt.date(2026, 11, 1))


def _no_agreement(arrangement):
    Arrangement.objects.filter(pk=arrangement.pk).update(agreement_recorded_on=None)


def _no_licence_or_rent(arrangement):
    Arrangement.objects.filter(pk=arrangement.pk).update(licence_recorded_on=None, weekly_rent=None)


def _referral_withdrawn(arrangement):
    referral = ReferralFactory(
        scheme=arrangement.scheme, person=arrangement.person, stage=ReferralStage.WITHDRAWN
    )
    Arrangement.objects.filter(pk=arrangement.pk).update(referral=referral)


def _on_probation(arrangement):
    ApprovalTerms.objects.filter(carer=arrangement.carer).update(probation_ends_on=dt.date(2027, 1, 5))
    ArrangementFactory(scheme=arrangement.scheme, carer=arrangement.carer, kind=ArrangementKind.DAY_SUPPORT)


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (_suspend, "Mary Lowe is not approved (suspended)."),
        (_short_breaks_only, "Mary Lowe is not approved for live-in (only short breaks)."),
        (_dementia, "Mary Lowe is not approved to support people with dementia."),
        (
            _full,
            "Mary Lowe has no place free for over a year from 2 Dec 2026: they are approved for 1 person "
            "and Sam Jones is staying.",
        ),
        (_training_lapsed, "Required training is not complete: the induction training outstanding."),
        (
            _dbs_lapsed,
            "Mary Lowe's required checks have lapsed: the DBS check for Mary Lowe expired on 1 Nov 2026.",
        ),
        (_no_agreement, "The arrangement agreement has not been recorded."),
        (_no_licence_or_rent, "The licence agreement has not been recorded."),
        (_no_licence_or_rent, "The weekly rent has not been recorded."),
        (_referral_withdrawn, "Its referral is withdrawn."),
        (
            _on_probation,
            "Mary Lowe is on probation until 5 Jan 2027 and the scheme allows 1 person at a time until then.",
        ),
    ],
    ids=[
        "suspended",
        "kind",
        "needs",
        "capacity",
        "training",
        "lapsed-check",
        "agreement",
        "licence",
        "rent",
        "referral",
        "probation",
    ],
)
def test_each_guard_refuses_with_its_reason_and_nothing_changes(client, coordinator, planned, setup, reason):
    setup(planned)
    client.force_login(coordinator)
    shown = _reasons(Page(client.get(_url(planned))))

    response = client.post(_url(planned), {"start_date": "2026-12-02"})

    page = Page(response)
    assert response.status_code == 200
    assert "Not started. The arrangement cannot start on 2 Dec 2026:" in page.main_text
    assert reason in _reasons(page)
    assert page.value_of("start_date") == "2026-12-02"
    planned.refresh_from_db()
    assert (planned.status, planned.start_date) == (ArrangementStatus.PLANNED, dt.date(2026, 12, 1))
    # The page said so before the coordinator tried (for the planned date).
    assert [r.replace("1 Dec", "2 Dec") for r in shown] == _reasons(page)


def test_a_lapsed_check_does_not_hold_up_short_breaks(client, coordinator, scheme, household):
    """The rule is for live-in: someone moving in relies on the checks today."""
    household.checks.filter(kind="dbs").update(expires_on=dt.date(2026, 11, 1))
    breaks = ArrangementFactory(
        scheme=scheme,
        carer=household,
        kind=ArrangementKind.SHORT_BREAKS,
        status=ArrangementStatus.PLANNED,
        start_date=dt.date(2026, 12, 1),
    )
    client.force_login(coordinator)

    client.post(_url(breaks), {"start_date": "2026-12-02"})

    breaks.refresh_from_db()
    assert breaks.status == ArrangementStatus.CURRENT


def test_a_planned_end_before_the_start_is_refused(client, coordinator, planned):
    Arrangement.objects.filter(pk=planned.pk).update(end_date=dt.date(2026, 12, 10))
    client.force_login(coordinator)

    response = client.post(_url(planned), {"start_date": "2026-12-20"})

    assert "The planned end date is before the start date." in _reasons(Page(response))
    planned.refresh_from_db()
    assert planned.status == ArrangementStatus.PLANNED


def test_a_current_arrangement_cannot_start_again(client, coordinator, arrangement):
    client.force_login(coordinator)

    response = client.post(_url(arrangement), {"start_date": "2026-12-01"})

    assert "This arrangement is already current." in _reasons(Page(response))
    arrangement.refresh_from_db()
    assert arrangement.start_date == dt.date(2025, 1, 6)


def test_a_start_date_is_needed(client, coordinator, planned):
    client.force_login(coordinator)

    response = client.post(_url(planned), {"start_date": ""})

    assert Page(response).error_for("start_date") == "This field is required."
    planned.refresh_from_db()
    assert planned.status == ArrangementStatus.PLANNED


def test_the_arrangement_page_shows_what_is_still_needed(client, coordinator, planned):
    _no_agreement(planned)
    client.force_login(coordinator)

    page = Page(client.get(reverse("arrangement_detail", args=[planned.pk])))

    assert "Before it can start on 1 Dec 2026 Not yet allowed:" in page.main_text
    assert "The arrangement agreement has not been recorded." in _reasons(page)
    assert page.find("a", href=_url(planned)).text == "Start the arrangement"


def test_a_carer_sees_neither_the_start_button_nor_what_is_needed(client, scheme, planned):
    login = UserFactory(username="mary")
    MembershipFactory(user=login, scheme=scheme, role=Role.CARER, carer=planned.carer)
    client.force_login(login)

    page = Page(client.get(reverse("arrangement_detail", args=[planned.pk])))

    assert "Before it can start" not in page.main_text
    assert page.find("a", href=_url(planned)) is None
    assert client.get(_url(planned)).status_code == 403
    assert client.post(_url(planned), {"start_date": "2026-12-01"}).status_code == 403


def test_another_schemes_coordinator_cannot_find_it(client, other_coordinator, planned):
    client.force_login(other_coordinator)

    assert client.get(_url(planned)).status_code == 404
    assert client.post(_url(planned), {"start_date": "2026-12-01"}).status_code == 404
    planned.refresh_from_db()
    assert planned.status == ArrangementStatus.PLANNED


def test_the_page_takes_no_other_method(client, coordinator, planned):
    client.force_login(coordinator)

    assert client.delete(_url(planned)).status_code == 405


def test_a_carer_with_no_terms_in_force_is_told_once(client, coordinator, planned):
    ApprovalTerms.objects.filter(carer=planned.carer).update(ends_on=dt.date(2026, 6, 30))
    client.force_login(coordinator)

    response = client.post(_url(planned), {"start_date": "2026-12-01"})

    reasons = _reasons(Page(response))
    assert reasons.count("Mary Lowe has no terms of approval in force on 1 Dec 2026.") == 1
    planned.refresh_from_db()
    assert planned.status == ArrangementStatus.PLANNED
