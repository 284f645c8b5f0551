"""A national recompute of the scores through the pure core, against plain numpy means.

40 clusters × 10 units × 100 peer criteria × 9 scorers (every other member) = 360.000 scores.
Each cluster's scores are the `core.scoring_grid.Grid` the results page hands the core
(`scoring.selectors.score_grid_of`: every score × 100 as an integer, read so by the database):
built here with `Grid.of` from the same (sheet, criterion, integer) rows, outside the timing.
Timed: `rank_grids` over the 40 grids — aggregation (trimmed mean), caps, the section roll-up,
self-assessments aside, totals rounded, first places, ranking with tie-breaks, bands — in
integers, the clusters in one set of arrays, each digit what `core.score` gives (checked on
the first clusters before timing); first places are counted where they break a tie (else
when a cluster's results are asked for). Printed apart: writing every cluster's per-criterion
`UnitResult`s (Decimals; what one results page asks `Ranking.results` for). The baseline is
numpy's mean per unit and criterion over the same scores (floats, nothing else), measured in
the same run so the ratio holds on a noisy machine; each the median of 15 runs (of 3, a run
the machine's other work interrupts moved the ratio from 1,3× to 8×).

    .venv/bin/pip install numpy   # or: pip install -e '.[bench]'
    .venv/bin/python benchmarks/scoring_bench.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from decimal import Decimal

import numpy as np
from goals import Goals  # benchmarks/goals.py (scripts run from their folder)

from thidua.core import scoring as core
from thidua.core import scoring_grid as core_grid

CLUSTERS, UNITS, CRITERIA, REPEATS = 40, 10, 100, 15


def build(seed: int = 2020):
    rng = random.Random(seed)
    table = core.Table(
        [core.Criterion("S", "Mục", core.Kind.SECTION, Decimal(CRITERIA * 10))]
        + [
            core.Criterion(f"C{n}", f"Tiêu chí {n}", core.Kind.PEER, Decimal(10), parent="S")
            for n in range(CRITERIA)
        ]
    )
    judged = table.plan.judged
    clusters = []
    for _ in range(CLUSTERS):
        units = [f"u{n}" for n in range(UNITS)]
        quarters = {
            (scorer, target): [rng.randint(0, 40) for _ in range(CRITERIA)]
            for target in units
            for scorer in units
        }
        rows = [  # (sheet, criterion, score × 100) as the database gives them
            (number, code, q * 25)
            for number, values in enumerate(quarters.values())
            for code, q in zip(judged, values, strict=True)
        ]
        grid = core_grid.Grid.of(units, judged, list(quarters), rows)
        array = (
            np.array([[quarters[(s, t)] for s in units if s != t] for t in units], dtype=float) / 4
        )  # units × scorers × criteria
        clusters.append((units, grid, array))
    return table, clusters


RULES = core.Rules(aggregation=core.Aggregation.TRIMMED_MEAN, tie_breaks=("first_places",))


def through_the_core(table, clusters) -> float:
    grids = [grid for _units, grid, _array in clusters]
    facts = [core.Facts()] * len(grids)
    start = time.perf_counter()
    ranking = core_grid.rank_grids(table, grids, facts, RULES)
    elapsed = time.perf_counter() - start
    assert not any(ranking.exact_path(n) for n in range(len(grids)))
    assert len(ranking.standings(len(grids) - 1)) == UNITS
    return elapsed


def every_result(table, clusters) -> float:
    grids = [grid for _units, grid, _array in clusters]
    ranking = core_grid.rank_grids(table, grids, [core.Facts()] * len(grids), RULES)
    start = time.perf_counter()
    for n in range(len(grids)):
        assert len(ranking.results(n)) == UNITS
    return time.perf_counter() - start


def numpy_means(clusters) -> float:
    start = time.perf_counter()
    for _units, _sheets, array in clusters:
        means = array.mean(axis=1)  # per unit and criterion
        assert means.shape == (UNITS, CRITERIA)
    return time.perf_counter() - start


def same_answers(table, clusters) -> None:
    """The integers give what `core.score` gives on the same sheets, digit for digit, and
    their trimmed means agree with numpy's on the first cluster: both measure work."""
    grids = [grid for _units, grid, _array in clusters]
    ranking = core_grid.rank_grids(table, grids, [core.Facts()] * len(grids), RULES)
    for n, (units, grid, _array) in enumerate(clusters[:4]):
        exact = core.score(table, units, grid.core_sheets(), core.Facts(), RULES)
        assert repr(ranking.results(n)) == repr(exact)
    units, _grid, array = clusters[0]
    results = {r.unit: r for r in ranking.results(0)}
    trimmed = np.sort(array, axis=1)[:, 1:-1, :].mean(axis=1)
    for index, unit in enumerate(units):
        for n in range(CRITERIA):
            assert abs(float(results[unit].criteria[f"C{n}"].points) - trimmed[index, n]) < 1e-9


def main() -> int:
    table, clusters = build()
    same_answers(table, clusters)
    scores = CLUSTERS * UNITS * (UNITS - 1) * CRITERIA
    print(
        f"data: {CLUSTERS} clusters × {UNITS} units × {CRITERIA} criteria × {UNITS - 1} "
        f"scorers = {scores} peer scores (+ self-assessments)"
    )
    core_times, numpy_times = [], []
    for _ in range(REPEATS):
        numpy_times.append(numpy_means(clusters))
        core_times.append(through_the_core(table, clusters))
    c, n = statistics.median(core_times), statistics.median(numpy_times)
    print(f"national recompute through the core (median of {REPEATS}): {c * 1000:.2f} ms")
    print(
        f"numpy per-criterion means over the same scores (median of {REPEATS}): {n * 1000:.2f} ms"
    )
    print(f"ratio core / numpy: {c / n:.1f}×")
    details = every_result(table, clusters)
    print(f"every cluster's per-criterion results written out (once): {details:.2f} s")
    goals = Goals()
    goals.at_most("national scoring recompute / numpy means", c / n, 3)
    return goals.status()


if __name__ == "__main__":
    sys.exit(main())
