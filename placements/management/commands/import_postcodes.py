"""``manage.py import_postcodes <csv>``: where each postcode is, from the
Office for National Statistics Postcode Directory (ONSPD), for matching's
distances.

The directory's CSV has a header row; this reads the postcode (``pcds``, as
written: "LS6 2AB"; or ``pcd`` / ``pcd7`` with their padding spaces), ``lat``
and ``long``. Postcodes the directory has no location for are coded lat
99.999999, long 0 and are skipped. Rows are written in batches that insert
new postcodes and update known ones, so the full file (about 2.7 million
rows) takes minutes, and running it again (say, with next quarter's file)
is safe."""

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from placements.models import PostcodeLocation
from sharedlives.validators import normalise_postcode

POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8")
LATITUDE, LONGITUDE = "lat", "long"
# The directory's code for "no location": a latitude off the Earth.
NO_LOCATION_LATITUDE = Decimal("99.999999")
PLACES = Decimal("0.00001")


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Import postcode locations from a CSV in the Office for National Statistics Postcode Directory "
        "layout (columns pcds or pcd, lat and long). Safe to run again: known postcodes are updated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "csv", type=Path, help="The directory's CSV file, for example ONSPD_NOV_2026_UK.csv."
        )
        parser.add_argument(
            "--batch-size", type=positive_int, default=5000, help="Rows written at a time (default 5000)."
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["csv"]
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        imported = no_location = not_a_postcode = 0
        batch: dict[str, tuple[Decimal, Decimal]] = {}
        with path.open(newline="", encoding="utf-8-sig") as file:
            rows = csv.reader(file)
            postcode_at, latitude_at, longitude_at = self._columns(next(rows, None), path)
            width = max(postcode_at, latitude_at, longitude_at)
            for number, row in enumerate(rows, start=1):
                if len(row) <= width:
                    not_a_postcode += 1
                    continue
                location = self._location(row[latitude_at], row[longitude_at])
                if location is None:
                    no_location += 1
                    continue
                try:
                    postcode = normalise_postcode(row[postcode_at])
                except ValidationError:
                    not_a_postcode += 1
                    continue
                batch[postcode] = location
                if len(batch) >= options["batch_size"]:
                    imported += self._write(batch)
                if options["verbosity"] >= 2 and number % 100_000 == 0:
                    self.stdout.write(f"{number:,} rows read")
        imported += self._write(batch)
        self.stdout.write(
            self.style.SUCCESS(f"Imported {imported:,} postcode{'s' if imported != 1 else ''}.")
            + f" Skipped {no_location:,} with no location and {not_a_postcode:,} that are not postcodes."
        )

    def _columns(self, header: list[str] | None, path: Path) -> tuple[int, int, int]:
        """Where the postcode, latitude and longitude are in each row."""
        if not header:
            raise CommandError(f"{path} is empty: expected a header row naming pcds, lat and long.")
        names = [name.strip().lower() for name in header]
        postcode = next((names.index(name) for name in POSTCODE_COLUMNS if name in names), None)
        missing = [] if postcode is not None else ["a postcode (pcds, pcd or pcd7)"]
        missing += [name for name in (LATITUDE, LONGITUDE) if name not in names]
        if missing:
            raise CommandError(
                f"{path} is not in the ONS Postcode Directory layout: its header has no column for "
                f"{' or '.join(missing)}."
            )
        return postcode, names.index(LATITUDE), names.index(LONGITUDE)

    def _location(self, latitude: str, longitude: str) -> tuple[Decimal, Decimal] | None:
        try:
            lat, lon = Decimal(latitude.strip()), Decimal(longitude.strip())
        except InvalidOperation:
            return None
        if lat == NO_LOCATION_LATITUDE or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        return lat.quantize(PLACES), lon.quantize(PLACES)

    def _write(self, batch: dict[str, tuple[Decimal, Decimal]]) -> int:
        """Insert the batch's new postcodes and update the known ones; empty the batch."""
        written = len(batch)
        PostcodeLocation.objects.bulk_create(
            [PostcodeLocation(postcode=p, latitude=lat, longitude=lon) for p, (lat, lon) in batch.items()],
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=["latitude", "longitude"],
        )
        batch.clear()
        return written
