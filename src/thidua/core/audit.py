"""The audit chain: each entry's hash covers the previous entry's hash.

SHA-256 over a canonical JSON encoding (sorted keys, no spaces, UTF-8), so anyone holding the
entries can recompute the chain and notice an entry changed, removed or inserted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal

GENESIS = "0" * 64


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON-encodable: {type(value).__name__}")


def canonical_json(value: object) -> str:
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default
    )


def entry_hash(previous: str, payload: Mapping[str, object]) -> str:
    return hashlib.sha256((previous + canonical_json(payload)).encode()).hexdigest()


def broken_links(entries: Iterable[tuple]) -> list[int]:
    """Positions where (prev_hash, hash, payload[, imported]) does not follow from the entry
    before. An imported entry (restored from another server's record) must match its own hash
    but is no link of this chain: the chain steps over it."""
    broken = []
    previous = GENESIS
    for position, (prev_hash, digest, payload, *rest) in enumerate(entries):
        imported = bool(rest and rest[0])
        if entry_hash(prev_hash, payload) != digest or (not imported and prev_hash != previous):
            broken.append(position)
        if not imported:
            previous = digest
    return broken
