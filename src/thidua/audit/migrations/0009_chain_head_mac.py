"""Each chain's head attested by this installation (`AuditHead.mac`, see
`thidua.audit.services.head_mac`): the heads already here are taken as they stand when the
installation is upgraded, the last moment nothing but the app had written them. Once only:
`var/audit-heads-attested` records that it did, so a database whose heads were changed,
then made to run this migration again (its row in `django_migrations` removed), gets no
attestation from it."""

from pathlib import Path

from django.conf import settings
from django.db import migrations, models
from django.utils.crypto import salted_hmac

MARKER = "audit-heads-attested"


def attest(apps, schema_editor):
    heads = list(apps.get_model("audit", "AuditHead").objects.all())
    marker = Path(settings.VAR_DIR) / MARKER
    if not heads or marker.exists():
        return
    for head in heads:
        # the formula of `thidua.audit.services.head_mac` as it was written with this migration
        message = f"{head.chain}\0{head.count}\0{head.hash}"
        head.mac = salted_hmac(
            "thidua.audit.head", message, secret=settings.SECRET_KEY, algorithm="sha256"
        ).hexdigest()
        head.save(update_fields=["mac"])
    marker.write_text(f"{len(heads)} heads attested by migration audit.0009\n")


class Migration(migrations.Migration):
    dependencies = [("audit", "0008_chain_catalog")]

    operations = [
        migrations.AddField(
            model_name="audithead",
            name="mac",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(attest, migrations.RunPython.noop),
    ]
