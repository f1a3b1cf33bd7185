"""Arrangements already under way when reviews arrived get their first
review on the default timetable (6 weeks after the start), so that none is
missing from the "due and overdue" lists."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("placements", "0010_monitoring_reviews_incidents")]

    operations = [
        migrations.RunSQL(
            "UPDATE placements_arrangement SET next_review_due = start_date + 42"
            " WHERE status = 'current' AND next_review_due IS NULL",
            reverse_sql=migrations.RunSQL.noop,
        )
    ]
