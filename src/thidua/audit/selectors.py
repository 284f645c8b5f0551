"""Reads of the audit log."""

from thidua.audit.models import AuditEntry
from thidua.core.audit import broken_links


def trail(cycle_key: str, limit: int = 500) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(cycle=cycle_key).order_by("-id")[:limit])


def chain_breaks() -> list[int]:
    """Ids of entries whose hash does not follow from the chain (empty when intact)."""
    entries = list(AuditEntry.objects.order_by("id"))
    positions = broken_links(
        (entry.prev_hash, entry.hash, entry.payload(), entry.imported) for entry in entries
    )
    return [entries[position].pk for position in positions]
