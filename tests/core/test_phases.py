"""Phases of a cluster year: in order, one at a time, re-opened only with a reason."""

from hypothesis import given, settings
from hypothesis import strategies as st

from thidua.core.phases import (
    CLOSED,
    IDLE,
    PHASES,
    Phase,
    PhaseStatus,
    Position,
    check_close,
    check_open,
    check_reopen,
)


def codes(problems):
    return [problem.code for problem in problems]


def test_a_new_cycle_stands_at_planning_open():
    position = Position()
    assert position.state == "planning"
    assert position.status_of(Phase.PLANNING) == PhaseStatus.OPEN
    assert position.status_of(Phase.CONFERENCE) == PhaseStatus.PENDING


def test_walk_through_every_phase():
    position = Position()
    for index, phase in enumerate(PHASES):
        assert check_close(position, phase) == []
        position = Position(phase, False)
        assert position.state == (CLOSED if phase == PHASES[-1] else IDLE)
        if index + 1 < len(PHASES):
            following = PHASES[index + 1]
            assert check_open(position, following) == []
            position = Position(following, True)
            assert position.status_of(phase) == PhaseStatus.DONE
    assert position.state == CLOSED


def test_only_one_phase_open_at_a_time():
    assert codes(check_open(Position(Phase.PLANNING, True), Phase.AGREEMENT)) == [
        "another_phase_open"
    ]


def test_phases_cannot_be_skipped_or_opened_twice():
    idle = Position(Phase.AGREEMENT, False)
    assert codes(check_open(idle, Phase.SCORING)) == ["phase_out_of_order"]
    assert codes(check_open(idle, Phase.AGREEMENT)) == ["phase_already_done"]
    assert codes(check_open(idle, Phase.PLANNING)) == ["phase_already_done"]


def test_closing_needs_the_phase_open():
    assert codes(check_close(Position(Phase.REPORTING, False), Phase.REPORTING)) == [
        "phase_not_open"
    ]
    assert codes(check_close(Position(Phase.REPORTING, True), Phase.SCORING)) == ["phase_not_open"]


def test_reopen_only_the_phase_just_closed_and_with_a_reason():
    just_closed = Position(Phase.REPORTING, False)
    assert check_reopen(just_closed, Phase.REPORTING, "Sơn La nộp lại số liệu") == []
    assert codes(check_reopen(just_closed, Phase.REPORTING, "   ")) == ["reason_required"]
    assert codes(check_reopen(just_closed, Phase.AGREEMENT, "lý do")) == ["cannot_reopen"]
    assert codes(check_reopen(Position(Phase.REPORTING, True), Phase.REPORTING, "x")) == [
        "cannot_reopen"
    ]
    assert check_reopen(Position(Phase.CONFERENCE, False), Phase.CONFERENCE, "sửa biên bản") == []


def test_messages_name_the_phase():
    problem = check_open(Position(Phase.AGREEMENT, False), Phase.SCORING)[0]
    assert problem.render() == (
        "Chưa thể mở giai đoạn “Chấm điểm”: các giai đoạn trước chưa hoàn thành."
    )


operations = st.lists(
    st.tuples(st.sampled_from(["open", "close", "reopen"]), st.sampled_from(PHASES)), max_size=40
)


@settings(max_examples=300)
@given(operations)
def test_any_sequence_of_accepted_operations_keeps_phases_in_order(ops):
    position = Position()
    for action, phase in ops:
        if action == "open" and not check_open(position, phase):
            position = Position(phase, True)
        elif action == "close" and not check_close(position, phase):
            position = Position(phase, False)
        elif action == "reopen" and not check_reopen(position, phase, "lý do"):
            position = Position(phase, True)
        statuses = [position.status_of(phase) for phase in PHASES]
        # done phases come first, then the current one, then pending ones
        current = PHASES.index(position.phase)
        assert all(status == PhaseStatus.DONE for status in statuses[:current])
        assert all(status == PhaseStatus.PENDING for status in statuses[current + 1 :])
        assert sum(status == PhaseStatus.OPEN for status in statuses) <= 1


def test_the_working_phase_is_the_open_one_or_the_next_or_none_when_done():
    from thidua.core.phases import PHASES, Phase, Position

    assert Position(Phase.REPORTING, is_open=True).working_phase == Phase.REPORTING
    assert Position(Phase.REPORTING, is_open=False).working_phase == Phase.SCORING
    assert Position(PHASES[-1], is_open=False).working_phase is None
