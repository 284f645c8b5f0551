"""A cycle's version, and what pages compute once per version (issue 18).

The version is the head of the cycle's audit chain and of the installation's: every
service that writes appends to the audit log (`services.record`, `services.carry`) in its
own transaction, so the version moves with the write, in the database every app process
reads — one helper every write already calls, no second counter to forget. The
installation's chain covers what cycles share (units, lineage, rule sets). Casts do not
move it: a secret ballot writes no audit entry, and nothing cached here reads the ballot box
(turnout and the votes are read live).

Entries live in the "pages" cache (the database, see settings.CACHES) under (name, cycle,
version): a write makes new keys, nothing is deleted. The version is read before what is
computed, so an entry never holds data older than its version.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches

from thidua.audit.models import AuditHead
from thidua.audit.services import chain_of

T = TypeVar("T")


def version(cycle) -> str:
    """`cycle`'s version: the length and last hash of its chain and of the installation's
    (one query). The hash, not only the length: a database emptied and filled again (tests,
    a restored copy) reaches the same lengths with other entries, never the same hashes."""
    chain = chain_of(cycle)
    heads = {
        name: f"{count}-{digest[:16]}"
        for name, count, digest in AuditHead.objects.filter(chain__in=[chain, ""]).values_list(
            "chain", "count", "hash"
        )
    }
    return f"{heads.get(chain, '0')}.{heads.get('', '0')}"


def cached(cycle, name: str, compute: Callable[[], T]) -> T:
    """`compute()` for `cycle` as it stands, computed once per version of the cycle. Kept
    pickled and compressed: a results page of 50 units is 2,7 MB of HTML, 0,1 MB so, and the
    cache's base64 of it is most of what a cached page costs."""
    key = f"thidua:{name}:{cycle.pk}:{version(cycle)}"
    cache = caches["pages"]
    found = cache.get(key)
    if found is not None:
        return pickle.loads(zlib.decompress(found))  # noqa: S301 - written by us, just above
    value = compute()
    cache.set(key, zlib.compress(pickle.dumps(value, pickle.HIGHEST_PROTOCOL), 1))
    return value
