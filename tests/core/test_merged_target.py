"""The target a unit formed by a merger gets from its predecessors' signed targets, and
their places in the inspection teams."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from thidua.core.indicators import Kind
from thidua.core.lineage import EventKind, Lineage, LineageEvent, UnitSpan
from thidua.core.scoring import inherited_targets, inherited_teams, merged_target

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


def test_a_unit_formed_during_the_year_inherits_where_a_predecessor_signed():
    """Bắc Kạn and Thái Nguyên merge on 1 July: the new unit inherits the sum of a count, a
    shared rate, nothing where the rates differ; its own target and a unit formed from a
    single predecessor's rename are left alone."""
    day = date(2025, 7, 1)
    lineage = Lineage(
        [
            UnitSpan("bk", "Bắc Kạn", end=date(2025, 6, 30)),
            UnitSpan("tn", "Thái Nguyên", end=date(2025, 6, 30)),
            UnitSpan("tn2", "Thái Nguyên", start=day),
            UnitSpan("cb", "Cao Bằng"),
        ],
        [LineageEvent(EventKind.MERGE, day, ("bk", "tn"), ("tn2",))],
    )
    kinds = {"cases": Kind.COUNT, "rate": Kind.RATE, "other": Kind.RATE, "own": Kind.COUNT}
    signed = {
        ("bk", "cases"): Decimal(10),
        ("tn", "cases"): Decimal(15),
        ("bk", "rate"): Decimal(75),
        ("tn", "rate"): Decimal(75),
        ("bk", "other"): Decimal(90),
        ("tn", "other"): Decimal(85),
        ("tn2", "own"): Decimal(3),
        ("cb", "cases"): Decimal(7),
    }
    members = [("tn2", day), ("cb", None), ("bk", date(2024, 1, 1))]
    found = inherited_targets(members, 2025, lineage, kinds, signed)
    assert {key: item.value for key, item in found.items()} == {
        ("tn2", "cases"): Decimal(25),
        ("tn2", "rate"): Decimal(75),
        ("tn2", "other"): None,
    }
    assert found[("tn2", "other")].sources == (("bk", Decimal(90)), ("tn", Decimal(85)))


def test_a_unit_formed_during_the_year_takes_its_predecessors_places_in_the_teams():
    """Bắc Kạn and Thái Nguyên merge on 1 July: the new unit is inspected by both their
    teams' scorers and scores where either scored; Thái Nguyên's place in Bắc Kạn's team
    would have it score itself and is dropped; a unit of a later merger is left alone."""
    day = date(2025, 7, 1)
    lineage = Lineage(
        [
            UnitSpan("bk", "Bắc Kạn", end=date(2025, 6, 30)),
            UnitSpan("tn", "Thái Nguyên", end=date(2025, 6, 30)),
            UnitSpan("tn2", "Thái Nguyên", start=day),
            UnitSpan("cb", "Cao Bằng"),
            UnitSpan("ls", "Lạng Sơn"),
        ],
        [LineageEvent(EventKind.MERGE, day, ("bk", "tn"), ("tn2",))],
    )
    teams = {"bk": ["cb", "tn"], "tn": ["ls", "cb"], "cb": ["bk", "ls"], "ls": ["tn"]}
    members = [("tn2", day), ("cb", None), ("ls", None)]
    assert inherited_teams(teams, members, 2025, lineage) == {
        "tn2": ["cb", "ls"],
        "cb": ["tn2", "ls"],
        "ls": ["tn2"],
    }
    # the year before the merger, the teams stand as signed, among the members
    before = [("bk", None), ("tn", None), ("cb", None)]
    assert inherited_teams(teams, before, 2024, lineage) == {
        "bk": ["cb", "tn"],
        "tn": ["cb"],
        "cb": ["bk"],
    }
