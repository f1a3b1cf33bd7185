"""``manage.py import_postcodes``: postcode locations from a CSV in the
Office for National Statistics Postcode Directory layout."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from placements.models import PostcodeLocation
from tests.second_factor import sign_in_with_code

# A few columns of the real directory, in its order.
HEADER = "pcd,pcd2,pcds,dointr,doterm,oscty,lat,long,ctry"


def _csv(tmp_path, *rows, header=HEADER, name="ONSPD.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _import(path, *args) -> str:
    out = StringIO()
    call_command("import_postcodes", str(path), *args, stdout=out)
    return out.getvalue()


def _locations() -> dict[str, tuple[Decimal, Decimal]]:
    return {p.postcode: (p.latitude, p.longitude) for p in PostcodeLocation.objects.all()}


def test_it_imports_each_postcodes_location_and_skips_those_with_none(db, tmp_path):
    path = _csv(
        tmp_path,
        "LS6 2AB,LS6  2AB,LS6 2AB,199001,,E11000006,53.819012,-1.571003,E92000001",
        "LS1 1AA,LS1  1AA,LS1 1AA,199001,,E11000006,53.799650,-1.549100,E92000001",
        # No grid reference: the directory's code for an unknown location.
        "ZZ9 9ZZ,ZZ9  9ZZ,ZZ9 9ZZ,201001,,E99999999,99.999999,0.000000,E92000001",
    )

    output = _import(path)

    assert _locations() == {
        "LS6 2AB": (Decimal("53.81901"), Decimal("-1.57100")),
        "LS1 1AA": (Decimal("53.79965"), Decimal("-1.54910")),
    }
    assert "Imported 2 postcodes. Skipped 1 with no location and 0 that are not postcodes." in output


def test_running_it_again_updates_rather_than_duplicates(db, tmp_path):
    _import(_csv(tmp_path, "LS6 2AB,,LS6 2AB,,,,53.819012,-1.571003,", name="old.csv"))

    _import(_csv(tmp_path, "LS6 2AB,,LS6 2AB,,,,53.820000,-1.572000,", "LS1 1AA,,LS1 1AA,,,,53.8,-1.55,"))

    assert _locations() == {
        "LS6 2AB": (Decimal("53.82000"), Decimal("-1.57200")),
        "LS1 1AA": (Decimal("53.80000"), Decimal("-1.55000")),
    }


def test_it_writes_in_batches(db, tmp_path):
    rows = [f"LS6 {n}AB,,LS6 {n}AB,,,,53.8{n},-1.5{n}," for n in range(1, 8)]

    output = _import(_csv(tmp_path, *rows), "--batch-size", "3")

    assert PostcodeLocation.objects.count() == 7
    assert "Imported 7 postcodes." in output


def test_without_pcds_it_reads_pcd_and_tidies_its_spaces(db, tmp_path):
    path = _csv(
        tmp_path,
        '"LS6 2AB",53.819012,-1.571003',
        '"LS1  1AA",53.79965,-1.5491',
        '"ls17 5aa",53.877,-1.571',
        '"NOT A POSTCODE",53.1,-1.1',
        header="pcd7,lat,long",
    )

    output = _import(path)

    assert set(_locations()) == {"LS6 2AB", "LS1 1AA", "LS17 5AA"}
    assert "Skipped 0 with no location and 1 that are not postcodes." in output


def test_a_file_without_the_columns_it_needs_is_refused(db, tmp_path):
    path = _csv(tmp_path, "LS6 2AB,53.8,-1.5", header="postcode,latitude,long")

    with pytest.raises(CommandError) as refused:
        _import(path)

    assert "has no column for a postcode (pcds, pcd or pcd7) or lat" in str(refused.value)
    assert not PostcodeLocation.objects.exists()


def test_an_empty_file_is_refused(db, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")

    with pytest.raises(CommandError, match="is empty"):
        _import(path)


def test_a_missing_file_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="There is no file at"):
        _import(tmp_path / "nowhere.csv")


def test_a_superuser_finds_a_postcode_in_admin_by_its_start(client, admin_user):
    PostcodeLocation.objects.create(
        postcode="LS6 2AB", latitude=Decimal("53.819"), longitude=Decimal("-1.571")
    )
    PostcodeLocation.objects.create(
        postcode="LS16 1AA", latitude=Decimal("53.85"), longitude=Decimal("-1.60")
    )
    sign_in_with_code(client, admin_user)  # admin wants the code too

    response = client.get("/admin/placements/postcodelocation/", {"q": "ls6 2"})

    assert response.status_code == 200
    assert "LS6 2AB" in response.content.decode()
    assert "LS16 1AA" not in response.content.decode()


def test_a_superuser_sets_a_schemes_matching_weights_in_admin(client, admin_user, scheme):
    sign_in_with_code(client, admin_user)  # admin wants the code too

    assert client.get("/admin/placements/matchingsettings/add/").status_code == 200
    assert client.get("/admin/placements/matchingsettings/").status_code == 200
