from django.http import JsonResponse
from django.views.decorators.http import require_POST

from sharedlives.session_security import record_activity, seconds_left


@require_POST
def session_keepalive(request):
    """The warning's "Stay signed in" (static/js/session-timeout.js): counts
    as activity, so the idle clock starts again, without leaving the page."""
    record_activity(request, force=True)
    return JsonResponse({"seconds_left": seconds_left(request)})
