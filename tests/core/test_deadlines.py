"""Phase deadlines: defaults from the rule set, days left, met, late, overdue."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from thidua.core.deadlines import (
    MAX_OFFSET,
    Standing,
    check_deadline,
    check_offsets,
    default_deadline,
    needs_reminder,
    stand,
)
from thidua.core.phases import PHASES, Phase

OFFSETS = {"planning": 58, "agreement": 89, "reporting": 323, "scoring": 343, "conference": 379}


def codes(problems):
    return [problem.code for problem in problems]


def test_defaults_count_days_from_the_first_of_january():
    assert default_deadline(2021, Phase.AGREEMENT, OFFSETS) == date(2021, 3, 31)
    assert default_deadline(2020, Phase.AGREEMENT, OFFSETS) == date(2020, 3, 30)  # leap year
    assert default_deadline(2021, Phase.CONFERENCE, OFFSETS) == date(2022, 1, 15)
    assert default_deadline(2021, Phase.CONFERENCE, {}) is None
    assert default_deadline(2021, Phase.CONFERENCE, None) is None
    assert default_deadline(2021, Phase.CONFERENCE, {"planning": 3}) is None


def test_offsets_are_checked():
    assert check_offsets(OFFSETS) == []
    assert check_offsets(None) == []
    assert codes(check_offsets([1, 2])) == ["deadlines_not_mapping"]
    assert codes(check_offsets({"vote": 3})) == ["deadline_unknown_phase"]
    assert codes(check_offsets({"planning": -1})) == ["deadline_offset_range"]
    assert codes(check_offsets({"planning": MAX_OFFSET + 1})) == ["deadline_offset_range"]
    assert codes(check_offsets({"planning": "30"})) == ["deadline_offset_range"]
    assert codes(check_offsets({"planning": True})) == ["deadline_offset_range"]
    assert codes(check_offsets({"planning": 90, "reporting": 30})) == ["deadlines_out_of_order"]


def test_a_deadline_lies_in_the_year_or_the_next():
    assert check_deadline(2021, Phase.CONFERENCE, date(2022, 1, 15)) == []
    assert codes(check_deadline(2021, Phase.PLANNING, date(2020, 12, 31))) == [
        "deadline_out_of_range"
    ]
    assert codes(check_deadline(2021, Phase.PLANNING, date(2023, 1, 1))) == [
        "deadline_out_of_range"
    ]


def test_standing():
    due = date(2021, 3, 31)
    assert stand(Phase.AGREEMENT, due, date(2021, 3, 21)).days_left == 10
    assert stand(Phase.AGREEMENT, due, due).standing == Standing.DUE
    late = stand(Phase.AGREEMENT, due, date(2021, 4, 2))
    assert late.standing == Standing.OVERDUE
    assert late.overdue
    assert late.days_left == -2
    assert stand(Phase.AGREEMENT, due, date(2026, 1, 1), due).standing == Standing.MET
    done_late = stand(Phase.AGREEMENT, due, date(2026, 1, 1), date(2021, 4, 1))
    assert done_late.standing == Standing.LATE
    assert not done_late.overdue


def test_reminders_for_what_is_near_or_overdue_only():
    due = date(2021, 3, 31)
    assert needs_reminder(stand(Phase.AGREEMENT, due, date(2021, 3, 24)), 7)
    assert not needs_reminder(stand(Phase.AGREEMENT, due, date(2021, 3, 23)), 7)
    assert needs_reminder(stand(Phase.AGREEMENT, due, date(2021, 5, 1)), 7)
    assert not needs_reminder(stand(Phase.AGREEMENT, due, date(2021, 3, 24), due), 7)


@given(
    st.dates(date(2000, 1, 1), date(2100, 12, 31)),
    st.dates(date(2000, 1, 1), date(2100, 12, 31)),
)
def test_overdue_exactly_when_the_day_has_passed(due, today):
    deadline = stand(Phase.REPORTING, due, today)
    assert deadline.overdue == (today > due)
    assert today + timedelta(days=deadline.days_left) == due


@given(
    st.lists(st.integers(0, MAX_OFFSET), min_size=len(PHASES), max_size=len(PHASES)),
    st.integers(2000, 2099),
)
def test_sorted_offsets_give_ordered_defaults_within_range(values, year):
    offsets = {phase.value: value for phase, value in zip(PHASES, sorted(values), strict=True)}
    assert check_offsets(offsets) == []
    days = [default_deadline(year, phase, offsets) for phase in PHASES]
    assert days == sorted(days)
    assert all(
        check_deadline(year, phase, day) == [] for phase, day in zip(PHASES, days, strict=True)
    )
