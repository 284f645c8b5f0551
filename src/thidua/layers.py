"""The import layers of thidua, lowest first, and the check that keeps them one-way.

A module may import modules of its own layer and of the layers below it, never above: data
flows org → stats → scoring → voting → documents, and a stage learns about a later one only
through the hooks it exposes (`thidua.hooks`). Imports inside functions count too. The check
reads the source (no Django needed); `tests/test_layers.py` runs it, and with `--check` this
module says whether the diagram in docs/architecture.md is the one these layers give.

    python -m thidua.layers [--check]
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass
from pathlib import Path

from thidua import generated

SRC = Path(__file__).resolve().parents[1]
DOCS = SRC.parent / "docs"

#: (layer, the modules in it by dotted prefix, why it sits there), lowest first. A module
#: belongs to the layer of its longest matching prefix, so a page can sit above its package.
LAYERS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("core", ("thidua.core",), "pure rules: dataclasses in and out, no Django"),
    (
        "base",
        (
            "thidua.__init__",
            "thidua.errors",
            "thidua.progress",
            "thidua.xlsx",
            "thidua.rows",
            "thidua.settings",
            "thidua.wsgi",
        ),
        "domain errors, progress bars, the XLSX letterhead, list rows, configuration, the WSGI app",
    ),
    (
        "tools",
        (
            "thidua.layers",
            "thidua.hooks",
            "thidua.generated",
            "thidua.verify",
            "thidua.trustee",
        ),
        "standalone: layer and hook lists, generated docs, the record verifier, the trustee's CLI",
    ),
    ("audit", ("thidua.audit",), "the audit log's writer: every stage's services append to it"),
    ("org", ("thidua.org",), "units, cycles, phases, roles, authorisation"),
    (
        "audit pages",
        ("thidua.audit.views", "thidua.audit.admin", "thidua.audit.trail"),
        "the audit trail page, its rows and export, and admin read through org",
    ),
    ("stats", ("thidua.stats",), "indicator catalog, reports"),
    ("scoring", ("thidua.scoring",), "agreement, score sheets, results"),
    ("voting", ("thidua.voting",), "conference, polls, ballots, counting, hand-over"),
    ("documents", ("thidua.documents",), "DOCX / XLSX / PDF of the cycle"),
    (
        "scoring pages",
        ("thidua.scoring.views",),
        "the results download is the signed score table (a document)",
    ),
    ("web", ("thidua.web",), "home page, dashboard, what to do next, serve, demo"),
    ("record", ("thidua.record",), "the cycle's record: export, import, backup"),
    ("api", ("thidua.api",), "the ninja API object mounting each app's router"),
    (
        "urls",
        (
            "thidua.urls",
            *(
                f"thidua.{app}.urls"
                for app in (
                    "web",
                    "org",
                    "audit",
                    "stats",
                    "scoring",
                    "voting",
                    "documents",
                    "record",
                )
            ),
            "thidua.urlmap",
            "thidua.cli",
        ),
        "the URL map (each app's routes, included under the cycle), its snapshot, entry points",
    ),
)


@dataclass(frozen=True)
class Break:
    module: str
    line: int
    imported: str
    layer: str
    imported_layer: str

    def __str__(self) -> str:
        return (
            f"{self.module}:{self.line} imports {self.imported}, "
            f"but {self.layer!r} sits below {self.imported_layer!r}"
        )


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted((SRC / "thidua").rglob("*.py"))}


def layer_of(module: str) -> int:
    """The index in LAYERS of `module`'s longest matching prefix; ValueError if none."""
    module = "thidua.__init__" if module == "thidua" else module
    found = [
        (len(prefix), index)
        for index, (_name, prefixes, _why) in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    if not found:
        raise ValueError(f"{module} is in no layer of thidua.layers.LAYERS")
    return max(found)[1]


def imports(module: str, path: Path, known: set[str]) -> list[tuple[int, str]]:
    """(line, imported thidua module) for every import in the file, nested ones included."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:  # `from thidua.org import selectors` imports a module
                name = f"{base}.{alias.name}"
                found.append((node.lineno, name if name in known else base))
    return [(line, name) for line, name in found if name == "thidua" or name.startswith("thidua.")]


def breaks() -> list[Break]:
    """Every import that points to a higher layer."""
    found = modules()
    known = set(found)
    result = []
    for module, path in found.items():
        mine = layer_of(module)
        for line, imported in imports(module, path, known):
            theirs = layer_of(imported)
            if theirs > mine:
                result.append(Break(module, line, imported, LAYERS[mine][0], LAYERS[theirs][0]))
    return result


# --- the diagram in docs/architecture.md ---------------------------------------------------

BEGIN = "<!-- layers: generated by `python -m thidua.layers`, do not edit by hand -->"
END = "<!-- end of the generated layers -->"


def diagram() -> str:
    """The layers, highest first, each with its number, its modules and why it sits there."""
    lines = ["```text"]
    for index, (name, prefixes, why) in reversed(list(enumerate(LAYERS))):
        lines.append(f"{index + 1:>2} {name:<13} {', '.join(prefixes)}")
        lines.append(f"   {'':<13} {why}")
        if index:
            lines.append(f"   {'':<13} ↓")
    lines.append("```")
    return "\n".join(lines)


def architecture_md(current: str) -> str:
    """`current` (docs/architecture.md) with its generated part replaced."""
    return generated.between(current, BEGIN, END, diagram() + "\n\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing, exit 1 on drift")
    options = parser.parse_args(argv)
    path = DOCS / "architecture.md"
    wanted = architecture_md(path.read_text(encoding="utf-8"))
    return generated.sync({path: wanted}, check=options.check, command="python -m thidua.layers")


if __name__ == "__main__":
    sys.exit(main())
