"""What pages compute per cycle version (audit.versions.cached), kept in the database that
every app process reads."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_mirrored_chains")]

    operations = [
        migrations.CreateModel(
            name="PageCache",
            fields=[
                ("key", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("value", models.BinaryField()),
            ],
        ),
    ]
