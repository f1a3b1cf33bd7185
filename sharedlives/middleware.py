from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from sharedlives.models import Membership

SCHEME_SESSION_KEY = "scheme_id"


class SchemeMembershipMiddleware:
    """Puts the signed-in user's membership of the scheme they are working in
    on ``request.membership`` (None when they have none). Someone who belongs
    to several schemes picks one first; everything they see is then scoped to
    that scheme by the access layer (sharedlives/access.py)."""

    # Pages that make sense before a scheme is chosen.
    exempt_prefixes = ("/accounts/", "/admin/", "/schemes/", "/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        if request.user.is_authenticated:
            request.membership = self._membership(request)
            if request.membership is None and not request.path.startswith(self.exempt_prefixes):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('choose_scheme')}?{query}")
        return self.get_response(request)

    def _membership(self, request):
        memberships = Membership.objects.filter(user=request.user).select_related("scheme", "carer")
        chosen = request.session.get(SCHEME_SESSION_KEY)
        if chosen is not None:
            membership = memberships.filter(scheme_id=chosen).first()
            if membership is not None:
                return membership
            del request.session[SCHEME_SESSION_KEY]
        only = list(memberships[:2])
        if len(only) == 1:
            request.session[SCHEME_SESSION_KEY] = only[0].scheme_id
            return only[0]
        return None


class NoStoreMiddleware:
    """Tells browsers and proxies to keep no copy of any page the app makes
    (``Cache-Control: no-store``): pages and downloads hold people's personal
    data, and on a shared office computer the Back button or the browser's
    cache must not show them to the next user after signing out. Static files
    are answered before this (by WhiteNoise) and keep their long caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
