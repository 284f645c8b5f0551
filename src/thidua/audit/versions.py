"""A cycle's version, and what pages compute once per version (issue 18).

The version is the head of the cycle's audit chain and of the installation's: every
service that writes appends to the audit log (`services.record`, `services.carry`) in its
own transaction, so the version moves with the write, in the database every app process
reads — one helper every write already calls, no second counter to forget. The
installation's chain covers what cycles share (units, lineage, rule sets). Casts do not
move it: a secret ballot writes no audit entry, and nothing cached here reads the ballot box
(turnout and the votes are read live).

Entries live in the database (`PageCache`: every app process reads them) under (name,
cycle, version): a write makes a new key, and storing it drops the older versions' entry.
The version is read before what is computed, so an entry never holds data older than its
version. What is computed from given bytes alone (a document's PDF) is kept under their digest
instead (`cached_from`), which no write can make stale.

What readers read at a version is made again for the next by the write that moves it, once it
has committed (`refreshed`, `refresh`): the first reader after a write finds it made — at a
conference, the whole hall at once after the chair closes a poll — instead of each page
thread making it at once, and a page costs the same whatever the cluster's size; the writer
waits for it instead.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
import threading
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from functools import cache, reduce
from operator import or_
from pathlib import Path
from typing import TypeVar

from django.db.models import Q
from django.utils.crypto import salted_hmac

from thidua.audit.models import AuditHead, PageCache
from thidua.audit.services import after_each_write, chain_of

logger = logging.getLogger(__name__)

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
    pickled and compressed (a results page of 50 units is 2,7 MB of HTML, 0,1 MB so) under
    a seal that only this installation's SECRET_KEY makes: a row written into the table by
    anyone else is not unpickled, the value is computed again."""
    prefix = f"thidua:{name}:{cycle.pk}:"
    key = f"{prefix}{version(cycle)}.{code_fingerprint()}"
    found, value = _read(key)
    if not found:
        value = compute()
        _store(prefix, key, value)
    return value


def cached_from(cycle, name: str, digest: str, compute: Callable[[], T | None]) -> T | None:
    """`compute()` of an input of `cycle` named by its `digest` (a document's bytes), made
    by one thread of this process at a time (`_making`): whoever asks meanwhile waits, then
    reads it, so a hall asking at once for one slow thing (a PDF) makes it once. Kept as
    `cached` keeps entries, the latest input's only; None (nothing made) is not kept."""
    prefix = f"thidua:{name}:{cycle.pk}:"
    key = f"{prefix}{digest[:32]}.{code_fingerprint()}"  # 128 bits: a key holds 200 characters
    found, value = _read(key)
    if found:
        return value
    with _making:
        found, value = _read(key)
        if not found:
            value = compute()
            if value is not None:
                _store(prefix, key, value)
    return value


#: what `refresh` reads again: an entry's name → how its page reads it (through `cached`)
_REFRESHED: dict[str, Callable[..., object]] = {}
#: contexts `refresh` reads them in (e.g. the results computed once for all of them)
_SHARING: list[Callable[[], AbstractContextManager]] = []


def refreshed(
    name: str,
    read: Callable[..., object],
    sharing: Callable[[], AbstractContextManager] | None = None,
) -> None:
    """Entries kept as `name`, or `name.<detail>` (a language, a unit), are made again for the
    new version by the write that makes them stale (`refresh`): `read(cycle, detail)` reads
    one as its page does, through `cached`. `sharing`: a context to read them all in."""
    _REFRESHED[name] = read
    if sharing is not None and sharing not in _SHARING:
        _SHARING.append(sharing)


def refresh(cycle) -> None:
    """After a write to `cycle` has committed (`audit.services.after_each_write`): each entry
    registered with `refreshed` and kept for an older version of `cycle`, made for this one.
    Only what was read at the last version, so nothing is made that nobody reads. One that
    fails (a unit no longer a member, whose page now answers 404) is logged and dropped: its
    next reader meets the error."""
    if not _REFRESHED:
        return
    current = f"{version(cycle)}.{code_fingerprint()}"
    stale = []
    for name, at in kept(cycle, _REFRESHED).items():
        if at != current:
            registered = _under(name, _REFRESHED)  # one of them: `kept` found it
            detail = name[len(registered) + 1 :]  # after the registered name and its dot
            stale.append((f"thidua:{name}:{cycle.pk}:{at}", _REFRESHED[registered], detail))
    if not stale:
        return
    cycle = type(cycle).objects.select_related("cluster").get(pk=cycle.pk)  # as committed
    with ExitStack() as shared:
        for sharing in _SHARING:
            shared.enter_context(sharing())
        for key, read, detail in stale:
            try:
                read(cycle, detail)
            except Exception:  # the write stands; the page's next reader meets the error
                logger.exception("refreshing %s", key)
                PageCache.objects.filter(key=key).delete()  # not tried again at every write


after_each_write(refresh)


def kept(cycle, names) -> dict[str, str]:
    """The entries kept for `cycle` (as `cached` names their keys) whose name is one of
    `names` or begins with one and a dot: name → the version and code they were made for."""
    found = {}
    for key in PageCache.objects.filter(
        reduce(or_, (Q(key__startswith=f"thidua:{name}") for name in names)),
        key__contains=f":{cycle.pk}:",  # its place in the key: no name or version has a colon
    ).values_list("key", flat=True):
        _, name, pk, at = key.split(":", 3)
        if pk == str(cycle.pk) and _under(name, names) is not None:
            found[name] = at
    return found


def _under(name: str, names) -> str | None:
    """The one of `names` that an entry's `name` is, or begins with and a dot (a detail
    follows: the language, the unit); None when there is none."""
    return next((n for n in names if name == n or name.startswith(f"{n}.")), None)


#: held while `cached_from` makes a value (slow work, such as a PDF, one at a time)
_making = threading.Lock()


def _read(key: str) -> tuple[bool, object]:
    """Whether the table holds `key` under this installation's seal, and its value."""
    stored = PageCache.objects.filter(key=key).values_list("value", flat=True).first()
    if stored is None:
        return False, None
    stored = bytes(stored)
    seal, blob = stored[:_SEAL], stored[_SEAL:]
    if not hmac.compare_digest(seal, _seal(key, blob)):
        PageCache.objects.filter(key=key).delete()  # not ours: replaced by the caller
        return False, None
    return True, pickle.loads(zlib.decompress(blob))  # noqa: S301 - sealed by us


def _store(prefix: str, key: str, value: object) -> None:
    blob = zlib.compress(pickle.dumps(value, pickle.HIGHEST_PROTOCOL), 1)
    # an older version of the same entry is never read again; two processes computing the
    # same version at once store it once
    PageCache.objects.filter(key__startswith=prefix).exclude(key=key).delete()
    PageCache.objects.bulk_create(
        [PageCache(key=key, value=_seal(key, blob) + blob)], ignore_conflicts=True
    )


@cache
def code_fingerprint() -> str:
    """The running code: a hash of the package's Python files (read once per process, the
    same on every host that runs this release): an entry pickled by other code — a deploy,
    even one that runs no migration — is never read back into this code's classes."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


_SEAL = 32  # bytes of HMAC-SHA256


def _seal(key: str, blob: bytes) -> bytes:
    message = key.encode() + b"\0" + blob
    return salted_hmac("thidua.audit.versions", message, algorithm="sha256").digest()
