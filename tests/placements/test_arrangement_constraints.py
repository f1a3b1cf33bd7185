"""What the database refuses about arrangements, whatever writes them: a bulk
update, a data fix in the shell, or a form with a bug."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from placements.models import Arrangement, ArrangementStatus
from sharedlives.choices import ArrangementKind
from sharedlives.models import Membership, Role
from tests.factories import ArrangementFactory, CarerFactory, PersonFactory, UserFactory


def _refused(**changes):
    try:
        with transaction.atomic():
            Arrangement.objects.update(**changes)
    except IntegrityError:
        return True
    return False


def _committed(make):
    """Run ``make`` and check the deferred constraints as a commit would."""
    with transaction.atomic():
        made = make()
        connection.check_constraints()
    return made


@pytest.mark.parametrize("status", ["", "paused", "Current"])
def test_it_refuses_an_unknown_status(arrangement, status):
    assert _refused(status=status)


def test_it_refuses_an_unknown_kind(arrangement):
    assert _refused(kind="holiday")


def test_it_refuses_an_unknown_end_reason(arrangement):
    assert _refused(end_date=dt.date(2025, 3, 1), end_reason="bored")


def test_it_refuses_an_end_before_the_start(arrangement):
    assert _refused(end_date=arrangement.start_date - dt.timedelta(days=1))


def test_it_refuses_an_ended_arrangement_without_an_end_date(arrangement):
    assert _refused(status=ArrangementStatus.ENDED, end_reason="death")


def test_it_refuses_an_ended_arrangement_without_a_reason(arrangement):
    assert _refused(status=ArrangementStatus.ENDED, end_date=dt.date(2025, 3, 1))


def test_it_accepts_an_ended_arrangement_with_its_date_and_reason(arrangement):
    assert not _refused(status=ArrangementStatus.ENDED, end_date=dt.date(2025, 3, 1), end_reason="death")


# --- One live-in home at a time ---


def test_it_refuses_two_live_in_homes_for_the_same_person_at_once(scheme, arrangement):
    with pytest.raises(IntegrityError, match="arrangement_one_live_in_home_at_a_time"), transaction.atomic():
        ArrangementFactory(scheme=scheme, person=arrangement.person, start_date=dt.date(2026, 1, 1))


def test_it_refuses_a_live_in_home_that_starts_the_day_before_the_last_one_ends(scheme, arrangement):
    Arrangement.objects.filter(pk=arrangement.pk).update(end_date=dt.date(2025, 6, 30))

    with pytest.raises(IntegrityError), transaction.atomic():
        ArrangementFactory(scheme=scheme, person=arrangement.person, start_date=dt.date(2025, 6, 29))


def test_it_accepts_a_move_from_one_home_to_the_next_on_the_same_day(scheme, arrangement):
    # Moving day: out of one home and into the next.
    Arrangement.objects.filter(pk=arrangement.pk).update(end_date=dt.date(2025, 6, 30))

    ArrangementFactory(scheme=scheme, person=arrangement.person, start_date=dt.date(2025, 6, 30))


def test_it_accepts_short_breaks_alongside_a_live_in_home(scheme, arrangement):
    ArrangementFactory(scheme=scheme, person=arrangement.person, kind=ArrangementKind.SHORT_BREAKS)


def test_it_accepts_two_people_living_with_one_carer(scheme, arrangement):
    ArrangementFactory(scheme=scheme, carer=arrangement.carer)


# --- Never joining two schemes' records ---


def test_an_arrangement_with_a_person_of_another_scheme_is_refused_at_commit(
    scheme, other_scheme, carer_household
):
    stranger = PersonFactory(scheme=other_scheme)

    with pytest.raises(IntegrityError, match="arrangement_person_same_scheme"):
        _committed(lambda: ArrangementFactory(scheme=scheme, carer=carer_household, person=stranger))

    assert not Arrangement.objects.exists()


def test_an_arrangement_with_a_carer_of_another_scheme_is_refused_at_commit(scheme, other_scheme):
    stranger = CarerFactory(scheme=other_scheme)
    person = PersonFactory(scheme=scheme)

    with pytest.raises(IntegrityError, match="arrangement_carer_same_scheme"):
        _committed(lambda: ArrangementFactory(scheme=scheme, carer=stranger, person=person))


def test_moving_an_arrangement_to_another_scheme_is_refused_at_commit(arrangement, other_scheme):
    with pytest.raises(IntegrityError, match="same_scheme"):
        _committed(lambda: Arrangement.objects.filter(pk=arrangement.pk).update(scheme=other_scheme))


def test_an_arrangement_within_one_scheme_commits(scheme):
    assert _committed(lambda: ArrangementFactory(scheme=scheme)).pk


def test_a_carers_login_for_a_household_of_another_scheme_is_refused_at_commit(scheme, other_scheme):
    household = CarerFactory(scheme=other_scheme)

    with pytest.raises(IntegrityError, match="membership_carer_same_scheme"):
        _committed(
            lambda: Membership.objects.create(
                user=UserFactory(), scheme=scheme, role=Role.CARER, carer=household
            )
        )
