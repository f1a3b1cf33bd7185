"""Two coordinators move the same applicant at once: one move wins, the other
is refused with a message that says what happened, and the stage history
records one move, not two."""

import datetime as dt
import threading

import pytest
from django.db import connection

from carers.models import Carer, CarerStatus, StageChange
from carers.services import move_carer
from sharedlives.models import Role
from sharedlives.workflow import WorkflowRefused
from tests.factories import CarerFactory, MembershipFactory, SchemeFactory, UserFactory

S = CarerStatus
EARLIER = dt.datetime(2026, 9, 1, 9, 30, tzinfo=dt.UTC)


def _someone_else_moved(to: str) -> str:
    return (
        f"Someone else has just moved Asha Patel to {S(to).label.lower()}. "
        "Check the stage history below, then try again if you still need to."
    )


def _two_coordinators(scheme):
    return [
        MembershipFactory(user=UserFactory(username=username), scheme=scheme, role=Role.COORDINATOR)
        for username in ("coordinator-1", "coordinator-2")
    ]


def _applicant(scheme):
    return CarerFactory(
        scheme=scheme,
        first_name="Asha",
        last_name="Patel",
        status=S.ASSESSMENT,
        status_changed_at=EARLIER,
    )


def test_a_move_from_a_stage_someone_else_has_just_left_is_refused(scheme):
    first, second = _two_coordinators(scheme)
    applicant = _applicant(scheme)
    # Both opened the approval tab while the applicant was at assessment.
    seen_by_first = Carer.objects.get(pk=applicant.pk)
    seen_by_second = Carer.objects.get(pk=applicant.pk)

    move_carer(
        carer=seen_by_first,
        to=S.WITHDRAWN,
        membership=first,
        reason="They have withdrawn: a new job.",
        expected_from=S.ASSESSMENT,
    )
    with pytest.raises(WorkflowRefused) as refused:
        move_carer(
            carer=seen_by_second,
            to=S.DECLINED,
            membership=second,
            reason="The home is not suitable.",
            expected_from=S.ASSESSMENT,
        )

    assert refused.value.reasons == [_someone_else_moved(S.WITHDRAWN)]
    applicant.refresh_from_db()
    assert applicant.status == S.WITHDRAWN
    assert applicant.version == 2
    change = StageChange.objects.get(carer=applicant)
    assert (change.from_status, change.to_status, change.changed_by) == (
        S.ASSESSMENT,
        S.WITHDRAWN,
        first.user,
    )
    assert seen_by_second.status == S.ASSESSMENT


def test_a_stale_move_is_refused_even_where_the_new_stage_would_allow_it(scheme):
    first, second = _two_coordinators(scheme)
    applicant = _applicant(scheme)
    seen_by_second = Carer.objects.get(pk=applicant.pk)
    move_carer(
        carer=applicant, to=S.WITHDRAWN, membership=first, reason="New job.", expected_from=S.ASSESSMENT
    )

    # From withdrawn a household may go back to enquiry, but the second
    # coordinator meant to move someone at assessment, so it is refused.
    with pytest.raises(WorkflowRefused) as refused:
        move_carer(
            carer=seen_by_second,
            to=S.ENQUIRY,
            membership=second,
            reason="Start again.",
            expected_from=S.ASSESSMENT,
        )

    assert refused.value.reasons == [_someone_else_moved(S.WITHDRAWN)]
    assert StageChange.objects.filter(carer=applicant).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_moving_at_the_same_moment_one_wins_the_other_is_told():
    scheme = SchemeFactory()
    coordinators = _two_coordinators(scheme)
    applicant = _applicant(scheme)
    targets = [S.WITHDRAWN, S.DECLINED]
    both_ready = threading.Barrier(2, timeout=10)
    outcomes: dict[int, object] = {}

    def move(index: int) -> None:
        try:
            membership = coordinators[index]
            carer = Carer.objects.get(pk=applicant.pk)  # each on its own connection
            both_ready.wait()
            outcomes[index] = move_carer(
                carer=carer,
                to=targets[index],
                membership=membership,
                reason=f"Coordinator {index + 1} moved them.",
                expected_from=S.ASSESSMENT,
            )
        except Exception as error:  # reported by the assertions below
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads)
    moved = [index for index, outcome in outcomes.items() if isinstance(outcome, StageChange)]
    refused = [index for index, outcome in outcomes.items() if isinstance(outcome, WorkflowRefused)]
    assert len(moved) == 1, outcomes
    assert len(refused) == 1, outcomes
    (winner,), (loser,) = moved, refused
    assert outcomes[loser].reasons == [_someone_else_moved(targets[winner])]
    applicant.refresh_from_db()
    assert applicant.status == targets[winner]
    assert applicant.version == 2
    change = StageChange.objects.get(carer=applicant)
    assert (change.to_status, change.changed_by) == (targets[winner], coordinators[winner].user)
