from django.db import migrations

# A record belongs to one scheme, and an arrangement (or a carer's login)
# must never join records of two schemes: one scheme's staff would then see
# another's data. Django has no composite foreign keys, so these are written
# in SQL: (carer_id, scheme_id) must name a carer of that same scheme.
SQL = """
ALTER TABLE carers_carer ADD CONSTRAINT carer_id_scheme_unique UNIQUE (id, scheme_id);
ALTER TABLE people_person ADD CONSTRAINT person_id_scheme_unique UNIQUE (id, scheme_id);
ALTER TABLE placements_arrangement ADD CONSTRAINT arrangement_carer_same_scheme
    FOREIGN KEY (carer_id, scheme_id) REFERENCES carers_carer (id, scheme_id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE placements_arrangement ADD CONSTRAINT arrangement_person_same_scheme
    FOREIGN KEY (person_id, scheme_id) REFERENCES people_person (id, scheme_id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sharedlives_membership ADD CONSTRAINT membership_carer_same_scheme
    FOREIGN KEY (carer_id, scheme_id) REFERENCES carers_carer (id, scheme_id) DEFERRABLE INITIALLY DEFERRED;
"""

REVERSE_SQL = """
ALTER TABLE sharedlives_membership DROP CONSTRAINT membership_carer_same_scheme;
ALTER TABLE placements_arrangement DROP CONSTRAINT arrangement_person_same_scheme;
ALTER TABLE placements_arrangement DROP CONSTRAINT arrangement_carer_same_scheme;
ALTER TABLE people_person DROP CONSTRAINT person_id_scheme_unique;
ALTER TABLE carers_carer DROP CONSTRAINT carer_id_scheme_unique;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0002_initial"),
        ("carers", "0002_initial"),
        ("people", "0002_initial"),
        ("sharedlives", "0001_initial"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
