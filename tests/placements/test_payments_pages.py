"""The payment pages: the list of runs, starting one, a run's page with its
steps, adjustments and the CSV. Money is seen by the registered manager
(all of it) and coordinators (the carers they coordinate); carers get 403
and another scheme 404."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import PaymentLine, PaymentRun, RunStatus
from placements.payment_runs import approve_payment_run, create_payment_run, mark_reviewed
from tests.factories import ArrangementFactory, CarerFactory, PaymentRateFactory, RateAmountFactory
from tests.sharedlives.pages import Page

NOV_1 = dt.date(2026, 11, 1)
LIST = reverse("payment_run_list")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC), tick=False):
        yield


def membership_of(user):
    return user.memberships.get()


@pytest.fixture
def band(scheme):
    """£480 a week (310 + 110 + 60): 30 nights of November pay 2057.14."""
    rate = PaymentRateFactory(scheme=scheme, name="Live-in band 2")
    RateAmountFactory(rate=rate)
    return rate


@pytest.fixture
def households(scheme, band, coordinator, carer_household, other_carer_household):
    """Asha Patel, whom ``coordinator`` coordinates, and Tom Barker, whom they do
    not: each with someone living with them for all of November."""
    carer_household.coordinator = coordinator
    carer_household.save()
    for household, first in ((carer_household, "Ben"), (other_carer_household, "Cara")):
        ArrangementFactory(
            scheme=scheme,
            carer=household,
            payment_rate=band,
            person__first_name=first,
            person__last_name="Hale",
        )
    return carer_household, other_carer_household


@pytest.fixture
def draft(scheme, manager, households):
    return create_payment_run(scheme=scheme, membership=membership_of(manager), length="month", day=NOV_1)


@pytest.fixture
def approved(draft, coordinator, manager):
    mark_reviewed(run=draft, membership=membership_of(coordinator))
    return approve_payment_run(run=draft, membership=membership_of(manager))


def _detail(run):
    return reverse("payment_run_detail", args=[run.pk])


# --- The list -----------------------------------------------------------------------


def test_the_manager_sees_each_run_with_the_schemes_total(client, manager, approved):
    client.force_login(manager)

    page = Page(client.get(LIST))

    # Two carers, 2057.14 each.
    assert "November 2026 1 Nov 2026 to 30 Nov 2026 Approved None £4114.28" in page.main_text
    assert "The scheme's total" in page.main_text


def test_a_coordinator_sees_the_total_of_their_own_caseload(client, coordinator, approved):
    client.force_login(coordinator)

    page = Page(client.get(LIST))

    assert "November 2026 1 Nov 2026 to 30 Nov 2026 Approved None £2057.14" in page.main_text
    assert "Your caseload's total" in page.main_text


def test_the_list_takes_the_same_queries_for_many_runs(
    client, scheme, manager, households, django_assert_max_num_queries
):
    # Runs are listed with their totals and problems by subqueries, so more
    # runs do not mean more queries.
    client.force_login(manager)
    create_payment_run(scheme=scheme, membership=membership_of(manager), length="month", day=NOV_1)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    queries = len(few)  # before the next request clears the log
    for month in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10):
        create_payment_run(
            scheme=scheme, membership=membership_of(manager), length="month", day=dt.date(2026, month, 1)
        )

    with django_assert_max_num_queries(queries):
        assert client.get(LIST).status_code == 200


def test_a_carer_cannot_see_payment_runs(client, carer, approved):
    client.force_login(carer)

    assert client.get(LIST).status_code == 403
    assert client.get(_detail(approved)).status_code == 403
    assert client.get(reverse("payment_run_csv", args=[approved.pk])).status_code == 403


def test_another_schemes_coordinator_cannot_find_a_run(client, other_coordinator, approved):
    client.force_login(other_coordinator)

    assert client.get(_detail(approved)).status_code == 404
    assert client.get(reverse("payment_run_csv", args=[approved.pk])).status_code == 404
    assert client.post(reverse("payment_run_review", args=[approved.pk])).status_code == 404


# --- Starting a run -----------------------------------------------------------------


def test_the_form_offers_last_month(client, coordinator):
    client.force_login(coordinator)

    page = Page(client.get(reverse("payment_run_new")))

    assert page.value_of("day") == "2026-11-01"


def test_starting_a_run_works_it_out_and_opens_it(client, coordinator, households):
    client.force_login(coordinator)

    response = client.post(reverse("payment_run_new"), {"length": "week", "day": "2026-11-16"}, follow=True)

    run = PaymentRun.objects.get()
    assert response.redirect_chain[-1][0] == _detail(run)
    assert (
        "The payment run for the week from 16 Nov 2026 has been worked out as a draft."
        in Page(response).messages[0]
    )
    assert run.lines.count() == 2


def test_a_week_not_starting_on_a_monday_is_refused_next_to_the_field(client, coordinator):
    client.force_login(coordinator)

    page = Page(client.post(reverse("payment_run_new"), {"length": "week", "day": "2026-11-18"}))

    assert page.error_for("day") == (
        "18 Nov 2026 is a Wednesday: a week's run starts on a Monday (that week's was 16 Nov 2026)."
    )
    assert page.value_of("day") == "2026-11-18"
    assert not PaymentRun.objects.exists()


def test_an_overlapping_run_is_refused_in_words(client, coordinator, draft):
    client.force_login(coordinator)

    page = Page(client.post(reverse("payment_run_new"), {"length": "month", "day": "2026-11-20"}))

    assert "The run for November 2026 (draft) already covers some of these days" in page.main_text
    assert PaymentRun.objects.count() == 1


# --- A run's page -------------------------------------------------------------------


def _carer_section(page, carer):
    section = page.find("section", **{"aria-labelledby": f"carer-{carer.pk}"})
    return section.text if section else None


def test_the_manager_sees_every_carers_lines_and_the_schemes_total(client, manager, approved, households):
    asha, tom = households
    client.force_login(manager)

    page = Page(client.get(_detail(approved)))

    assert (
        "The scheme's total The scheme's total, by part Care payment £2657.14 Rent £942.86 "
        "Household contribution £514.28 Total £4114.28 2 carers in this run."
    ) in page.main_text
    assert _carer_section(page, asha).startswith("Asha Patel £2057.14 Payment lines Person What for")
    assert "Ben Hale Live-in band 2: 30 nights at £480.00 a week £1328.57 £471.43 £257.14 £2057.14" in (
        _carer_section(page, asha)
    )
    assert "Cara Hale" in _carer_section(page, tom)


def test_a_coordinator_sees_only_their_caseloads_money(client, coordinator, approved, households):
    asha, tom = households
    client.force_login(coordinator)

    page = Page(client.get(_detail(approved)))

    assert "Your caseload's total, by part Care payment £1328.57" in page.main_text
    assert "1 carer you coordinate in this run." in page.main_text
    assert _carer_section(page, asha) is not None
    assert _carer_section(page, tom) is None
    assert "Cara Hale" not in page.main_text
    assert "£4114.28" not in page.main_text


def test_the_page_shows_who_moved_the_run_and_the_steps_allowed(client, coordinator, manager, draft):
    client.force_login(coordinator)

    page = Page(client.get(_detail(draft)))

    assert "Reviewed Not yet" in page.main_text
    assert page.find("button", type="submit") is not None
    assert "Mark as reviewed" in page.main_text
    assert "Approve the run: not possible yet. Only the registered manager can approve" in page.main_text
    assert "(marked DRAFT: not for payment)" in page.main_text


def test_the_page_explains_problems_and_why_the_run_cannot_be_reviewed(client, coordinator, scheme, draft):
    ArrangementFactory(
        scheme=scheme,
        person__first_name="Sam",
        person__last_name="Cole",
        carer__first_name="Ruth",
        carer__last_name="Hale",
    )
    client.force_login(coordinator)
    client.post(reverse("payment_run_recalculate", args=[draft.pk]))

    page = Page(client.get(_detail(draft)))

    assert (
        "Problems to fix (1) These were not paid. Fix each, then work the run out again. "
        "Sam Cole with Ruth Hale: no payment band or rate is chosen."
    ) in page.main_text
    assert (
        "Mark as reviewed: not possible yet. The run cannot be reviewed while there is 1 problem to fix"
        in page.main_text
    )


def test_the_coordinator_reviews_then_the_manager_approves(client, coordinator, manager, draft):
    client.force_login(coordinator)
    response = client.post(reverse("payment_run_review", args=[draft.pk]), follow=True)
    assert (
        "The run is marked as reviewed. The registered manager approves it next."
        in Page(response).messages[0]
    )

    client.force_login(manager)
    response = client.post(reverse("payment_run_approve", args=[draft.pk]), follow=True)

    draft.refresh_from_db()
    assert draft.status == RunStatus.APPROVED
    assert "The run for November 2026 is approved." in Page(response).messages[0]
    assert f"Approved By {manager.display_name} on 2 Dec 2026" in Page(response).main_text


def test_the_manager_approves_only_the_figures_they_saw(client, coordinator, manager, draft):
    mark_reviewed(run=draft, membership=membership_of(coordinator))
    client.force_login(manager)
    form = Page(client.get(_detail(draft))).find("input", name="worked_out")
    seen = form.attrs["value"]
    # Five minutes later the coordinator works it out again and reviews it again.
    client.force_login(coordinator)
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, 5, tzinfo=dt.UTC), tick=False):
        client.post(reverse("payment_run_recalculate", args=[draft.pk]))
        client.post(reverse("payment_run_review", args=[draft.pk]))
    client.force_login(manager)

    response = client.post(reverse("payment_run_approve", args=[draft.pk]), {"worked_out": seen}, follow=True)

    assert Page(response).messages[-1] == (
        "Problem: Not done. The run has been worked out again since you opened it: "
        "check the new figures first."
    )
    draft.refresh_from_db()
    assert draft.status == RunStatus.REVIEWED


def test_a_coordinator_cannot_approve(client, coordinator, draft):
    mark_reviewed(run=draft, membership=membership_of(coordinator))
    client.force_login(coordinator)

    response = client.post(reverse("payment_run_approve", args=[draft.pk]))

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == RunStatus.REVIEWED


def test_the_steps_are_buttons_that_only_post(client, coordinator, draft):
    client.force_login(coordinator)

    for name in ("payment_run_review", "payment_run_approve", "payment_run_recalculate"):
        assert client.get(reverse(name, args=[draft.pk])).status_code == 405


def test_a_runs_page_takes_the_same_queries_for_many_carers(
    client, scheme, manager, band, django_assert_max_num_queries
):
    # Carers' totals and lines come from three queries for the page, whatever
    # the number of carers and lines.
    client.force_login(manager)
    ArrangementFactory(scheme=scheme, payment_rate=band)
    run = create_payment_run(scheme=scheme, membership=membership_of(manager), length="month", day=NOV_1)
    with CaptureQueriesContext(connection) as few:
        client.get(_detail(run))
    queries = len(few)  # before the next request clears the log
    for _ in range(12):
        ArrangementFactory(scheme=scheme, payment_rate=band, carer=CarerFactory(scheme=scheme))
    client.post(reverse("payment_run_recalculate", args=[run.pk]))

    with django_assert_max_num_queries(queries):
        page = Page(client.get(_detail(run)))
    assert "13 carers in this run." in page.main_text


# --- Adjustments --------------------------------------------------------------------


def test_the_manager_adds_an_adjustment_to_a_line(client, manager, approved, households):
    line = approved.lines.get(carer=households[0])
    client.force_login(manager)
    url = reverse("payment_run_adjust", args=[approved.pk])
    option = Page(client.get(url, {"line": line.pk})).find("option", value=str(line.pk))
    assert "selected" in option.attrs

    response = client.post(
        url,
        {
            "line": line.pk,
            "carer": "",
            "care_payment": "-68.57",
            "rent": "",
            "household_contribution": "",
            "reason": "A night in hospital was not recorded.",
        },
        follow=True,
    )

    adjustment = approved.lines.get(kind="adjustment")
    assert (adjustment.adjusts, adjustment.carer, adjustment.total) == (
        line,
        households[0],
        Decimal("-68.57"),
    )
    assert "The adjustment has been added" in Page(response).messages[0]
    assert "Adjustment: Correction of line" in _carer_section(Page(response), households[0])
    assert "Why: A night in hospital was not recorded." in _carer_section(Page(response), households[0])


def test_an_adjustment_without_a_reason_keeps_what_was_typed(client, manager, approved, households):
    client.force_login(manager)

    page = Page(
        client.post(
            reverse("payment_run_adjust", args=[approved.pk]),
            {"line": "", "carer": households[1].pk, "care_payment": "25.00", "reason": ""},
        )
    )

    assert page.error_for("reason") == "Say why the adjustment is made."
    assert page.value_of("care_payment") == "25.00"
    assert not approved.lines.filter(kind="adjustment").exists()


def test_an_adjustment_needs_the_carer_or_the_line(client, manager, approved):
    client.force_login(manager)

    page = Page(
        client.post(
            reverse("payment_run_adjust", args=[approved.pk]), {"care_payment": "25.00", "reason": "Missed"}
        )
    )

    assert page.error_for("carer") == "Choose the carer, or the line it corrects."


def test_a_coordinator_cannot_adjust(client, coordinator, approved):
    client.force_login(coordinator)

    assert client.get(reverse("payment_run_adjust", args=[approved.pk])).status_code == 403


def test_a_draft_cannot_be_adjusted(client, manager, draft):
    client.force_login(manager)

    response = client.get(reverse("payment_run_adjust", args=[draft.pk]), follow=True)

    assert "Adjustments are for approved runs" in Page(response).messages[0]


# --- The CSV ------------------------------------------------------------------------

# The columns, exactly as the README documents them.
README_COLUMNS = (
    "run_id,run_status,period_start,period_end,line_id,carer_id,carer_name,arrangement_id,person_id,"
    "person_name,kind,description,quantity,unit,paid_percent,care_payment,rent,household_contribution,"
    "total,adjusts_line_id,reason,recorded_at"
)


def _csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[0] == README_COLUMNS
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_has_the_documented_columns_and_every_line(client, manager, approved, households):
    PaymentLine.objects.create(
        run=approved,
        carer=households[1],
        kind="adjustment",
        description="Adjustment for Tom Barker (+£10.00)",
        care_payment=Decimal("10.00"),
        total=Decimal("10.00"),
        reason="Mileage to the day centre",
        created_by=manager,
    )
    client.force_login(manager)

    response = client.get(reverse("payment_run_csv", args=[approved.pk]))

    assert response["Content-Disposition"] == (
        f'attachment; filename="payment-run-{approved.pk}-2026-11-01-to-2026-11-30.csv"'
    )
    rows = _csv(response)
    ben = next(row for row in rows if row["person_name"] == "Ben Hale")
    assert {k: ben[k] for k in ("run_status", "period_start", "period_end", "carer_name", "kind")} == {
        "run_status": "approved",
        "period_start": "2026-11-01",
        "period_end": "2026-11-30",
        "carer_name": "Asha Patel",
        "kind": "live_in",
    }
    assert (ben["quantity"], ben["unit"], ben["paid_percent"]) == ("30", "night", "100")
    assert (ben["care_payment"], ben["rent"], ben["household_contribution"], ben["total"]) == (
        "1328.57",
        "471.43",
        "257.14",
        "2057.14",
    )
    adjustment = next(row for row in rows if row["kind"] == "adjustment")
    assert (adjustment["quantity"], adjustment["unit"], adjustment["total"], adjustment["reason"]) == (
        "",
        "",
        "10.00",
        "Mileage to the day centre",
    )
    assert len(rows) == 3


def test_a_drafts_csv_says_draft_in_its_name(client, manager, draft):
    client.force_login(manager)

    response = client.get(reverse("payment_run_csv", args=[draft.pk]))

    assert 'filename="DRAFT-payment-run-' in response["Content-Disposition"]
    assert {row["run_status"] for row in _csv(response)} == {"draft"}


def test_a_coordinators_csv_has_only_their_caseload(client, coordinator, approved):
    client.force_login(coordinator)

    rows = _csv(client.get(reverse("payment_run_csv", args=[approved.pk])))

    assert [row["carer_name"] for row in rows] == ["Asha Patel"]
