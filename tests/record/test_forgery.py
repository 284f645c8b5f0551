"""A forger with the record and a text editor: every change to the cycle's audit chain is
named by `verify` (the entry, the field, what it should be and what it is) and refused by
import, which then writes nothing."""

import copy

import pytest

from tests.record import forge
from thidua.audit.models import AuditEntry
from thidua.core.verify import verify
from thidua.errors import DomainError
from thidua.org.models import Cycle
from thidua.record.export import export_json
from thidua.record.restore import restore

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def pristine(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return export_json(Cycle.objects.get(cluster__code="cum-2", year=2020))


@pytest.fixture
def record(pristine):
    return copy.deepcopy(pristine)


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
    """The last entries cut off (the head moved back with them): the poll they counted is
    now an input the log does not explain."""
    del _entries(record)[-3:]
    record["audit"]["head"] = _entries(record)[-1]["hash"]
    rendered = [f.render() for f in verify(record)]
    assert rendered
    assert not any(line.startswith("audit.") for line in rendered)  # the chain itself is whole


def test_a_head_that_is_not_the_last_entry_is_named(record):
    record["audit"]["head"] = _entries(record)[-2]["hash"]
    assert [f.where for f in verify(record)] == ["audit.head"]
