"""The audit log: every write appends an entry; the chain exposes tampering; append-only."""

import pytest
from django.db import connection, transaction

from thidua.audit import keys
from thidua.audit.models import AppendOnly, AuditEntry, AuditHead
from thidua.audit.selectors import chain_breaks
from thidua.core import signing
from thidua.core.audit import GENESIS
from thidua.core.phases import Phase
from thidua.errors import StateConflict
from thidua.org import services

pytestmark = pytest.mark.django_db


def test_demo_writes_form_one_intact_chain_per_cycle():
    chains = set(AuditEntry.objects.values_list("chain", flat=True))
    assert {"", "cum-1/2020", "cum-2/2020", "cum-2/2021"} <= chains
    for chain in chains:
        entries = list(AuditEntry.objects.filter(chain=chain).order_by("seq"))
        assert [entry.seq for entry in entries] == list(range(1, len(entries) + 1))
        assert entries[0].prev_hash == GENESIS
        assert AuditHead.objects.get(chain=chain).hash == entries[-1].hash
    assert chain_breaks() == []


def test_a_cycle_carries_the_entries_of_its_inputs_written_elsewhere():
    """Cụm II 2021 compares with the 2020 reports (written in the 2020 chain) and was handed
    over at the 2020 conference: its chain holds copies of those entries, naming them."""
    carried = list(AuditEntry.objects.filter(chain="cum-2/2021", origin__isnull=False))
    assert {entry.action for entry in carried} == {"org.handover.record", "stats.report.submit"}
    for copy in carried:
        original = AuditEntry.objects.get(hash=copy.origin["hash"])
        assert (original.chain, original.seq) == (copy.origin["chain"], copy.origin["seq"])
        assert original.chain == "cum-2/2020"
        assert original.payload() == copy.payload()
    reports = {e.object_id for e in carried if e.action.startswith("stats.report")}
    assert len(reports) == 7


def test_phase_change_is_audited_with_actor_unit_and_cycle(get_user, cycle):
    services.close_phase(
        actor=get_user("laocai.thuky"), cycle=cycle("cum-2", 2021), phase=Phase.PLANNING
    )
    entry = AuditEntry.objects.filter(action="org.phase.close").latest("id")
    assert (entry.actor, entry.unit, entry.cycle, entry.action) == (
        "laocai.thuky",
        "lao-cai",
        "cum-2/2021",
        "org.phase.close",
    )
    assert entry.before == {"state": "planning"}
    assert entry.after["state"] == "idle"
    assert chain_breaks() == []
    # the installation signs the chain as it stands after the act
    checkpoint = AuditEntry.objects.get(chain="cum-2/2021", seq=entry.seq + 1)
    assert checkpoint.action == "record.checkpoint"
    assert (checkpoint.after["seq"], checkpoint.after["hash"]) == (entry.seq, entry.hash)
    assert checkpoint.after["fingerprint"] == keys.installation_fingerprint()
    assert signing.valid(
        signing.public_hex(keys.installation_key()),
        checkpoint.after["signature"],
        "cum-2/2021",
        entry.seq,
        entry.hash,
    )


def test_refused_writes_leave_no_entry(get_user, cycle):
    count = AuditEntry.objects.count()
    with pytest.raises(StateConflict):
        services.open_phase(
            actor=get_user("laocai.thuky"), cycle=cycle("cum-2", 2021), phase=Phase.SCORING
        )
    assert AuditEntry.objects.count() == count


def test_tampering_is_detected(get_user, cycle):
    services.close_phase(
        actor=get_user("laocai.thuky"), cycle=cycle("cum-2", 2021), phase=Phase.PLANNING
    )
    target = AuditEntry.objects.filter(chain="cum-2/2021").order_by("seq")[3]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET actor = %s WHERE id = %s", ["someone-else", target.pk]
        )
    assert chain_breaks() == [target.pk]


def test_entries_cannot_be_changed_or_deleted_through_the_code():
    entry = AuditEntry.objects.first()
    entry.actor = "x"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_refuses_update_and_delete():
    from django.db import DatabaseError

    entry = AuditEntry.objects.first()
    for sql in (
        "UPDATE audit_auditentry SET actor = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])


def test_trail_page_for_the_leader_secretary_and_admins_only(client_for):
    page = client_for("hagiang.thuky").get("/clusters/cum-2/2020/audit/")
    assert page.status_code == 200
    assert "Ghi nhận bàn giao cụm trưởng, cụm phó" in page.content.decode()
    assert "Nộp báo cáo số liệu" in page.content.decode()
    assert client_for("admin").get("/clusters/cum-2/2020/audit/").status_code == 200
    for username in ("hagiang.canbo", "laocai.thuky", "quansat", "sonla.daibieu"):
        assert client_for(username).get("/clusters/cum-2/2020/audit/").status_code == 403


def test_the_trail_names_each_action_in_words(client_for):
    client = client_for("hagiang.thuky")
    page = client.get("/clusters/cum-2/2020/audit/").content.decode()
    assert "Ghi nhận bàn giao cụm trưởng, cụm phó" in page
    assert "Nộp báo cáo số liệu" in page
    client.cookies["django_language"] = "en"
    assert (
        "Submit the statistics report" in client.get("/clusters/cum-2/2020/audit/").content.decode()
    )


def test_every_audited_action_has_a_name():
    """A new audited action without a name would show as a bare code: list it in labels.py."""
    from thidua.audit.labels import ACTIONS
    from thidua.core.record import AuditAction

    assert set(ACTIONS) == set(AuditAction)


def test_an_action_the_record_format_does_not_name_is_refused(get_user):
    """Every action is a constant of the record's format: a typo cannot enter the log."""
    from thidua.audit.services import record

    with transaction.atomic(), pytest.raises(ValueError, match=r"org\.cycle\.creat"):
        record(actor=get_user("admin"), action="org.cycle.creat", object_type="x", object_id="1")
