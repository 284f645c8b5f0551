"""Reads of the audit log."""

from itertools import groupby

from thidua.audit.models import AuditEntry
from thidua.core.audit import first_break
from thidua.core.record import AuditAction


def trail(chain: str, limit: int = 500) -> list[AuditEntry]:
    """The newest entries of a cycle's chain (carried copies included), newest first."""
    return list(AuditEntry.objects.filter(chain=chain).order_by("-seq")[:limit])


def chain_breaks() -> list[int]:
    """Ids of the first entry of each chain that does not follow from the one before it
    (empty when every chain is whole)."""
    broken = []
    entries = AuditEntry.objects.order_by("chain", "seq").iterator()
    for chain, links in groupby(entries, key=lambda entry: entry.chain):
        found = list(links)
        where = first_break(chain, (entry.link() for entry in found))
        if where is not None:
            broken.append(found[where.position].pk)
    return broken


def checkpoint_after(
    chain: str, action: str, object_id: str | None = None, **written
) -> AuditEntry | None:
    """The signed checkpoint that follows the last entry of `chain` with `action` (on
    `object_id`, and writing those `after` fields, e.g. `phase="conference"`, if given), or
    None: what the paper minutes print, so that a record can be held against them
    (`thidua verify --anchor`)."""
    entries = AuditEntry.objects.filter(chain=chain, action=action, origin__isnull=True)
    if object_id is not None:
        entries = entries.filter(object_id=object_id)
    for field, value in written.items():
        entries = entries.filter(**{f"after__{field}": value})
    last = entries.order_by("-seq").first()
    if last is None:
        return None
    return AuditEntry.objects.filter(
        chain=chain, seq=last.seq + 1, action=AuditAction.CHECKPOINT
    ).first()


def poll_log_id(chain: str, code: str) -> str | None:
    """The id the log gives poll `code` of a cycle: the database id of the installation that
    created it (a cycle taken in from a laptop keeps the laptop's), read from its creation."""
    created = AuditEntry.objects.filter(
        chain=chain, action=AuditAction.POLL_CREATE, after__code=code
    ).first()
    return created.object_id if created else None


def issued_documents(chain: str) -> dict[str, AuditEntry]:
    """Document key → the entry that issued it last for signing (its digest, when, by whom)."""
    found = {}
    for entry in AuditEntry.objects.filter(chain=chain, action=AuditAction.DOCUMENT_ISSUE).order_by(
        "seq"
    ):
        found[entry.object_id] = entry
    return found
