"""The address a request came from, behind the reverse proxies we trust.

Behind a proxy every request reaches the app from the proxy's own address, so
the lockout (django-axes) and the security log would see one address for the
whole world. Each proxy appends the address it was reached from to
``X-Forwarded-For``; with ``REVERSE_PROXY_COUNT`` proxies in front of the app,
the visitor is the entry that many places from the right. Entries further left
came from the visitor's own machine and could say anything, so they are never used.
django-allauth reads the same count (``ALLAUTH_TRUSTED_PROXY_COUNT``).
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The visitor's address as a string, or None when it cannot be told."""
    remote_addr = _valid(request.META.get("REMOTE_ADDR"))
    count = settings.REVERSE_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return remote_addr
    addresses = [address.strip() for address in forwarded.split(",")]
    if len(addresses) < count:
        # Fewer hops than proxies: the request did not come the usual way
        # (a health check from inside, say). Trust only the socket.
        return remote_addr
    return _valid(addresses[-count]) or remote_addr


def _valid(address: str | None) -> str | None:
    if not address:
        return None
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
