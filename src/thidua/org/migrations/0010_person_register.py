"""The register's person lines name a Person (name under a unit), not a login account.

Step 1 of 2: the Person table, the line's rank and position, and each line's old account
copied to a Person of the account's unit (its full name, else its login name). An account
without a unit cannot be placed under one: the migration stops and names the lines, so that
nothing is dropped silently (no form, import or API ever wrote person lines before this)."""

import re
import unicodedata

import django.db.models.deletion
from django.db import migrations, models


def _key(text):
    text = text.replace("Đ", "D").replace("đ", "d")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80] or "ca-nhan"


def accounts_to_people(apps, schema_editor):
    TitleRecord = apps.get_model("org", "TitleRecord")
    Person = apps.get_model("org", "Person")
    lines = list(TitleRecord.objects.filter(account__isnull=False).select_related("account"))
    homeless = [line.pk for line in lines if line.account.unit_id is None]
    if homeless:
        raise RuntimeError(
            "Title register lines %s name an account without a unit: give the account a unit "
            "(or delete the lines) and migrate again." % homeless
        )
    made = {}
    for line in lines:
        account = line.account
        if account.pk not in made:
            name = f"{account.last_name} {account.first_name}".strip() or account.username
            key = _key(name)
            if Person.objects.filter(unit_id=account.unit_id, key=key).exists():
                key = f"{key[:70]}-{account.pk}"
            made[account.pk] = Person.objects.create(
                unit_id=account.unit_id, key=key, full_name=name[:100]
            )
        line.officer = made[account.pk]
        line.save(update_fields=["officer"])


def people_to_accounts(apps, schema_editor):
    """Back only while no line names a person: a Person has no account to go back to."""
    TitleRecord = apps.get_model("org", "TitleRecord")
    found = list(TitleRecord.objects.filter(officer__isnull=False).values_list("pk", flat=True))
    if found:
        raise RuntimeError("Title register lines %s name people without accounts." % found)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0009_merger_membership_and_accounts"),
    ]

    operations = [
        migrations.CreateModel(
            name="Person",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.SlugField(max_length=80, verbose_name="mã cá nhân")),
                ("full_name", models.CharField(max_length=100, verbose_name="họ và tên")),
                ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="people", to="org.unit", verbose_name="đơn vị")),
            ],
            options={
                "verbose_name": "cá nhân",
                "verbose_name_plural": "cá nhân",
                "ordering": ["unit__short_name", "key"],
                "constraints": [models.UniqueConstraint(fields=("unit", "key"), name="person_once_per_unit")],
            },
        ),
        migrations.RemoveConstraint(model_name="titlerecord", name="title_record_unit_or_person"),
        migrations.RemoveConstraint(model_name="titlerecord", name="title_record_person_once"),
        migrations.RenameField(model_name="titlerecord", old_name="person", new_name="account"),
        migrations.AddField(
            model_name="titlerecord",
            name="officer",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="title_records", to="org.person"),
        ),
        migrations.AddField(
            model_name="titlerecord",
            name="rank",
            field=models.CharField(blank=True, max_length=60, verbose_name="cấp bậc"),
        ),
        migrations.AddField(
            model_name="titlerecord",
            name="position",
            field=models.CharField(blank=True, max_length=100, verbose_name="chức vụ"),
        ),
        migrations.RunPython(accounts_to_people, people_to_accounts),
    ]
