"""`score` as the rules were first written, one criterion of one unit at a time, against the
faster `score` (per-table plan, one pass over each unit's sheets, a self-assessment summed on
bare points, z-scores in integers instead of `Fraction`s): on random tables and clusters the
two give the same results to the last digit (`repr`: a Decimal's trailing zeros too, which the
API prints)."""

from decimal import Decimal as D
from fractions import Fraction
from itertools import repeat
from statistics import median

from hypothesis import given, settings
from hypothesis import strategies as st

from thidua.core.numbers import round_half_up
from thidua.core.scoring import (
    FIRST_PLACES,
    ZERO,
    Aggregation,
    Band,
    Criterion,
    CriterionResult,
    Facts,
    Kind,
    Rules,
    Sheet,
    Table,
    UnitResult,
    _automatic,
    _roll_up,
    automatic_results,
    rank,
    score,
)


def reference_aggregate(values, method, trim_from):
    if not values:
        return None
    ordered = sorted(values)
    if method == Aggregation.MEDIAN:
        return D(median(ordered))
    if method == Aggregation.TRIMMED_MEAN and len(ordered) >= trim_from:
        ordered = ordered[1:-1]
    return sum(ordered, ZERO) / len(ordered)


def reference_zscores(sheets, table):
    normalised, by_scorer = {}, {}
    for sheet in sheets:
        for code, value in sheet.scores.items():
            by_scorer.setdefault((sheet.scorer, code), []).append((sheet.target, value))
    for (scorer, code), scored in by_scorer.items():
        maximum = table.criteria[code].max_points
        exact = [Fraction(value) for _, value in scored]
        mean = sum(exact, Fraction(0)) / len(exact)
        variance = sum(((value - mean) ** 2 for value in exact), Fraction(0)) / len(exact)
        deviation = (
            (D(variance.numerator) / D(variance.denominator)).sqrt() if variance > 0 else ZERO
        )
        for (target, _value), value in zip(scored, exact, strict=True):
            offset = value - mean
            z = D(offset.numerator) / D(offset.denominator) / deviation if deviation > 0 else ZERO
            rescaled = maximum / 2 + z * maximum / 6
            normalised[(scorer, target, code)] = min(max(rescaled, ZERO), maximum)
    return normalised


def reference_score(table, units, sheets, facts, rules):
    sheets = [sheet for sheet in sheets if sheet.target in units]
    peer_sheets = sorted((s for s in sheets if not s.is_self), key=lambda s: (s.target, s.scorer))
    selves = {sheet.target: sheet for sheet in sheets if sheet.is_self}
    normalised = reference_zscores(peer_sheets, table) if rules.zscore else {}
    automatic = _automatic(table, units, facts)
    results = []
    for unit in units:
        own = [(sheet.scorer, sheet.scores) for sheet in peer_sheets if sheet.target == unit]
        own_scores = selves[unit].scores if unit in selves else {}
        leaves, self_leaves = {}, {}
        for criterion in table.leaves:
            code = criterion.code
            if criterion.judged:
                given = {scorer: scores[code] for scorer, scores in own if code in scores}
                used = (
                    [normalised[(scorer, unit, code)] for scorer in given]
                    if rules.zscore
                    else list(given.values())
                )
                value = reference_aggregate(used, rules.aggregation, rules.trim_from)
                maximum = criterion.max_points
                capped = min(max(value, ZERO), maximum) if value is not None else ZERO
                leaves[code] = CriterionResult(capped, given, None, value is None)
                own_score = own_scores.get(code)
                self_leaves[code] = CriterionResult(
                    min(own_score, maximum) if own_score is not None else ZERO
                )
            else:
                found = automatic.get((unit, code))
                result = CriterionResult(
                    found.points if found else ZERO,
                    explanation=found.explanation if found else None,
                    missing=found is None and criterion.kind == Kind.QUANTITATIVE,
                )
                leaves[code] = result
                self_leaves[code] = result
        rolled = _roll_up(table, leaves)
        total_exact = sum((rolled[code].points for code in table.roots), ZERO)
        self_total = gap = None
        if unit in selves:
            self_rolled = _roll_up(table, self_leaves)
            self_total = round_half_up(
                sum((self_rolled[code].points for code in table.roots), ZERO), rules.decimals
            )
        total = round_half_up(total_exact, rules.decimals)
        if self_total is not None:
            gap = self_total - total
        results.append(
            UnitResult(
                unit,
                rolled,
                total_exact,
                total,
                self_total,
                gap,
                gap is not None and abs(gap) > rules.gap_threshold,
            )
        )
    judged = [criterion.code for criterion in table.judged]
    given_totals = {}
    for sheet in peer_sheets:
        sheet_total = sum(map(sheet.scores.get, judged, repeat(ZERO)), ZERO)
        given_totals.setdefault(sheet.scorer, {})[sheet.target] = sheet_total
    by_unit = {result.unit: result for result in results}
    for totals in given_totals.values():
        best = max(totals.values())
        for unit, sheet_total in totals.items():
            if sheet_total == best and unit in by_unit:
                by_unit[unit].first_places += 1
    return rank(results, rules)


# Scores as a page stores them (two decimals, "2.50") or as arithmetic leaves them ("2.5",
# "3"), on a step of 0.25, 0.5, 1 or none at all (step 0: any number of decimals).
STEPS = [D("0.25"), D("0.5"), D(1), D(0)]
TWO_BREAKS = ("section:s2", "first_places")


@st.composite
def a_score(draw, step, maximum):
    if step:
        value = step * draw(st.integers(0, int(maximum / step)))
    else:
        value = D(draw(st.integers(0, int(maximum) * 1000))).scaleb(-draw(st.integers(0, 3)))
        value = min(value, maximum)
    return value.quantize(D("0.01")) if draw(st.booleans()) else value.normalize()


@st.composite
def a_cluster(draw):
    step = draw(st.sampled_from(STEPS))
    criteria = [Criterion("s1", "Mục 1", Kind.SECTION, D(draw(st.integers(5, 40))))]
    criteria.append(Criterion("s2", "Mục 2", Kind.SECTION, D(30)))
    criteria.append(Criterion("s21", "Mục 2.1", Kind.SECTION, D(12), parent="s2"))
    peers = []
    for n in range(draw(st.integers(1, 5))):
        code = f"p{n}"
        parent = draw(st.sampled_from(["s1", "s21", "s2", None]))
        maximum = D(draw(st.sampled_from([1, 2, 5, 10, 15])))
        criteria.append(Criterion(code, f"Tiêu chí {n}", Kind.PEER, maximum, parent=parent))
        peers.append((code, maximum))
    criteria += [
        Criterion("q", "Định lượng", Kind.QUANTITATIVE, D(10), parent="s2", indicator="rate"),
        Criterion("ok", "Định tính", Kind.QUALITATIVE, D(5), parent="s21"),
        Criterion("po", "Mỗi lần", Kind.PER_OCCURRENCE, D(4), points_each=D("1.5")),
        Criterion(
            "bp",
            "Thưởng, trừ",
            Kind.BONUS_PENALTY,
            D(3),
            min_points=D(-3),
            points_each=D(1),
            penalty_each=D("0.5"),
        ),
    ]
    table = Table(draw(st.permutations(criteria)) if draw(st.booleans()) else criteria)
    units = [f"u{n}" for n in range(draw(st.integers(1, 8)))]
    sheets = []
    for target in units:
        for scorer in units:
            for _copy in range(draw(st.sampled_from([0, 1, 1, 1, 2]))):  # none, one, two sheets
                scores = {
                    code: draw(a_score(step, maximum))
                    for code, maximum in peers
                    if draw(st.integers(0, 9))  # now and then a criterion left out
                }
                sheets.append(Sheet(scorer, target, scores))
    figures = st.integers(0, 200).map(D)
    facts = Facts(
        actual={(u, "q"): draw(figures) for u in units if draw(st.integers(0, 5))},
        targets={(u, "q"): draw(figures) for u in units if draw(st.booleans())},
        achieved={(u, "ok"): draw(st.booleans()) for u in units if draw(st.booleans())},
        counts={(u, c): D(draw(st.integers(0, 4))) for u in units for c in ("po", "bp")},
        penalties={(u, "bp"): D(draw(st.integers(0, 8))) for u in units},
    )
    rules = Rules(
        aggregation=draw(st.sampled_from(list(Aggregation))),
        zscore=draw(st.booleans()),
        step=step,
        decimals=draw(st.integers(0, 3)),
        trim_from=draw(st.integers(3, 6)),
        tie_breaks=draw(st.sampled_from([(), ("section:s1",), ("first_places",), TWO_BREAKS])),
        bands=draw(st.sampled_from([(), (Band(D(40), "Xuất sắc"), Band(D(20), "Khá"))])),
        gap_threshold=D(draw(st.integers(0, 10))),
    )
    return table, units, draw(st.permutations(sheets)), facts, rules


@settings(max_examples=400, deadline=None)
@given(a_cluster())
def test_score_gives_what_the_rules_as_first_written_give(cluster):
    table, units, sheets, facts, rules = cluster
    fast = score(table, units, sheets, facts, rules)
    reference = reference_score(table, units, sheets, facts, rules)
    assert fast == reference
    assert repr(fast) == repr(reference)  # the same digits, trailing zeros included


def test_a_table_is_planned_once():
    table = Table([Criterion("p", "Tiêu chí", Kind.PEER, D(10))])
    assert table.plan is table.plan


@settings(max_examples=300, deadline=None)
@given(a_cluster())
def test_score_without_the_scores_by_scorer_gives_the_same_results(cluster):
    """`by_scorer=False` (what `core.verify` recomputes with): the same points, totals, ranks
    and bands to the last digit, only without each criterion's scores by scorer, and first
    places only where a tie-break reads them."""
    table, units, sheets, facts, rules = cluster
    lean = score(table, units, sheets, facts, rules, by_scorer=False)
    full = score(table, units, sheets, facts, rules)
    for result in full:
        if FIRST_PLACES not in rules.tie_breaks:
            result.first_places = 0
        result.criteria = {
            code: CriterionResult(item.points, {}, item.explanation, item.missing)
            for code, item in result.criteria.items()
        }
    assert lean == full
    assert repr(lean) == repr(full)
    assert all(not item.by_scorer for result in lean for item in result.criteria.values())


@settings(max_examples=100, deadline=None)
@given(a_cluster())
def test_automatic_results_are_what_score_gives_each_unit(cluster):
    """`automatic_results` (the sheet page's automatic points of one unit): each unit's
    results on the criteria not scored by peers, as `score` gives them with every sheet."""
    table, units, sheets, facts, rules = cluster
    for result in score(table, units, sheets, facts, rules):
        expected = {c.code: result.criteria[c.code] for c in table.leaves if not c.judged}
        found = automatic_results(table, units, facts, result.unit)
        assert found == expected
        assert repr(found) == repr(expected)
