"""Scoring: hand-computed 7-unit examples for each formula and aggregation, and properties."""

from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thidua.core.scoring import (
    Aggregation,
    Band,
    Criterion,
    Facts,
    Kind,
    Rules,
    Sheet,
    Table,
    aggregate,
    bonus_penalty,
    check_sheet,
    missing_scores,
    per_occurrence,
    quantitative,
    score,
    zscores,
)

UNITS = ["hg", "db", "lc", "ls", "lca", "sl", "cb"]
M10 = Criterion(
    "clear", "Tỷ lệ điều tra khám phá", Kind.QUANTITATIVE, D(10), indicator="rate", measure="%"
)


def points(results):
    return {unit: result.points for unit, result in results.items()}


# --- quantitative criteria: the police formulas -------------------------------------------


def test_quantitative_formulas_for_seven_units():
    actual = {
        "hg": D("95.2"),
        "db": D("97.29"),
        "lc": D(90),
        "ls": D(81),
        "lca": D(60),
        "sl": D(80),
    }
    targets = {
        "hg": D(90),
        "db": D(90),
        "lc": D(90),
        "ls": D(90),
        "lca": D(0),
    }  # sl: none, cb: no result
    result = quantitative(M10, actual, targets)
    # db is 8,1 % above target, the best: M
    assert result["db"].points == 10
    # hg is 5,777… % above: 0,5·10 + (5,777…/8,1)·0,5·10
    assert result["hg"].points == D(5) + (D("5.2") * 100 / 90) / (D("7.29") * 100 / 90) * 5
    assert f"{result['hg'].points:.4f}" == "8.5665"
    assert result["lc"].points == 5  # exactly on target: 0,5·M
    assert result["ls"].points == D("4.5")  # below: 0,5·10·81/90
    # no target (sl) or a target of 0 (lca): among themselves, M·A/max A
    assert result["sl"].points == 10
    assert result["lca"].points == D("7.5")
    assert "cb" not in result
    assert result["hg"].explanation.render() == (
        "A = 95,2%, T = 90,0%, tỷ lệ vượt (A − T)/T = 5,78%, đơn vị dẫn đầu vượt 8,10%: "
        "0,5 × 10 + 5,78/8,10 × 0,5 × 10 → 8,57 điểm"
    )
    assert result["ls"].explanation.render() == (
        "A = 81,0%, T = 90,0%, chưa đạt chỉ tiêu: 0,5 × 10 × A/T → 4,50 điểm"
    )


def _figure(printed: str) -> D:
    """A figure as the document prints it (2.156,25) read back as a number."""
    return D(printed.replace(".", "").replace(",", "."))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=100_000), min_size=2, max_size=7),
    st.integers(min_value=1, max_value=100_000),
    st.sampled_from([D(1), D(10), D(12), D("7.5"), D(20)]),
)
def test_an_over_target_line_gives_its_points_from_the_figures_it_prints(tenths, target, most):
    """The Ministry's office checks a line by hand: 0,5 × M + over/best × 0,5 × M, worked
    out from the rates as printed, gives the points as printed."""
    criterion = Criterion("X", "X", Kind.QUANTITATIVE, most, indicator="rate", measure="%")
    actual = {f"u{n}": D(value) / 10 for n, value in enumerate(tenths)}
    result = quantitative(criterion, actual, dict.fromkeys(actual, D(target) / 10))
    for found in result.values():
        params = found.explanation.params
        if "best" not in params:
            continue
        over, best = _figure(params["over"]), _figure(params["best"])
        again = most / 2 + over / best * most / 2
        assert again.quantize(D("0.01"), ROUND_HALF_UP) == _figure(params["points"]), params


def test_a_lead_of_thousandths_of_a_percent_is_printed_to_its_digits():
    """The best unit 0,004 % above its target: its rate is not printed as 0,00 (nor divided
    by)."""
    actual = {"hg": D("10000.4"), "db": D("10000.3")}
    result = quantitative(M10, actual, dict.fromkeys(actual, D(10000)))
    assert result["db"].explanation.params["best"] == "0,004"
    assert result["db"].explanation.params["over"] == "0,003"
    assert result["db"].explanation.params["points"] == "8,75"
    assert result["hg"].explanation.params["over"] == "0,004"  # the leader's own line alike


def test_no_unit_above_target():
    actual = {unit: D(80 + n) for n, unit in enumerate(UNITS)}  # 80 … 86
    targets = {unit: D(90) for unit in UNITS}
    result = quantitative(M10, actual, targets)
    assert points(result) == {unit: D("0.5") * 10 * actual[unit] / 90 for unit in UNITS}
    assert max(points(result).values()) < 5


def test_two_units_tie_for_best_percentage_above_target():
    actual = {"hg": D(99), "db": D(88), "lc": D(95), "ls": D(90)}
    targets = {"hg": D(90), "db": D(80), "lc": D(90), "ls": D(90)}  # hg and db both 10 % above
    result = quantitative(M10, actual, targets)
    assert result["hg"].points == result["db"].points == 10
    assert result["lc"].points == 5 + (D(5) * 100 / 90) / 10 * 5
    assert result["ls"].points == 5


def test_target_zero_is_scored_with_the_units_without_target():
    result = quantitative(M10, {"hg": D(50), "db": D(0)}, {"hg": D(0), "db": D(0)})
    assert points(result) == {"hg": 10, "db": 0}
    assert quantitative(M10, {"hg": D(0)}, {}) == {"hg": quantitative(M10, {"hg": D(0)}, {})["hg"]}
    assert quantitative(M10, {"hg": D(0)}, {})["hg"].points == 0  # nobody above 0: no division


def test_other_automatic_kinds():
    occurrence = Criterion("feat", "Chiến công", Kind.PER_OCCURRENCE, D(5), points_each=D(2))
    assert per_occurrence(occurrence, D(2)).points == 4
    assert per_occurrence(occurrence, D(7)).points == 5  # capped
    extra = Criterion(
        "bp",
        "Thưởng, trừ",
        Kind.BONUS_PENALTY,
        D(5),
        min_points=D(-10),
        points_each=D(1),
        penalty_each=D(3),
    )
    assert bonus_penalty(extra, D(2), D(0)).points == 2
    assert bonus_penalty(extra, D(9), D(0)).points == 5
    assert bonus_penalty(extra, D(1), D(2)).points == -5
    assert bonus_penalty(extra, D(0), D(9)).points == -10  # clamped


# --- aggregation of scorers ---------------------------------------------------------------

SIX = [D(8), D(9), D("7.5"), D(10), D(6), D("8.5")]


def test_mean_median_trimmed_mean():
    assert aggregate(SIX, Aggregation.MEAN) == D(49) / 6
    assert aggregate(SIX, Aggregation.MEDIAN) == D("8.25")
    assert aggregate(SIX, Aggregation.TRIMMED_MEAN) == D(33) / 4  # 6 and 10 dropped
    four = SIX[:4]
    assert aggregate(four, Aggregation.TRIMMED_MEAN) == aggregate(four, Aggregation.MEAN)
    assert aggregate([], Aggregation.MEAN) is None


def test_zscore_rescales_each_scorer_to_the_range():
    table = Table([Criterion("p", "Chỉ đạo", Kind.PEER, D(12))])
    sheets = [
        Sheet("a", "x", {"p": D(10)}),
        Sheet("a", "y", {"p": D(12)}),  # a: mean 11, deviation 1
        Sheet("b", "x", {"p": D(3)}),
        Sheet("b", "y", {"p": D(3)}),  # b told nothing apart: M/2 for both
    ]
    z = zscores(sheets, table)
    assert z[("a", "x", "p")] == 4  # 6 − 1·12/6
    assert z[("a", "y", "p")] == 8
    assert z[("b", "x", "p")] == z[("b", "y", "p")] == 6


# --- sheets -------------------------------------------------------------------------------

TABLE = Table(
    [
        Criterion("s1", "Lãnh đạo phong trào", Kind.SECTION, D(20)),
        Criterion("p1", "Ban hành kế hoạch", Kind.PEER, D(10), parent="s1"),
        Criterion("p2", "Sơ kết, tổng kết", Kind.PEER, D(15), parent="s1"),
        Criterion("s2", "Kết quả", Kind.SECTION, D(20)),
        Criterion(
            "clear",
            "Tỷ lệ khám phá",
            Kind.QUANTITATIVE,
            D(10),
            parent="s2",
            indicator="r",
            measure="%",
        ),
        Criterion("ok", "Không có án oan", Kind.QUALITATIVE, D(10), parent="s2"),
        Criterion(
            "bp",
            "Thưởng, trừ",
            Kind.BONUS_PENALTY,
            D(5),
            min_points=D(-5),
            points_each=D(1),
            penalty_each=D(1),
        ),
    ]
)


def test_sheet_checks_range_and_step():
    problems = check_sheet({"p1": D("10.25"), "p2": D("3.1"), "clear": D(1)}, TABLE, D("0.25"))
    assert [(p.code, p.field) for p in problems] == [
        ("score_out_of_range", "p1"),
        ("score_off_step", "p2"),
        ("not_judged", "clear"),
    ]
    assert check_sheet({"p1": D("9.75"), "p2": D(15)}, TABLE, D("0.25")) == []
    assert missing_scores({"p1": D(1)}, TABLE) == ["p2"]


def test_table_checks():
    assert TABLE.check(declared_total=D(40)) == []
    assert TABLE.total_points == 40  # the bonus/penalty criterion is outside the scale
    assert TABLE.maximum == 45
    broken = Table([*TABLE.criteria.values(), Criterion("s3", "Trống", Kind.SECTION, D(5))])
    codes = {p.code for p in broken.check(declared_total=D(100))}
    assert codes == {"empty_section", "total_mismatch"}
    short = Table(
        [
            Criterion("s", "Mục", Kind.SECTION, D(20)),
            Criterion("p", "P", Kind.PEER, D(15), parent="s"),
        ]
    )
    assert [p.code for p in short.check()] == ["section_unreachable"]


# --- whole results ------------------------------------------------------------------------


def all_sheets(scores_by_target, self_scores=None):
    sheets = [
        Sheet(scorer, target, scores)
        for target, by_scorer in scores_by_target.items()
        for scorer, scores in by_scorer.items()
    ]
    for unit, scores in (self_scores or {}).items():
        sheets.append(Sheet(unit, unit, scores))
    return sheets


def three_units():
    peer = {
        "hg": {"db": {"p1": D(9), "p2": D(12)}, "lc": {"p1": D(8), "p2": D(13)}},
        "db": {"hg": {"p1": D(7), "p2": D(10)}, "lc": {"p1": D(9), "p2": D(11)}},
        "lc": {"hg": {"p1": D(10), "p2": D(14)}, "db": {"p1": D(10), "p2": D(15)}},
    }
    facts = Facts(
        actual={("hg", "clear"): D(95), ("db", "clear"): D(92), ("lc", "clear"): D(90)},
        targets={("hg", "clear"): D(90), ("db", "clear"): D(90), ("lc", "clear"): D(90)},
        achieved={("hg", "ok"): True, ("db", "ok"): True, ("lc", "ok"): False},
        counts={("hg", "bp"): D(1)},
        penalties={("db", "bp"): D(2)},
    )
    return peer, facts


def test_totals_sections_capped_and_self_assessment_beside():
    peer, facts = three_units()
    results = score(
        TABLE,
        ["hg", "db", "lc"],
        all_sheets(peer, {"hg": {"p1": D(10), "p2": D(15)}}),
        facts,
        Rules(),
    )
    by_unit = {result.unit: result for result in results}
    hg = by_unit["hg"]
    # section 1: p1 mean 8,5 + p2 mean 12,5 = 21 → capped at 20
    assert hg.criteria["p1"].points == D("8.5")
    assert hg.criteria["s1"].points == 20
    # section 2: best above target (10) + qualitative (10) = 20; bonus 1
    assert hg.criteria["s2"].points == 20
    assert hg.total == 41
    assert hg.self_total == 41  # p1 10 + p2 15 = 25 → capped 20, same automatic criteria
    assert hg.gap == 0
    db = by_unit["db"]
    # p1 8, p2 10,5 → 18,5; clearance 2,22 % above vs best 5,55 %: 5 + 0,4·5 = 7; ok 10; bp −2
    assert db.criteria["s2"].points == D(17)
    assert db.total == D("33.5")
    lc = by_unit["lc"]
    assert lc.criteria["s1"].points == 20  # 10 + 14,5 → 24,5 capped
    assert lc.criteria["s2"].points == 5  # on target, not achieved
    assert [(r.unit, r.rank) for r in results] == [("hg", 1), ("db", 2), ("lc", 3)]


def test_shared_ranks_and_tie_breaks():
    table = Table(
        [
            Criterion("a", "A", Kind.SECTION, D(10)),
            Criterion("pa", "PA", Kind.PEER, D(10), parent="a"),
            Criterion("b", "B", Kind.SECTION, D(10)),
            Criterion("pb", "PB", Kind.PEER, D(10), parent="b"),
        ]
    )
    scores = {"hg": (8, 2), "db": (5, 5), "lc": (2, 8), "ls": (1, 1)}
    sheets = [
        Sheet(scorer, target, {"pa": D(a), "pb": D(b)})
        for target, (a, b) in scores.items()
        for scorer in scores
        if scorer != target
    ]
    plain = score(table, list(scores), sheets, Facts(), Rules())
    assert [(r.unit, r.rank) for r in plain] == [("db", 1), ("hg", 1), ("lc", 1), ("ls", 4)]
    by_section = score(table, list(scores), sheets, Facts(), Rules(tie_breaks=("section:a",)))
    assert [(r.unit, r.rank) for r in by_section] == [("hg", 1), ("db", 2), ("lc", 3), ("ls", 4)]


def test_first_places_break_a_tie():
    table = Table([Criterion("p", "P", Kind.PEER, D(10))])
    sheets = [
        Sheet("s1", "x", {"p": D(10)}),
        Sheet("s1", "y", {"p": D(6)}),
        Sheet("s2", "x", {"p": D(10)}),
        Sheet("s2", "y", {"p": D(6)}),
        Sheet("s3", "x", {"p": D(2)}),
        Sheet("s3", "y", {"p": D(10)}),
    ]
    # x: mean 22/3, y: 22/3 — equal; x came first on two sheets, y on one
    results = score(table, ["x", "y"], sheets, Facts(), Rules(tie_breaks=("first_places",)))
    assert [(r.unit, r.rank, r.first_places) for r in results] == [("x", 1, 2), ("y", 2, 1)]
    shared = score(table, ["x", "y"], sheets, Facts(), Rules())
    assert [r.rank for r in shared] == [1, 1]


def test_bands_and_gap_flag():
    peer, facts = three_units()
    rules = Rules(
        bands=(Band(D(40), "Xuất sắc"), Band(D(30), "Tốt"), Band(D(0), "Khá")), gap_threshold=D(5)
    )
    results = score(
        TABLE,
        ["hg", "db", "lc"],
        all_sheets(peer, {"lc": {"p1": D(10), "p2": D(15)}, "db": {"p1": D(9), "p2": D(11)}}),
        facts,
        rules,
    )
    by_unit = {r.unit: r for r in results}
    assert (by_unit["hg"].band, by_unit["db"].band, by_unit["lc"].band) == (
        "Xuất sắc",
        "Tốt",
        "Khá",
    )
    assert by_unit["db"].self_total == by_unit["db"].total + D("1.5")
    assert not by_unit["db"].gap_flagged
    assert by_unit["hg"].self_total is None


def test_missing_scores_count_as_zero_and_are_marked():
    results = score(TABLE, ["hg"], [], Facts(), Rules())
    assert results[0].criteria["p1"].missing
    assert results[0].criteria["clear"].missing
    assert results[0].total == 0


# --- properties ---------------------------------------------------------------------------

STEP = st.integers(min_value=0, max_value=40).map(lambda quarters: D(quarters) / 4)  # 0 … 10


@st.composite
def cluster(draw):
    units = [f"u{n}" for n in range(draw(st.integers(min_value=2, max_value=7)))]
    sheets = []
    for target in units:
        for scorer in units:
            if draw(st.integers(0, 9)) == 0:
                continue  # some sheets are missing
            scores = {"p1": draw(STEP), "p2": min(draw(STEP) * 2, D(15))}
            sheets.append(Sheet(scorer, target, scores))
    actual = {(u, "clear"): D(draw(st.integers(0, 100))) for u in units}
    targets = {(u, "clear"): D(draw(st.integers(0, 100))) for u in units if draw(st.booleans())}
    facts = Facts(
        actual=actual, targets=targets, achieved={(u, "ok"): draw(st.booleans()) for u in units}
    )
    rules = Rules(
        aggregation=draw(st.sampled_from(list(Aggregation))),
        zscore=draw(st.booleans()),
        tie_breaks=draw(st.sampled_from([(), ("section:s1",), ("first_places",)])),
    )
    return units, sheets, facts, rules


def summary(results):
    return {r.unit: (r.total, r.rank, r.band) for r in results}


@settings(max_examples=150, deadline=None)
@given(cluster(), st.randoms())
def test_permuting_scorers_never_changes_results(data, random):
    units, sheets, facts, rules = data
    shuffled = list(sheets)
    random.shuffle(shuffled)
    assert summary(score(TABLE, units, shuffled, facts, rules)) == summary(
        score(TABLE, units, sheets, facts, rules)
    )


@settings(max_examples=150, deadline=None)
@given(cluster(), st.integers(min_value=0, max_value=40))
def test_a_units_own_sheet_never_changes_its_total(data, quarters):
    units, sheets, facts, rules = data
    without_self = [sheet for sheet in sheets if not sheet.is_self]
    changed_self = without_self + [Sheet(u, u, {"p1": D(quarters) / 4, "p2": D(0)}) for u in units]
    base = {r.unit: r.total for r in score(TABLE, units, sheets, facts, rules)}
    assert {r.unit: r.total for r in score(TABLE, units, without_self, facts, rules)} == base
    assert {r.unit: r.total for r in score(TABLE, units, changed_self, facts, rules)} == base


@settings(max_examples=150, deadline=None)
@given(cluster(), st.integers(min_value=-20, max_value=20))
def test_zscore_ignores_a_constant_added_to_one_scorers_scores(data, quarters):
    units, sheets, facts, rules = data
    rules = Rules(aggregation=rules.aggregation, zscore=True)
    shift = D(quarters) / 4
    scorer = units[0]
    shifted = [
        Sheet(s.scorer, s.target, {c: v + shift for c, v in s.scores.items()})
        if s.scorer == scorer and not s.is_self
        else s
        for s in sheets
    ]
    assert summary(score(TABLE, units, shifted, facts, rules)) == summary(
        score(TABLE, units, sheets, facts, rules)
    )


@settings(max_examples=150, deadline=None)
@given(cluster())
def test_no_score_ever_exceeds_its_maximum(data):
    units, sheets, facts, rules = data
    for result in score(TABLE, units, sheets, facts, rules):
        for code, criterion_result in result.criteria.items():
            assert criterion_result.points <= TABLE.criteria[code].max_points
        assert result.total <= TABLE.maximum


@pytest.mark.parametrize("method", list(Aggregation))
def test_every_method_on_seven_units(method):
    """Each of the 7 units is scored by the 6 others; the leader's scores are generous."""
    table = Table([Criterion("p", "P", Kind.PEER, D(10))])
    base = {unit: D(5 + n // 2) for n, unit in enumerate(UNITS)}  # 5,5,6,6,7,7,8
    sheets = [
        Sheet(scorer, target, {"p": base[target] + (2 if scorer == "hg" else 0)})
        for target in UNITS
        for scorer in UNITS
        if scorer != target
    ]
    results = {
        r.unit: r.criteria["p"].points
        for r in score(table, UNITS, sheets, Facts(), Rules(aggregation=method))
    }
    # db is scored 7 by hg and 5 by the five others
    expected_db = {
        Aggregation.MEAN: D(32) / 6,
        Aggregation.MEDIAN: D(5),
        Aggregation.TRIMMED_MEAN: D(5),  # 7 and one 5 dropped
    }[method]
    assert results["db"] == expected_db
    assert results["hg"] == 5  # nobody adds to hg's own scores


def test_targets_fit_their_indicator():
    from thidua.core.scoring import check_target

    def reason(value, kind):
        problem = check_target(D(value), kind, unit="Cao Bằng", code="II.1", field="cao-bang:II.1")
        return problem and (problem.code, problem.render(), problem.field)

    assert reason("78.5", "rate") is None
    assert reason("100", "rate") is None
    assert reason("1234.5", "rate") == (
        "target_out_of_range",
        "Cao Bằng – II.1: chỉ tiêu là tỷ lệ nên phải từ 0 đến 100% (đã nhập 1.234,5).",
        "cao-bang:II.1",
    )
    assert reason("-5", "rate")[0] == "target_out_of_range"
    assert reason("12", "count") is None
    assert reason("12.5", "count")[1] == (
        "Cao Bằng – II.1: chỉ tiêu là số đếm nên phải là số nguyên (đã nhập 12,5)."
    )
    assert reason("-5", "count")[1] == "Cao Bằng – II.1: chỉ tiêu không thể âm (đã nhập -5)."
    assert reason("2500.75", "amount") is None
    assert reason("-1", "amount")[0] == "negative_target"


def test_tie_breaks_name_a_section_or_the_first_places_once():
    from thidua.core.scoring import check_tie_breaks, describe_tie_break, tie_break_choices

    table = Table(
        [
            Criterion("I", "Mục I", Kind.SECTION, D(20)),
            Criterion("I.1", "a", Kind.PEER, D(20), parent="I"),
            Criterion("V", "Thưởng", Kind.BONUS_PENALTY, D(5)),
        ]
    )
    assert tie_break_choices(table) == ["section:I", "section:V", "first_places"]
    assert check_tie_breaks(["section:I", "first_places"], table) == []
    assert [p.code for p in check_tie_breaks(["section:I.1", "x"], table)] == [
        "unknown_tie_break",
        "unknown_tie_break",
    ]
    repeated = check_tie_breaks(["first_places", "first_places"], table)
    assert [p.render() for p in repeated] == [
        "Tiêu chí phụ khi bằng điểm “số đơn vị chấm xếp đơn vị đó thứ nhất” được chọn hai lần."
    ]
    assert describe_tie_break("section:II").render() == "điểm mục II"


# --- sheets entered on a member's behalf ("nhập thay") -----------------------------------


def test_a_sheet_submitted_on_a_units_behalf_waits():
    from thidua.core.scoring import SHEET_AWAITING, SHEET_COUNTED, sheet_submitted_status

    assert sheet_submitted_status(on_behalf=False) == SHEET_COUNTED == "submitted"
    assert sheet_submitted_status(on_behalf=True) == SHEET_AWAITING != SHEET_COUNTED


@given(
    st.text(max_size=4),
    st.sampled_from(["a", "b", "leader"]),
    st.sampled_from(["a", "b", "leader"]),
)
def test_on_behalf_needs_a_reason_another_target_and_a_member_not_the_leader(
    reason, scorer, target
):
    from thidua.core.scoring import check_sheet_on_behalf

    codes = [
        p.code for p in check_sheet_on_behalf(reason, scorer=scorer, target=target, leader="leader")
    ]
    assert ("on_behalf_reason_required" in codes) == (not reason.strip())
    assert ("on_behalf_self" in codes) == (scorer == target)
    assert ("on_behalf_of_own_unit" in codes) == (scorer == "leader")
    fields = {p.field for p in check_sheet_on_behalf(" ", scorer="a", target="b", leader=None)}
    assert fields == {"on_behalf_reason"}


@given(st.sampled_from(["draft", "submitted", "awaiting"]), st.text(max_size=5))
def test_only_an_awaiting_sheet_is_settled(status, excuse):
    from thidua.core.scoring import check_sheet_settle

    confirmed = [p.code for p in check_sheet_settle(status)]
    assert ("sheet_not_awaiting" in confirmed) == (status != "awaiting")
    excused = [p.code for p in check_sheet_settle(status, excuse=excuse)]
    assert ("reason_required" in excused) == (not excuse.strip())
    assert ("sheet_not_awaiting" in excused) == (status != "awaiting")
    assert "excuse_own_unit" not in excused


@given(st.sampled_from(["a", "b", "leader"]), st.sampled_from(["leader", None]))
def test_a_sheet_of_the_leader_unit_is_never_excused(target, leader):
    from thidua.core.scoring import check_sheet_settle

    excused = [
        p.code for p in check_sheet_settle("awaiting", excuse="ốm", target=target, leader=leader)
    ]
    assert ("excuse_own_unit" in excused) == (leader is not None and target == leader)
    confirmed = check_sheet_settle("awaiting", target=target, leader=leader)
    assert confirmed == []  # the scorer's own confirmation always settles it
