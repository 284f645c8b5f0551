"""A cycle's record: export, verify (core only), tampering named, import round trip."""

import copy
import json
import os
import subprocess
import sys

import pytest

from tests.record.roundtrip import thidua as _thidua
from thidua.audit import keys
from thidua.audit.models import AuditEntry
from thidua.core import record as core_record
from thidua.core import signing
from thidua.core.verify import verify
from thidua.errors import DomainError
from thidua.org.models import Cycle
from thidua.record.export import export_json as export
from thidua.record.restore import restore

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(cycle):
    return export(cycle("cum-2", 2020))


def test_the_demo_record_verifies(record):
    assert verify(record) == []
    assert record["format"] == "thidua-record"
    assert record["cycle"]["members"][0] == "cao-bang"  # the app's (Vietnamese) order
    assert sum(len(poll["ballots"]) for poll in record["polls"]) == 63
    open_poll = next(p for p in record["polls"] if p["code"] == "co-bo-cong-an")
    assert open_poll["ballots"] == []  # never a partial result
    assert open_poll["result"] is None
    assert {d["key"] for d in record["documents"]} >= {"conference-minutes", "year-end-report"}


def test_the_same_cycle_exports_the_same_bytes(cycle):
    first = core_record.encode(export(cycle("cum-2", 2020)))
    assert first == core_record.encode(export(cycle("cum-2", 2020)))
    assert first.endswith(b"\n")
    assert b": " not in first[:200]  # canonical: no spaces between tokens


def test_ballots_carry_no_voter_and_no_time(record):
    for poll in record["polls"]:
        for ballot in poll["ballots"]:
            assert set(ballot) == {"content"}
    # the receipts are published apart from the ballots, sorted: no link between them
    poll = record["polls"][0]
    assert poll["receipts"] == sorted(poll["receipts"])
    assert "roll" not in json.dumps(record)


def _sheet(record, scorer, target):
    return next(s for s in record["sheets"] if (s["scorer"], s["target"]) == (scorer, target))


def _poll(record, code):
    return next(p for p in record["polls"] if p["code"] == code)


def _score(record):
    _sheet(record, "son-la", "ha-giang")["scores"]["I.1"] = "4.00"


def _ballot(record):
    _poll(record, "cum-truong-2021")["ballots"][0]["content"] = {"choices": ["son-la"]}


def _reported_count(record):
    report = next(r for r in record["reports"] if (r["unit"], r["year"]) == ("son-la", 2020))
    report["figures"]["social_order_cases"] = "519"


def _result(record):
    _poll(record, "co-chinh-phu")["result"]["votes"]["ha-giang"] += 1


def _removed_ballot(record):
    _poll(record, "co-chinh-phu")["ballots"].pop()


def _audit_entry(record):
    entry = next(
        e for e in record["audit"]["entries"] if e["payload"]["action"] == "voting.poll.close"
    )
    entry["payload"]["actor"] = "someone.else"


def _ranking(record):
    record["scoring"]["ranking"][0]["total"] = "99.99"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (_score, "sheets[son-la->ha-giang].scores.I.1"),
        (_ballot, "polls[cum-truong-2021].result.votes.lao-cai"),
        (_reported_count, "reports[son-la/2020/Y].figures.social_order_cases"),
        (_result, "polls[co-chinh-phu].result.votes.ha-giang"),
        (_removed_ballot, "polls[co-chinh-phu].result.returned"),
        (_audit_entry, "audit.entries["),
        (_ranking, "scoring.ranking[ha-giang].total"),
    ],
)
def test_one_change_is_found_and_named(record, change, named):
    changed = copy.deepcopy(record)
    change(changed)
    findings = verify(changed)
    assert any(f.where.startswith(named) for f in findings), [f.render() for f in findings]


def test_a_removed_ballot_also_leaves_a_receipt_without_its_ballot(record):
    changed = copy.deepcopy(record)
    _removed_ballot(changed)
    assert "polls[co-chinh-phu].receipts" in {f.where for f in verify(changed)}


def test_a_broken_reference_or_shape_is_named(record):
    changed = copy.deepcopy(record)
    changed["sheets"][0]["scorer"] = "khong-co"
    assert verify(changed)[0].where.startswith("sheets[khong-co->")
    assert verify({"format": "thidua-record"})[0].where == "version"
    changed = copy.deepcopy(record)
    changed["version"] = 99
    assert "không được hỗ trợ" in verify(changed)[0].render()


def test_the_record_matches_its_json_schema(record):
    jsonschema = pytest.importorskip("jsonschema")
    from pathlib import Path

    schema = json.loads((Path(__file__).parents[2] / "docs" / "record.schema.json").read_text())
    jsonschema.validate(record, schema)


def test_a_record_that_does_not_verify_is_not_imported(record):
    changed = copy.deepcopy(record)
    _result(changed)
    changed["cycle"]["year"] = 2030
    before = Cycle.objects.count(), AuditEntry.objects.count()
    with pytest.raises(DomainError, match="không khớp"):
        restore(changed)
    assert (Cycle.objects.count(), AuditEntry.objects.count()) == before


def test_a_cycle_the_database_has_is_not_imported_again(record):
    with pytest.raises(DomainError, match="đã có trên máy chủ"):
        restore(record)


def test_thidua_verify_needs_no_django(record, tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_bytes(core_record.encode(record))
    changed = copy.deepcopy(record)
    _score(changed)
    bad.write_bytes(core_record.encode(changed))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["THIDUA_DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"  # never used
    fingerprint = keys.installation_fingerprint()
    ok = _thidua(env, "verify", str(good), "--key", signing.grouped(fingerprint))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "mọi kết quả khớp với dữ liệu" in ok.stdout
    assert "63 lá phiếu" in ok.stdout
    assert f"Khóa ký {signing.grouped(fingerprint)}: tin cậy." in ok.stdout
    failed = _thidua(env, "verify", str(bad), "--lang", "en")
    assert failed.returncode == 1
    assert "sheets[son-la->ha-giang].scores.I.1" in failed.stdout
    assert "but the audit log wrote 5,5." in failed.stdout  # in English, Vietnamese numbers
    unreadable = tmp_path / "x.json"
    unreadable.write_text("{")
    assert _thidua(env, "verify", str(unreadable)).returncode == 2
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, thidua.verify, thidua.core.record; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == "[]"


def test_the_results_page_offers_the_record(client_for):
    response = client_for("quansat").get("/clusters/cum-2/2020/record.json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ban-ghi-cum-2-2020.json"'
    assert verify(json.loads(response.content)) == []
    page = client_for("sonla.canbo").get("/clusters/cum-2/2020/results/").content.decode()
    assert "/clusters/cum-2/2020/record.json" in page
    assert client_for("hanoi.canbo").get("/clusters/cum-2/2020/record.json").status_code == 403


def test_an_indicator_this_installation_computes_otherwise_is_not_taken_in(record):
    """A record whose catalog computes a rate over other figures than this installation's
    is refused: its statistics, exported again here, would be computed otherwise (restore
    runs in one transaction: what it wrote before is rolled back)."""
    from thidua.record.restore import _indicators
    from thidua.stats.models import Indicator

    typed_record, _faults = core_record.read(record)
    Indicator.objects.filter(code="clearance_rate").update(
        denominator=Indicator.objects.get(code="social_order_offenders")
    )
    with pytest.raises(DomainError, match="Chỉ tiêu “clearance_rate” đã có trên máy chủ"):
        _indicators(typed_record)


def test_a_chain_the_database_holds_otherwise_is_not_restored_over(cycle):
    """A backup restored where its cycle is gone but entries of its chain remain (one put
    into the table by hand): the head is attested only over entries the record holds, so
    nothing is written."""
    from thidua.audit.models import AuditHead

    year = cycle("cum-1", 2020)
    document = export(year)
    head = AuditHead.objects.get(chain="cum-1/2020")
    last = AuditEntry.objects.get(chain="cum-1/2020", seq=head.count)
    year.delete()
    AuditEntry.objects.create(
        at=last.at,
        actor="admin",
        cycle="cum-1/2020",
        action="org.cycle.update",
        object_type="org.cycle",
        object_id="x",
        chain="cum-1/2020",
        seq=head.count + 1,
        prev_hash=last.hash,
        hash="e" * 64,
    )
    before = Cycle.objects.count(), AuditEntry.objects.count()
    with pytest.raises(DomainError) as refusal:
        restore(document)
    assert [p.code for p in refusal.value.problems] == ["chain_differs"]
    assert (Cycle.objects.count(), AuditEntry.objects.count()) == before
