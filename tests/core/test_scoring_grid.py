"""`scoring_grid.rank_grids` (integers in numpy) against the rules as first written
(`test_scoring_fast.reference_score`): on random tables and clusters — ties, units without a
target, steps 0,25 to 0 (free), every aggregation, trimming, caps, nested sections, bonus
and penalty, bands, tie-breaks — the same points, totals, ranks, first places and bands, to
the last digit (`repr`), several clusters of different sizes ranked in one call."""

from decimal import Decimal as D

from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.core.test_scoring_fast import STEPS, TWO_BREAKS, a_score, reference_score
from thidua.core.scoring import Aggregation, Band, Criterion, Facts, Kind, Rules, Sheet, Table
from thidua.core.scoring_grid import Grid, rank_grids


def as_database_gives(sheets, places):
    """Scores with `places` decimals, one sheet per scorer and target (the last), as the
    score table holds them (a unique pair, a fixed number of decimals)."""
    last = {(sheet.scorer, sheet.target): sheet for sheet in sheets}
    quantum = D(1).scaleb(-places)
    return [
        Sheet(sheet.scorer, sheet.target, {c: v.quantize(quantum) for c, v in sheet.scores.items()})
        for sheet in last.values()
    ]


def grid_of(table, units, sheets, places):
    return Grid.of(
        units,
        table.plan.judged,
        [(sheet.scorer, sheet.target) for sheet in sheets],
        [
            (number, code, int(value.scaleb(places)))
            for number, sheet in enumerate(sheets)
            for code, value in sheet.scores.items()
        ],
        places,
    )


@st.composite
def a_country(draw):
    """A table and rules, then one to three clusters scored by them."""
    step = draw(st.sampled_from(STEPS))
    places = 3 if step == 0 else 2
    criteria = [Criterion("s1", "Mục 1", Kind.SECTION, D(draw(st.integers(5, 40))))]
    criteria.append(Criterion("s2", "Mục 2", Kind.SECTION, D(30)))
    criteria.append(Criterion("s21", "Mục 2.1", Kind.SECTION, D(12), parent="s2"))
    peers = []
    for n in range(draw(st.integers(1, 5))):
        code = f"p{n}"
        parent = draw(st.sampled_from(["s1", "s21", "s2", None]))
        maximum = D(draw(st.sampled_from(["1", "2", "5", "10", "15", "7.5"])))
        criteria.append(Criterion(code, f"Tiêu chí {n}", Kind.PEER, maximum, parent=parent))
        peers.append((code, maximum))
    if draw(st.booleans()):
        criteria += [
            Criterion("q", "Định lượng", Kind.QUANTITATIVE, D(10), parent="s2", indicator="r"),
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
    rules = Rules(
        aggregation=draw(st.sampled_from(list(Aggregation))),
        zscore=draw(st.integers(0, 4)) == 0,
        step=step,
        decimals=draw(st.integers(0, 3)),
        trim_from=draw(st.integers(3, 6)),
        tie_breaks=draw(
            st.sampled_from([(), ("section:s1",), ("first_places",), TWO_BREAKS, ("section:p0",)])
        ),
        bands=draw(st.sampled_from([(), (Band(D(40), "Xuất sắc"), Band(D("20.5"), "Khá"))])),
        gap_threshold=D(draw(st.integers(0, 10))),
    )
    clusters = []
    for _ in range(draw(st.integers(1, 3))):
        units = [f"u{n}" for n in draw(st.permutations(range(draw(st.integers(1, 7)))))]
        sheets = []
        complete = draw(st.booleans())  # every sheet in and complete, as a closed scoring
        for target in units:
            for scorer in units:
                if not complete and not draw(st.integers(0, 5)):
                    continue
                scores = {
                    code: draw(a_score(step, maximum))
                    for code, maximum in peers
                    if complete or draw(st.integers(0, 9))
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
        clusters.append((units, as_database_gives(draw(st.permutations(sheets)), places), facts))
    return table, rules, places, clusters


def standings(results):
    return [(r.unit, r.total, r.rank, r.first_places, r.band) for r in results]


@settings(max_examples=500, deadline=None)
@given(a_country())
def test_the_integers_give_what_the_rules_give(country):
    table, rules, places, clusters = country
    grids = [grid_of(table, units, sheets, places) for units, sheets, _facts in clusters]
    ranking = rank_grids(table, grids, [facts for _u, _s, facts in clusters], rules)
    for n, (units, sheets, facts) in enumerate(clusters):
        reference = reference_score(table, units, sheets, facts, rules)
        event("the exact path" if ranking.exact_path(n) else "the integers")
        assert ranking.standings(n) == standings(reference)
        fast = ranking.results(n)
        assert fast == reference
        assert repr(fast) == repr(reference)  # the same digits, trailing zeros included


def quarter_points(seed, units, criteria=12):
    """A cluster where every member scored every other on quarter points, as the bench."""
    import random

    rng = random.Random(seed)
    table = Table(
        [Criterion("S", "Mục", Kind.SECTION, D(criteria * 10))]
        + [Criterion(f"C{n}", "Tiêu chí", Kind.PEER, D(10), parent="S") for n in range(criteria)]
    )
    codes = [f"C{n}" for n in range(criteria)]
    sheets = [
        Sheet(s, t, {c: D(rng.randint(0, 40) * 25).scaleb(-2) for c in codes})
        for t in units
        for s in units
    ]
    return table, sheets


def test_rounded_means_decided_by_the_integers_without_the_exact_path():
    """Means over 7 and 9 scorers are rounded in `score`'s Decimals, yet the integers decide
    the totals, ranks and first places alone (no exact path) and every digit is the same."""
    units = [f"u{n}" for n in range(10)]
    for aggregation in (Aggregation.TRIMMED_MEAN, Aggregation.MEAN):
        rules = Rules(aggregation=aggregation, tie_breaks=("first_places",))
        for seed in range(5):
            table, sheets = quarter_points(seed, units)
            ranking = rank_grids(table, [grid_of(table, units, sheets, 2)], [Facts()], rules)
            assert not ranking.exact_path(0)
            reference = reference_score(table, units, sheets, Facts(), rules)
            assert repr(ranking.results(0)) == repr(reference)


def test_a_section_tie_over_thirds_goes_the_exact_way():
    """Units on the same exact points of a section that breaks ties, the common denominator
    holding a 3 (means over 3 scorers, which `score`'s Decimals may round): the integers do
    not promise those digits, the exact path ranks them."""
    units = ["a", "b", "c", "d"]
    table = Table(
        [Criterion("S", "Mục", Kind.SECTION, D(20))]
        + [Criterion(f"C{n}", "Tiêu chí", Kind.PEER, D(10), parent="S") for n in range(2)]
    )
    one = {"C0": D("1.00"), "C1": D("2.00")}
    sheets = [Sheet(s, t, dict(one)) for t in units for s in units]
    rules = Rules(tie_breaks=("section:S",))
    ranking = rank_grids(table, [grid_of(table, units, sheets, 2)], [Facts()], rules)
    assert ranking.exact_path(0)
    reference = reference_score(table, units, sheets, Facts(), rules)
    assert repr(ranking.results(0)) == repr(reference)
    assert [r.rank for r in reference] == [1, 1, 1, 1]


def test_exact_decimals_need_no_exact_path_on_a_section_tie():
    """Means over 4 scorers are exact decimals: a tie on a section is the integers' to keep."""
    units = ["a", "b", "c", "d", "e"]
    table = Table(
        [Criterion("S", "Mục", Kind.SECTION, D(20))]
        + [Criterion(f"C{n}", "Tiêu chí", Kind.PEER, D(10), parent="S") for n in range(2)]
    )
    sheets = [Sheet(s, t, {"C0": D("1.25"), "C1": D("2.50")}) for t in units for s in units]
    rules = Rules(tie_breaks=("section:S", "first_places"))
    ranking = rank_grids(table, [grid_of(table, units, sheets, 2)], [Facts()], rules)
    assert not ranking.exact_path(0)
    reference = reference_score(table, units, sheets, Facts(), rules)
    assert repr(ranking.results(0)) == repr(reference)
    assert [r.rank for r in reference] == [1] * 5
