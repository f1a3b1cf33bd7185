"""``manage.py backup`` (``make backup``): the database to a pg_dump file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from sharedlives import backups


class Command(BaseCommand):
    help = (
        "Back up the database to a pg_dump file (custom format), by default "
        "BACKUP_DIR/<date>-<time>.dump. The file holds personal data: store it encrypted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="Where to write the backup (it must not exist yet).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Which database (a settings alias).")

    def handle(self, *args, file: Path | None, database: str, **options):
        target = backups.Database.from_settings(connections[database].settings_dict)
        try:
            written = backups.back_up(target, file or backups.default_backup_file())
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        size = written.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the database {target.name} to {written} ({size / 1_048_576:.1f} MB)."
            )
        )
        self.stdout.write(
            "It holds personal data: store it encrypted, and restore it with "
            f"`make restore FILE={written}` (manage.py restore {written})."
        )
