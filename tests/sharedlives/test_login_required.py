"""Every page but the front door needs a login."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Pages that must work signed out: signing in, resetting a forgotten
# password, and the load balancer's health check; and allauth's pages saying
# there is no sign-up, that an account is turned off, or about confirming an
# e-mail address (unused: administrators enter the addresses).
PUBLIC = {
    "account_login",
    "account_reset_password",
    "old_password_reset",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "healthz",
    "account_signup",
    "account_inactive",
    "account_email_verification_sent",
    "account_confirm_email",
}


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # admin has its own login; tested separately
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield entry.name, route


def _example_path(route: str) -> str:
    path = re.sub(r"<int:\w+>", "1", route).replace("<uidb64>", "MQ").replace("<token>", "set-password")
    return "/" + path.lstrip("^").rstrip("$")


ROUTES = sorted(set(_patterns()))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), [r for r in ROUTES if r[0] not in PUBLIC])
def test_every_private_page_sends_a_signed_out_visitor_to_sign_in(client, name, route):
    response = client.get(_example_path(route))

    assert response.status_code == 302, name
    assert response.url.startswith("/accounts/login/"), name


@pytest.mark.django_db
def test_the_sign_in_page_is_open(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert b"<h1>Sign in</h1>" in response.content


def test_the_walk_covers_the_app_pages():
    names = {name for name, _ in ROUTES}
    assert {"dashboard", "carer_list", "carer_detail", "person_detail", "arrangement_edit"} <= names
