"""Imports point down the layers of `thidua.layers` (no Django needed), and
docs/architecture.md shows those layers."""

from pathlib import Path

from thidua import layers


def test_every_import_points_down():
    found = layers.breaks()
    assert not found, "imports against the layers:\n" + "\n".join(map(str, found))


def test_every_module_has_a_layer():
    for module in layers.modules():
        layers.layer_of(module)  # raises for a module in no layer


def test_nested_and_relative_imports_count(tmp_path: Path):
    path = tmp_path / "views.py"
    path.write_text("from . import selectors\n\ndef page():\n    from thidua.web import tasks\n")
    known = {"thidua.org.selectors", "thidua.web.tasks"}
    found = layers.imports("thidua.org.views", path, known)
    assert found == [(1, "thidua.org.selectors"), (4, "thidua.web.tasks")]
    assert layers.layer_of("thidua.web.tasks") > layers.layer_of("thidua.org.views")
    assert layers.layer_of("thidua.audit.views") > layers.layer_of("thidua.org.services")
    assert layers.layer_of("thidua.audit.services") < layers.layer_of("thidua.org.services")


def test_the_break_message_names_module_import_and_line():
    shown = str(layers.Break("thidua.org.views", 26, "thidua.web.tasks", "org", "web"))
    assert shown == "thidua.org.views:26 imports thidua.web.tasks, but 'org' sits below 'web'"


def test_the_architecture_page_shows_these_layers():
    """A layer changed without `python -m thidua.layers` fails."""
    current = (layers.DOCS / "architecture.md").read_text(encoding="utf-8")
    assert current == layers.architecture_md(current)
