"""Reads of the audit log."""

from itertools import groupby

from thidua.audit.models import AuditEntry
from thidua.core.audit import first_break


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
