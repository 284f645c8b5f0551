"""The installation's signing key: created once (0600), shown on the about page and by
`thidua key show`, backed up with a passphrase and restored on another machine."""

import io
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from thidua.audit import keys
from thidua.core import signing


@pytest.fixture
def another_machine(settings, tmp_path):
    """A second installation: its own var/ directory, no key yet."""
    original = settings.VAR_DIR
    settings.VAR_DIR = tmp_path
    keys.installation_key.cache_clear()
    yield tmp_path
    settings.VAR_DIR = original
    keys.installation_key.cache_clear()


def test_the_key_is_made_once_and_only_its_owner_reads_it(another_machine):
    first = keys.installation_fingerprint()
    keys.installation_key.cache_clear()
    assert keys.installation_fingerprint() == first
    mode = (another_machine / "signing_key").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert len(first) == 64


def test_a_backup_restores_the_same_key_elsewhere_with_its_passphrase(another_machine, tmp_path):
    content = keys.backup("mật khẩu đủ dài 2020")
    here = keys.installation_fingerprint()
    assert keys.installation_key().encode().hex() not in content.decode()  # encrypted
    (another_machine / "signing_key").unlink()  # the laptop is lost
    keys.installation_key.cache_clear()
    with pytest.raises(keys.KeyProblem, match="Sai cụm mật khẩu"):
        keys.restore(content, "mật khẩu sai hoàn toàn")
    assert keys.restore(content, "mật khẩu đủ dài 2020") == here
    assert keys.installation_fingerprint() == here


def test_a_restore_never_replaces_a_different_key_silently(another_machine):
    content = keys.backup("mật khẩu đủ dài 2020")
    (another_machine / "signing_key").unlink()
    keys.installation_key.cache_clear()
    keys.installation_fingerprint()  # this machine made its own meanwhile
    with pytest.raises(keys.KeyProblem, match="đã có một khóa ký khác"):
        keys.restore(content, "mật khẩu đủ dài 2020")
    restored = keys.restore(content, "mật khẩu đủ dài 2020", replace=True)
    assert keys.installation_fingerprint() == restored


def test_short_passphrases_and_other_files_are_refused(another_machine):
    with pytest.raises(keys.KeyProblem, match="ít nhất 12"):
        keys.backup("ngắn")
    with pytest.raises(keys.KeyProblem, match="không phải bản sao lưu"):
        keys.restore(b'{"format": "khac"}', "mật khẩu đủ dài 2020")


def test_the_key_command(another_machine, monkeypatch):
    out = io.StringIO()
    call_command("key", "show", stdout=out)
    assert signing.grouped(keys.installation_fingerprint()) in out.getvalue()
    monkeypatch.setenv("THIDUA_KEY_PASSPHRASE", "mật khẩu đủ dài 2020")
    backup = another_machine / "khoa.json"
    call_command("key", "backup", "--out", str(backup), stdout=io.StringIO())
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    with pytest.raises(CommandError, match="đã có"):
        call_command("key", "backup", "--out", str(backup), stdout=io.StringIO())
    out = io.StringIO()
    call_command("key", "restore", str(backup), stdout=out)
    assert signing.grouped(keys.installation_fingerprint()) in out.getvalue()


@pytest.mark.django_db
def test_the_about_page_shows_the_fingerprint_to_anyone():
    page = Client().get("/about/")
    assert page.status_code == 200
    text = page.content.decode()
    assert signing.grouped(keys.installation_fingerprint()) in text
    assert keys.installation_fingerprint() in text


@pytest.mark.django_db
def test_a_key_change_in_mid_year_is_recorded_in_the_chain_and_verifies(
    settings, tmp_path, get_user, cycle
):
    """The laptop is lost with its key: the year goes on on another machine, whose key the
    chain registers as replacing the first; the record holds both and verifies."""
    from thidua.core import record as core_record
    from thidua.core.phases import Phase
    from thidua.core.verify import provenance, verify
    from thidua.org import services
    from thidua.record.export import export_json

    first = keys.installation_fingerprint()
    secretary = get_user("laocai.thuky")
    services.close_phase(actor=secretary, cycle=cycle("cum-2", 2021), phase=Phase.PLANNING)
    settings.VAR_DIR = tmp_path  # another laptop, a key of its own
    keys.installation_key.cache_clear()
    try:
        second = keys.installation_fingerprint()
        services.open_phase(actor=secretary, cycle=cycle("cum-2", 2021), phase=Phase.AGREEMENT)
        document = export_json(cycle("cum-2", 2021))
    finally:
        keys.installation_key.cache_clear()
    registrations = [
        e["payload"]["after"]
        for e in document["audit"]["entries"]
        if e["payload"]["action"] == "record.key.register"
    ]
    assert [r["fingerprint"] for r in registrations] == [first, second]
    assert registrations[1]["replaces"] == first
    assert verify(document) == []
    record = core_record.read(document)[0]
    found, _ = provenance(record, trusted=[first])
    assert found.untrusted == (second,)  # the new laptop's key must be confirmed too
    found, _ = provenance(record, trusted=[first, second[:32]])
    assert found.verified
