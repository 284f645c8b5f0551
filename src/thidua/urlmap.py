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
import inspect
import os
import sys
from pathlib import Path

from thidua import generated

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
    return generated.diff(SNAPSHOT, committed, live)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing, exit 1 on drift")
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thidua.settings")
    import django

    django.setup()
    return generated.sync(
        {SNAPSHOT: text()}, check=options.check, command="python -m thidua.urlmap"
    )


if __name__ == "__main__":
    sys.exit(main())
