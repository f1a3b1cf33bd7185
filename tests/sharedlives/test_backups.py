"""`make backup` and `make restore` (manage.py backup / restore): a backup of
the demo data, restored into an empty database, holds every row of every
table as it was; a database that is not empty is refused unless forced."""

import datetime as dt
import stat
from contextlib import contextmanager
from io import StringIO

import psycopg2
import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper

from carers.models import Certificate
from sharedlives.management.commands import restore as restore_command

DEMO_DAY = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


@contextmanager
def _cursor(name):
    """A cursor, in autocommit, on the database ``name`` of the test server.
    Its own connection: it sees what is committed, as pg_dump does."""
    settings = connection.settings_dict
    params = {"dbname": name, "user": settings["USER"], "password": settings["PASSWORD"]}
    params |= {"host": settings["HOST"], "port": settings["PORT"]}
    database = psycopg2.connect(**{key: value for key, value in params.items() if value})
    database.autocommit = True
    try:
        with database.cursor() as cursor:
            yield cursor
    finally:
        database.close()


@pytest.fixture(scope="module")
def _restore_database(django_db_setup):
    """Another database on the test server, for the module's tests (made
    once: dropping a database waits for a checkpoint)."""
    test_database = connection.settings_dict["NAME"]
    name = f"{test_database}_restored"
    with _cursor(test_database) as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with _cursor(test_database) as cursor:
        cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def empty_database(db, _restore_database, monkeypatch):
    """The name of an empty database, which ``manage.py restore --database
    restored`` restores into."""
    with _cursor(_restore_database) as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    # Django's test cases refuse connections to aliases they were not set up
    # with; the command only reads the alias's settings, so it gets them here.
    restored = DatabaseWrapper({**connection.settings_dict, "NAME": _restore_database}, alias="restored")
    monkeypatch.setattr(restore_command, "connections", {"restored": restored})
    return _restore_database


@pytest.fixture
def demo_data(transactional_db, settings, tmp_path, monkeypatch):
    """The demo, committed (pg_dump sees only what is), its certificates in
    a temporary folder."""
    settings.UPLOADS_ROOT = tmp_path / "uploads"
    storage = FileSystemStorage(location=settings.UPLOADS_ROOT)
    monkeypatch.setattr(Certificate._meta.get_field("file"), "storage", storage)
    with time_machine.travel(DEMO_DAY, tick=False):
        call_command("seed_demo", stdout=StringIO())


def _back_up(tmp_path, name="backup.dump"):
    file = tmp_path / name
    call_command("backup", file=file, stdout=StringIO())
    return file


def _restore(file, **options) -> str:
    out = StringIO()
    call_command("restore", file, database="restored", stdout=out, **options)
    return out.getvalue()


def _contents(name) -> dict:
    """Every table's row count and a checksum of its rows, and every
    sequence's last value (so new rows after a restore get new ids)."""
    tables = {}
    with _cursor(name) as cursor:
        cursor.execute(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
        )
        for (table,) in cursor.fetchall():
            rows = "coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')"
            # The table's name is PostgreSQL's own, quoted by format('%I').
            cursor.execute(f"SELECT count(*), md5({rows}) FROM {table} t")  # nosec B608
            tables[table] = cursor.fetchone()
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences ORDER BY 1")
        sequences = cursor.fetchall()
    return {"tables": tables, "sequences": sequences}


def _original() -> dict:
    return _contents(connection.settings_dict["NAME"])


def test_a_restored_backup_keeps_every_row_of_every_table(demo_data, empty_database, tmp_path):
    file = _back_up(tmp_path)

    said = _restore(file)

    original = _original()
    assert _contents(empty_database) == original
    assert f"Restored {file} into the database test_sharedlives" in said
    counts = {table: count for table, (count, _) in original["tables"].items()}
    assert len(counts) > 50
    # The demo fills the records and their audit history: these are not empty tables compared.
    for table in ["carers_carer", "people_person", "placements_arrangement", "carers_carerevent"]:
        assert counts[f"public.{table}"] > 10
    # New records carry on from the backup's ids.
    with _cursor(empty_database) as cursor:
        cursor.execute("INSERT INTO sharedlives_scheme (name, cqc_location_id) VALUES ('New', '1-999999999')")
        cursor.execute("SELECT count(*) FROM sharedlives_scheme")
        assert cursor.fetchone()[0] == 3  # Leeds, North Yorkshire and the new one


def test_a_database_that_is_not_empty_is_refused_unless_forced(empty_database, tmp_path):
    file = _back_up(tmp_path)
    _restore(file)
    with _cursor(empty_database) as cursor:
        cursor.execute("INSERT INTO sharedlives_scheme (name, cqc_location_id) VALUES ('Since', '1-999999')")
        cursor.execute("CREATE TABLE leftover (note text)")
    changed = _contents(empty_database)

    with pytest.raises(CommandError) as refused:
        _restore(file)

    assert "is not empty: it has" in str(refused.value)
    assert "Restore into an empty database" in str(refused.value)
    assert _contents(empty_database) == changed

    _restore(file, force=True)

    assert _contents(empty_database) == _original()


def test_the_apps_own_database_is_refused_when_it_has_tables(db, tmp_path):
    file = _back_up(tmp_path)

    with pytest.raises(CommandError, match=r"^The database test_sharedlives\S* is not empty"):
        call_command(restore_command.Command(), file, stdout=StringIO())


def test_a_restore_that_fails_leaves_the_database_empty(empty_database, tmp_path):
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP" + b"\0" * 100)

    with pytest.raises(CommandError) as refused:
        _restore(broken)

    assert str(refused.value).startswith(f"Could not restore {broken} into the database")
    assert _contents(empty_database) == {"tables": {}, "sequences": []}


def test_a_missing_file_is_named(empty_database, tmp_path):
    with pytest.raises(CommandError, match="There is no backup file .*nothing.dump"):
        _restore(tmp_path / "nothing.dump")


def test_backups_go_to_the_backup_folder_readable_by_their_owner_only(db, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    out = StringIO()

    with time_machine.travel(DEMO_DAY, tick=False):
        call_command("backup", stdout=out)

    file = tmp_path / "backups" / "2026-11-25-100000.dump"
    assert file.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert "Backed up the database test_sharedlives" in out.getvalue()
    assert "store it encrypted" in out.getvalue()
    assert list((tmp_path / "backups").iterdir()) == [file]  # no partial file left beside it


def test_a_backup_never_overwrites_another(db, tmp_path):
    file = _back_up(tmp_path)
    written = file.read_bytes()

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", file=file, stdout=StringIO())

    assert file.read_bytes() == written
