"""A national recompute of the scores through the pure core, against plain numpy means.

40 clusters × 10 units × 100 peer criteria × 9 scorers (every other member) = 360.000 scores.
The core does what the results page does — aggregation (trimmed mean), caps, the section
roll-up, self-assessments aside, ranking with tie-breaks — in exact Decimal; the baseline is
numpy's mean per unit and criterion over the same scores (floats, nothing else), measured in
the same run so the ratio holds on a noisy machine.

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

CLUSTERS, UNITS, CRITERIA, REPEATS = 40, 10, 100, 3


def build(seed: int = 2020):
    rng = random.Random(seed)
    table = core.Table(
        [core.Criterion("S", "Mục", core.Kind.SECTION, Decimal(CRITERIA * 10))]
        + [
            core.Criterion(f"C{n}", f"Tiêu chí {n}", core.Kind.PEER, Decimal(10), parent="S")
            for n in range(CRITERIA)
        ]
    )
    clusters = []
    for _ in range(CLUSTERS):
        units = [f"u{n}" for n in range(UNITS)]
        quarters = {
            (scorer, target): [rng.randint(0, 40) for _ in range(CRITERIA)]
            for target in units
            for scorer in units
        }
        sheets = [
            core.Sheet(scorer, target, {f"C{n}": Decimal(q) / 4 for n, q in enumerate(values)})
            for (scorer, target), values in quarters.items()
        ]
        array = (
            np.array([[quarters[(s, t)] for s in units if s != t] for t in units], dtype=float) / 4
        )  # units × scorers × criteria
        clusters.append((units, sheets, array))
    return table, clusters


def through_the_core(table, clusters) -> float:
    rules = core.Rules(aggregation=core.Aggregation.TRIMMED_MEAN, tie_breaks=("first_places",))
    start = time.perf_counter()
    for units, sheets, _array in clusters:
        results = core.score(table, units, sheets, core.Facts(), rules)
        assert len(results) == UNITS
    return time.perf_counter() - start


def numpy_means(clusters) -> float:
    start = time.perf_counter()
    for _units, _sheets, array in clusters:
        means = array.mean(axis=1)  # per unit and criterion
        assert means.shape == (UNITS, CRITERIA)
    return time.perf_counter() - start


def same_answers(table, clusters) -> None:
    """The core's trimmed means agree with numpy's on the first cluster: both measure work."""
    units, sheets, array = clusters[0]
    rules = core.Rules(aggregation=core.Aggregation.TRIMMED_MEAN)
    results = {r.unit: r for r in core.score(table, units, sheets, core.Facts(), rules)}
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
    print(f"national recompute through the core (median of {REPEATS}): {c:.2f} s")
    print(
        f"numpy per-criterion means over the same scores (median of {REPEATS}): {n * 1000:.2f} ms"
    )
    print(f"ratio core / numpy: {c / n:.0f}×")
    goals = Goals()
    goals.at_most("national scoring recompute / numpy means", c / n, 3)
    return goals.status()


if __name__ == "__main__":
    sys.exit(main())
