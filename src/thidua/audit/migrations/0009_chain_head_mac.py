"""Each chain's head attested by this installation (`AuditHead.mac`, see
`thidua.audit.services.head_mac`): the heads already here are taken as they stand when the
installation is upgraded, the last moment nothing but the app had written them."""

from django.conf import settings
from django.db import migrations, models
from django.utils.crypto import salted_hmac


def attest(apps, schema_editor):
    # the formula of `thidua.audit.services.head_mac` as it was written with this migration
    for head in apps.get_model("audit", "AuditHead").objects.all():
        message = f"{head.chain}\0{head.count}\0{head.hash}"
        head.mac = salted_hmac(
            "thidua.audit.head", message, secret=settings.SECRET_KEY, algorithm="sha256"
        ).hexdigest()
        head.save(update_fields=["mac"])


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
