"""Files made from the code — the record's JSON Schema and field tables, the layer diagram,
the URL map: one way to write them, and to say with `--check` which is stale (a test and
`make lint` run each check, so a change to the code and its document land together)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path


def between(current: str, begin: str, end: str, body: str) -> str:
    """`current` with what lies between its lines `begin` and `end` replaced by `body`."""
    before, found, rest = current.partition(begin)
    _old, found_end, after = rest.partition(end)
    if not (found and found_end):
        raise ValueError(f"the lines {begin!r} and {end!r} are missing")
    return f"{before}{begin}\n\n{body}{end}{after}"


def diff(path: Path, committed: str, wanted: str) -> str:
    """A unified diff from the committed file to what the code makes ('' when equal)."""
    return "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            wanted.splitlines(keepends=True),
            fromfile=f"{path.name} (committed)",
            tofile=f"{path.name} (from the code)",
        )
    )


def sync(wanted: Mapping[Path, str], *, check: bool, command: str) -> int:
    """Write each file whose text differs from `wanted`; with `check`, write nothing, show
    each difference and exit 1 if there is one."""
    stale = {
        path: path.read_text(encoding="utf-8") if path.exists() else ""
        for path, text in wanted.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    }
    if check:
        for path, committed in stale.items():
            print(diff(path, committed, wanted[path]), end="")
            print(f"{path} is not what the code says: run {command}")
        return 1 if stale else 0
    for path in stale:
        path.write_text(wanted[path], encoding="utf-8")
        print(f"wrote {path}")
    return 0
