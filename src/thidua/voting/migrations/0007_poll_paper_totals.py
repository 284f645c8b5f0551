"""Paper ballots and written opinions are kept, once counted, only by their totals.

Polls counted before this keep their paper and written ballots one row each: their totals are
computed here with the core's rule (as the count did) and the rows go (a written opinion's row
stays, without its content, for its receipt)."""

from django.db import migrations, models

from thidua.core import ballots as core

COUNTED = ("counting", "closed", "void")


def to_totals(apps, schema_editor):
    Poll = apps.get_model("voting", "Poll")
    Ballot = apps.get_model("voting", "Ballot")
    for poll in Poll.objects.filter(status__in=COUNTED):
        rows = list(Ballot.objects.filter(poll=poll, filled=True, source__in=("paper", "written")))
        if poll.mode != "paper" and not rows:
            continue
        candidates = tuple(
            poll.candidates.order_by("position", "id").values_list("unit__code", flat=True)
        )
        rules = core.rules_from(poll.rules, candidates)
        ballots = [core.ballot_from(row.content or {}, row.source == "written") for row in rows]
        written = sum(row.source == "written" for row in rows)
        poll.paper = {**core.totals_of(ballots, rules).as_json(), "written": written}
        poll.save(update_fields=["paper"])
        Ballot.objects.filter(poll=poll, source="paper").delete()
        Ballot.objects.filter(poll=poll, source="written").update(content=None)


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0006_sealed_ballots"),
    ]

    operations = [
        migrations.AddField(
            model_name="poll",
            name="paper",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.RunPython(to_totals, migrations.RunPython.noop),
    ]
