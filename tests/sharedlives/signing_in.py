"""Signing in through the sign-in page, for the lockout, session and log tests."""

from django.conf import settings
from django.shortcuts import resolve_url

PASSWORD = "a-long-test-password"  # tests/factories.py UserFactory
OFFICE = "198.51.100.10"  # one office's address, shared by its staff
HOME = "203.0.113.20"


def login_path() -> str:
    return resolve_url(settings.LOGIN_URL)


def attempt_sign_in(client, username, password=PASSWORD, *, ip=OFFICE, **headers):
    """Post the sign-in form from ``ip``. The name goes in both ``login``
    (django-allauth's form) and ``username`` (Django's): each ignores the other."""
    data = {"login": username, "username": username, "password": password}
    return client.post(login_path(), data, REMOTE_ADDR=ip, **headers)


def fail_to_sign_in(client, username, times, *, ip=OFFICE, **headers):
    return [attempt_sign_in(client, username, "not-the-password", ip=ip, **headers) for _ in range(times)]


def signed_in_as(client) -> str | None:
    """The id of the user the client's session is signed in as, if any."""
    return client.session.get("_auth_user_id")
