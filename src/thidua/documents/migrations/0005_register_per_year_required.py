"""The register's cluster and year, filled by 0004, become required, and a number is unique
per cluster and year of issue."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_register_per_year")]

    operations = [
        migrations.AlterField(
            model_name="issueddocument",
            name="cluster",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="org.cluster"
            ),
        ),
        migrations.AlterField(
            model_name="issueddocument",
            name="year",
            field=models.PositiveIntegerField(verbose_name="năm phát hành"),
        ),
        migrations.AddConstraint(
            model_name="issueddocument",
            constraint=models.UniqueConstraint(
                fields=("cluster", "year", "number"), name="issued_number_once_a_year"
            ),
        ),
    ]
