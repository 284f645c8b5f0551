"""The core stays pure: importing it never imports Django."""

import pkgutil
import subprocess
import sys

import thidua.core


def test_core_imports_no_django():
    modules = [f"thidua.core.{info.name}" for info in pkgutil.iter_modules(thidua.core.__path__)]
    assert "thidua.core.lineage" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
