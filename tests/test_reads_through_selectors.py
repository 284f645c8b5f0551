"""Pages, API handlers and document builders read the database through selectors (no Django
needed): each read has one home in `<app>/selectors.py`, where its query count is tested.

The check reads the source: it fails on any `.objects` attribute (a model's manager) and on
`get_object_or_404` / `get_list_or_404` given a model class (a capitalised name) rather than
a selector's queryset, naming file and line.

Its limit: a related manager (`poll.candidates.all()`, `sheet.scores.filter(...)`) looks like
any other attribute call, so reads through one are not caught here; keep those in selectors
too, by review.
"""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "thidua"
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}
# Writes, not reads, left where they are (file, manager): the API's token marks its last use
WRITES_LEFT = {("api.py", "ApiToken.objects")}


def checked_files() -> list[Path]:
    return sorted(
        {
            *SRC.glob("*/views.py"),
            *SRC.glob("*/api.py"),
            SRC / "api.py",
            SRC / "documents" / "builders.py",
        }
    )


def _called_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def direct_reads(source: str) -> list[tuple[int, str]]:
    """(line, what) for each `.objects` and each shortcut given a model class."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append((node.lineno, f"{ast.unparse(node)} (use a selector)"))
        elif isinstance(node, ast.Call) and _called_name(node.func) in SHORTCUTS and node.args:
            first = _called_name(node.args[0])
            if first[:1].isupper():
                found.append((node.lineno, f"{_called_name(node.func)}({first}, …)"))
    return sorted(found)


def test_views_api_and_builders_read_through_selectors():
    found = [
        f"{path.relative_to(SRC.parent)}:{line} {what}"
        for path in checked_files()
        for line, what in direct_reads(path.read_text(encoding="utf-8"))
        if (str(path.relative_to(SRC)), what.split(" ")[0]) not in WRITES_LEFT
    ]
    assert not found, "ORM reads outside selectors:\n" + "\n".join(found)


def test_the_check_sees_managers_and_shortcuts_with_a_model():
    source = (
        "def page(request, code):\n"
        "    unit = get_object_or_404(Unit, code=code)\n"
        "    rows = Report.objects.filter(unit=unit)\n"
        "    item = shortcuts.get_list_or_404(models.Poll, pk=1)\n"
        "    fine = get_object_or_404(selectors.quarantined(), pk=1)\n"
    )
    assert [line for line, _ in direct_reads(source)] == [2, 3, 4]


def test_every_checked_file_exists():
    assert all(path.is_file() for path in checked_files())
