"""Write docs/urls.txt, every route of the URL map, or with `--check` show how the live map
differs from it (exit 1).

    python -m thidua.urlmap [--check]

URLs are promises: QR codes are printed with them, API clients and calendar links keep them.
One line per route, sorted: the full path pattern, the URL name (`-` if none) and the view's
dotted path. A refactor that moves a view changes only the third column; a changed path or
name shows up here before it breaks a printed code.
"""

from __future__ import annotations

import argparse
import difflib
import inspect
import os
import sys
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "urls.txt"


def _pattern(part) -> str:
    text = str(part.pattern)
    return text.removeprefix("^").removesuffix("$")  # regex routes (the admin's) without anchors


def _dotted(view) -> str:
    view = getattr(view, "view_class", None) or inspect.unwrap(view)  # as_view(), decorators
    view = getattr(view, "func", view)  # a functools.partial: its function
    view = getattr(view, "__func__", view)  # a bound method: its function
    return f"{view.__module__}.{view.__qualname__}"


def _view(callback) -> str:
    """The view's dotted path; for a django-ninja route, each operation's methods and function
    (ninja serves every path through one closure over its PathView)."""
    closure = inspect.getclosurevars(callback).nonlocals if inspect.isfunction(callback) else {}
    path_view = closure.get("self")
    operations = getattr(path_view, "operations", None)
    if operations is None:
        return _dotted(callback)
    return ",".join(f"{'|'.join(op.methods)}:{_dotted(op.view_func)}" for op in operations)


def _routes(patterns, prefix: str = "", namespace: str = ""):
    from django.urls import URLResolver

    for entry in patterns:
        path = prefix + _pattern(entry)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, path, inner)
        else:
            name = f"{namespace}{entry.name}" if entry.name else "-"
            yield f"{path} {name} {_view(entry.callback)}"


def lines() -> list[str]:
    """The live URL map, one sorted line per route."""
    from django.urls import get_resolver

    return sorted(_routes(get_resolver().url_patterns, prefix="/"))


def text() -> str:
    return "\n".join(lines()) + "\n"


def diff(committed: str, live: str) -> str:
    """A unified diff from the committed snapshot to the live map ('' when equal)."""
    return "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            live.splitlines(keepends=True),
            fromfile="docs/urls.txt (committed)",
            tofile="live URL map",
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing, exit 1 on drift")
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thidua.settings")
    import django

    django.setup()
    live = text()
    committed = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    if options.check:
        changes = diff(committed, live)
        if changes:
            print(changes, end="")
            print(f"{SNAPSHOT} is not the live URL map: run python -m thidua.urlmap")
        return 1 if changes else 0
    if committed != live:
        SNAPSHOT.write_text(live, encoding="utf-8")
        print(f"wrote {SNAPSHOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
