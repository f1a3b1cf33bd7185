"""Room on the interpreter's frame stack for each request.

CPython 3.11 keeps Python's call frames in chunks of 16 KB. It maps a new
chunk from the system when a call goes past the end of the last one and
unmaps it as soon as that call returns. A loop whose calls sit at the edge
of a chunk therefore maps and unmaps memory on every call: drawing the
people list made 2,000 mmap/munmap pairs a request and took twice as long
as it should (measured with strace and the benchmark, November 2026). Where
the edge falls depends only on how deep the templates happen to nest.

``with_room(function, *args)`` calls ``function`` from a frame that is so
large that CPython maps a chunk of 1 MB for it, with about 500 KB free after
it: every frame the request makes then fits in that one chunk, whatever its
depth, and the chunk is mapped once a request. On other Pythons the call is
an ordinary call with a large frame. ``RoomyStackMiddleware`` runs every
request this way.
"""

# CPython asks for a chunk of 16 KB, doubled until it holds the frame and a
# further 1,000 slots (8 bytes each). A frame of 2**16 slots gets 1 MB.
FRAME_SLOTS = 2**16


def _call(function, *args, **kwargs):
    return function(*args, **kwargs)


with_room = type(_call)(_call.__code__.replace(co_stacksize=FRAME_SLOTS), _call.__globals__, "with_room")


class RoomyStackMiddleware:
    """Outermost: every other middleware and the view run with room (see above)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return with_room(self.get_response, request)
