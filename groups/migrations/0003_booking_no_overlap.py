"""On PostgreSQL, no two live bookings of a charger may overlap, enforced by the database
(an exclusion constraint over the slot as a range). SQLite serialises writers, and booking
creation locks the group's row on every database."""

from django.db import migrations

SQL = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE groups_booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist (
    charge_point_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&
) WHERE (status = 'booked');
"""
REVERSE = "ALTER TABLE groups_booking DROP CONSTRAINT IF EXISTS booking_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE)


class Migration(migrations.Migration):
    dependencies = [("groups", "0002_bookings_invitations_periods_waitlist")]
    operations = [migrations.RunPython(forwards, backwards)]
