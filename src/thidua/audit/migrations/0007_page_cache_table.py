"""The table of the "pages" cache (settings.CACHES), made with the other tables so that every
database (SQLite, PostgreSQL, the tests') has it."""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations


def create_table(apps, schema_editor):
    # createcachetable names tables, not caches (without a name: every cache's table)
    call_command(
        "createcachetable",
        settings.CACHES["pages"]["LOCATION"],
        database=schema_editor.connection.alias,
    )


def drop_table(apps, schema_editor):
    table = schema_editor.quote_name(settings.CACHES["pages"]["LOCATION"])
    schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_mirrored_chains")]

    operations = [migrations.RunPython(create_table, drop_table)]
