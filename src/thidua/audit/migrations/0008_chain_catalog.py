"""The digest of the indicator catalog each chain logged last (AuditAction.CATALOG): a cycle's
chain logs the catalog again when it changed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_pagecache")]

    operations = [
        migrations.AddField(
            model_name="audithead",
            name="catalog",
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
