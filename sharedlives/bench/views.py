from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def floor(request):
    """The floor page: it needs a login and passes through every middleware,
    then renders nothing. Its throughput is what Django itself costs on the
    machine, which each page's is compared with. It answers only while
    measured (the BENCH setting), and is a 404 otherwise."""
    if not settings.BENCH:
        raise Http404
    return HttpResponse(b"", content_type="text/plain")
