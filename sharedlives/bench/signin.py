"""Signing in to the running app as a person would: the sign-in form, then
the authenticator code if the site asks for one (staff with two-factor
sign-in). The benchmark signs in once per login and shares the session
cookie with locust, so load is measured on the pages, not on signing in."""

import base64
import hashlib
import hmac
import struct
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import requests

CODE_FIELD = "code"
PERIOD = 30  # seconds a code lasts, as authenticator apps and allauth count


class SignInFailed(Exception):
    pass


def totp(secret: str, at: float | None = None, digits: int = 6) -> str:
    """The six-digit time-based code (RFC 6238: HMAC-SHA1, 30 seconds) an
    authenticator app shows for a base32 ``secret``."""
    counter = int((time.time() if at is None else at) // PERIOD)
    key = base64.b32decode(secret.upper().replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}}"


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    inputs: set[str] = field(default_factory=set)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.forms.append(Form(action=attrs.get("action") or ""))
        elif tag == "input" and self.forms and attrs.get("name"):
            form = self.forms[-1]
            form.inputs.add(attrs["name"])
            if (attrs.get("type") or "text").lower() == "hidden":
                form.fields[attrs["name"]] = attrs.get("value") or ""


def post_form_with(html: str, name: str) -> Form | None:
    """The first POST form on the page with an input called ``name``."""
    parser = _Forms()
    parser.feed(html)
    return next((form for form in parser.forms if name in form.inputs), None)


def _submit(session: requests.Session, response: requests.Response, form: Form, data: dict):
    url = urljoin(response.url, form.action) if form.action else response.url
    return session.post(url, data={**form.fields, **data}, headers={"Referer": response.url}, timeout=30)


def sign_in(
    base_url: str, login_path: str, username: str, password: str, totp_secret: str = ""
) -> requests.Session:
    """A session signed in as ``username``. The sign-in form's user field may
    be "username" (Django's) or "login" (allauth's); if a code is asked for
    next, it is worked out from ``totp_secret``."""
    session = requests.Session()
    page = session.get(urljoin(base_url, login_path), timeout=30)
    form = post_form_with(page.text, "password")
    if form is None:
        raise SignInFailed(f"No sign-in form at {page.url}")
    user_field = "login" if "login" in form.inputs else "username"
    response = _submit(session, page, form, {user_field: username, "password": password})
    code_form = post_form_with(response.text, CODE_FIELD)
    if code_form is not None:
        response = _enter_code(session, response, code_form, username, totp_secret)
    if response.status_code != 200:
        raise SignInFailed(f"Signing in as {username} answered HTTP {response.status_code} at {response.url}")
    if post_form_with(response.text, "password") is not None or urlparse(response.url).path == login_path:
        raise SignInFailed(f"{username} could not sign in (wrong password, or locked out?)")
    return session


def _enter_code(session, response, form, username: str, secret: str):
    if not secret:
        raise SignInFailed(f"{username} is asked for an authenticator code: give --totp-secret")
    answer = _submit(session, response, form, {CODE_FIELD: totp(secret)})
    if post_form_with(answer.text, CODE_FIELD) is not None:
        # A code counts once: if this one was just used, the next one will do.
        time.sleep(PERIOD - time.time() % PERIOD + 1)
        answer = _submit(session, answer, post_form_with(answer.text, CODE_FIELD), {CODE_FIELD: totp(secret)})
    if post_form_with(answer.text, CODE_FIELD) is not None:
        raise SignInFailed(f"{username}'s authenticator code was refused: is the TOTP secret right?")
    return answer


def cookie_header(session: requests.Session) -> str:
    """The session's cookies as a Cookie header, for locust to send."""
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)
