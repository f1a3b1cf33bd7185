"""Each request runs in a roomy stack chunk (sharedlives/stack.py), so that
no loop of a page maps and unmaps memory on every call."""

import resource
import sys

import pytest
from django.conf import settings

from sharedlives.stack import with_room


def _leaf():
    return 1


def _loop_at_depth(depth: int, calls: int) -> int:
    """Recurse ``depth`` frames, then call a function ``calls`` times."""
    if depth:
        return _loop_at_depth(depth - 1, calls)
    return sum(_leaf() for _ in range(calls))


def _worst_page_faults(run) -> int:
    """The most minor page faults one loop of 200 calls made, over enough
    depths to cross the edge of a 16 KB stack chunk at least once."""
    worst = 0
    for depth in range(0, 300):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        run(_loop_at_depth, depth, 200)
        worst = max(worst, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    return worst


def test_it_calls_the_function_and_gives_back_its_answer():
    assert with_room(lambda a, *, b: a + b, 2, b=3) == 5


def test_an_error_passes_through():
    def fails():
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        with_room(fails)


def test_every_request_runs_with_room():
    assert settings.MIDDLEWARE[0 if not settings.BENCH else 1] == "sharedlives.stack.RoomyStackMiddleware"


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the stack chunks measured are CPython 3.11's")
def test_a_loop_at_a_chunk_edge_no_longer_maps_memory_on_every_call():
    # Without room, some depth puts the loop's calls across a chunk's edge:
    # each call maps a fresh chunk, and touching it is a page fault.
    assert _worst_page_faults(lambda function, *args: function(*args)) >= 200
    assert _worst_page_faults(with_room) < 20
