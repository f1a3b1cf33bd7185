"""The steps of a payment run and who may take them: a coordinator or the
manager starts and reviews a run, the registered manager approves it (not
the one who reviewed it), and once approved the database keeps it as it is:
a correction is an adjusting line with its reason."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from placements.models import LineKind, PaymentLine, PaymentRun, RunStatus
from placements.payment_runs import (
    add_adjustment,
    approve_payment_run,
    create_payment_run,
    mark_reviewed,
    recalculate,
)
from sharedlives.models import Role
from sharedlives.workflow import WorkflowRefused
from tests.factories import ArrangementFactory, MembershipFactory, PaymentRateFactory, RateAmountFactory

NOV_1 = dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC), tick=False):
        yield


def membership_of(user):
    return user.memberships.get()


@pytest.fixture
def band(scheme):
    """£480 a week (310 + 110 + 60) from 1 Apr 2026."""
    rate = PaymentRateFactory(scheme=scheme, name="Live-in band 2")
    RateAmountFactory(rate=rate)
    return rate


@pytest.fixture
def arrangement(scheme, carer_household, band):
    return ArrangementFactory(scheme=scheme, carer=carer_household, payment_rate=band)


@pytest.fixture
def draft(scheme, coordinator, arrangement):
    return create_payment_run(scheme=scheme, membership=membership_of(coordinator), length="month", day=NOV_1)


@pytest.fixture
def approved(draft, coordinator, manager):
    mark_reviewed(run=draft, membership=membership_of(coordinator))
    return approve_payment_run(run=draft, membership=membership_of(manager))


def refusal(step, **kwargs) -> list[str]:
    with pytest.raises(WorkflowRefused) as refused:
        step(**kwargs)
    return refused.value.reasons


# --- Starting a run ---------------------------------------------------------------


def test_a_coordinator_starts_a_run_for_a_month_as_a_draft(draft, coordinator, arrangement):
    assert draft.status == RunStatus.DRAFT
    assert draft.created_by == coordinator
    assert (draft.period.lower, draft.period.upper) == (NOV_1, dt.date(2026, 12, 1))
    # 30 nights at £480 a week: 1328.57 + 471.43 + 257.14.
    assert draft.lines.get().total == Decimal("2057.14")


def test_a_week_must_start_on_a_monday(scheme, manager):
    reasons = refusal(
        create_payment_run,
        scheme=scheme,
        membership=membership_of(manager),
        length="week",
        day=dt.date(2026, 11, 18),
    )

    assert reasons == ["18 Nov 2026 is a Wednesday: a week's run starts on a Monday."]


def test_a_run_overlapping_another_is_refused(draft, scheme, manager):
    reasons = refusal(
        create_payment_run,
        scheme=scheme,
        membership=membership_of(manager),
        length="week",
        day=dt.date(2026, 11, 30),
    )

    assert reasons == [
        "The run for November 2026 (draft) already covers some of these days, from 1 Nov 2026 to 30 Nov 2026."
    ]
    assert PaymentRun.objects.count() == 1


def test_the_database_refuses_overlapping_runs_too(draft, scheme, manager):
    with pytest.raises(IntegrityError, match="payment_runs_do_not_overlap"), transaction.atomic():
        PaymentRun.objects.create(
            scheme=scheme,
            period=(dt.date(2026, 11, 30), dt.date(2026, 12, 7)),
            created_by=manager,
            calculated_at=draft.calculated_at,
        )


def test_a_carer_cannot_start_a_run(scheme, carer):
    reasons = refusal(
        create_payment_run, scheme=scheme, membership=membership_of(carer), length="month", day=NOV_1
    )

    assert reasons == ["Only the scheme's coordinators and registered manager can start a run."]


def test_another_schemes_coordinator_cannot_start_this_schemes_run(scheme, other_coordinator):
    reasons = refusal(
        create_payment_run,
        scheme=scheme,
        membership=membership_of(other_coordinator),
        length="month",
        day=NOV_1,
    )

    assert reasons == ["Only the scheme's coordinators and registered manager can start a run."]


# --- Working out again, reviewing, approving ----------------------------------------


def test_a_draft_is_worked_out_again_from_the_records_as_they_are_now(draft, coordinator, arrangement):
    arrangement.payment_rate = None
    arrangement.save()

    run = recalculate(run=draft, membership=membership_of(coordinator))

    assert not run.lines.exists()
    assert run.problems.count() == 1


def test_working_out_a_reviewed_run_again_sends_it_back_to_draft(draft, coordinator):
    mark_reviewed(run=draft, membership=membership_of(coordinator))

    run = recalculate(run=draft, membership=membership_of(coordinator))

    assert (run.status, run.reviewed_by) == (RunStatus.DRAFT, None)


def test_a_run_with_problems_cannot_be_reviewed(draft, coordinator, arrangement):
    arrangement.payment_rate = None
    arrangement.save()
    recalculate(run=draft, membership=membership_of(coordinator))

    reasons = refusal(mark_reviewed, run=draft, membership=membership_of(coordinator))

    assert reasons[0] == (
        "The run cannot be reviewed while there is 1 problem to fix: fix each, then work the run out again."
    )
    assert reasons[1].endswith("no payment band or rate is chosen. Choose one on the arrangement's page.")


def test_the_coordinator_reviews_and_the_manager_approves(approved, coordinator, manager):
    approved.refresh_from_db()

    assert approved.status == RunStatus.APPROVED
    assert (approved.reviewed_by, approved.approved_by) == (coordinator, manager)
    assert approved.approved_at is not None


def test_a_coordinator_cannot_approve(draft, coordinator, scheme):
    mark_reviewed(run=draft, membership=membership_of(coordinator))
    colleague = MembershipFactory(scheme=scheme, role=Role.COORDINATOR)

    reasons = refusal(approve_payment_run, run=draft, membership=colleague)

    assert reasons == ["Only the registered manager can approve a payment run."]


def test_a_draft_is_reviewed_before_it_is_approved(draft, manager):
    reasons = refusal(approve_payment_run, run=draft, membership=membership_of(manager))

    assert reasons == ["A coordinator reviews the run first."]


def test_the_manager_who_reviewed_a_run_does_not_approve_it_too(draft, manager):
    mark_reviewed(run=draft, membership=membership_of(manager))

    reasons = refusal(approve_payment_run, run=draft, membership=membership_of(manager))

    assert reasons == ["You reviewed this run, so someone else approves it: a run is checked by two people."]


def test_an_approved_run_is_not_worked_out_again(approved, manager):
    reasons = refusal(recalculate, run=approved, membership=membership_of(manager))

    assert reasons == ["The run is approved, so its payments are final. Add an adjustment to correct one."]


# --- The lock, in the database ----------------------------------------------------


def _refused_by_the_database(sql, params):
    with (
        pytest.raises(IntegrityError, match="payment_run_locked"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_the_database_refuses_to_change_or_delete_an_approved_runs_line(approved):
    line = approved.lines.get()

    _refused_by_the_database(
        "UPDATE placements_paymentline SET total = 0, care_payment = 0 WHERE id = %s", [line.pk]
    )
    _refused_by_the_database("DELETE FROM placements_paymentline WHERE id = %s", [line.pk])
    line.refresh_from_db()
    assert line.total == Decimal("2057.14")


def test_the_database_refuses_a_new_worked_out_line_on_an_approved_run(approved):
    line = approved.lines.get()
    line.pk = None

    with pytest.raises(IntegrityError, match="payment_run_locked"), transaction.atomic():
        line.save()


def test_the_database_refuses_to_reopen_an_approved_run_or_change_its_period(approved):
    _refused_by_the_database("UPDATE placements_paymentrun SET status = 'draft' WHERE id = %s", [approved.pk])
    _refused_by_the_database(
        "UPDATE placements_paymentrun SET period = daterange('2026-11-01', '2026-11-08') WHERE id = %s",
        [approved.pk],
    )
    _refused_by_the_database("DELETE FROM placements_paymentrun WHERE id = %s", [approved.pk])


def test_a_drafts_lines_can_be_replaced(draft):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM placements_paymentline WHERE run_id = %s", [draft.pk])

    assert not draft.lines.exists()


# --- Adjustments --------------------------------------------------------------------


def test_the_manager_corrects_an_approved_line_with_a_new_adjusting_line(approved, manager, carer_household):
    line = approved.lines.get()

    adjustment = add_adjustment(
        run=approved,
        membership=membership_of(manager),
        carer=carer_household,
        line=line,
        care_payment=Decimal("-20.50"),
        reason="Two nights in respite elsewhere, agreed with the carer.",
    )

    assert adjustment.kind == LineKind.ADJUSTMENT
    assert adjustment.adjusts == line
    assert adjustment.total == Decimal("-20.50")
    assert adjustment.description == f"Correction of line {line.pk}: {line.description} (−£20.50)"
    assert adjustment.arrangement_id == line.arrangement_id
    line.refresh_from_db()
    assert line.total == Decimal("2057.14")  # the line itself never changes
    assert sum(x.total for x in PaymentLine.objects.filter(run=approved)) == Decimal("2036.64")


def test_an_adjustment_needs_a_reason_and_an_amount(approved, manager, carer_household):
    reasons = refusal(
        add_adjustment, run=approved, membership=membership_of(manager), carer=carer_household, reason="  "
    )

    assert reasons == [
        "Say why the adjustment is made.",
        "Give the amount to add (or, with a minus sign, to take off).",
    ]


def test_only_the_manager_adjusts_and_only_an_approved_run(
    draft, approved, coordinator, manager, carer_household
):
    by_coordinator = refusal(
        add_adjustment,
        run=approved,
        membership=membership_of(coordinator),
        carer=carer_household,
        reason="Missed night",
        care_payment=Decimal("10"),
    )

    assert by_coordinator == ["Only the registered manager can adjust an approved run."]


def test_a_draft_is_fixed_by_working_it_out_again_not_adjusted(draft, manager, carer_household):
    reasons = refusal(
        add_adjustment,
        run=draft,
        membership=membership_of(manager),
        carer=carer_household,
        reason="Missed night",
        care_payment=Decimal("10"),
    )

    assert reasons == [
        "Adjustments are for approved runs: while it is a draft, fix the records and work it out again."
    ]
