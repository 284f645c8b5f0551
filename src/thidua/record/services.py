"""The Ministry server's side of the records: registering a cluster laptop's key, and taking
in a cluster year's record from it.

A record is taken in only when it verifies, every key its chain registers is registered
here for that cluster and year, and the admin typed the checkpoint printed on the signed
minutes, which the record must hold. The chain already held decides the rest:

- none: the cycle is written, its chain marked as the laptop's (nothing here writes to it);
- the same chain: nothing changes (a second import of the same file);
- a shorter one the record continues: the record extends it — the cycle's data is replaced
  by the record's, the new entries appended;
- a longer one the record is the start of: an older record; nothing changes;
- one the record leaves at some entry: a fork. It is kept apart (quarantined) with both
  sides' keys and where they part, the cycle's data untouched, and the installation's own
  chain records it.
"""

from __future__ import annotations

import gzip

from django.db import transaction

from thidua.audit.models import AuditEntry, AuditHead
from thidua.audit.services import record as audit
from thidua.core import signing
from thidua.core.audit import canonical_json
from thidua.core.messages import Problem, gettext_noop
from thidua.core.policy import Action
from thidua.core.record import AuditAction, Record
from thidua.core.verify import Anchor, provenance
from thidua.errors import DomainError, StateConflict
from thidua.org.authz import recorded_user, require
from thidua.org.models import Cycle, Handover, User
from thidua.record.models import ReceivedRecord, RegisteredKey
from thidua.record.restore import refuse_unless_verified, write_cycle
from thidua.stats.models import Report
from thidua.voting.models import Ballot, Candidate, Delegate, Elector, PaperEntry, Poll, Reissue


@transaction.atomic
def register_key(*, actor, cluster_code: str, year: int, fingerprint: str, note: str = ""):
    """Accept records of `cluster_code`'s `year` signed by the key with that fingerprint (at
    least its first 128 bits, as printed): the admin compared it on paper."""
    require(actor, Action.RECEIVE_RECORDS)
    typed_in = signing.ungrouped(fingerprint)
    if typed_in is None:
        raise DomainError(
            [
                Problem(
                    "bad_fingerprint",
                    gettext_noop(
                        "Dấu vân tay cần ít nhất 32 chữ số thập lục phân (8 nhóm 4 ký tự như in "
                        "trên giấy)."
                    ),
                    field="fingerprint",
                )
            ]
        )
    key, _created = RegisteredKey.objects.get_or_create(
        cluster_code=cluster_code,
        year=year,
        fingerprint=typed_in,
        defaults={"registered_by": recorded_user(actor), "note": note.strip()},
    )
    return key


def _refused(code: str, message: str, **params) -> DomainError:
    return DomainError([Problem(code, message, params)])


def _checked(record: Record, anchor_text: str) -> tuple[list[str], str]:
    """The record's keys and the anchor, once both are confirmed; DomainError otherwise."""
    cycle = f"{record.cycle.cluster}/{record.cycle.year}"
    anchor = Anchor.parse(anchor_text.strip()) if anchor_text.strip() else None
    if anchor is None:
        raise _refused(
            "anchor_required",
            gettext_noop(
                "Nhập mã kiểm chứng in trên biên bản đã ký (ít nhất 32 chữ số thập lục phân) "
                "trước khi nhận bản ghi."
            ),
        )
    registered = list(
        RegisteredKey.objects.filter(
            cluster_code=record.cycle.cluster, year=record.cycle.year
        ).values_list("fingerprint", flat=True)
    )
    found, anchor_findings = provenance(record, trusted=registered, anchor=anchor)
    if found.untrusted:
        raise _refused(
            "key_not_registered",
            gettext_noop(
                "Khóa ký %(keys)s chưa được đăng ký cho năm thi đua %(cycle)s: so dấu vân tay "
                "trên giấy rồi đăng ký khóa trước khi nhận bản ghi."
            ),
            keys=", ".join(signing.grouped(key) for key in found.untrusted),
            cycle=cycle,
        )
    if anchor_findings:
        raise _refused(
            "anchor_not_in_record",
            gettext_noop(
                "Bản ghi không chứa mã kiểm chứng %(anchor)s in trên biên bản: không nhận."
            ),
            anchor=signing.grouped(anchor.hash_prefix),
        )
    return list(found.keys), anchor.hash_prefix


@transaction.atomic
def receive(*, actor, document: dict, anchor: str) -> ReceivedRecord:
    """Take in a cluster laptop's record with the checkpoint the admin typed from the signed
    minutes (see the module's docstring). Refused with the reason, writing nothing, when it
    does not verify or its keys or anchor are not confirmed."""
    require(actor, Action.RECEIVE_RECORDS)
    record = refuse_unless_verified(document)
    fingerprints, typed_anchor = _checked(record, anchor)
    chain = record.audit.chain
    AuditHead.objects.select_for_update().filter(chain=chain).first()  # one import at a time
    held = list(
        AuditEntry.objects.filter(chain=chain).order_by("seq").values_list("hash", flat=True)
    )
    incoming = [entry.hash for entry in record.audit.entries]
    common = next(
        (n for n, (mine, theirs) in enumerate(zip(held, incoming, strict=False)) if mine != theirs),
        min(len(held), len(incoming)),
    )
    received = ReceivedRecord(
        cluster_code=record.cycle.cluster,
        year=record.cycle.year,
        entries=len(incoming),
        head=record.audit.head,
        fingerprints=fingerprints,
        anchor=typed_anchor,
        received_by=recorded_user(actor),
    )
    if not held:
        _new_cycle(record)
        received.outcome = ReceivedRecord.Outcome.IMPORTED
    elif common == len(held) == len(incoming):
        received.outcome = ReceivedRecord.Outcome.UNCHANGED
    elif common == len(incoming):
        received.outcome = ReceivedRecord.Outcome.OLDER
    elif common == len(held):
        _forget(Cycle.objects.get(cluster__code=record.cycle.cluster, year=record.cycle.year))
        write_cycle(record, mirror=True)
        received.outcome = ReceivedRecord.Outcome.EXTENDED
    else:
        received.outcome = ReceivedRecord.Outcome.QUARANTINED
        received.diverges_at = common + 1
        received.server_fingerprints = list(
            dict.fromkeys(
                e.after["fingerprint"]
                for e in AuditEntry.objects.filter(chain=chain, action=AuditAction.KEY_REGISTER)
            )
        )
        received.content = gzip.compress((canonical_json(document) + "\n").encode(), mtime=0)
    received.save()
    audit(
        actor=actor,
        action=AuditAction.RECORD_RECEIVE,
        object_type="record.receivedrecord",
        object_id=received.pk,
        after={
            "cycle": chain,
            "outcome": received.outcome,
            "entries": received.entries,
            "head": received.head,
            "keys": fingerprints,
            "diverges_at": received.diverges_at,
        },
    )
    return received


def _new_cycle(record: Record) -> None:
    data = record.cycle
    if Cycle.objects.filter(cluster__code=data.cluster, year=data.year).exists():
        raise StateConflict(
            [
                Problem(
                    "cycle_exists",
                    gettext_noop(
                        "Năm thi đua %(cycle)s đã có trên máy chủ nhưng không từ bản ghi của "
                        "cụm; không nhập gì."
                    ),
                    {"cycle": f"{data.cluster}/{data.year}"},
                )
            ]
        )
    write_cycle(record, mirror=True)


def _forget(cycle: Cycle) -> None:
    """Remove a mirrored cycle's data (not its chain) before a newer record of it is written:
    children before what they point at, so that nothing protected is left pointing."""
    polls = Poll.objects.filter(conference__cycle=cycle)
    Elector.objects.filter(poll__in=polls).delete()
    Ballot.objects.filter(poll__in=polls).delete()
    Candidate.objects.filter(poll__in=polls).delete()
    PaperEntry.objects.filter(poll__in=polls).delete()
    for poll in polls.order_by("-id"):  # a runoff before the round it follows
        poll.delete()
    reissues = Reissue.objects.filter(delegate__conference__cycle=cycle)
    people = list(reissues.exclude(issued_by=None).values_list("issued_by_id", flat=True))
    reissues.delete()
    people += Delegate.objects.filter(conference__cycle=cycle).values_list("user_id", flat=True)
    Delegate.objects.filter(conference__cycle=cycle).delete()
    User.objects.filter(pk__in=people, is_active=False, username__startswith="ban-ghi-").delete()
    for report in Report.objects.filter(cycle=cycle):
        report.values.all().delete()
        report.delete()
    Handover.objects.filter(from_cycle=cycle).delete()
    cycle.delete()
