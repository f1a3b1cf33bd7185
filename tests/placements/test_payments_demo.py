"""The demo's payments: nights away, an approved run with an adjustment and
a draft, for Leeds; worked out by the same services as the pages."""

import datetime

import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command

from carers.models import Certificate
from placements.models import Absence, PaymentRun, RunStatus

pytestmark = pytest.mark.django_db

DEMO_DAY = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path, monkeypatch):
    """The demo's certificates go to a temporary folder, not var/uploads."""
    settings.UPLOADS_ROOT = tmp_path
    monkeypatch.setattr(Certificate._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))


def test_the_demo_has_an_approved_run_with_an_adjustment_a_draft_and_nights_away():
    with time_machine.travel(DEMO_DAY, tick=False):
        call_command("seed_demo")

    runs = {run.period_label: run for run in PaymentRun.objects.filter(scheme__name="Leeds Shared Lives")}
    assert set(runs) == {"September 2026", "October 2026"}
    approved, draft = runs["September 2026"], runs["October 2026"]
    assert approved.status == RunStatus.APPROVED
    assert not approved.problems.exists()
    adjustment = approved.lines.get(kind="adjustment")
    assert adjustment.adjusts is not None and adjustment.reason
    assert draft.status == RunStatus.DRAFT
    assert draft.lines.filter(kind="live_in").exists()
    assert draft.lines.filter(kind="short_breaks").exists()
    assert draft.lines.filter(kind="day_support").exists()
    # The hospital stay runs past its 28 paid nights in October.
    assert draft.lines.filter(description__contains="beyond the first 28 nights").exists()
    assert Absence.objects.filter(arrangement__scheme__name="Leeds Shared Lives").count() == 4
