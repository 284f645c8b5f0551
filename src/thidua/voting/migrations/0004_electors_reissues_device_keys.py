"""The roll becomes the electorate: one row per elector, fixed when the poll opens, marked
when they vote (to the minute). A void status for impossible counts; check-in keys given
again are recorded; a delegate's device key."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0003_conference_times"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="rollentry", name="roll_once"),
        migrations.RenameModel(old_name="RollEntry", new_name="Elector"),
        migrations.AlterField(
            model_name="elector",
            name="poll",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="electors",
                to="voting.poll",
            ),
        ),
        migrations.AlterField(
            model_name="elector",
            name="method",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Chưa bỏ phiếu"),
                    ("electronic", "Điện thoại"),
                    ("paper", "Phiếu giấy"),
                    ("written", "Ý kiến bằng văn bản"),
                ],
                default="",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="elector",
            name="voted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="elector",
            constraint=models.UniqueConstraint(fields=("poll", "delegate"), name="elector_once"),
        ),
        migrations.AlterField(
            model_name="poll",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Chưa mở"),
                    ("open", "Đang bỏ phiếu"),
                    ("closed", "Đã kiểm phiếu"),
                    ("void", "Kiểm phiếu không hợp lệ"),
                ],
                default="draft",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="delegate",
            name="device_key",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.CreateModel(
            name="Reissue",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("issued_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("reason", models.TextField(verbose_name="lý do cấp lại")),
                (
                    "delegate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reissues",
                        to="voting.delegate",
                    ),
                ),
                (
                    "issued_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["issued_at", "id"]},
        ),
    ]
