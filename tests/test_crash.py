"""The server killed (SIGKILL) in the middle of a burst of ballots, on PostgreSQL.

A real server process (`thidua serve`) on its own database; 200 delegates cast through the
API at once; the process is killed without warning after the first acknowledgements, then
started again. Every acknowledged ballot must be stored exactly once (its receipt among the
ballots), and no half-ballot may exist: for the poll, the voter roll and the filled ballots
have the same count. The delegates whose request was cut off vote again and are either
accepted or told they already voted — never counted twice.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection

from tests.conftest import migrated_database_url
from tests.servers import load_demo

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the crash test runs on the server database"
)

DELEGATES = 200
PREPARE = """
import json
from thidua.core.policy import TOKEN_SCOPES
from thidua.org.authz import SYSTEM
from thidua.org.models import User, UserKind, Unit
from thidua.org.services import create_api_token
from thidua.core.ballots import Ballot
from thidua.voting import devices, services
from thidua.voting.models import Conference
conference = Conference.objects.get(cycle__cluster__code="cum-2", cycle__year=2020)
unit = Unit.objects.get(code="son-la")
keys = []
for n in range(%(count)d):
    user = User.objects.create(username=f"crash{n}", kind=UserKind.DELEGATE, unit=unit)
    services.check_in(actor=SYSTEM, delegate=services.add_delegate(
        actor=SYSTEM, conference=conference, user=user))
    phone = devices.Phone()
    services.register_device_key(actor=user, conference=conference, public_key=phone.public_key)
    signature = phone.sign("cum-2", 2020, "sap-do", user.username, Ballot(choices=("son-la",)))
    token = create_api_token(actor=user, name="crash", scopes=TOKEN_SCOPES)[1]
    keys.append(token + " " + signature)
poll = services.create_poll(actor=SYSTEM, conference=conference, code="sap-do",
                            title="Thử mất điện", purpose="other", seats=1)
services.open_poll(actor=SYSTEM, poll=poll)
print(json.dumps(keys))
"""
COUNT = """
import json
from thidua.voting.models import Ballot, Elector
filled = Ballot.objects.filter(poll__code="sap-do", filled=True)
print(json.dumps({
    "roll": Elector.objects.voted().filter(poll__code="sap-do").count(),
    "ballots": filled.count(),
    "receipts": list(filled.values_list("receipt", flat=True)),
}))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _thidua(env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "thidua.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _serve(env, port, log):
    process = subprocess.Popen(
        [sys.executable, "-m", "thidua.cli", "serve", "--port", str(port), "--threads", "16"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=1)
            return process
        except urllib.error.HTTPError:
            return process  # it answers
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    raise RuntimeError(f"the server did not start: {log.name}")


def _cast(port: int, key: str) -> tuple[int, str | None]:
    """One phone's signed ballot for Sơn La; `key` is its API token and its signature."""
    key, signature = key.split()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/cycles/cum-2/2020/polls/sap-do/ballot",
        data=json.dumps({"choices": ["son-la"], "signature": signature}).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())["receipt"]
    except urllib.error.HTTPError as error:
        return error.code, None
    except (OSError, http.client.HTTPException):
        return 0, None  # cut off, before or during the answer: not acknowledged


def test_a_killed_server_loses_no_acknowledged_ballot(tmp_path, crash_report):
    env = {
        **os.environ,
        "THIDUA_VAR_DIR": str(tmp_path),
        "THIDUA_DATABASE_URL": migrated_database_url(tmp_path, "crash"),
        "THIDUA_SECRET_KEY": "crash-test-" + "x" * 50,
    }
    load_demo(env)  # into a database copied migrated: no `thidua migrate` needed
    keys = json.loads(_thidua(env, "shell", "-c", PREPARE % {"count": DELEGATES}).splitlines()[-1])
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    server = _serve(env, port, log)
    answers: dict[str, tuple[int, str | None]] = {}
    lock = threading.Lock()
    acknowledged = threading.Semaphore(0)
    start = threading.Barrier(len(keys) + 1)

    def vote(key):
        start.wait()
        answer = _cast(port, key)
        with lock:
            answers[key] = answer
        if answer[0] == 201:
            acknowledged.release()

    threads = [threading.Thread(target=vote, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    start.wait()
    for _ in range(20):  # let the first acknowledgements through, then pull the plug
        acknowledged.acquire(timeout=30)
    server.send_signal(signal.SIGKILL)
    server.wait()
    for thread in threads:
        thread.join()
    server = _serve(env, port, log)
    try:
        counted = json.loads(_thidua(env, "shell", "-c", COUNT).splitlines()[-1])
        acked = {key: receipt for key, (status, receipt) in answers.items() if status == 201}
        cut = [key for key, (status, _receipt) in answers.items() if status != 201]
        assert counted["roll"] == counted["ballots"]  # no half-ballot either way
        assert set(acked.values()) <= set(counted["receipts"])  # every acknowledged one is there
        assert len(counted["receipts"]) == len(set(counted["receipts"]))  # and only once
        retried = [_cast(port, key)[0] for key in cut]
        assert set(retried) <= {201, 409}  # accepted now, or "already voted"
        final = json.loads(_thidua(env, "shell", "-c", COUNT).splitlines()[-1])
        assert final["roll"] == final["ballots"] == DELEGATES  # each delegate counted once
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
    crash_report.update(
        delegates=DELEGATES,
        acknowledged_before_kill=len(acked),
        cut_off=len(cut),
        stored_after_restart=counted["ballots"],
        lost=len(set(acked.values()) - set(counted["receipts"])),
        half_ballots=abs(counted["roll"] - counted["ballots"]),
        final_ballots=final["ballots"],
    )
