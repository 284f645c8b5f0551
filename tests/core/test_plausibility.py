"""Plausibility of a change against the lineage baseline: both thresholds, never constants."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from thidua.core.indicators import Direction, Indicator, Kind
from thidua.core.plausibility import (
    Threshold,
    is_implausible,
    jumps,
    jumps_of_values,
    missing_notes,
    relative_change,
    threshold_problems,
)

CATALOG = {
    "cases": Indicator("cases", "Số vụ phạm tội", Kind.COUNT, Direction.LOWER),
    "solved": Indicator("solved", "Số vụ đã khám phá", Kind.COUNT, Direction.HIGHER),
    "clearance": Indicator(
        "clearance", "Tỷ lệ khám phá", Kind.RATE, Direction.HIGHER, 0, "solved", "cases"
    ),
}
COUNTS = Threshold(relative=Decimal(100), absolute=Decimal(10))
RATES = Threshold(absolute=Decimal(20))
THRESHOLDS = {"cases": COUNTS, "solved": COUNTS, "clearance": RATES}

amounts = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False)
limits = st.none() | st.decimals(min_value=Decimal("0.01"), max_value=10**4, places=2)


def test_a_jump_of_181_percent_is_flagged():
    assert is_implausible(Decimal(281), Decimal(100), COUNTS)


def test_a_small_count_may_jump_500_percent_below_the_absolute_minimum():
    assert not is_implausible(Decimal(12), Decimal(2), Threshold(Decimal(100), Decimal(11)))
    assert not is_implausible(Decimal(11), Decimal(2), COUNTS)  # +450 %, but only +9
    assert is_implausible(Decimal(13), Decimal(2), Threshold(Decimal(100), Decimal(11)))


def test_a_large_absolute_change_that_is_relatively_small_passes():
    assert not is_implausible(Decimal(1500), Decimal(1000), COUNTS)


def test_thresholds_are_reached_inclusively():
    assert is_implausible(Decimal(20), Decimal(10), COUNTS)  # +100 %, +10
    assert not is_implausible(Decimal(19), Decimal(10), COUNTS)


def test_from_zero_is_infinitely_large_relatively():
    assert relative_change(Decimal(50), Decimal(0)) is None
    assert is_implausible(Decimal(50), Decimal(0), COUNTS)
    assert not is_implausible(Decimal(5), Decimal(0), COUNTS)


def test_no_threshold_means_no_check():
    assert not is_implausible(Decimal(10**6), Decimal(1), Threshold())


def test_jumps_compare_computed_rates_in_points_against_the_baseline():
    now = {"cases": Decimal(100), "solved": Decimal(90), "clearance": Decimal(50)}
    before = {"cases": Decimal(100), "solved": Decimal(60)}
    found = jumps(now, before, CATALOG, THRESHOLDS)
    # solved +50 % (not flagged); the rate 60 % → 90 % is +30 points, computed not reported
    assert [jump.code for jump in found] == ["clearance"]
    assert found[0].change.points == Decimal(30)
    text = found[0].phrase().render()
    for part in ("Tỷ lệ khám phá", "60,0%", "90,0%"):
        assert part in text


def test_jumps_need_both_years_and_a_threshold():
    now = {"cases": Decimal(500)}
    assert jumps(now, {}, CATALOG, THRESHOLDS) == []
    assert jumps(now, {"cases": Decimal(100)}, CATALOG, {}) == []
    found = jumps(now, {"cases": Decimal(100)}, CATALOG, THRESHOLDS)
    assert [jump.code for jump in found] == ["cases"]
    assert "tăng 400,0%" in found[0].phrase().render()


def test_missing_notes_name_the_indicator_and_ignore_blank_notes():
    found = jumps({"cases": Decimal(500)}, {"cases": Decimal(100)}, CATALOG, THRESHOLDS)
    problems = missing_notes(found, {"cases": "   "})
    assert [problem.field for problem in problems] == ["note_cases"]
    assert "Số vụ phạm tội" in problems[0].render()
    assert missing_notes(found, {"cases": "Chuyên án lớn"}) == []


def test_threshold_validation():
    assert threshold_problems(COUNTS) == []
    assert threshold_problems(Threshold()) == []
    codes = [p.code for p in threshold_problems(Threshold(Decimal(0), Decimal(-1)), field="x")]
    assert codes == ["plausible_relative_not_positive", "plausible_absolute_negative"]


@given(amounts, amounts, limits, limits)
def test_flagged_exactly_when_both_set_limits_are_reached(now, before, relative, absolute):
    threshold = Threshold(relative, absolute)
    delta = abs(now - before)
    expected = threshold.active and delta > 0
    if absolute is not None:
        expected = expected and delta >= absolute
    if relative is not None and before != 0:
        expected = expected and delta * 100 / before >= relative
    assert is_implausible(now, before, threshold) == expected


@given(amounts, amounts, limits, limits, st.decimals(min_value=0, max_value=100, places=2))
def test_raising_a_threshold_never_flags_more(now, before, relative, absolute, extra):
    lower = Threshold(relative, absolute)
    higher = Threshold(
        None if relative is None else relative + extra,
        None if absolute is None else absolute + extra,
    )
    assert not is_implausible(now, before, higher) or is_implausible(now, before, lower)


@given(amounts, amounts, limits, limits)
def test_symmetric_in_direction_of_the_absolute_change(now, before, relative, absolute):
    threshold = Threshold(None, absolute)
    assert is_implausible(now, before, threshold) == is_implausible(before, now, threshold)
    assert not is_implausible(now, now, Threshold(relative, absolute))


# figures as tables compare them: counts and amounts, and rates of many digits (n × 100 / d)
compared = amounts | st.builds(
    lambda n, d: Decimal(n) * 100 / Decimal(d), st.integers(0, 10**4), st.integers(1, 10**4)
)


@given(st.lists(st.tuples(compared | st.none(), compared | st.none(), limits, limits), max_size=8))
def test_the_table_s_jumps_are_those_of_is_implausible(pairs):
    """`jumps_of_values` writes `is_implausible` out for speed: the same answers, in order."""
    catalog = {f"c{n}": Indicator(f"c{n}", f"Chỉ tiêu {n}", Kind.COUNT) for n in range(len(pairs))}
    now = {f"c{n}": pair[0] for n, pair in enumerate(pairs)}
    before = {f"c{n}": pair[1] for n, pair in enumerate(pairs)}
    limits_of = {f"c{n}": Threshold(pair[2], pair[3]) for n, pair in enumerate(pairs)}
    found = jumps_of_values(now, before, catalog, limits_of)
    assert [jump.code for jump in found] == [
        code
        for code in catalog
        if now[code] is not None
        and before[code] is not None
        and is_implausible(now[code], before[code], limits_of[code])
    ]
    # each jump carries the two values it compared
    for jump in found:
        assert jump.change.now == now[jump.code]
        assert jump.change.before == before[jump.code]
