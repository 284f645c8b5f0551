"""What a forger does to a record's audit chain with a text editor: append an entry that
follows from the last, re-hash every entry from some point on (as if the chain had been
written so), and — holding the installation's key, as its operator does — sign again. The
tests then show what still gives a forgery away, and use the signed forms to build records
that test a rule rather than the chain."""

import copy

import pytest

from thidua.core import signing
from thidua.core.audit import GENESIS, entry_hash
from thidua.core.record import CHECKPOINTED, AuditAction


@pytest.fixture(scope="module")
def pristine(django_db_setup, django_db_blocker):
    """The demo's Cụm II 2020 as exported, once per module (what a forger starts from)."""
    from thidua.org.models import Cycle
    from thidua.record.export import export_json

    with django_db_blocker.unblock():
        return export_json(Cycle.objects.get(cluster__code="cum-2", year=2020))


@pytest.fixture
def record(pristine):
    """A copy of `pristine` for one test to forge."""
    return copy.deepcopy(pristine)


def rehash(record: dict, start: int = 0) -> None:
    """Renumber and re-hash the chain's entries from `start` on, and its head."""
    entries = record["audit"]["entries"]
    previous = entries[start - 1]["hash"] if start else GENESIS
    for position in range(start, len(entries)):
        entry = entries[position]
        entry["seq"], entry["prev_hash"] = position + 1, previous
        entry["hash"] = entry_hash(
            chain=record["audit"]["chain"],
            seq=entry["seq"],
            prev_hash=previous,
            payload=entry["payload"],
            origin=entry["origin"],
        )
        previous = entry["hash"]
    record["audit"]["head"] = previous if entries else None


def reseal(record: dict, key) -> None:
    """Sign the head again with `key` (the installation's key, which signed it first)."""
    audit = record["audit"]
    record["seal"] = {
        "public_key": signing.public_hex(key),
        "signature": signing.sign(key, audit["chain"], len(audit["entries"]), audit["head"]),
    }


def append(record: dict, payload: dict, key=None) -> None:
    """Add an entry with `payload` at the end of the chain, chained as the app would; with
    `key`, also its checkpoint where the app signs one, and the record sealed again."""
    entries = record["audit"]["entries"]
    entries.append({"payload": payload, "origin": None})
    rehash(record, len(entries) - 1)
    if key is None:
        return
    if payload["action"] in CHECKPOINTED:
        last = entries[-1]
        checkpoint = {
            "seq": last["seq"],
            "hash": last["hash"],
            "fingerprint": signing.fingerprint(signing.public_hex(key)),
            "signature": signing.sign(key, record["audit"]["chain"], last["seq"], last["hash"]),
        }
        entries.append(
            {
                "payload": {
                    **payload,
                    "actor": "system",
                    "unit": "",
                    "action": AuditAction.CHECKPOINT.value,
                    "object_type": "audit.chain",
                    "object_id": record["audit"]["chain"],
                    "before": None,
                    "after": checkpoint,
                },
                "origin": None,
            }
        )
        rehash(record, len(entries) - 1)
    reseal(record, key)


def resign(record: dict, key) -> None:
    """The whole chain re-registered under `key`, every checkpoint signed again with it, and
    the record sealed: what a forger holding `key` makes of a chain he rewrote."""
    public = signing.public_hex(key)
    chain = record["audit"]["chain"]
    entries = record["audit"]["entries"]
    for position, entry in enumerate(entries):
        payload = entry["payload"]
        if payload["action"] == AuditAction.KEY_REGISTER:
            payload["after"] = {**payload["after"], "public_key": public}
            payload["after"]["fingerprint"] = signing.fingerprint(public)
        if payload["action"] == AuditAction.CHECKPOINT:
            signed = entries[position - 1]
            payload["after"] = {
                "seq": signed["seq"],
                "hash": signed["hash"],
                "fingerprint": signing.fingerprint(public),
                "signature": signing.sign(key, chain, signed["seq"], signed["hash"]),
            }
        rehash(record, position)
    reseal(record, key)
