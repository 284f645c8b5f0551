"""The electorate is fixed when a poll opens; counts that cannot be void the poll; re-votes."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tests.voting import phones
from thidua.core.ballots import Ballot
from thidua.errors import DomainError, Refused, StateConflict
from thidua.org.authz import SYSTEM
from thidua.org.models import User, UserKind
from thidua.voting import services
from thidua.voting.models import Ballot as StoredBallot
from thidua.voting.models import Delegate, Elector, Poll

pytestmark = pytest.mark.django_db

BASE = "/clusters/cum-2/2020/conference/polls"


def _poll(conference, get_user, code="thu", **extra) -> Poll:
    poll = services.create_poll(
        actor=get_user("hagiang.thuky"),
        conference=conference,
        code=code,
        title="Thử",
        purpose="other",
        seats=1,
        **extra,
    )
    return services.open_poll(actor=get_user("laocai.daibieu"), poll=poll)


def _late_delegate(conference, get_user, username="muon.daibieu") -> User:
    user = User.objects.create(
        username=username, kind=UserKind.DELEGATE, unit=get_user("sonla.daibieu").unit
    )
    secretary = get_user("hagiang.thuky")
    delegate = services.add_delegate(actor=secretary, conference=conference, user=user)
    services.check_in(actor=secretary, delegate=delegate)
    return user


def test_the_electorate_is_who_was_there_when_the_poll_opened(conference, get_user, client_for):
    poll = _poll(conference, get_user)
    assert poll.electorate == 21
    assert Elector.objects.filter(poll=poll).count() == 21
    late = _late_delegate(conference, get_user)
    phone = Client()
    phone.force_login(late)
    refused = phone.post(
        f"{BASE}/thu/", phones.form(late.username, "thu", {"choice": "lang-son", "step": "cast"})
    )
    assert refused.status_code == 409
    assert "sau khi cuộc bỏ phiếu này mở" in refused.content.decode()
    assert "21 đại biểu, chốt khi mở" in phone.get(f"{BASE}/thu/").content.decode()
    assert not Elector.objects.filter(poll=poll, delegate__user=late).exists()
    # every convened delegate still finds a ballot slot: nobody is told "box full"
    for delegate in Delegate.objects.filter(conference=conference).exclude(user=late):
        phones.cast(actor=delegate.user, poll=poll, ballot=Ballot(choices=("lang-son",)))
    assert StoredBallot.objects.filter(poll=poll, filled=True).count() == 21
    page = client_for("quansat").get(f"{BASE}/thu/").content.decode()
    assert "Cử tri: 21 đại biểu, chốt khi mở lúc" in page
    assert get_user("hagiang.daibieu").display_name in page
    assert late.display_name not in page


def test_a_secretary_sent_as_a_delegate_votes(conference, get_user, client_for):
    secretary = get_user("hagiang.thuky")
    delegate = services.add_delegate(actor=secretary, conference=conference, user=secretary)
    services.check_in(actor=secretary, delegate=delegate)
    poll = _poll(conference, get_user)
    assert poll.electorate == 22
    response = client_for("hagiang.thuky").post(
        f"{BASE}/thu/", phones.form("hagiang.thuky", "thu", {"choice": "lang-son", "step": "cast"})
    )
    assert response.status_code == 200
    assert Elector.objects.voted().get(poll=poll).delegate == delegate


def test_paper_counts_that_cannot_be_are_refused_at_entry(conference, get_user):
    poll = _poll(conference, get_user, code="giay", mode="paper")
    board = get_user("laocai.daibieu")
    pile = [Ballot(choices=("lang-son",))] * 5
    with pytest.raises(DomainError) as more_issued:
        services.save_paper_entry(actor=board, poll=poll, entry=1, ballots=pile, issued=22)
    assert more_issued.value.messages() == [
        "Số phiếu phát ra (22) nhiều hơn số cử tri của cuộc bỏ phiếu (21)."
    ]
    with pytest.raises(DomainError) as more_returned:
        services.save_paper_entry(actor=board, poll=poll, entry=1, ballots=pile, issued=4)
    assert more_returned.value.messages() == ["Số phiếu thu về (5) nhiều hơn số phiếu phát ra (4)."]
    assert not poll.paper_entries.exists()
    over_http = Client()
    over_http.force_login(board)
    response = over_http.post(
        f"{BASE}/giay/paper/", {"entry": "1", "issued": "30", "pile": "lang-son"}, follow=True
    )
    assert "nhiều hơn số cử tri" in response.content.decode()
    assert not poll.paper_entries.exists()


def test_an_impossible_count_voids_the_poll_with_the_reason_and_a_revote(
    conference, get_user, client_for
):
    poll = _poll(conference, get_user)
    for username in ("hagiang.daibieu", "sonla.daibieu2", "dienbien.daibieu"):
        phones.cast(actor=get_user(username), poll=poll, ballot=Ballot(choices=("lang-son",)))
    # a ballot nobody cast appears in the box (a tampered database, a bug): it must show
    slot = StoredBallot.objects.filter(poll=poll, filled=False).first()
    StoredBallot.objects.filter(pk=slot.pk).update(
        filled=True, content={"choices": ["son-la"]}, source="electronic", receipt="ZZZZZZZZ"
    )
    closed = services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    assert closed.status == Poll.Status.VOID
    assert closed.result["winners"] == []
    assert closed.result["void"] == [
        {"code": "ballots_not_voters", "params": {"returned": 4, "voters": 3}}
    ]
    page = client_for("quansat").get(f"{BASE}/thu/").content.decode()
    assert "Kiểm phiếu không hợp lệ: không có kết quả" in page
    assert "Số phiếu trong hòm (4) khác số đại biểu đã bỏ phiếu (3)." in page
    assert '<strong class="ok">' not in page  # nobody shown as having won
    board = client_for("laocai.daibieu")
    assert 'name="reason"' in board.get(f"{BASE}/thu/").content.decode()
    # the secretary does not decide it, and a reason is needed
    assert client_for("hagiang.thuky").post(f"{BASE}/thu/revote/", {"reason": "x"}).status_code == (
        403
    )
    with pytest.raises(DomainError):
        services.revote(actor=get_user("laocai.daibieu"), poll=closed, reason="  ")
    done = board.post(f"{BASE}/thu/revote/", {"reason": "Hòm phiếu có phiếu thừa."})
    assert (done.status_code, done["Location"]) == (302, f"{BASE}/thu-2/")
    again = Poll.objects.get(conference=conference, code="thu-2")
    assert (again.runoff_of, again.status) == (closed, Poll.Status.DRAFT)
    assert [c.unit.code for c in again.candidates.all()] == [
        c.unit.code for c in closed.candidates.all()
    ]
    with pytest.raises(StateConflict):  # once only
        services.revote(actor=get_user("laocai.daibieu"), poll=closed, reason="lần nữa")
    # the void round's ballots stay apart; the new round counts on its own
    again = services.open_poll(actor=get_user("laocai.daibieu"), poll=again)
    phones.cast(actor=get_user("hagiang.daibieu"), poll=again, ballot=Ballot(choices=("son-la",)))
    counted = services.close_poll(actor=get_user("laocai.daibieu"), poll=again)
    assert (counted.status, counted.result["returned"]) == (Poll.Status.CLOSED, 1)
    with pytest.raises(StateConflict):  # a counted poll is never reopened
        services.revote(actor=get_user("laocai.daibieu"), poll=counted, reason="muốn bầu lại")


def test_void_minutes_say_so(conference, get_user):
    from tests.documents.conftest import all_text, read_docx
    from thidua.documents import builders

    poll = _poll(conference, get_user)
    phones.cast(actor=get_user("hagiang.daibieu"), poll=poll, ballot=Ballot(choices=()))
    Elector.objects.filter(poll=poll).exclude(method="").update(method="", voted_at=None)
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    plans = {plan.key: plan for plan in builders.plans(conference.cycle)}
    text = all_text(read_docx(plans["vote-count-thu"].build().content))
    assert "Danh sách cử tri (chốt khi mở cuộc bỏ phiếu): 21 (hai mươi mốt) đại biểu:" in text
    assert "Kiểm phiếu không hợp lệ: Số phiếu trong hòm (1) khác số đại biểu đã bỏ phiếu (0)." in (
        text
    )
    assert "ban kiểm phiếu cho bỏ phiếu lại" in text
    assert "đạt số phiếu theo quy định" not in text


class PollLife(RuleBasedStateMachine):
    """A poll from opening to counting, with delegates arriving late, double submits, written
    opinions and refused ballots in any order: the box always holds exactly one ballot per
    elector who voted, nobody outside the electorate gets in, and the count either holds
    (returned ≤ issued ≤ electorate) or the poll is void with its reason."""

    def __init__(self):
        super().__init__()
        from django.db import transaction

        self.savepoint = transaction.savepoint()
        self.conference = Poll.objects.get(code="co-bo-cong-an").conference
        self.board = User.objects.get(username="laocai.daibieu")
        self.secretary = User.objects.get(username="hagiang.thuky")
        poll = services.create_poll(
            actor=self.secretary,
            conference=self.conference,
            code="doi",
            title="Vòng đời",
            purpose="other",
            seats=2,
        )
        self.poll = services.open_poll(actor=self.board, poll=poll)
        self.electors = {d.user_id for d in Delegate.objects.filter(conference=self.conference)}
        self.users = list(User.objects.filter(delegations__conference=self.conference))
        self.voted: set[int] = set()
        self.late = 0
        self.closed = False

    def teardown(self):
        from django.db import transaction

        transaction.savepoint_rollback(self.savepoint)

    @precondition(lambda self: not self.closed)
    @rule(
        index=st.integers(0, 20),
        choices=st.lists(st.sampled_from(["lao-cai", "son-la", "cao-bang", "ha-noi"]), max_size=3),
    )
    def cast(self, index, choices):
        user = self.users[index]
        try:
            phones.cast(actor=user, poll=self.poll, ballot=Ballot(choices=tuple(choices)))
        except services.AlreadyVoted:
            assert user.pk in self.voted
        except DomainError:
            assert "ha-noi" in choices or len(set(choices)) != len(choices) or len(choices) > 2
        else:
            assert user.pk not in self.voted
            self.voted.add(user.pk)

    @precondition(lambda self: not self.closed)
    @rule()
    def someone_arrives_late(self):
        self.late += 1
        user = User.objects.create(
            username=f"muon{self.late}", kind=UserKind.DELEGATE, unit=self.board.unit
        )
        delegate = services.add_delegate(actor=SYSTEM, conference=self.conference, user=user)
        services.check_in(actor=SYSTEM, delegate=delegate)
        with pytest.raises(StateConflict) as refused:
            phones.cast(actor=user, poll=self.poll, ballot=Ballot(choices=("lao-cai",)))
        assert refused.value.problems[0].code == "not_an_elector"

    @precondition(lambda self: not self.closed)
    @rule()
    def a_stranger_tries(self):
        with pytest.raises(Refused):
            phones.cast(
                actor=User.objects.get(username="hanoi.daibieu"),
                poll=self.poll,
                ballot=Ballot(choices=("lao-cai",)),
            )

    @precondition(lambda self: not self.closed)
    @rule()
    def close(self):
        poll = services.close_poll(actor=self.board, poll=self.poll)
        self.closed = True
        result = poll.result
        assert poll.status == Poll.Status.CLOSED, result.get("void")
        assert result["returned"] == len(self.voted)
        assert result["returned"] <= result["issued"] <= result["electorate"] == 21
        assert sum(result["votes"].values()) <= 2 * result["returned"]

    @precondition(lambda self: self.closed)
    @rule(index=st.integers(0, 20))
    def a_ballot_after_closing_is_refused(self, index):
        with pytest.raises(StateConflict) as refused:
            phones.cast(actor=self.users[index], poll=self.poll, ballot=Ballot())
        assert refused.value.problems[0].code == "poll_closed"

    @invariant()
    def one_ballot_per_voter_and_only_electors(self):
        voted = Elector.objects.voted().filter(poll=self.poll)
        assert set(voted.values_list("delegate__user_id", flat=True)) == self.voted
        assert self.voted <= self.electors
        assert StoredBallot.objects.filter(poll=self.poll, filled=True).count() == len(self.voted)
        assert Elector.objects.filter(poll=self.poll).count() == 21


def test_the_whole_life_of_a_poll(conference):
    PollLife.TestCase.settings = settings(
        max_examples=15,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    PollLife.TestCase().runTest()
