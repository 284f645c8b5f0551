"""Score review with explanations: reasons below the self score, the chain, who finalises."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.core.review import (
    ACTOR,
    FINAL,
    PENDING,
    TRANSITIONS,
    Action,
    Party,
    State,
    advance,
    below_self,
    check_filing,
    check_finaliser,
    check_reasons,
    check_transition,
    check_unassigned,
    check_unfinalised,
    finaliser,
    pending_with,
    unassigned,
)
from thidua.core.scoring import Criterion, Kind, Sheet, Table

TABLE = Table(
    [
        Criterion("a", "Công tác xây dựng lực lượng", Kind.PEER, D(10)),
        Criterion("b", "Phong trào toàn dân", Kind.PEER, D(10)),
        Criterion("q", "Tỷ lệ điều tra", Kind.QUANTITATIVE, D(10), indicator="rate"),
    ]
)


def test_below_self_lists_only_lower_scores_of_reviewers():
    sheets = [
        Sheet("hg", "hg", {"a": D(9), "b": D(8)}),
        Sheet("db", "hg", {"a": D("8.5"), "b": D(8)}),
        Sheet("lc", "hg", {"a": D(9), "b": D(7)}),
        Sheet("db", "db", {"a": D(5)}),
        Sheet("hg", "db", {"a": D(4), "b": D(1)}),  # b: no self score, never below
        Sheet("lc", "ls", {"a": D(1)}),  # ls has no self-assessment
    ]
    found = [(b.target, b.criterion, b.reviewer, b.self_value, b.value) for b in below_self(sheets)]
    assert found == [
        ("db", "a", "hg", D(5), D(4)),
        ("hg", "a", "db", D(9), D("8.5")),
        ("hg", "b", "lc", D(8), D(7)),
    ]


def test_reason_required_names_the_criterion():
    problems = check_reasons({"a": D(7), "b": D(9)}, {"a": D(9), "b": D(9)}, {}, TABLE)
    assert [p.field for p in problems] == ["a"]
    assert "Công tác xây dựng lực lượng" in problems[0].render()
    assert check_reasons({"a": D(7)}, {"a": D(9)}, {"a": "Thiếu hồ sơ"}, TABLE) == []
    assert check_reasons({"a": D(7)}, {"a": D(9)}, {"a": "   "}, TABLE) != []
    assert check_reasons({"a": D(7)}, None, {}, TABLE) == []


def test_the_chain():
    state = State.OPEN
    assert pending_with(state) == Party.UNIT
    state = advance(state, Action.FILE)
    assert pending_with(state) == Party.REVIEWER
    state = advance(state, Action.CHANGE)
    assert state == State.CHANGED
    assert pending_with(state) == Party.FINALISER
    state = advance(state, Action.REFUSE)
    assert state == State.REFUSED
    assert pending_with(state) is None
    with pytest.raises(ValueError, match="not allowed"):
        advance(State.OPEN, Action.ACCEPT)
    assert check_transition(State.ACCEPTED, Action.FILE)[0].code == "review_transition"
    assert "kết luận" in check_transition(State.KEPT, Action.FILE)[0].render()


@given(st.sampled_from(list(State)), st.sampled_from(list(Action)))
def test_transitions_agree_with_who_is_pending(state, action):
    allowed = not check_transition(state, action)
    assert allowed == ((state, action) in TRANSITIONS)
    if allowed:
        assert ACTOR[action] == PENDING[state]  # only the party it waits for acts
        assert advance(state, action) != state
    if state in FINAL:
        assert not allowed
        assert pending_with(state) is None


@given(st.lists(st.sampled_from(list(Action)), max_size=8))
def test_any_run_of_actions_ends_final_in_at_most_three_steps(actions):
    state, steps = State.OPEN, 0
    for action in actions:
        if not check_transition(state, action):
            state, steps = advance(state, action), steps + 1
    assert steps <= 3
    assert (state in FINAL) == (steps == 3)


def test_leader_cannot_finalise_its_own_units_explanation():
    assert finaliser("db", leader="hg", deputy="lc") == "hg"
    assert finaliser("hg", leader="hg", deputy="lc") == "lc"
    assert check_finaliser("hg", "db", "hg", "lc") == []
    assert check_finaliser("lc", "hg", "hg", "lc") == []
    own = check_finaliser("hg", "hg", "hg", "lc")
    assert own
    assert "cụm phó" in own[0].render()
    assert check_finaliser("lc", "db", "hg", "lc")  # the deputy only for the leader's unit
    assert check_finaliser("db", "db", "hg", "lc")
    assert check_finaliser("hg", "hg", "hg", None)  # no deputy: nobody may


UNITS = st.sampled_from(["hg", "db", "lc", "ls"])


@given(UNITS, UNITS, UNITS, st.one_of(st.none(), UNITS))
def test_nobody_finalises_their_own_unit(actor, target, leader, deputy):
    if deputy == leader:
        deputy = None  # the database forbids a deputy equal to the leader
    assert finaliser(target, leader, deputy) != target
    if not check_finaliser(actor, target, leader, deputy):
        assert actor != target
        assert actor in (leader, deputy)


def test_filing_deadline():
    assert check_filing(date(2025, 12, 10), date(2025, 12, 10)) == []
    assert check_filing(date(2025, 12, 10), None) == []
    late = check_filing(date(2025, 12, 11), date(2025, 12, 10))
    assert late[0].code == "review_late"
    assert "10/12/2025" in late[0].render()


def test_unassigned_criteria_are_flagged():
    assignments = [("db", "hg", None), ("hg", "db", "a"), ("db", "db", None)]
    pairs = unassigned(TABLE, ["hg", "db", "lc"], assignments)
    assert pairs == [
        ("db", "b"),
        ("lc", "a"),
        ("lc", "b"),
    ]
    problems = check_unassigned(pairs, {"b": "Phong trào toàn dân"})
    assert "Phong trào toàn dân" in problems[0].render()
    assert "db" in problems[0].render()
    assert check_unfinalised(0) == []
    assert "2" in check_unfinalised(2)[0].render()


@given(
    st.lists(st.tuples(UNITS, UNITS, st.one_of(st.none(), st.sampled_from(["a", "b"])))),
)
def test_unassigned_is_exactly_what_no_other_unit_covers(assignments):
    targets = ["hg", "db", "lc", "ls"]
    pairs = set(unassigned(TABLE, targets, assignments))
    for target in targets:
        for code in ("a", "b"):
            covered = any(s != t and t == target and c in (None, code) for s, t, c in assignments)
            assert ((target, code) in pairs) == (not covered)
    assert all(code != "q" for _, code in pairs)  # automatic criteria need no scorer


@given(
    st.dictionaries(st.sampled_from(["a", "b"]), st.decimals(0, 10, places=2)),
    st.dictionaries(st.sampled_from(["a", "b"]), st.decimals(0, 10, places=2)),
)
def test_reasons_needed_match_below_self(own, theirs):
    sheets = [Sheet("hg", "hg", own), Sheet("db", "hg", theirs)]
    needed = {b.criterion for b in below_self(sheets)}
    assert {p.field for p in check_reasons(theirs, own, {}, TABLE)} == needed
    assert check_reasons(theirs, own, dict.fromkeys(needed, "lý do"), TABLE) == []
