"""``manage.py anonymise_expired``: who is anonymised and when (the scheme's
periods, from the last arrangement's end or the stage history), what a legal
hold keeps, that a second run changes nothing, and that the reports count
the same before and after."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from carers.models import CarerStatus
from people.models import Person
from placements.models import ArrangementStatus, ReferralStage
from sharedlives.choices import ArrangementKind, NeedsGroup
from sharedlives.models import RetentionSettings
from sharedlives.retention import anonymise_person, people_due
from sharedlives.subject_access import gather_household, gather_person
from tests.factories import (
    ApprovalTermsFactory,
    ArrangementFactory,
    ArrangementReviewFactory,
    CarerFactory,
    ContactFactory,
    PersonFactory,
    ReferralFactory,
    StageChangeFactory,
    UserFactory,
    approved_carer,
)
from tests.sharedlives.reports import csv_figures

NOW = dt.datetime(2035, 3, 2, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def _run(*args) -> str:
    out = io.StringIO()
    call_command("anonymise_expired", *args, stdout=out)
    return out.getvalue()


def _person_who_left(scheme, ended_on, **fields):
    person = PersonFactory(scheme=scheme, first_name="Sam", last_name="Okafor", **fields)
    ContactFactory(person=person, name="Jo Okafor")
    ArrangementFactory(
        scheme=scheme,
        person=person,
        start_date=ended_on - dt.timedelta(days=700),
        status=ArrangementStatus.ENDED,
        end_date=ended_on,
        end_reason="planned_move",
    )
    return person


def _household_that_left(scheme, left_on: dt.date, status=CarerStatus.RESIGNED, **fields):
    carer = CarerFactory(scheme=scheme, status=status, first_name="Asha", last_name="Patel", **fields)
    StageChangeFactory(
        carer=carer,
        from_status=CarerStatus.APPROVED,
        to_status=status,
        changed_at=dt.datetime.combine(left_on, dt.time(12), tzinfo=dt.UTC),
    )
    return carer


def _held_as_is(subject) -> dict:
    """Everything held about the subject, as the subject access export has it."""
    gather = gather_person if isinstance(subject, Person) else gather_household
    data = gather(subject, made_by=UserFactory()).as_json()
    return {"records": data["records"], "history": data["history"]}


# --- Who, and when ---


def test_a_person_is_anonymised_the_day_after_eight_years_from_their_last_arrangement(scheme):
    person = _person_who_left(scheme, ended_on=dt.date(2027, 3, 1))

    _run("--date", "2035-03-01")
    kept = Person.objects.get(pk=person.pk)
    _run("--date", "2035-03-02")
    gone = Person.objects.get(pk=person.pk)

    assert (kept.name, kept.anonymised_at) == ("Sam Okafor", None)
    assert gone.name == f"Anonymised person {person.pk}"
    assert gone.anonymised_at == NOW
    assert not gone.contacts.exists()


def test_the_last_arrangement_counts_not_the_first(scheme, carer_household):
    person = _person_who_left(scheme, ended_on=dt.date(2020, 1, 31))
    ArrangementFactory(
        scheme=scheme,
        person=person,
        carer=carer_household,
        start_date=dt.date(2026, 1, 5),
        status=ArrangementStatus.ENDED,
        end_date=dt.date(2030, 6, 30),
        end_reason="persons_choice",
    )

    _run()

    assert Person.objects.get(pk=person.pk).name == "Sam Okafor"


def test_someone_with_an_arrangement_still_open_is_kept(scheme, carer_household):
    person = _person_who_left(scheme, ended_on=dt.date(2020, 1, 31))
    ArrangementFactory(scheme=scheme, person=person, carer=carer_household, kind=ArrangementKind.DAY_SUPPORT)

    _run()

    assert Person.objects.get(pk=person.pk).anonymised_at is None


def test_someone_who_never_had_an_arrangement_goes_eight_years_after_their_referral_closed(scheme):
    with time_machine.travel(dt.datetime(2026, 5, 4, 12, tzinfo=dt.UTC), tick=False):
        declined = ReferralFactory(scheme=scheme, stage=ReferralStage.DECLINED).person
    waiting = ReferralFactory(
        scheme=scheme, stage=ReferralStage.DECLINED, received_on=dt.date(2026, 1, 5)
    ).person
    ReferralFactory(
        scheme=scheme, person=waiting, kind=ArrangementKind.SHORT_BREAKS, stage=ReferralStage.MATCHING
    )

    _run()

    assert Person.objects.get(pk=declined.pk).anonymised_at == NOW
    assert Person.objects.get(pk=waiting.pk).anonymised_at is None


def test_a_household_goes_six_years_after_it_left_by_its_stage_history(scheme):
    # Its "in this stage since" was touched later (an import); the stage history says when it left.
    resigned = _household_that_left(scheme, dt.date(2029, 3, 1), status_changed_at=NOW)
    withdrew = _household_that_left(scheme, dt.date(2029, 3, 1), status=CarerStatus.WITHDRAWN)
    recent = _household_that_left(scheme, dt.date(2029, 3, 2), status=CarerStatus.APPROVAL_ENDED)
    approved = approved_carer(scheme, first_name="Asha", last_name="Patel")

    _run()

    names = {carer.pk: carer.name for carer in type(approved).objects.all()}
    assert names[resigned.pk] == f"Anonymised household {resigned.pk}"
    assert names[withdrew.pk] == f"Anonymised household {withdrew.pk}"
    assert names[recent.pk] == names[approved.pk] == "Asha Patel"


def test_a_household_with_no_stage_history_goes_by_when_it_entered_its_stage(scheme):
    declined = CarerFactory(
        scheme=scheme, status=CarerStatus.DECLINED, status_changed_at=dt.datetime(2028, 1, 10, tzinfo=dt.UTC)
    )

    _run()

    declined.refresh_from_db()
    assert declined.anonymised_at == NOW


def test_the_schemes_own_periods_apply(scheme, other_scheme):
    RetentionSettings.objects.create(scheme=scheme, person_years=2, carer_years=1)
    ours = _person_who_left(scheme, ended_on=dt.date(2032, 1, 31))
    theirs = _person_who_left(other_scheme, ended_on=dt.date(2032, 1, 31))
    household = _household_that_left(scheme, dt.date(2033, 12, 1))

    _run()

    assert Person.objects.get(pk=ours.pk).anonymised_at == NOW
    assert Person.objects.get(pk=theirs.pk).anonymised_at is None
    household.refresh_from_db()
    assert household.anonymised_at == NOW


# --- Kept as they are ---


def test_a_person_on_legal_hold_is_untouched(scheme):
    person = _person_who_left(scheme, dt.date(2020, 1, 31), legal_hold=True, legal_hold_reason="Court case")
    household = _household_that_left(scheme, dt.date(2020, 1, 31), legal_hold=True, legal_hold_reason="Claim")
    before = [_held_as_is(person), _held_as_is(household)]

    output = _run()

    assert [_held_as_is(person), _held_as_is(household)] == before
    assert "2 records past the period kept on legal hold" in output


def test_a_person_and_a_household_inside_the_period_are_untouched(scheme):
    person = _person_who_left(scheme, dt.date(2030, 1, 31), notes="Likes early nights")
    ArrangementReviewFactory(arrangement=person.arrangements.get())
    household = _household_that_left(scheme, dt.date(2030, 1, 31), notes="Moved to Spain")
    _person_who_left(scheme, dt.date(2020, 1, 31))  # someone who is anonymised
    before = [_held_as_is(person), _held_as_is(household)]

    output = _run()

    assert [_held_as_is(person), _held_as_is(household)] == before
    assert output.splitlines()[-1].startswith("Anonymised 1 person and 0 households for 2 Mar 2035")


def test_a_hold_or_a_new_referral_since_the_list_was_made_stops_it(scheme):
    """The service checks again once it has locked the record."""
    held = _person_who_left(scheme, dt.date(2020, 1, 31))
    referred = _person_who_left(scheme, dt.date(2020, 1, 31))
    due = list(people_due(scheme, NOW.date()))
    Person.objects.filter(pk=held.pk).update(legal_hold=True, legal_hold_reason="Court case")
    ReferralFactory(scheme=scheme, person=referred, stage=ReferralStage.RECEIVED)

    done = [anonymise_person(person, today=NOW.date()) for person in due]

    assert {person.pk for person in due} == {held.pk, referred.pk}
    assert done == [False, False]
    assert not Person.objects.filter(anonymised_at__isnull=False).exists()


# --- Twice, and a dry run ---


def _database() -> dict[str, str]:
    """A fingerprint of every row of every table."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(
                f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
            )
            found[table] = cursor.fetchone()[0]
    return found


@pytest.fixture
def due(scheme):
    person = _person_who_left(scheme, dt.date(2020, 1, 31), notes="Likes early nights")
    ArrangementReviewFactory(arrangement=person.arrangements.get())
    household = _household_that_left(scheme, dt.date(2020, 1, 31), notes="Moved to Spain")
    return person, household


def test_running_it_twice_changes_nothing_more(due):
    first = _run()
    after_first = _database()

    second = _run()

    assert "Anonymised 1 person and 1 household" in first
    assert _database() == after_first
    assert second.splitlines() == [
        "Anonymised 0 people and 0 households for 2 Mar 2035; 0 records past the period kept on legal hold."
    ]


def test_a_dry_run_says_what_it_would_do_and_changes_nothing(due):
    person, household = due
    before = _database()

    output = _run("--dry-run")

    assert _database() == before
    ended = "last arrangement or referral ended 31 Jan 2020"
    assert f"Would anonymise person {person.pk} (Leeds Shared Lives): {ended}" in output
    assert f"Would anonymise household {household.pk} (Leeds Shared Lives): resigned on 31 Jan 2020" in output
    assert "Sam" not in output and "Asha" not in output  # a log of it names nobody


def test_a_bad_date_is_refused():
    with pytest.raises(Exception, match="give a date like 2026-11-25"):
        _run("--date", "yesterday")


# --- What reports count ---


@pytest.fixture
def a_scheme_that_worked(scheme):
    """Two households approved in 2024 (one of them joint), one that resigned
    in January 2027; people with arrangements of each kind and needs group
    in 2026, and a referral declined."""
    left = _household_that_left(scheme, dt.date(2027, 1, 15), joint_first_name="Lee", joint_last_name="Patel")
    StageChangeFactory(
        carer=left,
        from_status=CarerStatus.PANEL,
        to_status=CarerStatus.APPROVED,
        changed_at=dt.datetime(2024, 1, 5, 12, tzinfo=dt.UTC),
    )
    ApprovalTermsFactory(carer=left, decision__decided_on=dt.date(2024, 1, 5), ends_on=dt.date(2027, 1, 15))
    staying = approved_carer(scheme, starts_on=dt.date(2024, 1, 5))
    for carer, kind, needs, ended in (
        (
            left,
            ArrangementKind.LIVE_IN,
            [NeedsGroup.AUTISM, NeedsGroup.LEARNING_DISABILITY],
            dt.date(2026, 11, 30),
        ),
        (left, ArrangementKind.SHORT_BREAKS, [NeedsGroup.DEMENTIA], dt.date(2026, 10, 1)),
        (staying, ArrangementKind.LIVE_IN, [NeedsGroup.MENTAL_HEALTH], None),
    ):
        ArrangementFactory(
            scheme=scheme,
            person=PersonFactory(scheme=scheme, needs_groups=needs),
            carer=carer,
            kind=kind,
            start_date=dt.date(2025, 1, 6),
            status=ArrangementStatus.ENDED if ended else ArrangementStatus.CURRENT,
            end_date=ended,
            end_reason="planned_move" if ended else "",
        )
    with time_machine.travel(dt.datetime(2026, 6, 4, 12, tzinfo=dt.UTC), tick=False):
        ReferralFactory(scheme=scheme, stage=ReferralStage.DECLINED, received_on=dt.date(2026, 5, 1))
    return scheme


def test_the_yearly_count_and_at_a_glance_are_the_same_before_and_after(
    client, manager, a_scheme_that_worked
):
    client.force_login(manager)
    reports = [
        (reverse("report_yearly_count"), {"year": "2026", "format": "csv"}),
        (reverse("report_at_a_glance"), {"start": "2026-01-01", "end": "2026-12-31", "format": "csv"}),
    ]
    before = [csv_figures(client.get(url, params)) for url, params in reports]

    output = _run()

    assert "Anonymised 3 people and 1 household" in output
    assert [csv_figures(client.get(url, params)) for url, params in reports] == before
