"""The mid-year review (sơ kết 6 tháng): its default deadline, when it is open, when the home
page asks for the first half's figures."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from thidua.core.deadlines import (
    MIDYEAR_CLOSED,
    MIDYEAR_MAX_OFFSET,
    MIDYEAR_OPEN,
    MIDYEAR_SHOWN_DAYS,
    STEP_LABELS,
    Milestone,
    Standing,
    check_deadline,
    check_offsets,
    default_deadline,
    midyear_shown,
    midyear_state,
    stand,
    step_of,
)
from thidua.core.phases import PHASES, Phase, Position
from thidua.core.policy import Action, Role, decide

OFFSETS = {"planning": 58, "midyear": 195, "agreement": 89, "reporting": 323}


def codes(problems):
    return [problem.code for problem in problems]


def test_the_default_counts_from_the_first_of_january_outside_the_phase_order():
    assert check_offsets(OFFSETS) == []  # 195 after the agreement's 89: not a phase, no order
    assert check_offsets({"midyear": 10, "planning": 58}) == []
    assert default_deadline(2021, Milestone.MIDYEAR, OFFSETS) == date(2021, 7, 15)
    assert default_deadline(2020, Milestone.MIDYEAR, OFFSETS) == date(2020, 7, 14)  # leap
    assert default_deadline(2021, Milestone.MIDYEAR, {"planning": 58}) is None


def test_the_default_stays_in_the_cycles_year():
    assert check_offsets({"midyear": MIDYEAR_MAX_OFFSET}) == []
    assert codes(check_offsets({"midyear": MIDYEAR_MAX_OFFSET + 1})) == ["deadline_midyear_offset"]
    assert codes(check_offsets({"midyear": -1})) == ["deadline_offset_range"]


def test_a_set_deadline_lies_in_the_cycles_year():
    assert check_deadline(2021, Milestone.MIDYEAR, date(2021, 6, 20)) == []
    assert check_deadline(2021, Milestone.MIDYEAR, date(2021, 12, 31)) == []
    assert codes(check_deadline(2021, Milestone.MIDYEAR, date(2022, 1, 1))) == [
        "deadline_out_of_range"
    ]
    assert codes(check_deadline(2021, Milestone.MIDYEAR, date(2020, 12, 31))) == [
        "deadline_out_of_range"
    ]
    # a phase may still end in the next year
    assert check_deadline(2021, Phase.CONFERENCE, date(2022, 1, 1)) == []


def test_steps_are_phases_or_the_milestone():
    assert step_of("midyear") is Milestone.MIDYEAR
    assert step_of("reporting") is Phase.REPORTING
    assert step_of("voting") is None
    assert set(STEP_LABELS) == {*PHASES, Milestone.MIDYEAR}


def test_open_until_the_reporting_phase_closes():
    assert midyear_state(Position(Phase.PLANNING, True)) == MIDYEAR_OPEN
    assert midyear_state(Position(Phase.AGREEMENT, False)) == MIDYEAR_OPEN  # idle before reporting
    assert midyear_state(Position(Phase.REPORTING, True)) == MIDYEAR_OPEN
    assert midyear_state(Position(Phase.REPORTING, False)) == MIDYEAR_CLOSED
    assert midyear_state(Position(Phase.SCORING, True)) == MIDYEAR_CLOSED
    assert midyear_state(Position(Phase.CONFERENCE, False)) == MIDYEAR_CLOSED


def test_the_report_rules_allow_the_first_half_while_it_is_open():
    officer = frozenset({Role.OFFICER})
    leader = frozenset({Role.LEADER_SECRETARY})
    assert decide(Action.EDIT_REPORT, officer, MIDYEAR_OPEN).allowed
    assert decide(Action.RETURN_REPORT, leader, MIDYEAR_OPEN).allowed
    assert decide(Action.EDIT_REPORT, officer, MIDYEAR_CLOSED).refused_for_state
    assert decide(Action.RETURN_REPORT, leader, MIDYEAR_CLOSED).refused_for_state
    assert not decide(Action.RETURN_REPORT, officer, MIDYEAR_OPEN).allowed
    # the year's report keeps its phase
    assert decide(Action.EDIT_REPORT, officer, Phase.PLANNING.value).refused_for_state


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), st.integers(-400, 400))
def test_shown_from_a_month_before_and_overdue_after(due, offset):
    today = due + timedelta(days=offset)
    assert midyear_shown(due, today) == (offset >= -MIDYEAR_SHOWN_DAYS)
    deadline = stand(Milestone.MIDYEAR, due, today)
    assert deadline.overdue == (offset > 0)
    submitted = stand(Milestone.MIDYEAR, due, today, done_on=today)
    assert submitted.standing == (Standing.MET if offset <= 0 else Standing.LATE)
