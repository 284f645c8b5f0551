"""Each title of a rule set says who awards it (`level`), read by the register of titles.

Rule sets stored before this carry the two flags the register knew by code; this writes those
levels into their data once (a used rule set is otherwise frozen: this is history, not a
change of rules). A title the register did not know was filed at the Ministry's level.
"""

from django.db import migrations

KNOWN = {"co_chinh_phu": "government", "co_bo_cong_an": "ministry"}


def add_levels(apps, schema_editor):
    RuleSet = apps.get_model("org", "RuleSet")
    for rule_set in RuleSet.objects.all():
        titles = ((rule_set.data or {}).get("voting") or {}).get("titles") or []
        missing = [title for title in titles if "level" not in title]
        for title in missing:
            title["level"] = KNOWN.get(title.get("code"), "ministry")
        if missing:
            RuleSet.objects.filter(pk=rule_set.pk).update(data=rule_set.data)


class Migration(migrations.Migration):
    dependencies = [("org", "0006_user_kind_director")]

    operations = [migrations.RunPython(add_levels, migrations.RunPython.noop)]
