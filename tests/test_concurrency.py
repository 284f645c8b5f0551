"""Two people doing the same thing at the same moment, on PostgreSQL (the server database).

The SQLite test database lives in memory in one connection; the conference laptop's SQLite
file is exercised by benchmarks/vote_bench.py.
"""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from thidua.audit.selectors import chain_breaks
from thidua.org.models import Cycle, PhaseEvent, User
from thidua.scoring.models import Score, ScoreSheet
from thidua.web.demo import load_demo

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a server database"),
]


def _at_once(requests) -> list[int]:
    """Send the requests from as many threads, released together; their status codes."""
    statuses, lock = [], threading.Lock()
    start = threading.Barrier(len(requests))

    def send(request):
        start.wait()
        try:
            status = request().status_code
            with lock:
                statuses.append(status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_two_people_close_the_same_phase_at_once():
    load_demo()
    cycle = Cycle.objects.get(cluster__code="cum-2", year=2021)  # planning, open
    path = "/clusters/cum-2/2021/phases/planning/close/"
    admin, secretary = _client("admin"), _client("laocai.thuky")
    statuses = _at_once([lambda: admin.post(path), lambda: secretary.post(path)])
    # one closes it; the other is refused (409) or sent back with "already closed"
    assert statuses in ([302, 302], [302, 409])
    cycle.refresh_from_db()
    assert not cycle.phase_is_open
    assert PhaseEvent.objects.filter(cycle=cycle, phase="planning", action="close").count() == 1
    assert chain_breaks() == []


def test_a_score_sheet_submitted_twice_at_once_is_stored_once():
    load_demo()
    cycle = Cycle.objects.get(cluster__code="cum-2", year=2020)
    sheet = ScoreSheet.objects.get(cycle=cycle, scorer__code="son-la", target__code="ha-giang")
    Cycle.objects.filter(pk=cycle.pk).update(phase="scoring", phase_is_open=True)
    ScoreSheet.objects.filter(pk=sheet.pk).update(status="draft")
    path = "/clusters/cum-2/2020/scoring/son-la/ha-giang/"
    data = {
        "s_I.1": "5,5",
        "s_I.2": "6,5",
        "s_I.3": "6,5",
        "s_II.3": "7,25",
        "s_II.4": "7,25",
        "s_III.1": "9,25",
        "s_IV.1": "9,25",
        "s_IV.2": "9,25",
        "action": "submit",
    }
    # a score below Hà Giang's own carries the reviewer's reason
    data.update({f"r_{name[2:]}": "Đối chiếu hồ sơ." for name in list(data) if name[:2] == "s_"})
    one, other = _client("sonla.canbo"), _client("sonla.thuky")
    statuses = _at_once([lambda: one.post(path, data), lambda: other.post(path, data)])
    assert statuses in ([302, 302], [302, 400], [302, 409])  # the second finds it submitted
    assert (
        ScoreSheet.objects.filter(
            cycle=cycle, scorer__code="son-la", target__code="ha-giang"
        ).count()
        == 1
    )
    assert Score.objects.filter(sheet=sheet).count() == 8
    assert ScoreSheet.objects.get(pk=sheet.pk).status == "submitted"
    assert chain_breaks() == []
