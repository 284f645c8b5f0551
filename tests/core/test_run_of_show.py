"""The conference's run-of-show: each step's state from the data, one step current."""

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from thidua.core.run_of_show import (
    BOARD,
    SECRETARY,
    ConferenceFacts,
    PollFacts,
    PollStatus,
    State,
    run_of_show,
)

GOV = PollFacts("co-chinh-phu", "Cờ thi đua của Chính phủ", PollStatus.CLOSED, 21, 21)
MINISTRY = PollFacts("co-bo-cong-an", "Cờ thi đua của Bộ Công an", PollStatus.OPEN, 7, 21)
LEADER = PollFacts("cum-truong", "Bầu cụm trưởng năm sau", PollStatus.DRAFT, 0, 0)

MORNING = ConferenceFacts(
    details_ready=True,
    delegates=21,
    checked_in=19,
    board=3,
    encrypted=True,
    key_ready=True,
    scores_final=True,
    polls=(GOV, MINISTRY, LEADER),
    leader_elected=False,
    handover_recorded=False,
    concluded=False,
)


def _states(facts):
    return {step.key: step.state for step in run_of_show(facts)}


def test_mid_vote_the_open_poll_is_where_the_hall_is():
    steps = run_of_show(MORNING)
    assert [s.key for s in steps] == [
        "details",
        "delegates",
        "board",
        "results",
        "poll:co-chinh-phu",
        "poll:co-bo-cong-an",
        "poll:cum-truong",
        "handover",
        "details-closing",
        "documents",
    ]
    states = _states(MORNING)
    # two delegates never came: once a vote opened, the check-in no longer holds the hall
    assert states["delegates"] == State.DONE
    assert states["poll:co-chinh-phu"] == State.DONE
    assert states["poll:co-bo-cong-an"] == State.NOW
    assert states["poll:cum-truong"] == State.TODO
    current = next(s for s in steps if s.state == State.NOW)
    assert current.who == BOARD
    assert current.detail.render() == (
        "Đang bỏ phiếu: 7/21 đại biểu đã bỏ phiếu; khi đủ, ban kiểm phiếu đóng và kiểm phiếu."
    )


def test_before_any_vote_the_missing_delegates_and_the_key_hold_the_hall():
    facts = replace(
        MORNING,
        key_ready=False,
        polls=tuple(replace(p, status=PollStatus.DRAFT) for p in MORNING.polls),
    )
    steps = run_of_show(facts)
    assert _states(facts)["delegates"] == State.NOW
    assert steps[1].detail.render() == "19/21 đại biểu đã điểm danh."
    assert _states(facts)["board"] == State.TODO
    everyone = replace(facts, checked_in=21)
    assert _states(everyone)["board"] == State.NOW
    board = next(s for s in run_of_show(everyone) if s.key == "board")
    assert "ban lập khóa trước khi mở cuộc bỏ phiếu mã hóa" in board.detail.render()
    paper = replace(everyone, encrypted=False)
    assert _states(paper)["board"] == State.DONE  # paper votes need no key


def test_a_tie_or_a_void_count_waits_for_the_secretary():
    tied = replace(MORNING, polls=(replace(GOV, runoff_open=True), MINISTRY))
    step = run_of_show(tied)[4]
    assert step.state == State.NOW
    assert step.who == SECRETARY
    assert step.detail.render() == "Bằng phiếu ở suất cuối: thư ký tạo cuộc bầu lại."
    void = replace(MORNING, polls=(replace(GOV, status=PollStatus.VOID), MINISTRY))
    assert run_of_show(void)[4].state == State.NOW
    revoted = replace(MORNING, polls=(replace(GOV, status=PollStatus.VOID, revoted=True),))
    assert run_of_show(revoted)[4].state == State.DONE


def test_after_the_votes_the_hand_over_then_the_closing_then_the_papers():
    voted = tuple(replace(p, status=PollStatus.CLOSED) for p in MORNING.polls)
    facts = replace(MORNING, polls=voted, leader_elected=True)
    assert _states(facts)["handover"] == State.NOW
    handed = replace(facts, handover_recorded=True)
    assert _states(handed)["details-closing"] == State.NOW
    closed = replace(handed, concluded=True)
    assert [s.key for s in run_of_show(closed) if s.state != State.DONE] == ["documents"]


facts_strategy = st.builds(
    ConferenceFacts,
    details_ready=st.booleans(),
    delegates=st.integers(0, 30),
    checked_in=st.integers(0, 30),
    board=st.integers(0, 3),
    encrypted=st.booleans(),
    key_ready=st.booleans(),
    scores_final=st.booleans(),
    polls=st.lists(
        st.builds(
            PollFacts,
            code=st.text("abc", min_size=1, max_size=4),
            title=st.just("x"),
            status=st.sampled_from(PollStatus),
            voted=st.integers(0, 30),
            electorate=st.integers(0, 30),
            runoff_open=st.booleans(),
            revoted=st.booleans(),
        ),
        max_size=5,
    ).map(tuple),
    leader_elected=st.booleans(),
    handover_recorded=st.booleans(),
    concluded=st.booleans(),
)


@given(facts_strategy)
def test_exactly_one_step_is_current_and_it_is_the_first_not_done(facts):
    steps = run_of_show(facts)
    assert len(steps) == 7 + len(facts.polls)
    current = [i for i, s in enumerate(steps) if s.state == State.NOW]
    assert len(current) == 1  # the papers are never done by the data alone
    assert all(s.state == State.DONE for s in steps[: current[0]])
    assert all(s.state != State.DONE for s in steps if not s.done)
    for poll, step in zip(facts.polls, steps[4:], strict=False):  # an open vote is never done
        if poll.status in (PollStatus.DRAFT, PollStatus.OPEN):
            assert step.state != State.DONE


def test_an_encrypted_box_awaiting_the_keys_is_the_boards_step_now():
    from dataclasses import replace

    counting = replace(MINISTRY, status=PollStatus.COUNTING)
    facts = replace(MORNING, polls=(GOV, counting, LEADER))
    step = next(s for s in run_of_show(facts) if s.key == "poll:co-bo-cong-an")
    assert step.state == State.NOW
    assert "giải mã" in step.detail.render()
