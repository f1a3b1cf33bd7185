"""``manage.py restore FILE`` (``make restore FILE=...``): a backup into an
empty database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from sharedlives import backups


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the database, which must be empty "
        "(no tables). All or nothing: if it fails, the database stays empty."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup file (.dump).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Delete everything in the database first (its public schema), then restore.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Which database (a settings alias).")

    def handle(self, *args, file: Path, force: bool, database: str, **options):
        target = backups.Database.from_settings(connections[database].settings_dict)
        try:
            backups.restore(target, file, force=force)
            tables = len(backups.table_names(target))
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Restored {file} into the database {target.name} ({tables} tables).")
        )
        self.stdout.write(
            "If this version of the app is newer than the backup, run `manage.py migrate` (make migrate)."
        )
