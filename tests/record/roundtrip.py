"""Back up this database, restore it into an empty one by another process, back that up
again: a record must come back as the same bytes (its format holds everything it needs)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

from tests.conftest import migrated_database_url


def thidua(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "thidua.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def restores_exactly(tmp_path: Path, name: str) -> Path:
    """The round trip, asserted file by file; returns the second backup's folder."""
    first = tmp_path / "backup"
    call_command("backup", "--out", str(first), stdout=open(os.devnull, "w"))  # noqa: SIM115
    env = {
        **os.environ,
        "THIDUA_VAR_DIR": str(tmp_path),
        # migrated already (`thidua migrate` would find nothing to do): a process less
        "THIDUA_DATABASE_URL": migrated_database_url(tmp_path, name),
        "THIDUA_SECRET_KEY": f"{name}-test-" + "x" * 50,
    }
    done = thidua(env, "restore", str(first))
    assert done.returncode == 0, done.stderr
    again = tmp_path / "again"
    assert thidua(env, "backup", "--out", str(again)).returncode == 0
    for entry in json.loads((first / "manifest.json").read_text())["records"]:
        assert (again / entry["file"]).read_bytes() == (first / entry["file"]).read_bytes()
    return again
