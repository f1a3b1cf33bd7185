"""A carer's own payments in their portal: approved runs only, their own
lines only; staff have their own pages."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import PaymentLine
from placements.payment_runs import approve_payment_run, create_payment_run, mark_reviewed
from tests.factories import ArrangementFactory, PaymentRateFactory, RateAmountFactory
from tests.sharedlives.pages import Page

URL = reverse("portal_payments")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def runs(scheme, coordinator, manager, carer_household, other_carer_household):
    """October and November approved, the week from 7 Dec a draft; someone
    lives with each household."""
    band = PaymentRateFactory(scheme=scheme, name="Live-in band 2")
    RateAmountFactory(rate=band)  # £480 a week
    for household, name in ((carer_household, "Ben"), (other_carer_household, "Cara")):
        ArrangementFactory(scheme=scheme, carer=household, payment_rate=band, person__first_name=name)
    made = []
    for length, day in (
        ("month", dt.date(2026, 10, 1)),
        ("month", dt.date(2026, 11, 1)),
        ("week", dt.date(2026, 12, 7)),
    ):
        run = create_payment_run(
            scheme=scheme, membership=coordinator.memberships.get(), length=length, day=day
        )
        if length == "month":
            mark_reviewed(run=run, membership=coordinator.memberships.get())
            approve_payment_run(run=run, membership=manager.memberships.get())
        made.append(run)
    return made


def test_a_carer_sees_their_own_approved_payments_latest_first(client, carer, runs, carer_household, manager):
    PaymentLine.objects.create(
        run=runs[1],
        carer=carer_household,
        kind="adjustment",
        description="Adjustment for Asha Patel (+£15.00)",
        care_payment=Decimal("15.00"),
        total=Decimal("15.00"),
        reason="Bus fares to the dentist",
        created_by=manager,
    )
    client.force_login(carer)

    page = Page(client.get(URL))

    headings = [h.text for h in page.root.iter() if h.tag == "h2"]
    # October: 31 nights at £480 = 2125.71; November: 30 nights = 2057.14, plus 15.00.
    assert headings == ["November 2026: £2072.14", "October 2026: £2125.71"]
    assert "£2057.14 for Ben" in page.main_text  # the person's name, as the scheme uses it
    assert "Live-in band 2: 30 nights at £480.00 a week" in page.main_text
    assert "£15.00 Adjustment: Bus fares to the dentist" in page.main_text
    assert "Cara" not in page.main_text  # another household's
    assert "7 Dec" not in page.main_text  # a draft


def test_staff_use_the_payment_runs_pages_not_the_portal(client, coordinator):
    client.force_login(coordinator)

    assert client.get(URL).status_code == 403


def test_a_carer_with_no_approved_payments_is_told_so(client, carer):
    client.force_login(carer)

    assert "No payments have been approved for you yet." in Page(client.get(URL)).main_text


def test_the_page_takes_the_same_queries_for_many_runs(
    client, carer, scheme, coordinator, manager, runs, django_assert_max_num_queries
):
    # Each run's total is a subquery and its lines one query for the page.
    client.force_login(carer)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    queries = len(few)
    for month in range(4, 10):
        run = create_payment_run(
            scheme=scheme,
            membership=coordinator.memberships.get(),
            length="month",
            day=dt.date(2026, month, 1),
        )
        mark_reviewed(run=run, membership=coordinator.memberships.get())
        approve_payment_run(run=run, membership=manager.memberships.get())

    with django_assert_max_num_queries(queries):
        assert client.get(URL).status_code == 200
