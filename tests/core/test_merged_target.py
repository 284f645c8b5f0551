"""The target a unit formed by a merger gets from its predecessors' signed targets."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from thidua.core.indicators import Kind
from thidua.core.scoring import merged_target

targets = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False)


@given(st.lists(targets, min_size=1, max_size=4), st.sampled_from([Kind.COUNT, Kind.AMOUNT]))
def test_counts_and_amounts_add_up(values, kind):
    assert merged_target(kind, values) == sum(values, Decimal(0))


@given(st.lists(targets, min_size=1, max_size=4), st.sampled_from(list(Kind)))
def test_a_predecessor_without_a_target_gives_none(values, kind):
    assert merged_target(kind, [*values, None]) is None


@given(targets, st.integers(min_value=1, max_value=4))
def test_a_shared_rate_is_kept(value, count):
    assert merged_target(Kind.RATE, [value] * count) == value


@given(st.lists(targets, min_size=2, max_size=4, unique=True))
def test_different_rates_do_not_combine(values):
    assert merged_target(Kind.RATE, values) is None


def test_nothing_and_unknown_kinds_give_none():
    assert merged_target(Kind.COUNT, []) is None
    assert merged_target(None, [Decimal(5), Decimal(5)]) is None
