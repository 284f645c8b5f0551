"""Many phones at once: 50 delegates, each submitting twice from two threads."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from tests.voting import phones
from thidua.org.models import User, UserKind
from thidua.voting import services
from thidua.voting.models import Ballot, Conference, Elector, Poll
from thidua.web.demo import load_demo

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the test database on SQLite is in memory; the conference laptop's SQLite file "
        "is exercised by benchmarks/vote_bench.py",
    ),
]


def test_100_threads_50_delegates_each_twice():
    load_demo()  # transactional tests may run after a flush: the demo loads idempotently
    conference = Conference.objects.get(cycle__cluster__code="cum-2", cycle__year=2020)
    secretary = User.objects.get(username="hagiang.thuky")
    for number in range(29):  # 21 demo delegates + 29 = 50
        user = User.objects.create(
            username=f"dbthem{number}", kind=UserKind.DELEGATE, unit_id=secretary.unit_id
        )
        services.check_in(
            actor=secretary,
            delegate=services.add_delegate(actor=secretary, conference=conference, user=user),
        )
    poll = services.create_poll(
        actor=secretary,
        conference=conference,
        code="dong-thoi",
        title="Thử đồng thời",
        purpose="other",
        seats=1,
    )
    chair = User.objects.get(username="laocai.daibieu")
    poll = services.open_poll(actor=chair, poll=poll)
    assert poll.electorate == 50
    users = list(User.objects.filter(delegations__conference=conference))
    assert len(users) == 50
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        signed = phones.form(user.username, "dong-thoi", {"step": "cast", "choice": "lang-son"})
        clients.extend([(client, signed), (client, signed)])
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(len(clients))
    # At most 16 requests talk to the database at once, like a server's pool of workers
    # (PostgreSQL here allows 100 connections in all).
    workers = threading.BoundedSemaphore(16)

    def vote(client: Client, signed: dict):
        start.wait()
        with workers:
            try:
                response = client.post("/clusters/cum-2/2020/conference/polls/dong-thoi/", signed)
                with lock:
                    statuses.append(response.status_code)
            finally:
                connections.close_all()

    threads = [threading.Thread(target=vote, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == 100
    assert sorted(set(statuses)) == [200, 409]  # cast, or "already voted": never an error page
    assert statuses.count(200) == 50
    assert Elector.objects.voted().filter(poll=poll).count() == 50
    assert Ballot.objects.filter(poll=poll, filled=True).count() == 50
    closed = services.close_poll(actor=chair, poll=Poll.objects.get(pk=poll.pk))
    assert closed.result["votes"]["lang-son"] == 50
