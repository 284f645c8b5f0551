"""The permission table: roles and states."""

import pytest

from thidua.core.phases import CLOSED, IDLE, PHASES
from thidua.core.policy import (
    ACTION_LABELS,
    POLICY,
    READS,
    UNIT_ACTIVE,
    UNIT_ENDED,
    Action,
    Role,
    decide,
)


def test_every_action_has_a_rule_and_a_label():
    assert set(POLICY) == set(Action)
    assert set(ACTION_LABELS) == set(Action)


def test_nobody_without_a_role_may_do_anything():
    for action in Action:
        assert not decide(action, frozenset(), None).allowed


def test_refusal_for_role_comes_before_refusal_for_state():
    result = decide(Action.EDIT_CYCLE, frozenset({Role.OFFICER, Role.USER}), CLOSED)
    assert not result.allowed
    assert not result.refused_for_state
    assert result.problem.render() == ("Bạn không có quyền sửa thành viên, cụm trưởng, cụm phó.")


@pytest.mark.parametrize("state", [phase.value for phase in PHASES] + [IDLE, CLOSED])
def test_cycle_membership_changes_only_in_planning(state):
    result = decide(Action.EDIT_CYCLE, frozenset({Role.ADMIN}), state)
    assert result.allowed == (state == "planning")
    if not result.allowed:
        assert result.refused_for_state


@pytest.mark.parametrize("state", [phase.value for phase in PHASES] + [IDLE, CLOSED])
def test_handover_only_during_the_conference(state):
    for role in (Role.LEADER_SECRETARY, Role.ADMIN, Role.SYSTEM):
        assert decide(Action.RECORD_HANDOVER, frozenset({role}), state).allowed == (
            state == "conference"
        )
    assert not decide(Action.RECORD_HANDOVER, frozenset({Role.OFFICER}), "conference").allowed


def test_phase_powers_belong_to_the_leader_secretary_and_the_admin():
    for action in (Action.OPEN_PHASE, Action.CLOSE_PHASE, Action.REOPEN_PHASE):
        assert decide(action, frozenset({Role.LEADER_SECRETARY}), IDLE).allowed
        assert decide(action, frozenset({Role.ADMIN}), IDLE).allowed
        for role in (Role.OFFICER, Role.DELEGATE, Role.OBSERVER, Role.USER):
            assert not decide(action, frozenset({role}), IDLE).allowed


def test_units_are_edited_by_their_own_officers_while_active():
    assert decide(Action.EDIT_UNIT, frozenset({Role.OFFICER}), UNIT_ACTIVE).allowed
    ended = decide(Action.EDIT_UNIT, frozenset({Role.OFFICER}), UNIT_ENDED)
    assert not ended.allowed
    assert ended.refused_for_state
    assert not decide(Action.EDIT_UNIT, frozenset({Role.USER, Role.DELEGATE}), UNIT_ACTIVE).allowed


def test_observers_read_but_never_write():
    observer = frozenset({Role.OBSERVER, Role.USER})
    assert decide(Action.VIEW_CYCLE, observer, CLOSED).allowed
    writes = set(Action) - READS - {Action.MANAGE_OWN_TOKENS}
    for action in writes:
        for state in ["planning", "conference", UNIT_ACTIVE, None]:
            assert not decide(action, observer, state).allowed
