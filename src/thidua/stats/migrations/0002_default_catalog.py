"""Load the default indicator catalog for provincial police (editable afterwards in the admin)."""

import json
from pathlib import Path

from django.db import migrations

CATALOG = Path(__file__).resolve().parent.parent / "data" / "indicators.json"


def load(apps, schema_editor):
    Indicator = apps.get_model("stats", "Indicator")
    entries = json.loads(CATALOG.read_text(encoding="utf-8"))
    # Only the fields the table has at this point (later fields are filled by later migrations)
    known = {field.name for field in Indicator._meta.get_fields()}
    # Counts and amounts first: a rate refers to them.
    for entry in sorted(entries, key=lambda entry: entry["kind"] == "rate"):
        fields = {
            k: v
            for k, v in entry.items()
            if k in known and k not in ("code", "numerator", "denominator")
        }
        if entry["kind"] == "rate":
            fields["numerator"] = Indicator.objects.get(code=entry["numerator"])
            fields["denominator"] = Indicator.objects.get(code=entry["denominator"])
        Indicator.objects.get_or_create(code=entry["code"], defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
