"""Run as a script by test_register_people: the database at `THIDUA_DATABASE_URL` (empty) is
migrated to the last migration with person lines naming a login account, given such lines,
then migrated to the end; prints what the lines became, as JSON."""

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thidua.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402

BEFORE = [("org", "0009_merger_membership_and_accounts")]

executor = MigrationExecutor(connection)
executor.migrate(BEFORE)
old = executor.loader.project_state(BEFORE).apps
Unit = old.get_model("org", "Unit")
User = old.get_model("org", "User")
TitleRecord = old.get_model("org", "TitleRecord")
son_la = Unit.objects.create(code="son-la", name="Công an tỉnh Sơn La", short_name="Sơn La")
named = User.objects.create(
    username="an.nv", first_name="Ân", last_name="Nguyễn Văn", unit=son_la, kind="officer"
)
bare = User.objects.create(username="binh", unit=son_la, kind="officer")
for user, year in ((named, 2019), (named, 2020), (bare, 2019)):
    TitleRecord.objects.create(
        person=user,
        year=year,
        title_code="chien_si_tien_tien",
        title="Chiến sĩ tiên tiến",
        level="unit",
        state="proposed",
    )

executor = MigrationExecutor(connection)
executor.migrate(executor.loader.graph.leaf_nodes())
with connection.cursor() as cursor:
    cursor.execute(
        "SELECT r.year, p.key, p.full_name, u.code FROM org_titlerecord r "
        "JOIN org_person p ON p.id = r.person_id JOIN org_unit u ON u.id = p.unit_id "
        "ORDER BY p.key, r.year"
    )
    lines = cursor.fetchall()
    columns = [
        c.name for c in connection.introspection.get_table_description(cursor, "org_titlerecord")
    ]
print(json.dumps({"lines": lines, "columns": columns}, ensure_ascii=False))
