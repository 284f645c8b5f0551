"""The hook registries hold what `thidua.hooks` lists, and nothing else is registered."""

import ast
import importlib
from pathlib import Path

from thidua import hooks

APPS = Path(hooks.__file__).parent


def _name(function) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def _contents(store) -> list[tuple[str, str]]:
    """(phase or "", dotted name) of each hook in a registry, in registration order."""
    if isinstance(store, dict):
        return [(str(phase), _name(hook)) for phase, found in store.items() for hook in found]
    return [("", _name(entry[0] if isinstance(entry, tuple) else entry)) for entry in store]


def test_each_registry_holds_the_listed_hooks():
    """Django has started (every ready() has run): the registries are exactly the list."""
    for registry in hooks.REGISTRIES:
        module, _, attribute = registry.store.rpartition(".")
        actual = _contents(getattr(importlib.import_module(module), attribute))
        assert actual == [(hook.phase, hook.hook) for hook in registry.hooks], registry.store


def test_every_registration_in_ready_is_listed():
    """Each register_… call in an AppConfig.ready() is a listed hook of that app."""
    calls = []
    for path in sorted(APPS.glob("*/apps.py")):
        app = f"thidua.{path.parent.name}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name == "ready":
                imported = {
                    alias.asname or alias.name: f"{found.module}.{alias.name}"
                    for found in ast.walk(node)
                    if isinstance(found, ast.ImportFrom)
                    for alias in found.names
                }
                calls += [
                    (app, imported[call.func.id])
                    for call in ast.walk(node)
                    if isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id.startswith("register_")
                ]
    listed = [
        (hook.by, registry.register) for registry in hooks.REGISTRIES for hook in registry.hooks
    ]
    assert sorted(calls) == sorted(listed)


def test_hooks_belong_to_the_app_that_registers_them():
    for registry in hooks.REGISTRIES:
        for hook in registry.hooks:
            assert hook.hook.startswith(hook.by + "."), hook
