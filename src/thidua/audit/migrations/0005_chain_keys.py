from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_one_chain_per_cycle")]

    operations = [
        migrations.AddField(
            model_name="audithead",
            name="key",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="audithead",
            name="seal",
            field=models.JSONField(blank=True, null=True),
        ),
    ]
