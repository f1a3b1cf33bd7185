"""When PostgreSQL restarts or drops its connections, the app answers again
at once, without being restarted itself.

Connections are kept between requests (CONN_MAX_AGE) and checked before a
request uses one (CONN_HEALTH_CHECKS). The test serves the app the way a WSGI
server does, one thread answering request after request on the same kept
connection, drops that connection from the database's side as a restart
would (pg_terminate_backend), and asks again. Django's test client would not
do: it skips the checks a real server's requests run."""

import http.client
import threading
import time
from contextlib import contextmanager
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connection, connections
from django.test import Client


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _Server(WSGIServer):
    def serve_forever(self, poll_interval=0.05):
        try:
            super().serve_forever(poll_interval)
        finally:
            connections.close_all()  # this thread's kept connection


@contextmanager
def _serving():
    """The app on a free local port, answered by one thread, like one worker."""
    server = make_server(
        "127.0.0.1", 0, get_wsgi_application(), server_class=_Server, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ("127.0.0.1", server.server_port)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _get(address, path, session_cookie) -> int:
    server = http.client.HTTPConnection(*address, timeout=10)
    try:
        server.request("GET", path, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_cookie}"})
        return server.getresponse().status
    finally:
        server.close()


def _drop_the_other_connections() -> int:
    """End every other session on the test database, as a restart of
    PostgreSQL would. Returns how many were ended."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.fixture
def signed_in_carer(carer, settings):
    """A carer's session cookie (staff would first be asked for their second factor)."""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SECURE_SSL_REDIRECT = False
    browser = Client()
    browser.force_login(carer)
    return browser.cookies[settings.SESSION_COOKIE_NAME].value


def test_connections_are_kept_and_checked_before_use():
    database = settings.DATABASES["default"]
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["CONN_MAX_AGE"] > 0  # 60 seconds unless the environment says otherwise


@pytest.mark.django_db(transaction=True)
def test_the_app_answers_again_after_postgresql_drops_its_connections(signed_in_carer):
    # Connections an earlier test left open are not the server's: only the
    # one the server opens is counted and dropped.
    already_open = _other_connections()
    with _serving() as address:
        assert _get(address, "/my/", signed_in_carer) == 200
        assert _other_connections() == already_open + 1  # the server's, kept after its request

        assert _drop_the_other_connections() == already_open + 1
        dropped_at = time.monotonic()

        assert _get(address, "/my/", signed_in_carer) == 200
        assert _get(address, "/my/", signed_in_carer) == 200
        assert time.monotonic() - dropped_at < 5  # at once, not after a wait or a retry
