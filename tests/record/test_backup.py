"""`thidua backup` / `thidua restore`: every cycle as records, restored into an empty database
(PostgreSQL under CI) and compared by backing it up again."""

import gzip
import json
import os

import pytest
from django.core.management import call_command

from tests.conftest import migrated_database_url
from tests.record.roundtrip import thidua as _thidua

pytestmark = pytest.mark.django_db


@pytest.fixture
def backup(tmp_path):
    folder = tmp_path / "backup"
    call_command("backup", "--out", str(folder), stdout=open(os.devnull, "w"))  # noqa: SIM115
    return folder


@pytest.fixture
def empty(tmp_path):
    env = {
        **os.environ,
        "THIDUA_VAR_DIR": str(tmp_path),
        "THIDUA_DATABASE_URL": migrated_database_url(tmp_path, "restore"),
        "THIDUA_SECRET_KEY": "backup-test-" + "x" * 50,
    }
    return env


def test_a_backup_restores_into_an_empty_database_exactly(backup, empty, tmp_path):
    manifest = json.loads((backup / "manifest.json").read_text())
    assert [r["cycle"] for r in manifest["records"]] == ["cum-1/2020", "cum-2/2020", "cum-2/2021"]
    done = _thidua(empty, "restore", str(backup))
    assert done.returncode == 0, done.stderr
    again = tmp_path / "again"
    assert _thidua(empty, "backup", "--out", str(again)).returncode == 0
    assert json.loads((again / "manifest.json").read_text()) == manifest
    for entry in manifest["records"]:
        assert (again / entry["file"]).read_bytes() == (backup / entry["file"]).read_bytes()


def test_the_units_highlights_go_out_and_come_back(backup, empty):
    record = json.loads(gzip.decompress((backup / "cum-2-2020.json.gz").read_bytes()))
    son_la = next(r for r in record["reports"] if (r["unit"], r["year"]) == ("son-la", 2020))
    assert son_la["highlights"].startswith("Số vụ phạm tội về trật tự xã hội giảm 26,0%")
    assert _thidua(empty, "restore", str(backup)).returncode == 0
    read = (
        "from thidua.stats.models import Report; "
        "print(repr(Report.objects.get(unit__code='son-la', year=2020, period='Y').highlights))"
    )
    restored = _thidua(empty, "shell", "-c", read).stdout.strip().splitlines()[-1]
    assert restored == repr(son_la["highlights"])


def test_a_changed_backup_restores_nothing(backup, empty):
    name = "cum-2-2020.json.gz"
    record = json.loads(gzip.decompress((backup / name).read_bytes()))
    record["polls"][0]["result"]["votes"]["lao-cai"] += 1
    (backup / name).write_bytes(gzip.compress(json.dumps(record).encode()))
    done = _thidua(empty, "restore", str(backup))
    assert done.returncode != 0
    assert "changed since the backup" in done.stderr
    listed = _thidua(
        empty, "shell", "-c", "from thidua.org.models import Cycle; print(Cycle.objects.count())"
    )
    assert listed.stdout.strip().splitlines()[-1] == "0"  # cum-1/2020 was not kept either


def test_a_backup_holding_what_json_has_not_restores_nothing(backup, empty):
    """Its manifest made to agree: the record is still read as every record is, and a value
    JSON has not (NaN) is refused, naming the file, with nothing kept."""
    import hashlib

    name = "cum-2-2020.json.gz"
    text = gzip.decompress((backup / name).read_bytes()).decode()
    text = text.replace('"after":{', '"after":{"x":NaN,', 1)
    (backup / name).write_bytes(gzip.compress(text.encode()))
    manifest = json.loads((backup / "manifest.json").read_text())
    for entry in manifest["records"]:
        if entry["file"] == name:
            entry["sha256"] = hashlib.sha256(text.encode()).hexdigest()
    (backup / "manifest.json").write_text(json.dumps(manifest))
    done = _thidua(empty, "restore", str(backup))
    assert done.returncode != 0
    assert f"{name}: tệp có giá trị NaN, không phải giá trị JSON" in done.stderr
    listed = _thidua(
        empty, "shell", "-c", "from thidua.org.models import Cycle; print(Cycle.objects.count())"
    )
    assert listed.stdout.strip().splitlines()[-1] == "0"


def test_a_chain_changed_behind_the_app_is_not_backed_up(tmp_path):
    """A backup seals every chain: one whose head this installation did not attest (changed
    in the database) stops it with the chain named, and no manifest is written."""
    from django.core.management.base import CommandError

    from thidua.audit.models import AuditHead

    AuditHead.objects.filter(chain="cum-2/2021").update(mac="")
    with pytest.raises(CommandError, match=r"“cum-2/2021”.*sửa ngoài ứng dụng"):
        call_command("backup", "--out", str(tmp_path), stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert not (tmp_path / "manifest.json").exists()
