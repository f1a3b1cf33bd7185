from django.db import migrations

# Composite foreign keys (which Django cannot declare) that keep related
# records consistent: a booking's room and arrangement are the same carer's;
# an arrangement's room is its carer's, its referral is for its person, and
# its payment rate is its scheme's; a referral's person is of its scheme.
SQL = """
ALTER TABLE carers_room ADD CONSTRAINT room_id_carer_unique UNIQUE (id, carer_id);
ALTER TABLE placements_arrangement ADD CONSTRAINT arrangement_id_carer_unique UNIQUE (id, carer_id);
ALTER TABLE placements_referral ADD CONSTRAINT referral_id_person_unique UNIQUE (id, person_id);
ALTER TABLE placements_paymentrate ADD CONSTRAINT payment_rate_id_scheme_unique UNIQUE (id, scheme_id);
ALTER TABLE placements_shortbreakbooking ADD CONSTRAINT booking_arrangement_same_carer
    FOREIGN KEY (arrangement_id, carer_id) REFERENCES placements_arrangement (id, carer_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE placements_shortbreakbooking ADD CONSTRAINT booking_room_same_carer
    FOREIGN KEY (room_id, carer_id) REFERENCES carers_room (id, carer_id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE placements_arrangement ADD CONSTRAINT arrangement_room_same_carer
    FOREIGN KEY (room_id, carer_id) REFERENCES carers_room (id, carer_id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE placements_arrangement ADD CONSTRAINT arrangement_referral_same_person
    FOREIGN KEY (referral_id, person_id) REFERENCES placements_referral (id, person_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE placements_arrangement ADD CONSTRAINT arrangement_rate_same_scheme
    FOREIGN KEY (payment_rate_id, scheme_id) REFERENCES placements_paymentrate (id, scheme_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE placements_referral ADD CONSTRAINT referral_person_same_scheme
    FOREIGN KEY (person_id, scheme_id) REFERENCES people_person (id, scheme_id) DEFERRABLE INITIALLY DEFERRED;
"""

REVERSE_SQL = """
ALTER TABLE placements_referral DROP CONSTRAINT referral_person_same_scheme;
ALTER TABLE placements_arrangement DROP CONSTRAINT arrangement_rate_same_scheme;
ALTER TABLE placements_arrangement DROP CONSTRAINT arrangement_referral_same_person;
ALTER TABLE placements_arrangement DROP CONSTRAINT arrangement_room_same_carer;
ALTER TABLE placements_shortbreakbooking DROP CONSTRAINT booking_room_same_carer;
ALTER TABLE placements_shortbreakbooking DROP CONSTRAINT booking_arrangement_same_carer;
ALTER TABLE placements_paymentrate DROP CONSTRAINT payment_rate_id_scheme_unique;
ALTER TABLE placements_referral DROP CONSTRAINT referral_id_person_unique;
ALTER TABLE placements_arrangement DROP CONSTRAINT arrangement_id_carer_unique;
ALTER TABLE carers_room DROP CONSTRAINT room_id_carer_unique;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0006_referrals_matching_bookings_rates"),
        ("carers", "0007_dates_away_taken_back"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
