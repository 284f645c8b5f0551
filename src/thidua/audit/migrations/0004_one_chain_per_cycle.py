"""One hash chain per cycle instead of one for the whole installation.

Existing entries are re-chained: each goes into the chain of its cycle ("" for none), numbered
in the order written, and hashed the new way (the hash below is frozen here, as it was when
this migration was written). On PostgreSQL the append-only trigger is lifted for the rewrite
and put back.
"""

import hashlib
import json

from django.db import migrations, models

GENESIS = "0" * 64
TRIGGER = "audit_entry_append_only"


def _hash(chain, seq, prev_hash, payload):
    content = {"chain": chain, "seq": seq, "prev_hash": prev_hash, "origin": None, "payload": payload}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def rechain(apps, schema_editor):
    Entry = apps.get_model("audit", "AuditEntry")
    Head = apps.get_model("audit", "AuditHead")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"ALTER TABLE audit_auditentry DISABLE TRIGGER {TRIGGER}")
    heads = {}
    for entry in Entry.objects.order_by("id").iterator():
        chain = entry.cycle
        count, previous = heads.get(chain, (0, GENESIS))
        payload = {
            "at": entry.at.isoformat(),
            "actor": entry.actor,
            "unit": entry.unit,
            "cycle": entry.cycle,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "before": entry.before,
            "after": entry.after,
        }
        digest = _hash(chain, count + 1, previous, payload)
        Entry.objects.filter(pk=entry.pk).update(
            chain=chain, seq=count + 1, prev_hash=previous, hash=digest
        )
        heads[chain] = (count + 1, digest)
    Head.objects.all().delete()
    Head.objects.bulk_create(
        Head(chain=chain, count=count, hash=digest) for chain, (count, digest) in heads.items()
    )
    if postgresql:
        schema_editor.execute(f"ALTER TABLE audit_auditentry ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_imported_entries")]

    operations = [
        migrations.RemoveField(model_name="auditentry", name="imported"),
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.CharField(blank=True, max_length=80, default=""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="origin",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="audithead",
            name="chain",
            field=models.CharField(max_length=80, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="audithead",
            name="chain",
            field=models.CharField(max_length=80, unique=True),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(
                fields=("chain", "seq"), name="audit_entry_once_in_chain"
            ),
        ),
    ]
