"""My work's lists at their edges: the day an item falls due and becomes
overdue, and lists of any length (the same queries however many rows, and
each list paging on its own). Today is Wednesday 25 Nov 2026 throughout."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carers.models import CarerStatus, CheckKind
from placements.models import ReferralStage
from tests.factories import (
    ArrangementFactory,
    ArrangementReviewFactory,
    CarerFactory,
    CheckFactory,
    CqcNotificationFactory,
    IncidentFactory,
    MonitoringVisitFactory,
    ReferralFactory,
    ReviewActionFactory,
)
from tests.sharedlives.pages import Page
from tests.sharedlives.test_my_work import URL, _day, _list, _today  # noqa: F401 (_today: a fixture)

# --- Due and overdue, at the edges ---


@pytest.mark.parametrize(
    ("offset", "shown", "words"),
    [
        (-1, True, "⚠ Overdue by 1 day"),
        (0, True, "Due today"),
        (1, True, "Due in 1 day"),
        (28, True, "Due in 28 days"),
        (29, False, None),
    ],
)
def test_a_review_is_due_within_four_weeks_and_overdue_from_the_day_after(
    client, scheme, coordinator, offset, shown, words
):
    ArrangementFactory(scheme=scheme, person__coordinator=coordinator, next_review_due=_day(offset))
    client.force_login(coordinator)

    reviews = _list(client.get(URL), "reviews")

    assert [row[3] for row in reviews] == ([words] if shown else [])


def test_an_ended_arrangement_or_an_approval_that_ended_has_no_review_due(client, scheme, coordinator):
    ArrangementFactory(
        scheme=scheme,
        person__coordinator=coordinator,
        next_review_due=_day(-3),
        status="ended",
        end_date=_day(-10),
        end_reason="planned_move",
    )
    CarerFactory(
        scheme=scheme, coordinator=coordinator, status=CarerStatus.RESIGNED, next_review_due=_day(-3)
    )
    client.force_login(coordinator)

    assert _list(client.get(URL), "reviews") == []


def test_a_check_expiring_after_the_schemes_warning_period_is_not_listed(client, scheme, coordinator):
    carer = CarerFactory(scheme=scheme, coordinator=coordinator)
    CheckFactory(carer=carer, kind=CheckKind.HOME_INSURANCE, issued_on=_day(-300), expires_on=_day(61))
    CheckFactory(carer=carer, kind=CheckKind.GAS_SAFETY, issued_on=_day(-300), expires_on=_day(60))
    client.force_login(coordinator)

    checks = _list(client.get(URL), "checks")

    assert [row[1] for row in checks] == ["Gas safety certificate"]


# --- Lists of any length ---


def _add_work(scheme, coordinator, n):
    """``n`` of each kind of item for the coordinator's caseload."""
    for i in range(n):
        carer = CarerFactory(scheme=scheme, coordinator=coordinator, next_review_due=_day(i % 20 - 5))
        arrangement = ArrangementFactory(scheme=scheme, carer=carer, next_review_due=_day(i % 25 - 10))
        MonitoringVisitFactory(arrangement=arrangement, due_on=_day(i % 10 - 3))
        CheckFactory(carer=carer, kind=CheckKind.DBS, issued_on=_day(-1000), expires_on=_day(i % 30 - 4))
        review = ArrangementReviewFactory(arrangement=arrangement, held_on=_day(-30))
        ReviewActionFactory(review=review, due_on=_day(i % 9 - 4))
        IncidentFactory(scheme=scheme, arrangement=arrangement)
        CqcNotificationFactory(incident__scheme=scheme, incident__carer=carer)
        ReferralFactory(scheme=scheme, coordinator=coordinator, stage=ReferralStage.RECEIVED)


@pytest.mark.parametrize("role", ["coordinator", "manager"])
def test_the_page_costs_the_same_queries_however_much_is_due(
    client, request, scheme, coordinator, role, django_assert_max_num_queries
):
    # The counts are one aggregate for each kind, and each list one page of
    # rows with their people and carers joined in (the reviews' records in
    # one query each for arrangements and carers), so more work must not
    # mean more queries.
    client.force_login(request.getfixturevalue(role))
    _add_work(scheme, coordinator, 2)
    client.get(URL)  # the first request of a session also records the scheme in it
    with CaptureQueriesContext(connection) as few:
        client.get(URL)

    _add_work(scheme, coordinator, 13)
    with django_assert_max_num_queries(len(few)):
        response = client.get(URL)

    assert len(_list(response, "reviews")) == 10
    # The session, the user, the membership; the scheme's check rules and
    # monitoring settings; 7 counts; for each of the 6 lists its size and
    # its page, and the reviews' arrangements and carers. The manager's page
    # adds the CQC notifications (a count, a size and a page) and the
    # filter's staff.
    assert len(few) <= {"coordinator": 26, "manager": 30}[role]


def test_each_list_pages_on_its_own(client, scheme, coordinator):
    _add_work(scheme, coordinator, 13)
    client.force_login(coordinator)

    response = client.get(URL, {"reviews_page": 3})

    assert len(_list(response, "reviews")) == 6  # 26 reviews: 10, 10 and 6
    assert len(_list(response, "visits")) == 10
    first_page = Page(response).find("section", id="reviews").first("nav")
    assert first_page.attrs["aria-label"] == "Reviews: pages"
    hrefs = [a.attrs["href"] for a in first_page.iter() if a.tag == "a"]
    assert "?reviews_page=2#reviews" in hrefs
