"""A cluster's laptop feeds the Ministry server (thidua.record.services.receive).

The laptop is this test database (SQLite or PostgreSQL, as the suite runs); the server is a
fresh PostgreSQL database driven through `thidua` commands, as its operators would: it takes
a record only with its key registered and the checkpoint printed on the signed minutes;
the same record again changes nothing; a later one extends it; an older one changes nothing;
a fork is quarantined and the cycle left as it was. Several app processes then take two
clusters' records in at once over HTTP.
"""

import json
import os
import re
import threading
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import transaction

from tests.conftest import server_database_url
from tests.documents.conftest import all_text, read_docx
from tests.servers import free_port, serving, thidua
from tests.voting import phones
from thidua.audit import keys
from thidua.core import record as core_record
from thidua.core.ballots import Ballot
from thidua.core.phases import Phase
from thidua.documents import builders
from thidua.documents.services import save_report_text
from thidua.org import services as org_services
from thidua.org.models import Cycle
from thidua.record.export import export
from thidua.voting import services as voting_services
from thidua.voting.models import Delegate, Poll

pytestmark = pytest.mark.django_db

CODE = re.compile(r"Mã kiểm chứng kết quả kiểm phiếu: ((?:[0-9A-F]{4} ){7}[0-9A-F]{4})")


@pytest.fixture
def server(tmp_path):
    """The Ministry server: its own database and var/ (its own key), the laptop's key
    registered for Cụm II 2020 by an admin who compared it on paper."""
    var = tmp_path / "may-chu"
    var.mkdir()
    (var / "static").symlink_to(settings.STATIC_ROOT)  # collected once for the whole run
    env = {
        **os.environ,
        "THIDUA_VAR_DIR": str(var),
        "THIDUA_DATABASE_URL": server_database_url("ministry", migrated=True),
        "THIDUA_SECRET_KEY": "ministry-test-" + "x" * 50,
    }
    laptop_key = keys.installation_fingerprint()[:32]
    thidua(env, "record", "register-key", "--cycle", "cum-2/2020", laptop_key)
    return env


def _laptop_cycle() -> Cycle:
    return Cycle.objects.get(cluster__code="cum-2", year=2020)


def _saved(tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(core_record.encode(export(_laptop_cycle())))
    return str(path)


def _printed_code(poll_code: str) -> str:
    """The checkpoint as the vote-count minutes print it, for the chair and the board to sign."""
    cycle = _laptop_cycle()
    poll = Poll.objects.get(conference__cycle=cycle, code=poll_code)
    text = all_text(read_docx(builders.vote_count_minutes(cycle, poll, builders.Issue(1)).content))
    return CODE.search(text).group(1)


def _count_the_ministry_flag() -> None:
    cycle = _laptop_cycle()
    poll = Poll.objects.get(conference__cycle=cycle, code="co-bo-cong-an")
    delegates = Delegate.objects.filter(conference=poll.conference).select_related("user")
    for delegate in delegates:
        phones.cast(actor=delegate.user, poll=poll, ballot=Ballot(choices=("lao-cai", "son-la")))
    voting_services.close_poll(actor=delegates.get(board="chair").user, poll=poll)


def _server_export(server, tmp_path) -> bytes:
    out = tmp_path / "tu-may-chu.json"
    thidua(server, "record", "export", "--cycle", "cum-2/2020", "--out", str(out))
    return out.read_bytes()


def test_a_laptop_record_goes_to_the_ministry_server_and_on_from_there(server, tmp_path):
    code = _printed_code("co-chinh-phu")
    first = _saved(tmp_path, "lan-1.json")
    done = thidua(server, "record", "import", first, "--anchor", code)
    assert "Đã nhập" in done.stdout
    assert _server_export(server, tmp_path) == Path(first).read_bytes()
    again = tmp_path / "tu-may-chu.json"
    checked = thidua(server, "verify", str(again), "--anchor", code)
    assert "Mốc trên biên bản khớp mục số" in checked.stdout
    assert (
        "Không đổi (đã nhận rồi)"
        in thidua(server, "record", "import", first, "--anchor", code).stdout
    )
    # the server writes nothing into a cluster's year: the laptop is where it is kept
    refused = thidua(
        server,
        "shell",
        "-c",
        "from thidua.org import services as s; from thidua.org.authz import SYSTEM; "
        "from thidua.org.models import Cycle; from thidua.core.phases import Phase; "
        "from thidua.errors import StateConflict\n"
        "try:\n"
        "    s.close_phase(actor=SYSTEM, cycle=Cycle.objects.get(year=2020, cluster__code='cum-2'),"
        " phase=Phase.CONFERENCE)\n"
        "except StateConflict as e:\n"
        "    print('REFUSED', e)\n",
    )
    assert "REFUSED" in refused.stdout
    assert "máy của cụm" in refused.stdout
    # the conference goes on: the laptop's next record extends the server's
    _count_the_ministry_flag()
    second = _saved(tmp_path, "lan-2.json")
    later = _printed_code("co-bo-cong-an")
    assert "Đã cập nhật" in thidua(server, "record", "import", second, "--anchor", later).stdout
    assert _server_export(server, tmp_path) == Path(second).read_bytes()
    older = thidua(server, "record", "import", first, "--anchor", code)
    assert "Không đổi (bản ghi cũ hơn)" in older.stdout
    assert _server_export(server, tmp_path) == Path(second).read_bytes()


def test_a_fork_is_quarantined_and_the_cycle_left_as_it_was(server, tmp_path, get_user):
    code = _printed_code("co-chinh-phu")
    thidua(server, "record", "import", _saved(tmp_path, "chung.json"), "--anchor", code)
    with transaction.atomic():  # one way the year went on ...
        _count_the_ministry_flag()
        one_way = _saved(tmp_path, "nhanh-1.json")
        one_code = _printed_code("co-bo-cong-an")
        transaction.set_rollback(True)
    save_report_text(  # ... and another, from the same state
        actor=get_user("hagiang.thuky"), cycle=_laptop_cycle(), texts={"results": "Sửa khác."}
    )
    other_way = _saved(tmp_path, "nhanh-2.json")
    thidua(server, "record", "import", one_way, "--anchor", one_code)
    forked = thidua(server, "record", "import", other_way, "--anchor", code, check=False)
    assert forked.returncode != 0
    assert "Cách ly" in forked.stdout
    assert "rẽ nhánh từ mục" in forked.stderr
    assert _server_export(server, tmp_path) == Path(one_way).read_bytes()
    shown = thidua(
        server,
        "shell",
        "-c",
        "from thidua.record.models import ReceivedRecord as R; "
        "r = R.objects.get(outcome='quarantined'); "
        "print(r.diverges_at, r.fingerprints == r.server_fingerprints, len(r.content) > 0)",
    )
    diverges, same_keys, kept = shown.stdout.strip().splitlines()[-1].split()
    record = json.loads(Path(other_way).read_text(encoding="utf-8"))
    assert record["audit"]["entries"][int(diverges) - 1]["payload"]["action"] == (
        "documents.report_text.save"
    )
    assert (same_keys, kept) == ("True", "True")


def test_a_record_the_server_cannot_confirm_is_refused_and_nothing_is_written(server, tmp_path):
    code = _printed_code("co-chinh-phu")
    path = _saved(tmp_path, "ban-ghi.json")
    cases = [
        (("--anchor", "0000 0000 0000 0000 0000 0000 0000 0000"), "không chứa mã kiểm chứng"),
        (("--anchor", "12"), "Nhập mã kiểm chứng"),
    ]
    for args, says in cases:
        done = thidua(server, "record", "import", path, *args, check=False)
        assert done.returncode != 0
        assert says in done.stderr, done.stderr
    record = json.loads(Path(path).read_text(encoding="utf-8"))
    record["cycle"]["cluster"] = "cum-1"  # the same file passed off as another cluster's
    forged = tmp_path / "gia.json"
    forged.write_text(json.dumps(record))
    done = thidua(server, "record", "import", str(forged), "--anchor", code, check=False)
    assert done.returncode != 0
    assert "không khớp" in done.stderr
    cum_1 = tmp_path / "cum-1.json"
    cum_1.write_bytes(core_record.encode(export(Cycle.objects.get(cluster__code="cum-1"))))
    done = thidua(server, "record", "import", str(cum_1), "--anchor", code, check=False)
    assert done.returncode != 0
    assert "chưa được đăng ký cho năm thi đua cum-1/2020" in done.stderr
    nothing = thidua(
        server, "shell", "-c", "from thidua.org.models import Cycle; print(Cycle.objects.count())"
    )
    assert nothing.stdout.strip().splitlines()[-1] == "0"


# --- several app processes on one PostgreSQL ----------------------------------------------


def _signed_in(base: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/accounts/login/")
    answer = session.post(
        f"{base}/accounts/login/",
        data={
            "username": "quantri",
            "password": "mat-khau-may-chu-2020",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/accounts/login/"},
    )
    assert answer.status_code == 200
    assert "sessionid" in session.cookies
    return session


def test_several_app_processes_take_two_clusters_records_at_once(server, tmp_path, get_user):
    cum_1 = Cycle.objects.get(cluster__code="cum-1", year=2020)
    org_services.close_phase(actor=get_user("admin"), cycle=cum_1, phase=Phase(cum_1.phase))
    laptop = keys.installation_fingerprint()[:32]
    thidua(server, "record", "register-key", "--cycle", "cum-1/2020", laptop)
    thidua(
        server,
        "shell",
        "-c",
        "from thidua.org.models import User; User.objects.create_user('quantri', "
        "password='mat-khau-may-chu-2020', kind='admin')",
    )
    files = {
        "cum-1": tmp_path / "cum-1.json",
        "cum-2": tmp_path / "cum-2.json",
    }
    for cluster, path in files.items():
        path.write_bytes(
            core_record.encode(export(Cycle.objects.get(cluster__code=cluster, year=2020)))
        )
    anchors = {
        cluster: json.loads(path.read_text())["audit"]["entries"] for cluster, path in files.items()
    }
    anchors = {
        cluster: next(
            e["hash"] for e in reversed(entries) if e["payload"]["action"] == "record.checkpoint"
        )
        for cluster, entries in anchors.items()
    }
    ports = [free_port(), free_port()]
    env = {**server, "THIDUA_ALLOWED_HOSTS": "127.0.0.1"}
    processes = [serving(env, port) for port in ports]
    try:
        sessions = [_signed_in(f"http://127.0.0.1:{port}") for port in ports]
        # sessions live in the database: one signed in on one process works on the other
        assert sessions[0].get(f"http://127.0.0.1:{ports[1]}/records/").status_code == 200
        answers, start = {}, threading.Barrier(2)

        def take(index: int, cluster: str) -> None:
            base = f"http://127.0.0.1:{ports[index]}"
            session = sessions[index]
            start.wait()
            answers[cluster] = session.post(
                f"{base}/records/",
                data={
                    "action": "receive",
                    "anchor": anchors[cluster][:32],
                    "csrfmiddlewaretoken": session.cookies["csrftoken"],
                },
                files={"file": (files[cluster].name, files[cluster].read_bytes())},
                headers={"Referer": f"{base}/records/"},
            )

        threads = [
            threading.Thread(target=take, args=(index, cluster))
            for index, cluster in enumerate(files)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
    for cluster, answer in answers.items():
        assert answer.status_code == 200, (cluster, answer.text[-2000:])
        assert f"{cluster}/2020: Đã nhập" in answer.text
    shown = thidua(
        server,
        "shell",
        "-c",
        "from thidua.audit.selectors import chain_breaks; from thidua.org.models import Cycle; "
        "print(sorted(str(c.cluster.code) for c in Cycle.objects.all()), chain_breaks())",
    )
    assert shown.stdout.strip().splitlines()[-1] == "['cum-1', 'cum-2'] []"


# --- the admins' page ---------------------------------------------------------------------


def test_the_admin_registers_a_key_and_takes_a_record_in_on_the_page(client_for, tmp_path):
    admin = client_for("admin")
    fingerprint = " ".join(keys.installation_fingerprint()[i : i + 4] for i in range(0, 32, 4))
    page = admin.post(
        "/records/",
        {"action": "register", "cluster_code": "cum-2", "year": "2020", "fingerprint": fingerprint},
    )
    assert page.status_code == 302
    assert (
        keys.installation_fingerprint()[:32].upper()[:4] in admin.get("/records/").content.decode()
    )
    content = core_record.encode(export(_laptop_cycle()))
    code = _printed_code("co-chinh-phu")
    refused = admin.post(
        "/records/",
        {"action": "receive", "anchor": "1234", "file": _upload(content)},
    )
    assert refused.status_code == 400
    assert "Nhập mã kiểm chứng" in refused.content.decode()
    taken = admin.post("/records/", {"action": "receive", "anchor": code, "file": _upload(content)})
    assert taken.status_code == 200
    assert "cum-2/2020: Không đổi (đã nhận rồi)" in taken.content.decode()  # this laptop's own
    broken = admin.post(
        "/records/", {"action": "receive", "anchor": code, "file": _upload(b"{ not json")}
    )
    assert broken.status_code == 400
    assert "không phải JSON hợp lệ" in broken.content.decode()
    assert client_for("hagiang.thuky").get("/records/").status_code == 403


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("ban-ghi.json", content, content_type="application/json")


def test_a_record_is_not_taken_in_while_the_servers_own_chain_is_altered(client_for):
    """Taking a record in is logged on the installation's chain "": when that chain was
    changed in the database behind the app, nothing is taken in, and the page says so."""
    from thidua.audit.models import AuditHead
    from thidua.record.models import ReceivedRecord

    admin = client_for("admin")
    fingerprint = keys.installation_fingerprint()[:32]
    admin.post(
        "/records/",
        {"action": "register", "cluster_code": "cum-2", "year": "2020", "fingerprint": fingerprint},
    )
    content = core_record.encode(export(_laptop_cycle()))
    code = _printed_code("co-chinh-phu")
    AuditHead.objects.filter(chain="").update(mac="0" * 64)
    refused = admin.post(
        "/records/", {"action": "receive", "anchor": code, "file": _upload(content)}
    )
    assert refused.status_code == 400  # the form again, the reason above it
    assert "đã bị sửa ngoài ứng dụng" in refused.content.decode()
    assert not ReceivedRecord.objects.exists()
