"""The audit chains: one per cycle, each entry committing to the one before it.

Every cycle's entries form their own chain (entries that belong to no cycle form the
installation's chain, named ""). Entry n's hash is SHA-256 over a canonical JSON encoding
(sorted keys, no spaces, UTF-8) of the chain's name, n, entry n − 1's hash (`GENESIS` for
the first), where a carried copy comes from (`origin`) and what happened (the payload). So
the entries of a chain are whole by themselves: an entry changed, removed, inserted,
repeated, moved to another place or to another chain no longer follows from the one before
it, and `first_break` says where, which field, what it should be and what it is.

A cycle also relies on entries written in other chains (last year's reports for its
baseline, the hand-over to it recorded at last year's conference): those are *carried* into
its chain, the same payload again with `origin` naming the chain, number and hash of the
entry they copy, so a cycle's chain holds everything its record is checked against.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


def entry_hash(
    *,
    chain: str,
    seq: int,
    prev_hash: str,
    payload: Mapping[str, object],
    origin: Mapping[str, object] | None = None,
) -> str:
    """The hash of entry `seq` of `chain` (its predecessor's hash is `prev_hash`)."""
    content = {
        "chain": chain,
        "seq": seq,
        "prev_hash": prev_hash,
        "origin": origin,
        "payload": payload,
    }
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


@dataclass(frozen=True)
class Link:
    """One entry of a chain, as a checker sees it."""

    seq: int
    prev_hash: str
    hash: str
    payload: Mapping[str, object]
    origin: Mapping[str, object] | None = None


@dataclass(frozen=True)
class Hashed:
    """One entry of a chain whose reader hashed its content (`entry_hash`) as it read it, so
    that the content need not be held, nor written again, to be checked."""

    seq: int
    prev_hash: str
    hash: str
    content_hash: str


@dataclass(frozen=True)
class Break:
    """The first place a chain does not hold: the entry (its position from 0), the field,
    what that field should be, and what it is."""

    position: int
    field: str
    expected: object
    found: object


def first_break(chain: str, links: Iterable[Link | Hashed]) -> Break | None:
    """Where the entries of `chain`, in order from its first, stop following from each
    other (None when they are whole). What comes after a break cannot be trusted, so only the
    first is named."""
    previous = GENESIS
    for position, link in enumerate(links):
        if link.seq != position + 1:
            return Break(position, "seq", position + 1, link.seq)
        if link.prev_hash != previous:
            return Break(position, "prev_hash", previous, link.prev_hash)
        expected = (
            link.content_hash
            if type(link) is Hashed
            else entry_hash(
                chain=chain,
                seq=link.seq,
                prev_hash=link.prev_hash,
                payload=link.payload,
                origin=link.origin,
            )
        )
        if link.hash != expected:
            return Break(position, "hash", expected, link.hash)
        previous = link.hash
    return None
