"""An embedded PostgreSQL server for machines without one.

When ``DATABASE_URL`` is unset, settings call :func:`database_settings`, which
starts PostgreSQL from the ``pgserver`` package with its data under ``var/``.
The server is left running between commands (so ``make run`` and ``make test``
do not pay its start-up each time) and keeps its data; ``make db-stop`` stops it.
It listens only on a Unix socket inside its data folder, so it never clashes
with a PostgreSQL server the machine may already have.
"""

import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlparse

DATABASE_NAME = "sharedlives"


def _pgserver():
    with warnings.catch_warnings():
        # pgserver keeps its lock file in a runtime folder; on a server without
        # XDG_RUNTIME_DIR it falls back to /tmp, which is fine, but it warns.
        warnings.simplefilter("ignore")
        import pgserver
    return pgserver


def program(name: str) -> Path:
    """One of the PostgreSQL programs that came with the embedded server
    (pg_dump, pg_restore), of the server's own version."""
    return Path(_pgserver().__file__).parent / "pginstall" / "bin" / name


def _server(data_dir: Path):
    pgserver = _pgserver()
    data_dir.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: leave the server running when this process exits.
    return pgserver.get_server(data_dir, cleanup_mode=None)


def database_settings(data_dir: Path) -> dict:
    server = _server(data_dir)
    socket_dir = parse_qs(urlparse(server.get_uri()).query)["host"][0]
    created = data_dir / "sharedlives-database-created"
    if not created.exists():
        # DATABASE_NAME is this module's constant, not anything typed in.
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # nosec B608
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        created.touch()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": "",
    }


def stop(data_dir: Path) -> None:
    if (data_dir / "postmaster.pid").exists():
        server = _server(data_dir)
        server.cleanup_mode = "stop"
        server.cleanup()
