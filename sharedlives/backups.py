"""Backing up the database to a file, and restoring it from one.

A backup is a ``pg_dump`` file in PostgreSQL's custom format: every table,
with the audit history, constraints and triggers. ``restore`` loads one into
an empty database, all or nothing. The PostgreSQL programs come from the
embedded server's own binaries when ``DATABASE_URL`` is unset (so they match
its version), otherwise from PATH.

A backup holds everything the app knows about people: it must be kept as
carefully as the database (encrypted, access-controlled); files are written
readable by their owner only.
"""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from sharedlives import embedded_db

# Connection settings PostgreSQL's programs read from the environment, so
# that no password is ever on a command line (where `ps` would show it):
# Django's settings, then libpq's own options (DATABASES' OPTIONS, as a
# DATABASE_URL's query string gives them: ?sslmode=require&host=/run/pg).
SETTINGS = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD"}
OPTIONS = {
    "host": "PGHOST",
    "port": "PGPORT",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}


class BackupError(Exception):
    """A backup or restore that could not be done, in words for the operator."""


@dataclass
class Database:
    """One database, as Django's settings describe it."""

    name: str
    environment: dict[str, str]

    @classmethod
    def from_settings(cls, settings_dict: dict) -> "Database":
        env = {"PGDATABASE": settings_dict["NAME"]}
        for key, variable in SETTINGS.items():
            if settings_dict.get(key):
                env[variable] = str(settings_dict[key])
        for option, variable in OPTIONS.items():
            if settings_dict.get("OPTIONS", {}).get(option):
                env[variable] = str(settings_dict["OPTIONS"][option])
        return cls(name=settings_dict["NAME"], environment=env)


def program(name: str) -> str:
    """Where ``pg_dump`` or ``pg_restore`` is: the embedded server's own,
    or the first on PATH for a server named by DATABASE_URL."""
    if settings.DATABASE_IS_EMBEDDED:
        found = embedded_db.program(name)
        if not found.exists():
            raise BackupError(f"{name} is not among the embedded server's programs ({found.parent}).")
        return str(found)
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL command-line programs of the "
            "database server's version (or newer), e.g. apt-get install postgresql-client-16."
        )
    return found


def default_backup_file() -> Path:
    """``BACKUP_DIR``/2026-11-20-101500.dump, in the scheme's time."""
    return Path(settings.BACKUP_DIR) / f"{timezone.localtime():%Y-%m-%d-%H%M%S}.dump"


def back_up(database: Database, file: Path) -> Path:
    """Write a backup of ``database`` to ``file`` (its folder is made if need
    be, readable by its owner only). Refuses to overwrite an existing file."""
    file = Path(file)
    if file.exists():
        raise BackupError(f"{file} already exists: choose another file name.")
    file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = file.with_name(file.name + ".partial")
    # Owner-only from the first byte (the umask is the process's, not ours).
    partial.touch(mode=0o600)
    try:
        _run(
            [program("pg_dump"), "--format=custom", "--no-password", f"--file={partial}"],
            database,
            doing=f"back up the database {database.name}",
        )
        partial.replace(file)  # a half-written backup never carries the real name
    finally:
        partial.unlink(missing_ok=True)
    return file


def restore(database: Database, file: Path, *, force: bool = False) -> None:
    """Load the backup ``file`` into ``database``, which must be empty. With
    ``force``, everything in it is deleted first. The load is one
    transaction: if it fails, the database is left empty."""
    file = Path(file)
    if not file.is_file():
        raise BackupError(f"There is no backup file {file}.")
    tables = table_names(database)
    if tables and not force:
        raise BackupError(
            f"The database {database.name} is not empty: it has {len(tables)} tables. Restore into an "
            "empty database (create one and point DATABASE_URL at it), or use --force (FORCE=1 with make) "
            "to delete everything in this one first."
        )
    if tables:
        _psql(database, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", doing="empty the database")
    _run(
        [
            program("pg_restore"),
            "--no-password",
            "--single-transaction",
            "--exit-on-error",
            # The restored tables belong to whoever restores them, whatever
            # the roles on the server the backup came from.
            "--no-owner",
            "--no-privileges",
            f"--dbname={database.name}",
            str(file),
        ],
        database,
        doing=f"restore {file} into the database {database.name}",
    )


def table_names(database: Database) -> list[str]:
    """The tables of the database's own schemas (all but PostgreSQL's)."""
    listed = _psql(
        database,
        "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
        doing=f"look into the database {database.name}",
    )
    return listed.split()


def _psql(database: Database, sql: str, *, doing: str) -> str:
    return _run(
        [
            program("psql"),
            "--no-psqlrc",
            "--no-password",
            "--tuples-only",
            "--no-align",
            "-v",
            "ON_ERROR_STOP=1",
        ]
        + ["--command", sql],
        database,
        doing=doing,
    )


def _run(command: list[str], database: Database, *, doing: str) -> str:
    """Run a PostgreSQL program on ``database``; what it printed."""
    env = {**os.environ, **database.environment}
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if finished.returncode != 0:
        raise BackupError(f"Could not {doing}: {finished.stderr.strip() or 'no reason given'}")
    return finished.stdout
