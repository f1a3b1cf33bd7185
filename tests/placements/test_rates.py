"""Payment rates: the scheme's rates page (staff only, read-only), the band
on an arrangement's page, and the rates in admin with their history."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import RateKind
from tests.factories import ArrangementFactory, PaymentRateFactory, RateAmountFactory
from tests.second_factor import sign_in_with_code
from tests.sharedlives.pages import Page

URL = reverse("arrangement_rates")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def band(scheme):
    """Live-in band 2: £450 a week until 31 Mar 2026, £480 since."""
    rate = PaymentRateFactory(scheme=scheme, name="Live-in band 2", description="Moderate support needs")
    RateAmountFactory(
        rate=rate,
        effective_from=dt.date(2025, 4, 1),
        effective_to=dt.date(2026, 3, 31),
        care_payment=Decimal("290.00"),
        rent=Decimal("105.00"),
        household_contribution=Decimal("55.00"),
    )
    RateAmountFactory(rate=rate, effective_from=dt.date(2026, 4, 1))  # 310 + 110 + 60
    return rate


@pytest.fixture
def nightly(scheme):
    rate = PaymentRateFactory(scheme=scheme, name="Short breaks standard", kind=RateKind.SHORT_BREAK_NIGHTLY)
    RateAmountFactory(
        rate=rate,
        effective_from=dt.date(2026, 4, 1),
        care_payment=None,
        rent=None,
        household_contribution=None,
        amount=Decimal("68.00"),
    )
    return rate


def _card(page, rate):
    return page.find("section", **{"aria-labelledby": f"rate-{rate.pk}"}).text


def test_the_page_lists_each_rate_with_the_amount_in_force_and_its_history(
    client, coordinator, band, nightly, other_scheme
):
    PaymentRateFactory(scheme=other_scheme, name="Their band")
    client.force_login(coordinator)

    page = Page(client.get(URL))

    band_card = _card(page, band)
    assert "Live-in band 2 Live-in weekly band Moderate support needs" in band_card
    assert "In force today (20 Nov 2026) Care payment £310.00 a week" in band_card
    assert "Total £480.00 a week In force From 1 Apr 2026" in band_card
    assert (
        "1 Apr 2026 Still in force £480.00 a week (care £310.00, rent £110.00, household £60.00)" in band_card
    )
    assert "1 Apr 2025 31 Mar 2026 £450.00 a week (care £290.00, rent £105.00, household £55.00)" in band_card
    assert "Amount £68.00 a night" in _card(page, nightly)
    assert "Their band" not in page.main_text


def test_a_rate_with_no_amount_today_says_so(client, coordinator, scheme):
    rate = PaymentRateFactory(scheme=scheme, name="New band")
    RateAmountFactory(rate=rate, effective_from=dt.date(2027, 4, 1))
    client.force_login(coordinator)

    page = Page(client.get(URL))

    assert "No amount is in force today." in _card(page, rate)


def test_the_page_costs_the_same_queries_however_many_rates(
    client, coordinator, scheme, django_assert_max_num_queries
):
    # The amounts of every rate are read in one query.
    def add_rates(n):
        for _ in range(n):
            RateAmountFactory(rate=PaymentRateFactory(scheme=scheme))

    client.force_login(coordinator)
    add_rates(2)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)

    add_rates(10)
    with django_assert_max_num_queries(len(few)):
        response = client.get(URL)
    assert response.status_code == 200


def test_carers_never_see_rates(client, carer, band):
    client.force_login(carer)

    response = client.get(URL)

    assert response.status_code == 403
    assert "Live-in band 2" not in response.content.decode()


def test_the_rates_page_is_read_only(client, coordinator):
    client.force_login(coordinator)

    assert client.post(URL).status_code == 405


def test_the_arrangement_shows_its_band_and_the_amounts_in_force_today(
    client, coordinator, arrangement, band
):
    arrangement.payment_rate = band
    arrangement.save()
    client.force_login(coordinator)

    page = Page(client.get(reverse("arrangement_detail", args=[arrangement.pk])))

    assert "Payment band or rate Live-in band 2 (live-in weekly band)" in page.main_text
    assert "Amounts in force today (20 Nov 2026) Care payment £310.00 a week" in page.main_text
    assert "Weekly rent £110.00" in page.main_text


def test_the_carer_does_not_see_the_money_on_their_arrangement(client, carer, arrangement, band):
    arrangement.payment_rate = band
    arrangement.save()
    client.force_login(carer)

    page = Page(client.get(reverse("arrangement_detail", args=[arrangement.pk])))

    assert "Live-in band 2" not in page.main_text
    assert "£" not in page.main_text


def test_a_superuser_keeps_rates_and_their_amounts_in_admin(client, admin_user, band):
    sign_in_with_code(client, admin_user)  # admin wants the code too

    response = client.get(reverse("admin:placements_paymentrate_change", args=[band.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Rate amounts" in content
    # Both amounts, latest first, and a blank row for the next uplift.
    assert 'name="amounts-0-effective_from"' in content
    assert 'name="amounts-1-effective_from"' in content
    assert 'name="amounts-2-effective_from"' in content


def test_an_arrangement_with_a_rate_lists_on_the_rates_page_too(client, coordinator, scheme, band):
    ArrangementFactory(scheme=scheme, payment_rate=band)
    client.force_login(coordinator)

    assert "Live-in band 2" in Page(client.get(URL)).main_text
