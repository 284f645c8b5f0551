"""The API token model named in the admin (it showed its class name, "Api tokens")."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0011_person_register_drop_account"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="apitoken",
            options={
                "ordering": ["-created_at"],
                "verbose_name": "khóa truy cập API",
                "verbose_name_plural": "khóa truy cập API",
            },
        ),
    ]
