"""Closing a poll in the middle of a burst of ballots, over HTTP, on SQLite and PostgreSQL.

A real server (`thidua serve`) on its own database; 200 delegates cast through the API at once
and the counting board closes the poll after the first acknowledgements. A ballot is
acknowledged when its reply is 2xx: the receipts of the 2xx replies must be exactly the
receipts the closed poll publishes — none lost, none extra — every other reply is 409 "phiên
bỏ phiếu đã đóng", and nothing answers 500 (no deadlock). The last 20 phones cast only after
the close's reply, so some are refused however slow a loaded machine makes the burst.
"""

import json
import os
import threading
import time

from tests.conftest import migrated_database_url
from tests.servers import load_demo
from tests.test_crash import _cast, _free_port, _serve, _thidua

DELEGATES = 200
LATE = 20  # phones that cast only after the close's reply: refused, whatever the load
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
    user = User.objects.create(username=f"burst{n}", kind=UserKind.DELEGATE, unit=unit)
    services.check_in(actor=SYSTEM, delegate=services.add_delegate(
        actor=SYSTEM, conference=conference, user=user))
    phone = devices.Phone()
    services.register_device_key(actor=user, conference=conference, public_key=phone.public_key)
    signature = phone.sign("cum-2", 2020, "sap-do", user.username, Ballot(choices=("son-la",)))
    token = create_api_token(actor=user, name="burst", scopes=TOKEN_SCOPES)[1]
    keys.append(token + " " + signature)
poll = services.create_poll(actor=SYSTEM, conference=conference, code="sap-do",
                            title="Đóng giữa lúc bỏ phiếu", purpose="other", seats=1)
services.open_poll(actor=SYSTEM, poll=poll)
board = User.objects.get(username="laocai.daibieu")
print(json.dumps({"keys": keys,
                  "board": create_api_token(actor=board, name="ban", scopes=TOKEN_SCOPES)[1]}))
"""


def _request(port: int, method: str, path: str, key: str) -> tuple[int, dict]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(method, path, headers={"Authorization": f"Bearer {key}"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, json.loads(body or b"{}")


def test_closing_during_a_burst_loses_no_acknowledged_ballot(tmp_path, burst_report):
    env = {
        **os.environ,
        "THIDUA_VAR_DIR": str(tmp_path),
        "THIDUA_DATABASE_URL": migrated_database_url(tmp_path, "burst"),
        "THIDUA_SECRET_KEY": "burst-test-" + "x" * 50,
    }
    load_demo(env)  # into a database copied migrated: no `thidua migrate` needed
    made = json.loads(_thidua(env, "shell", "-c", PREPARE % {"count": DELEGATES}).splitlines()[-1])
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    server = _serve(env, port, log)
    answers: list[tuple[int, str | None]] = []
    lock = threading.Lock()
    acknowledged = threading.Semaphore(0)
    start = threading.Barrier(len(made["keys"]) + 1)
    closed_now = threading.Event()

    def vote(number, key):
        start.wait()
        if number >= DELEGATES - LATE:
            closed_now.wait(120)  # a late phone: its ballot comes after the close's reply
        else:
            time.sleep(number * 0.005)  # the others within 0,75 s: the close lands among them
        answer = _cast(port, key)
        with lock:
            answers.append(answer)
        if 200 <= answer[0] < 300:
            acknowledged.release()

    threads = [
        threading.Thread(target=vote, args=(number, key)) for number, key in enumerate(made["keys"])
    ]
    for thread in threads:
        thread.start()
    start.wait()
    for _ in range(30):  # close once the first ballots are in, while the rest arrive
        acknowledged.acquire(timeout=60)
    base = "/api/cycles/cum-2/2020/polls/sap-do"
    closed_status, closed = _request(port, "POST", f"{base}/close", made["board"])
    closed_now.set()
    for thread in threads:
        thread.join()
    try:
        published_status, published = _request(port, "GET", f"{base}/published", made["board"])
    finally:
        server.terminate()
        server.wait()
    statuses = sorted({status for status, _receipt in answers})
    acked = [receipt for status, receipt in answers if 200 <= status < 300]
    published_receipts = published.get("receipts", [])
    burst_report.update(
        delegates=DELEGATES,
        acknowledged=len(acked),
        refused_closed=sum(1 for status, _receipt in answers if status == 409),
        server_errors=sum(1 for status, _receipt in answers if status >= 500),
        published=len(published_receipts),
        lost=len(set(acked) - set(published_receipts)),
        extra=len(set(published_receipts) - set(acked)),
    )
    assert closed_status == 200, closed
    assert closed["status"] == "closed"
    assert set(statuses) <= {201, 409}, statuses  # never a 500
    assert 30 <= len(acked) <= DELEGATES - LATE  # the close came after the first 30
    assert published_status == 200
    assert sorted(acked) == sorted(published["receipts"])  # exactly the acknowledged ones
    assert closed["result"]["returned"] == len(acked)
