"""A forger with the record and a text editor: every change to the cycle's audit chain is
named by `verify` (the entry, the field, what it should be and what it is) and refused by
import, which then writes nothing."""

import copy
import io

import pytest
from nacl.signing import SigningKey

from tests.record import forge
from thidua.audit import keys
from thidua.audit.models import AuditEntry
from thidua.core import record as core_record
from thidua.core import signing, typed
from thidua.core.verify import ranking, verify
from thidua.errors import DomainError
from thidua.org.models import Cycle
from thidua.record.restore import restore
from thidua.verify import run

pytestmark = pytest.mark.django_db

pristine, record = forge.pristine, forge.record  # fixtures: the demo's 2020 record


def _entries(record):
    return record["audit"]["entries"]


def _swap(record):
    entries = _entries(record)
    entries[10], entries[11] = entries[11], entries[10]


def _delete(record):
    del _entries(record)[10]


def _duplicate(record):
    _entries(record).insert(11, copy.deepcopy(_entries(record)[10]))


def _insert(record):
    """A forged entry chained after entry 10 and numbered in, the rest left as they were."""
    entries = _entries(record)
    tail = entries[10:]
    del entries[10:]
    forge.append(record, {**entries[-1]["payload"], "actor": "ke.gia.mao"})
    for entry in tail:
        entry["seq"] += 1
    entries.extend(tail)


def _edit_one(record):
    """An entry edited and re-hashed by itself: the next entry no longer follows from it."""
    entries = _entries(record)
    tail = copy.deepcopy(entries[11:])
    entries[10]["payload"]["actor"] = "ke.gia.mao"
    forge.rehash(record, 10)
    entries[11:] = tail
    record["audit"]["head"] = tail[-1]["hash"]


@pytest.mark.parametrize(
    ("tamper", "where", "says"),
    [
        (_swap, "audit.entries[10].seq", "cần 11 nhưng bản ghi ghi 12"),
        (_delete, "audit.entries[10].seq", "cần 11 nhưng bản ghi ghi 12"),
        (_duplicate, "audit.entries[11].seq", "cần 12 nhưng bản ghi ghi 11"),
        (_insert, "audit.entries[11].prev_hash", "mục số 12"),
        (_edit_one, "audit.entries[11].prev_hash", "mục số 12"),
    ],
)
def test_a_changed_chain_is_named_at_its_first_break(record, tamper, where, says):
    tamper(record)
    findings = [f for f in verify(record) if f.where.startswith("audit.entries")]
    assert [f.where for f in findings] == [where]
    assert "chuỗi nhật ký đứt" in findings[0].render()
    assert says in findings[0].render()
    entries, cycles = AuditEntry.objects.count(), Cycle.objects.count()
    record["cycle"]["year"] = 2030  # a cycle this database lacks: only the check refuses it
    record["audit"]["chain"] = "cum-2/2030"
    with pytest.raises(DomainError, match="chuỗi nhật ký đứt"):
        restore(record)
    assert (AuditEntry.objects.count(), Cycle.objects.count()) == (entries, cycles)


def test_a_chain_given_to_another_cycle_does_not_follow(record):
    record["audit"]["chain"] = "cum-2/2021"
    rendered = [f.render() for f in verify(record)]
    assert "audit.chain: tính lại được cum-2/2020 nhưng bản ghi ghi cum-2/2021." in rendered
    assert any(line.startswith("audit.entries[0].hash: chuỗi nhật ký đứt") for line in rendered)


def test_a_truncated_chain_leaves_inputs_the_log_never_wrote(record):
    """The last entries cut off (the head moved back with them): the hand-over they recorded
    is now an input the log does not explain, and the seal no longer covers the head."""
    del _entries(record)[-2:]
    record["audit"]["head"] = _entries(record)[-1]["hash"]
    rendered = [f.render() for f in verify(record)]
    assert "handovers[2021/1]: không có trong nhật ký thao tác." in rendered
    assert not any(line.startswith("audit.") for line in rendered)  # the chain itself is whole


def test_a_head_that_is_not_the_last_entry_is_named(record):
    record["audit"]["head"] = _entries(record)[-2]["hash"]
    assert [f.where for f in verify(record)] == ["audit.head"]


# --- what only the signatures, the keys and the paper can tell ----------------------------


def _sheet_entry(record, key="son-la->ha-giang"):
    return max(
        (
            position
            for position, entry in enumerate(_entries(record))
            if entry["payload"]["action"] in ("scoring.sheet.save", "scoring.sheet.submit")
            and entry["payload"]["object_id"] == key
        ),
    )


def _edit_a_score_and_its_log(record) -> None:
    """A score changed in the sheet and in the entry that wrote it, the chain re-hashed from
    there: whole, and the inputs agree with the log."""
    sheet = next(
        s for s in record["sheets"] if (s["scorer"], s["target"]) == ("son-la", "ha-giang")
    )
    sheet["scores"]["I.1"] = "4.00"
    position = _sheet_entry(record)
    _entries(record)[position]["payload"]["after"]["I.1"] = "4.00"
    typed_record, _faults = core_record.read(record)
    record["scoring"] = {"ranking": typed.write(ranking(typed_record))}  # as the app computes
    forge.rehash(record, position)


def _checkpoints_pointed_again(record) -> None:
    """What a careful forger adds: each checkpoint names its (re-hashed) predecessor again,
    keeping the signature he cannot make."""
    for position, entry in enumerate(_entries(record)):
        if entry["payload"]["action"] == "record.checkpoint":
            signed = _entries(record)[position - 1]
            entry["payload"]["after"].update(seq=signed["seq"], hash=signed["hash"])
            forge.rehash(record, position)


@pytest.mark.parametrize(
    ("careful", "says"),
    [(False, "mốc ký không ký đúng mục đứng trước nó"), (True, "chữ ký của mốc số")],
)
def test_the_tail_edited_and_rehashed_breaks_the_signed_checkpoints(record, careful, says):
    _edit_a_score_and_its_log(record)
    if careful:
        _checkpoints_pointed_again(record)
    findings = verify(record)
    assert [f.where for f in findings] == [findings[0].where, "seal.signature"]
    assert findings[0].where.startswith("audit.entries[")
    assert says in findings[0].render()


def _checkpoint_code(record, last=True) -> str:
    checkpoints = [e for e in _entries(record) if e["payload"]["action"] == "record.checkpoint"]
    return signing.grouped(checkpoints[-1 if last else 0]["hash"])


def test_a_chain_rewritten_under_the_forgers_own_key_holds_together_but_is_not_trusted(
    record, pristine, tmp_path
):
    _edit_a_score_and_its_log(record)
    forge.resign(record, SigningKey.generate())
    assert verify(record) == []  # consistent: only whose key it is gives it away
    status, printed = _cli(record, tmp_path)
    assert status == 3
    assert "Nguồn gốc chưa xác thực" in printed
    status, printed = _cli(record, tmp_path, "--key", keys.installation_fingerprint())
    assert status == 3
    assert "chưa xác thực." in printed
    status, printed = _cli(record, tmp_path, "--anchor", _checkpoint_code(pristine))
    assert status == 1
    assert "in trên biên bản không có trong bản ghi" in printed


def test_the_genuine_record_is_confirmed_by_its_key_or_its_paper_anchor(pristine, tmp_path):
    status, printed = _cli(pristine, tmp_path, "--key", keys.installation_fingerprint()[:32])
    assert status == 0, printed
    status, printed = _cli(pristine, tmp_path, "--anchor", _checkpoint_code(pristine).lower())
    assert status == 0, printed
    assert "0 mục sau mốc" in printed
    status, printed = _cli(pristine, tmp_path, "--anchor", _checkpoint_code(pristine, last=False))
    assert status == 0, printed
    trusted = tmp_path / "khoa.txt"
    trusted.write_text(f"# Bộ Công an\n{keys.installation_fingerprint()} cum-2/2020\n")
    assert _cli(pristine, tmp_path, "--trusted-keys", str(trusted))[0] == 0
    trusted.write_text(f"{keys.installation_fingerprint()} cum-2/2021\n")  # another year's
    assert _cli(pristine, tmp_path, "--trusted-keys", str(trusted))[0] == 3


def test_a_truncated_record_resealed_by_its_operator_is_told_only_by_the_paper(
    record, pristine, tmp_path
):
    """The laptop's operator holds its key: he cuts off the hand-over and its checkpoint,
    makes the data agree, and seals again. Everything holds together — except the checkpoint
    printed after the hand-over, which is no longer in the record."""
    del _entries(record)[-2:]
    forge.rehash(record, len(_entries(record)) - 1)
    record["handovers"] = [h for h in record["handovers"] if not h["from_this_cycle"]]
    forge.reseal(record, keys.installation_key())
    assert verify(record) == []
    status, printed = _cli(record, tmp_path, "--key", keys.installation_fingerprint())
    assert status == 0
    assert "không phân biệt được với một bản ghi ngắn hơn" in printed
    status, printed = _cli(record, tmp_path, "--anchor", _checkpoint_code(pristine))
    assert status == 1
    assert "không có trong bản ghi" in printed


def test_an_anchor_that_is_not_a_code_is_refused_plainly(pristine, tmp_path):
    status, printed = _cli(pristine, tmp_path, "--anchor", "1234")
    assert status == 2
    assert "cần ít nhất 32 chữ số thập lục phân" in printed


def test_a_key_too_short_to_compare_is_refused_not_dropped(pristine, tmp_path):
    """A fingerprint shorter than 128 bits was left out without a word, and the genuine record
    came out "origin unconfirmed": the person who typed it is told which one, and nothing is
    checked (exit 2)."""
    short = keys.installation_fingerprint()[:20]
    status, printed = _cli(pristine, tmp_path, "--key", short)
    assert status == 2
    assert f"Dấu vân tay “{short}” không đọc được" in printed
    trusted = tmp_path / "khoa.txt"
    trusted.write_text(f"# Bộ Công an\n{keys.installation_fingerprint()}\n{short} cum-2/2020\n")
    status, printed = _cli(pristine, tmp_path, "--trusted-keys", str(trusted))
    assert status == 2
    assert f"khoa.txt, dòng 3: dấu vân tay “{short}” không đọc được" in printed
    status, printed = _cli(pristine, tmp_path, "--trusted-keys", str(tmp_path / "khong-co.txt"))
    assert status == 2
    assert "Không đọc được tệp khóa tin cậy" in printed
    (tmp_path / "latin1.txt").write_bytes("khóa".encode("latin-1"))
    status, printed = _cli(pristine, tmp_path, "--trusted-keys", str(tmp_path / "latin1.txt"))
    assert status == 2
    assert "Không đọc được tệp khóa tin cậy" in printed
    status, printed = _cli(pristine, tmp_path, "--key", short, "--lang", "en")
    assert f"The fingerprint “{short}” cannot be read" in printed


def _cli(record, tmp_path, *args) -> tuple[int, str]:
    path = tmp_path / "ban-ghi.json"
    path.write_bytes(core_record.encode(record))
    out = io.StringIO()
    return run([str(path), *args], out=out), out.getvalue()
