"""Attacks on the conference's ballots: the leader's secretary reaching the counting
board's powers through the delegate list, and a reader of the database linking a delegate
to the ballot they cast while the poll is open."""

import pytest
from django.db import connection

from tests.voting import phones
from thidua.core.ballots import Ballot
from thidua.errors import Refused
from thidua.voting import services
from thidua.voting.models import Delegate, Poll

pytestmark = pytest.mark.django_db

DELEGATES_URL = "/clusters/cum-2/2020/conference/delegates/"


@pytest.fixture
def open_poll(cycle):
    """The Ministry-flag poll the demo leaves open."""
    return Poll.objects.get(conference__cycle=cycle("cum-2", 2020), code="co-bo-cong-an")


def test_the_secretary_cannot_put_himself_on_the_board_to_close_a_poll(
    client_for, get_user, open_poll
):
    """`hagiang.thuky` may not close the poll (only the board may). Adding his own account
    as a board member through the delegate list, mid-poll, must not give him that power."""
    secretary = get_user("hagiang.thuky")
    with pytest.raises(Refused):
        services.close_poll(actor=secretary, poll=open_poll)
    client = client_for("hagiang.thuky")
    client.post(DELEGATES_URL, {"users": [secretary.pk], "board": "chair"})
    with pytest.raises(Refused):
        services.close_poll(actor=get_user("hagiang.thuky"), poll=open_poll)
    assert Poll.objects.get(pk=open_poll.pk).status == Poll.Status.OPEN


def test_the_secretary_cannot_move_the_board_while_a_poll_is_open(client_for, open_poll):
    """Nor make another delegate of his choice a board member while the box is open, nor
    take one off it: the board is fixed until the count."""
    friend = Delegate.objects.get(conference=open_poll.conference, user__username="hagiang.daibieu")
    assert friend.board == ""
    client = client_for("hagiang.thuky")
    response = client.post(DELEGATES_URL, {"users": [friend.user.pk], "board": "member"})
    friend.refresh_from_db()
    assert friend.board == ""
    assert "không thay đổi ban kiểm phiếu" in client.get(response.url).content.decode()
    chair = Delegate.objects.get(conference=open_poll.conference, board="chair")
    client.post(DELEGATES_URL, {"users": [chair.user.pk], "board": ""})
    chair.refresh_from_db()
    assert chair.board == "chair"


def test_a_delegate_of_another_cluster_cannot_be_added(client_for, get_user, open_poll):
    """A user id of another cluster's unit in the POST body is refused (not a member)."""
    outsider = get_user("hanoi.canbo")
    client_for("hagiang.thuky").post(DELEGATES_URL, {"users": [outsider.pk], "board": "chair"})
    assert not Delegate.objects.filter(conference=open_poll.conference, user=outsider).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="xmin: PostgreSQL's transaction ids")
@pytest.mark.xfail(
    strict=True,
    reason="while a poll is open, a cast's ballot row and elector row carry the same "
    "transaction id (xmin): a database reader links each delegate to the ballot cast",
)
def test_while_a_poll_is_open_xmin_does_not_link_a_voter_to_the_ballot(get_user, open_poll):
    chosen = {"hagiang.daibieu": "lang-son", "dienbien.daibieu": "son-la"}
    for username, unit in chosen.items():
        phones.cast(actor=get_user(username), poll=open_poll, ballot=Ballot(choices=(unit,)))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xmin::text, content FROM voting_ballot WHERE poll_id = %s AND filled",
            [open_poll.pk],
        )
        by_xmin = dict(cursor.fetchall())
        cursor.execute(
            "SELECT e.xmin::text, u.username FROM voting_elector e"
            " JOIN voting_delegate d ON d.id = e.delegate_id"
            " JOIN org_user u ON u.id = d.user_id"
            " WHERE e.poll_id = %s AND e.method <> ''",
            [open_poll.pk],
        )
        learnt = {
            username: by_xmin[xmin] for xmin, username in cursor.fetchall() if xmin in by_xmin
        }
    assert learnt == {}, learnt
