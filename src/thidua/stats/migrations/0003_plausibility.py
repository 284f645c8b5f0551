"""Plausibility: thresholds in the indicator catalog (the default catalog's values are set on
indicators that have none yet) and the units' explanations of figures that jump."""

import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations, models

CATALOG = Path(__file__).resolve().parent.parent / "data" / "indicators.json"


def load(apps, schema_editor):
    Indicator = apps.get_model("stats", "Indicator")
    entries = json.loads(CATALOG.read_text(encoding="utf-8"))
    for entry in entries:
        relative, absolute = entry.get("plausible_relative"), entry.get("plausible_absolute")
        Indicator.objects.filter(
            code=entry["code"], plausible_relative__isnull=True, plausible_absolute__isnull=True
        ).update(
            plausible_relative=None if relative is None else Decimal(str(relative)),
            plausible_absolute=None if absolute is None else Decimal(str(absolute)),
        )


class Migration(migrations.Migration):
    dependencies = [("stats", "0002_default_catalog")]
    operations = [
        migrations.AddField(
            model_name="indicator",
            name="plausible_relative",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="Cảnh báo khi số liệu thay đổi từ mức này (% so với cùng kỳ) trở lên.",
                max_digits=10,
                null=True,
                verbose_name="ngưỡng biến động tương đối (%)",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="plausible_absolute",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                help_text="…và thay đổi ít nhất chừng này, theo đơn vị tính của chỉ tiêu "
                "(với tỷ lệ: điểm phần trăm).",
                max_digits=20,
                null=True,
                verbose_name="ngưỡng biến động tuyệt đối",
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="notes",
            field=models.JSONField(blank=True, default=dict, verbose_name="giải trình biến động"),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
