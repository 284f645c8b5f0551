"""Writes of the audit log: `record()` appends an entry to its cycle's chain, `carry()`
copies entries another chain wrote into a cycle's chain — both inside the caller's
transaction, so the entry commits with the write it describes."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterable, Mapping

from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac

from thidua.audit import clock, keys
from thidua.audit.models import AuditEntry, AuditHead
from thidua.audit.selectors import chain_breaks
from thidua.core import signing
from thidua.core.audit import GENESIS, canonical_json, entry_hash
from thidua.core.messages import Problem, gettext_noop
from thidua.core.record import CHECKPOINTED, AuditAction
from thidua.errors import StateConflict

logger = logging.getLogger(__name__)


def _plain(value):
    """JSON-ready copy (Decimals and dates as text), as stored and as hashed."""
    return None if value is None else json.loads(canonical_json(value))


def chain_of(cycle) -> str:
    """The name of `cycle`'s chain ("" for the installation's own entries)."""
    return f"{cycle.cluster.code}/{cycle.year}" if cycle is not None else ""


_AFTER_WRITE: list[Callable] = []


def after_each_write(hook: Callable) -> None:
    """Run `hook(cycle)` once a transaction that wrote to `cycle`'s chain has committed, in
    the writer's thread (`audit.versions.refresh`). A hook that fails is logged by Django
    (`robust`): the write has committed and stands."""
    if hook not in _AFTER_WRITE:
        _AFTER_WRITE.append(hook)


def _written(cycle) -> None:
    for hook in _AFTER_WRITE:
        transaction.on_commit(functools.partial(hook, cycle), robust=True)


_CATALOG: list[Callable[[], Mapping]] = []


def register_catalog(source: Callable[[], Mapping]) -> None:
    """`source()` gives the installation's indicator catalog as a chain logs it
    (`core.record.computing_catalog`); the stats app registers it (it sits above this one)."""
    _CATALOG[:] = [source]


def catalog_digest(logged: Mapping) -> str:
    """The digest of a catalog entry's `after`, kept in the chain's head (`AuditHead.catalog`)
    to tell at once whether the chain logged the catalog as it is."""
    return hashlib.sha256(canonical_json(logged).encode()).hexdigest()


def _catalog_to_log(head: AuditHead, catalog: Mapping | None = None) -> dict | None:
    """The catalog `head`'s cycle chain must log before its next entry (`catalog`, else the
    installation's as it is), or None when it logged this very one last. A record's
    statistics, and the criteria scored from them, are computed with the catalog: the chain
    holds it as it holds the key that signs it."""
    if not head.chain or not _CATALOG:
        return None
    logged = {"indicators": dict(catalog if catalog is not None else _CATALOG[0]())}
    return None if head.catalog == catalog_digest(logged) else logged


@transaction.atomic
def log_catalog() -> int:
    """After the catalog changed (an indicator added, redefined or removed): log it in every
    cycle chain of this installation that logged another (none mirrored from a laptop), so
    that a year already done still exports a record its log stands behind. How many."""
    if not _CATALOG:
        return 0
    catalog = _CATALOG[0]()
    logged = 0
    heads = AuditHead.objects.select_for_update().exclude(chain="").filter(mirror=False)
    for head in heads.filter(count__gt=0).order_by("chain"):
        after = _catalog_to_log(head, catalog)
        if after is not None:
            cause = AuditEntry(at=clock.now(), chain=head.chain)
            try:
                with transaction.atomic():
                    _append(_chain_entry(cause, AuditAction.CATALOG, after))
            except StateConflict:  # a chain changed behind the app: left, and logged
                continue
            logged += 1
    return logged


def head_mac(chain: str, count: int, hash: str, secret: str | None = None) -> str:
    """This installation's MAC of a chain's head (its name, length and last hash), keyed from
    SECRET_KEY (`secret`: one of its fallbacks), which lives outside the database. Whoever
    can write the database but not read the server's files can edit the entries after the
    last signed checkpoint and re-hash them into a consistent chain, but cannot attest its
    new head: the next write and the next seal refuse it (`_refuse_unless_attested`)."""
    message = f"{chain}\0{count}\0{hash}"
    return salted_hmac("thidua.audit.head", message, secret=secret, algorithm="sha256").hexdigest()


def _attest(head: AuditHead) -> None:
    head.mac = head_mac(head.chain, head.count, head.hash)


def _refuse_unless_attested(head: AuditHead) -> None:
    """Raise StateConflict unless `head` is as this installation last wrote it (its MAC
    holds under SECRET_KEY or one of SECRET_KEY_FALLBACKS) and the chain ends there (its
    last entry is the head's): a chain changed in the database behind the app is neither
    extended nor sealed, so the app never signs a forgery. A head attested under a key being
    rotated out is attested again under SECRET_KEY (`attest_rotated_heads`)."""
    if not hmac.compare_digest(head.mac, head_mac(head.chain, head.count, head.hash)):
        if not any(
            hmac.compare_digest(head.mac, head_mac(head.chain, head.count, head.hash, secret))
            for secret in settings.SECRET_KEY_FALLBACKS
        ):
            raise _altered(head.chain)
        old = head.mac
        _attest(head)
        AuditHead.objects.filter(pk=head.pk, mac=old).update(mac=head.mac)
    last = AuditEntry.objects.filter(chain=head.chain).order_by("-seq")
    if last.values_list("seq", "hash").first() != ((head.count, head.hash) if head.count else None):
        raise _altered(head.chain)  # entries put after the head, or the head moved back


def _refuse_if_headless(chain: str) -> None:
    """A chain with entries but no head row (or a head of none) lost its head in the
    database: started again, it would follow on from nothing."""
    if AuditEntry.objects.filter(chain=chain).exists():
        raise _altered(chain)


def _altered(chain: str) -> StateConflict:
    logger.error("audit chain %r: its head is not as this installation wrote it", chain)
    return StateConflict(
        [
            Problem(
                "chain_altered",
                gettext_noop(
                    "Nhật ký thao tác “%(chain)s” trong cơ sở dữ liệu không khớp với mã xác "
                    "thực máy này lưu cho nó: nó đã bị sửa ngoài ứng dụng, hoặc khóa bí mật "
                    "(SECRET_KEY) của máy đã đổi. Mọi thao tác ghi và việc xuất bản ghi của "
                    "nhật ký này dừng lại. Hãy đối chiếu với mã kiểm chứng in trên biên bản đã "
                    "ký, rồi khôi phục bản sao lưu làm trước đó (thidua restore) vào một cơ sở "
                    "dữ liệu mới."
                ),
                {"chain": chain or "—"},
            )
        ]
    )


def attest_rotated_heads() -> None:
    """Attest again under SECRET_KEY every head attested under a key being rotated out, so
    that the old key can then be dropped (`thidua backup` runs it first). StateConflict
    naming the first chain no key attests, once the others are done."""
    refused = []
    for head in AuditHead.objects.filter(count__gt=0).order_by("chain"):
        try:
            _refuse_unless_attested(head)
        except StateConflict as refusal:  # logged once, when it was made (`_altered`)
            refused.append(refusal)
    if refused:
        raise refused[0]


def _refuse_unless_whole(chain: str) -> None:
    """Raise StateConflict unless `chain` runs whole from its first entry to its attested
    head: entries copied from it into another chain (`carry`) are signed there, so they must
    be what this installation wrote, not rows put into the table."""
    head = AuditHead.objects.filter(chain=chain).first()
    if head is None or head.count == 0:
        raise _altered(chain)
    _refuse_unless_attested(head)  # its last entry is the head's
    if chain_breaks([chain]):
        raise _altered(chain)


def _append(entry: AuditEntry) -> AuditEntry:
    """Link `entry` (its chain and payload set) at the end of its chain, inside the writing
    transaction. The chain's head row is locked until the transaction ends: writers of one
    cycle queue, other cycles do not. A head this installation did not attest is refused
    (`_refuse_unless_attested`). A chain not yet signed by this installation's key first
    registers it, a cycle's chain that has not logged the catalog as it is first logs it
    (`_catalog_to_log`); an act in `CHECKPOINTED` is followed by a signed checkpoint."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the audit log is written inside the writing transaction")
    head, created = AuditHead.objects.select_for_update().get_or_create(
        chain=entry.chain, defaults={"hash": GENESIS, "count": 0}
    )
    if created:
        _refuse_if_headless(entry.chain)
    else:
        _refuse_unless_attested(head)
    if head.mirror:
        raise StateConflict(
            [
                Problem(
                    "mirrored_cycle",
                    gettext_noop(
                        "Năm thi đua %(cycle)s được nhận từ máy của cụm: mọi thay đổi làm trên "
                        "máy đó, rồi gửi bản ghi mới lên máy chủ."
                    ),
                    {"cycle": entry.chain},
                )
            ]
        )
    key = keys.installation_key()
    fingerprint = signing.fingerprint(signing.public_hex(key))
    if head.key != fingerprint:
        _link(head, _chain_entry(entry, AuditAction.KEY_REGISTER, _registration(head, key)))
        head.key = fingerprint
    if entry.action == AuditAction.CATALOG:
        head.catalog = catalog_digest(entry.after)
    elif (catalog := _catalog_to_log(head)) is not None:
        _link(head, _chain_entry(entry, AuditAction.CATALOG, catalog))
        head.catalog = catalog_digest(catalog)
    _link(head, entry)
    if entry.action in CHECKPOINTED and entry.origin is None:
        checkpoint = {
            "seq": head.count,
            "hash": head.hash,
            "fingerprint": fingerprint,
            "signature": signing.sign(key, head.chain, head.count, head.hash),
        }
        _link(head, _chain_entry(entry, AuditAction.CHECKPOINT, checkpoint))
    head.seal = None  # a restored seal no longer covers the head
    _attest(head)
    head.save(update_fields=["hash", "count", "key", "seal", "catalog", "mac"])
    return entry


def _link(head: AuditHead, entry: AuditEntry) -> None:
    entry.seq, entry.prev_hash = head.count + 1, head.hash
    entry.hash = entry_hash(
        chain=entry.chain,
        seq=entry.seq,
        prev_hash=entry.prev_hash,
        payload=entry.payload(),
        origin=entry.origin,
    )
    entry.save()
    head.hash, head.count = entry.hash, entry.seq


def _registration(head: AuditHead, key) -> dict:
    return {
        "public_key": signing.public_hex(key),
        "fingerprint": signing.fingerprint(signing.public_hex(key)),
        "replaces": head.key or None,
    }


def _chain_entry(cause: AuditEntry, action: AuditAction, after: dict) -> AuditEntry:
    """An entry the chain writes about itself (a key, a checkpoint), at the time of `cause`."""
    return AuditEntry(
        at=cause.at,
        actor=clock.SYSTEM,
        unit="",
        cycle=cause.chain,
        chain=cause.chain,
        action=action,
        object_type="audit.chain",
        object_id=cause.chain,
        after=after,
    )


def seal(chain: str) -> tuple[str, str] | None:
    """(public key, signature) of `chain`'s head, or None for a chain with no entry: signed
    now by this installation when the chain's key is its own, else the seal restored with
    the chain (this installation has not written to it since)."""
    head = AuditHead.objects.filter(chain=chain).first()
    if head is None or head.count == 0:
        _refuse_if_headless(chain)
        return None
    _refuse_unless_attested(head)
    key = keys.installation_key()
    if head.key == signing.fingerprint(signing.public_hex(key)):
        return signing.public_hex(key), signing.sign(key, chain, head.count, head.hash)
    if head.seal is None:
        raise RuntimeError(f"chain {chain!r} is neither signed by this installation nor sealed")
    return head.seal["public_key"], head.seal["signature"]


def record(
    *,
    actor,
    action: AuditAction,
    object_type: str,
    object_id: str,
    before=None,
    after=None,
    cycle=None,
) -> AuditEntry:
    """Append an entry to `cycle`'s chain (the installation's without a cycle); call it
    inside the service's transaction so both commit together. `action` is one of the record
    format's `AuditAction`s (anything else raises ValueError)."""
    action = AuditAction(action)
    user = getattr(actor, "username", None)
    if cycle is not None:
        _written(cycle)
    return _append(
        AuditEntry(
            at=clock.now(),
            actor=user or clock.without_account(),
            unit=getattr(getattr(actor, "unit", None), "code", "") if user else "",
            cycle=chain_of(cycle),
            chain=chain_of(cycle),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=_plain(before),
            after=_plain(after),
        )
    )


def carry(cycle, entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """Copy into `cycle`'s chain, in the order written, each of `entries` (written in other
    chains) it does not hold yet: the same payload, with `origin` naming the entry copied,
    each from a chain that runs whole to its attested head (`_refuse_unless_whole`). A
    chain taken in from a cluster's laptop carries nothing here: the laptop's record does."""
    chain = chain_of(cycle)
    if AuditHead.objects.filter(chain=chain, mirror=True).exists():
        return []
    held = {
        (origin or {}).get("hash")
        for origin in AuditEntry.objects.filter(chain=chain, origin__isnull=False).values_list(
            "origin", flat=True
        )
    }
    new = []
    for entry in sorted(entries, key=lambda entry: entry.pk):
        if entry.chain != chain and entry.hash not in held:
            held.add(entry.hash)
            new.append(entry)
    for source in dict.fromkeys(entry.chain for entry in new):
        _refuse_unless_whole(source)
    carried = []
    for entry in new:
        carried.append(
            _append(
                AuditEntry(
                    at=entry.at,
                    actor=entry.actor,
                    unit=entry.unit,
                    cycle=entry.cycle,
                    chain=chain,
                    origin={"chain": entry.chain, "seq": entry.seq, "hash": entry.hash},
                    action=entry.action,
                    object_type=entry.object_type,
                    object_id=entry.object_id,
                    before=entry.before,
                    after=entry.after,
                )
            )
        )
    if carried:
        _written(cycle)
    return carried
