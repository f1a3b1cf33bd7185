"""Time-based one-time codes (RFC 6238), as authenticator apps make them.

Signing in checks codes with django-allauth; this small copy, with nothing
but the standard library, is for the demo and its tests: ``seed_demo`` tells
a tester how to make a code for the demo logins from the command line, and
the browser tests type one in, as a person would from their phone.
"""

import base64
import hashlib
import hmac
import struct
import time

PERIOD_SECONDS = 30
DIGITS = 6


def totp_code(secret: str, at: float | None = None, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for ``secret`` (base32) at ``at``
    (seconds since 1970; now by default), or ``steps_ahead`` periods later."""
    counter = int(time.time() if at is None else at) // PERIOD_SECONDS + steps_ahead
    key = base64.b32decode(secret.upper(), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**DIGITS:0{DIGITS}d}"
