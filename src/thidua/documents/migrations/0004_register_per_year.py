"""The register of issued documents: per issuing body (the cluster) and year of issue, not
per cycle. Existing rows take their cycle's cluster and the local year they were issued in;
the columns become required in 0005 (on PostgreSQL, a table whose rows were just updated
cannot be altered in the same transaction: its foreign-key checks are still pending)."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def fill(apps, schema_editor):
    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    for row in IssuedDocument.objects.select_related("cycle"):
        row.cluster_id = row.cycle.cluster_id
        row.year = timezone.localtime(row.issued_at).year
        row.save(update_fields=["cluster", "year"])


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0003_issued_documents"),
        ("org", "0002_sessions_and_token_scopes"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="issueddocument", name="issued_number_once"),
        migrations.AddField(
            model_name="issueddocument",
            name="cluster",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.cluster",
            ),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="year",
            field=models.PositiveIntegerField(null=True, verbose_name="năm phát hành"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
