from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from sharedlives import embedded_db


class Command(BaseCommand):
    help = "Say which PostgreSQL database is in use (starting the embedded one if need be), or stop it."

    def add_arguments(self, parser):
        parser.add_argument("--stop", action="store_true", help="Stop the embedded PostgreSQL server.")

    def handle(self, *args, stop, **options):
        if stop:
            if settings.DATABASE_IS_EMBEDDED:
                connection.close()
                embedded_db.stop(settings.EMBEDDED_DATABASE_DIR)
                self.stdout.write("Stopped the embedded PostgreSQL server.")
            else:
                self.stdout.write("DATABASE_URL names an outside server: nothing to stop.")
            return
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        where = (
            f"the embedded server with its data in {settings.EMBEDDED_DATABASE_DIR}"
            if settings.DATABASE_IS_EMBEDDED
            else "the server named by DATABASE_URL"
        )
        name = settings.DATABASES["default"]["NAME"]
        self.stdout.write(f"Database: PostgreSQL {version}, database {name!r} on {where}.")
