"""`record()`: append one entry to the audit chain, inside the caller's transaction."""

from __future__ import annotations

import json

from django.db import transaction
from django.utils import timezone

from thidua.audit.models import AuditEntry, AuditHead
from thidua.core.audit import GENESIS, canonical_json, entry_hash
from thidua.core.record import AuditAction


def _plain(value):
    """JSON-ready copy (Decimals and dates as text), as stored and as hashed."""
    return None if value is None else json.loads(canonical_json(value))


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
    """Append an entry; call it inside the service's transaction so both commit together.
    `action` is one of the record format's `AuditAction`s (anything else raises ValueError)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the writing transaction")
    action = AuditAction(action)
    head, _ = AuditHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"hash": GENESIS, "count": 0}
    )
    user = getattr(actor, "username", None)
    entry = AuditEntry(
        at=timezone.now(),
        actor=user or "system",
        unit=getattr(getattr(actor, "unit", None), "code", "") if user else "",
        cycle=f"{cycle.cluster.code}/{cycle.year}" if cycle is not None else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=_plain(before),
        after=_plain(after),
        prev_hash=head.hash,
    )
    entry.hash = entry_hash(head.hash, entry.payload())
    entry.save()
    head.hash, head.count = entry.hash, head.count + 1
    head.save(update_fields=["hash", "count"])
    return entry
