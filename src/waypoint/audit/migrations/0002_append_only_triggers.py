"""Database-level guard: the audit tables reject UPDATE on SQLite and PostgreSQL alike."""

from django.db import migrations

TABLES = ("audit_accessentry", "audit_actionentry")


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'audit rows are never updated'); END;"
            )
        elif vendor == "postgresql":
            schema_editor.execute(
                "CREATE OR REPLACE FUNCTION waypoint_audit_no_update() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'audit rows are never updated'; END; $$ LANGUAGE plpgsql;"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION waypoint_audit_no_update();"
            )


def drop(apps, schema_editor):
    for table in TABLES:
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {table}_no_update"
            + (f" ON {table}" if schema_editor.connection.vendor == "postgresql" else "")
        )


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
