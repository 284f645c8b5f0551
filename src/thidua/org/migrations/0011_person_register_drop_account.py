"""Step 2 of 2: the old account column goes; the Person column takes the name `person`."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0010_person_register"),
    ]

    operations = [
        migrations.RemoveField(model_name="titlerecord", name="account"),
        migrations.RenameField(model_name="titlerecord", old_name="officer", new_name="person"),
        migrations.AddConstraint(
            model_name="titlerecord",
            constraint=models.CheckConstraint(condition=models.Q(models.Q(("person__isnull", True), ("unit__isnull", False)), models.Q(("person__isnull", False), ("unit__isnull", True)), _connector="OR"), name="title_record_unit_or_person"),
        ),
        migrations.AddConstraint(
            model_name="titlerecord",
            constraint=models.UniqueConstraint(condition=models.Q(("person__isnull", False)), fields=("person", "year", "title_code"), name="title_record_person_once"),
        ),
    ]
