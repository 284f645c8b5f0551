"""Rates, change against last year, cluster totals and consistency checks."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.core.indicators import (
    Change,
    Direction,
    Indicator,
    Kind,
    Period,
    change,
    check_rates,
    cluster_total,
    parse_figures,
    rate,
    shown,
    total,
    validate,
    value_of,
    values,
)

CATALOG = {
    "cases": Indicator("cases", "Số vụ phạm tội về TTXH", Kind.COUNT, Direction.LOWER),
    "solved": Indicator("solved", "Số vụ đã điều tra khám phá", Kind.COUNT, Direction.HIGHER),
    "clearance": Indicator(
        "clearance",
        "Tỷ lệ điều tra khám phá",
        Kind.RATE,
        Direction.HIGHER,
        numerator="solved",
        denominator="cases",
    ),
    "serious": Indicator("serious", "Án rất nghiêm trọng, đặc biệt nghiêm trọng", Kind.COUNT),
    "serious_solved": Indicator("serious_solved", "Án RNT, ĐBNT đã làm rõ", Kind.COUNT),
    "serious_rate": Indicator(
        "serious_rate",
        "Tỷ lệ làm rõ án RNT, ĐBNT",
        Kind.RATE,
        Direction.HIGHER,
        numerator="serious_solved",
        denominator="serious",
    ),
    "damage": Indicator("damage", "Thiệt hại (triệu đồng)", Kind.AMOUNT, decimals=1),
}

# An illustrative split of the published 2020 totals of Cụm II over its 7 units.
UNITS_2020 = {
    "ha-giang": {"cases": 353, "solved": 276, "serious": 57, "serious_solved": 56},
    "dien-bien": {"cases": 247, "solved": 193, "serious": 40, "serious_solved": 40},
    "lai-chau": {"cases": 192, "solved": 150, "serious": 31, "serious_solved": 30},
    "lang-son": {"cases": 324, "solved": 253, "serious": 52, "serious_solved": 51},
    "lao-cai": {"cases": 304, "solved": 237, "serious": 49, "serious_solved": 48},
    "son-la": {"cases": 518, "solved": 404, "serious": 83, "serious_solved": 82},
    "cao-bang": {"cases": 218, "solved": 168, "serious": 33, "serious_solved": 33},
}
CASES_2019 = {
    "ha-giang": 439,
    "dien-bien": 253,
    "lai-chau": 220,
    "lang-son": 342,
    "lao-cai": 320,
    "son-la": 700,
    "cao-bang": 261,
}


def figures(raw):
    return {code: Decimal(value) for code, value in raw.items()}


def test_seed_cluster_totals_and_rates():
    totals = total([figures(unit) for unit in UNITS_2020.values()], CATALOG)
    assert totals["cases"] == 2156
    assert totals["solved"] == 1681
    assert totals["serious"] == 345
    assert totals["serious_solved"] == 340
    computed = values(totals, CATALOG)
    assert f"{computed['serious_rate']:.1f}" == "98.6"
    assert f"{computed['clearance']:.1f}" == "78.0"


def test_seed_falls_per_province():
    expected = {
        "ha-giang": "giảm 19,6%",
        "son-la": "giảm 26,0%",
        "cao-bang": "giảm 16,5%",
        "lai-chau": "giảm 12,7%",
        "lang-son": "giảm 5,3%",
        "lao-cai": "giảm 5,0%",
    }
    for unit, phrase in expected.items():
        now = Decimal(UNITS_2020[unit]["cases"])
        assert change(now, Decimal(CASES_2019[unit]), Kind.COUNT).phrase().render() == phrase


def test_the_published_88_7_percent_is_flagged_with_both_figures():
    totals = total([figures(unit) for unit in UNITS_2020.values()], CATALOG)
    published = {**totals, "clearance": Decimal("88.7"), "serious_rate": Decimal("98.6")}
    mismatches = check_rates(published, CATALOG)
    assert [mismatch.indicator.code for mismatch in mismatches] == ["clearance"]
    text = mismatches[0].phrase().render()
    assert "88,7%" in text
    assert "1.681/2.156 = 78,0%" in text
    assert "lệch 10,7 điểm %" in text
    assert "mẫu số khoảng 1.895" in text


def test_tolerance_is_five_hundredths_of_a_point():
    base = {"cases": Decimal(345), "solved": Decimal(340)}  # 98,5507…%
    assert check_rates({**base, "clearance": Decimal("98.6")}, CATALOG) == []  # 0,049 off
    assert check_rates({**base, "clearance": Decimal("98.51")}, CATALOG) == []
    assert len(check_rates({**base, "clearance": Decimal("98.5")}, CATALOG)) == 1  # 0,0507
    assert len(check_rates({**base, "clearance": Decimal("98.7")}, CATALOG)) == 1
    assert check_rates({"clearance": Decimal("50")}, CATALOG) == []  # nothing to compare


def test_change_phrases():
    assert Change(Decimal(5), Decimal(5), Kind.COUNT).phrase().render() == "bằng"
    assert Change(Decimal(1053), Decimal(1000), Kind.COUNT).phrase().render() == "tăng 5,3%"
    assert Change(Decimal(12), Decimal(0), Kind.COUNT).phrase().render() == (
        "tăng 12 (cùng kỳ bằng 0)"
    )
    assert Change(Decimal(12), Decimal(0), Kind.COUNT).percent is None
    points = Change(Decimal("98.6"), Decimal("97.4"), Kind.RATE)
    assert points.percent is None
    assert points.phrase().render() == "tăng 1,2 điểm %"
    assert change(None, Decimal(1), Kind.COUNT) is None


def test_change_direction():
    fall = Change(Decimal(353), Decimal(439), Kind.COUNT)
    assert fall.is_better(Direction.LOWER) is True
    assert fall.is_better(Direction.HIGHER) is False
    assert fall.is_better(Direction.NEUTRAL) is None


def test_rate_is_undefined_without_a_base():
    assert rate(Decimal(1), Decimal(0)) is None
    assert rate(None, Decimal(3)) is None
    assert value_of(CATALOG["clearance"], {"cases": Decimal(0), "solved": Decimal(0)}) is None


def test_validation_names_the_field():
    problems = validate(
        {"cases": Decimal(10), "solved": Decimal(12), "serious": Decimal(-1)}, CATALOG
    )
    assert {(problem.code, problem.field) for problem in problems} == {
        ("negative", "serious"),
        ("numerator_above_denominator", "solved"),
    }
    text = next(p for p in problems if p.field == "solved").render()
    assert text == "Số vụ đã điều tra khám phá (12) lớn hơn Số vụ phạm tội về TTXH (10)."
    assert validate({"clearance": Decimal("100.5")}, CATALOG)[0].code == "rate_above_100"
    assert validate({"cases": Decimal("1.5")}, CATALOG)[0].code == "not_whole"
    assert validate({"nope": Decimal(1)}, CATALOG)[0].code == "unknown_indicator"


def test_a_negative_base_is_one_error_not_two():
    """-3 cases is refused; 2 solved of -3 is not a second error made from it."""
    problems = validate({"cases": Decimal(-3), "solved": Decimal(2)}, CATALOG)
    assert [(problem.code, problem.field) for problem in problems] == [("negative", "cases")]


def test_parse_figures_from_a_form():
    parsed, problems = parse_figures(
        {
            "cases": "2.156",
            "solved": "1.681",
            "clearance": "88,7%",
            "damage": "12,5",
            "serious": "",
        },
        CATALOG,
    )
    assert problems == []
    assert parsed == {
        "cases": 2156,
        "solved": 1681,
        "clearance": Decimal("88.7"),
        "damage": Decimal("12.5"),
    }
    _, problems = parse_figures({"cases": "1.5", "solved": "x"}, CATALOG)
    assert [(problem.code, problem.field) for problem in problems] == [
        ("ambiguous_number", "cases"),
        ("not_a_number", "solved"),
    ]


def test_period_ends():
    assert Period.YEAR.end(2020) == date(2020, 12, 31)
    assert Period.H1.end(2025) == date(2025, 6, 30)
    assert Period.Q3.end(2025) == date(2025, 9, 30)
    assert Period.Q1.end(2024) == date(2024, 3, 31)


unit_figures = st.fixed_dictionaries(
    {},
    optional={
        "cases": st.integers(0, 10_000).map(Decimal),
        "solved": st.integers(0, 10_000).map(Decimal),
        "damage": st.decimals(min_value=0, max_value=10_000, places=1).map(Decimal),
    },
)


@given(st.lists(unit_figures, max_size=12), st.lists(unit_figures, max_size=12))
def test_totals_are_associative(first, second):
    """Totals of two groups combine into the total of all units."""
    combined = total([total(first, CATALOG), total(second, CATALOG)], CATALOG)
    assert combined == total(first + second, CATALOG)


@given(st.lists(unit_figures, max_size=12), st.permutations(range(12)))
def test_totals_ignore_unit_order(units, order):
    shuffled = [units[index] for index in order if index < len(units)]
    assert total(shuffled, CATALOG) == total(units, CATALOG)


@given(
    st.lists(
        st.tuples(st.integers(1, 5_000), st.integers(0, 5_000)).map(
            lambda pair: {"cases": Decimal(pair[0]), "solved": Decimal(min(pair))}
        ),
        min_size=1,
        max_size=10,
    )
)
def test_cluster_rate_is_the_rate_of_the_sums_and_lies_between_unit_rates(units):
    cluster = value_of(CATALOG["clearance"], total(units, CATALOG))
    unit_rates = [value_of(CATALOG["clearance"], unit) for unit in units]
    sums = total(units, CATALOG)
    assert cluster == sums["solved"] * 100 / sums["cases"]
    assert min(unit_rates) <= cluster <= max(unit_rates)


def test_a_total_over_predecessors_needs_all_of_them():
    reports = [{"cases": Decimal(10), "solved": Decimal(5)}, {"cases": Decimal(7)}]
    assert total(reports, CATALOG) == {"cases": 17, "solved": 5}
    assert total(reports, CATALOG, require_all=True) == {"cases": 17}
    assert total([], CATALOG, require_all=True) == {}


def test_a_partial_cluster_is_compared_over_the_same_units_only():
    before = {unit: figures({"cases": CASES_2019[unit]}) for unit in CASES_2019}
    now = {unit: figures(UNITS_2020[unit]) for unit in ("son-la", "lai-chau")}
    result = cluster_total(now, before, list(UNITS_2020), CATALOG)
    assert result.partial
    assert result.counted == ("lai-chau", "son-la")
    assert result.now["cases"] == 192 + 518
    assert result.before == {"cases": 220 + 700}  # not the 2.535 of the whole cluster
    assert change(result.now["cases"], result.before["cases"], Kind.COUNT).percent == Decimal(
        "-22.8"
    )


def test_a_complete_cluster_is_compared_with_the_whole_cluster():
    before = {unit: figures({"cases": CASES_2019[unit]}) for unit in CASES_2019}
    now = {unit: figures(raw) for unit, raw in UNITS_2020.items()}
    result = cluster_total(now, before, list(UNITS_2020), CATALOG)
    assert not result.partial
    assert result.now["cases"] == 2156
    assert result.before == {"cases": sum(CASES_2019.values())}


def test_no_comparison_when_a_reporting_unit_has_no_baseline():
    before = {"son-la": figures({"cases": 700})}  # Lai Châu has none (e.g. a new unit)
    now = {unit: figures(UNITS_2020[unit]) for unit in ("son-la", "lai-chau")}
    result = cluster_total(now, before, ["son-la", "lai-chau", "ha-giang"], CATALOG)
    assert result.before == {}
    assert result.counted == ("son-la", "lai-chau")


def test_each_indicator_is_compared_over_the_units_that_reported_it():
    before = {"a": figures({"cases": 10, "solved": 4}), "b": figures({"cases": 20, "solved": 8})}
    now = {"a": figures({"cases": 12, "solved": 6}), "b": figures({"cases": 18})}
    result = cluster_total(now, before, ["a", "b"], CATALOG)
    assert result.now == {"cases": 30, "solved": 6}
    assert result.before == {"cases": 30, "solved": 4}


def test_nobody_reported():
    result = cluster_total({}, {"a": figures({"cases": 1})}, ["a", "b"], CATALOG)
    assert (result.now, result.before, result.counted, result.partial) == ({}, {}, (), True)


@pytest.mark.parametrize(
    ("value", "kind", "decimals", "text"),
    [
        (Decimal("81"), Kind.RATE, 0, "81,0%"),  # a rate keeps its decimal, whatever is set
        (Decimal("98.64"), Kind.RATE, 2, "98,6%"),
        (Decimal("2156"), Kind.COUNT, 0, "2.156"),
        (Decimal("12.5"), Kind.AMOUNT, 2, "12,50"),
        (None, Kind.COUNT, 0, "—"),
    ],
)
def test_a_figure_is_shown_one_way(value, kind, decimals, text):
    assert shown(value, kind, decimals) == text


# --- on-behalf entry ("nhập thay") ------------------------------------------------------------


def test_a_submission_on_a_units_behalf_waits_and_does_not_count():
    from thidua.core.indicators import AWAITING, counts, submitted_status

    assert submitted_status(on_behalf=False) == "submitted"
    assert counts(submitted_status(on_behalf=False))
    assert submitted_status(on_behalf=True) == AWAITING
    assert not counts(AWAITING)
    assert not counts("draft")
    assert not counts("returned")


def test_on_behalf_needs_a_reason():
    from thidua.core.indicators import check_on_behalf

    assert [p.code for p in check_on_behalf(" ")] == ["on_behalf_reason_required"]
    assert check_on_behalf("Mất mạng") == []


@given(st.sampled_from(["draft", "submitted", "returned", "awaiting"]), st.text(max_size=5))
def test_only_an_awaiting_report_is_settled(status, excuse):
    from thidua.core.indicators import AWAITING, check_settle

    confirmed = [p.code for p in check_settle(status)]
    assert ("report_not_awaiting" in confirmed) == (status != AWAITING)
    excused = [p.code for p in check_settle(status, excuse=excuse)]
    assert ("reason_required" in excused) == (not excuse.strip())
    assert ("report_not_awaiting" in excused) == (status != AWAITING)


# figures of every kind, valid or not: whole and fractional, negative, above 100, unknown codes
_figure = st.one_of(
    st.integers(-3, 150).map(Decimal),
    st.decimals(min_value=-5, max_value=150, places=2, allow_nan=False),
)


@given(st.dictionaries(st.sampled_from([*CATALOG, "nope"]), _figure, max_size=len(CATALOG) + 1))
def test_validate_checks_at_once_what_it_checks_figure_by_figure(figures):
    """`validate` screens the usual valid figures in one pass: the same problems as asking
    each figure (`_figure_problems`), then the rates' bases."""
    from thidua.core.indicators import _figure_problems

    problems = validate(figures, CATALOG)
    own = _figure_problems(figures, CATALOG)
    assert problems[: len(own)] == own
    assert all(problem.code == "numerator_above_denominator" for problem in problems[len(own) :])


def _plain_total(reports, catalog, require_all=False):
    """`total` as first written: each indicator over the reports that have it."""
    sums = {}
    for code, indicator in catalog.items():
        present = [figures[code] for figures in reports if code in figures]
        enough = not require_all or len(present) == len(reports)
        if indicator.kind != Kind.RATE and present and enough:
            sums[code] = sum(present, Decimal(0))
    return sums


_some_figures = st.dictionaries(
    st.sampled_from(list(CATALOG)),
    st.decimals(min_value=0, max_value=500, places=2, allow_nan=False),
)


@given(
    st.lists(st.tuples(st.booleans(), _some_figures, _some_figures), max_size=5),
    st.booleans(),
)
def test_totals_sum_each_indicator_over_the_units_that_have_it(units, require_all):
    """`total` and `cluster_total` sum the indicators every unit has at once: the same sums,
    written the same way, as asking each unit for each indicator."""
    reports = [figures for _counted, figures, _before in units]
    expected = _plain_total(reports, CATALOG, require_all)
    assert [
        (code, str(value))
        for code, value in total(reports, CATALOG, require_all=require_all).items()
    ] == [(code, str(value)) for code, value in expected.items()] or len(reports) == 1
    names = [f"u{n}" for n in range(len(units))]
    now = {
        name: figures for name, (counted, figures, _b) in zip(names, units, strict=True) if counted
    }
    before = {name: then for name, (_c, _f, then) in zip(names, units, strict=True)}
    result = cluster_total(now, before, names, CATALOG)
    counted = [name for name in names if name in now]
    expected_now = _plain_total([now[name] for name in counted], CATALOG)
    expected_before = {}
    for code in expected_now:
        wanted = [before[name] for name in counted if code in now[name]]
        then = [earlier[code] for earlier in wanted if code in earlier]
        if len(then) == len(wanted):
            expected_before[code] = sum(then, Decimal(0))
    assert {c: str(v) for c, v in result.now.items()} == {
        c: str(v) for c, v in expected_now.items()
    }
    assert {c: str(v) for c, v in result.before.items()} == {
        c: str(v) for c, v in expected_before.items()
    }
