"""Scoring from scores held as integers: the same rules as `scoring.score`, in numpy.

A cluster's scores come from the database with a fixed number of decimals (the score field's:
2), so each is an integer over 10**places: a `Grid` holds them as one int64 array, targets ×
scorers × judged criteria, the diagonal being the self-assessments. `rank_grids` aggregates,
caps, rolls sections up, totals, rounds, counts first places and ranks every cluster at once
in integers over a common denominator Q (a score's 10**places times each divisor the
aggregation uses, with the maxima's and automatic points' denominators); `Ranking.results`
then writes one cluster's `UnitResult`s with the Decimal digits `score` gives.

Where the rules are not rational in Q the exact path (`score` on the grid's sheets) decides:
z-scores (a square root), a Q whose numbers would overflow int64. Where `score`'s Decimal
arithmetic rounds (a mean over 7 scorers, 28 digits), the integers decide only what they
decide the same way: a total whose exact value lies on a rounding boundary, or two units
tied on a section that breaks ties, send the cluster to the exact path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from math import lcm
from weakref import WeakKeyDictionary

import numpy as np

from thidua.core.numbers import round_half_up
from thidua.core.scoring import (
    FIRST_PLACES,
    ZERO,
    Aggregation,
    CriterionResult,
    Facts,
    Rules,
    Sheet,
    Table,
    UnitResult,
    _automatic,
    _roll_up,
    _rolled_total,
    automatic_leaf,
    score,
)

_LIMIT = 1 << 62  # every numerator, times the rounding's 2·10**decimals, stays in int64


@dataclass(frozen=True)
class Grid:
    """One cluster's counted sheets as integers: `values[t, s, c]` is scorer s's score for
    target t on judged criterion `codes[c]`, times 10**places; `given` says which are there,
    `sheets[t, s]` which sheets are (a sheet may leave a criterion out); s == t is the
    self-assessment. Scorers are the cluster's units; `values` is 0 wherever `given` is not
    (`of` builds it so)."""

    units: tuple[str, ...]
    codes: tuple[str, ...]
    values: np.ndarray  # integers (targets, scorers, criteria): int16, int32 or int64
    given: np.ndarray  # bool, same shape
    sheets: np.ndarray  # bool (targets, scorers)
    places: int = 2

    def __post_init__(self) -> None:
        # worked out as the grid is built, once: the largest score in absolute value (it
        # bounds every sum: int64 or the exact path), whether every sheet is in and complete,
        # and each unit's place in the units' order (the last tie-break, as `score` sorts)
        largest = int(np.abs(self.values).max(initial=0))
        object.__setattr__(self, "largest", largest)
        object.__setattr__(self, "smallest", int(self.values.min(initial=0)))
        object.__setattr__(self, "complete", bool(self.given.all()))
        by_name = sorted(range(len(self.units)), key=self.units.__getitem__)
        places = [0] * len(self.units)
        for place, unit in enumerate(by_name):
            places[unit] = place
        object.__setattr__(self, "by_name", np.array(places))

    @classmethod
    def of(cls, units, codes, sheets, scores, places: int = 2) -> Grid:
        """From the sheets, (scorer, target) each, and their scores: (the sheet's number in
        `sheets`, criterion code, score × 10**places as an integer)."""
        code_at = {code: n for n, code in enumerate(codes)}
        found = [(sheet, code_at[code], value) for sheet, code, value in scores]
        where = np.array(found, dtype=np.int64).reshape(-1, 3).T
        return cls.of_arrays(units, codes, sheets, where[0], where[1], where[2], places)

    @classmethod
    def of_arrays(
        cls, units, codes, sheets, sheet_numbers, code_numbers, values, places: int = 2
    ) -> Grid:
        """As `of`, the scores as three integer arrays of one length: each score's sheet (its
        number in `sheets`), its criterion (its number in `codes`) and its value × 10**places
        — no Python object per score (147.500 at 50 units)."""
        units, codes = tuple(units), tuple(codes)
        unit_at = {unit: n for n, unit in enumerate(units)}
        slots = np.array(
            [(unit_at[target], unit_at[scorer]) for scorer, target in sheets], dtype=np.int64
        ).reshape(-1, 2)
        values_at = np.zeros((len(units), len(units), len(codes)), dtype=np.int64)
        given = np.zeros(values_at.shape, dtype=bool)
        present = np.zeros((len(units), len(units)), dtype=bool)
        present[slots[:, 0], slots[:, 1]] = True
        if len(values):
            where = (slots[sheet_numbers, 0], slots[sheet_numbers, 1], code_numbers)
            values_at[where] = values
            given[where] = True
        largest = np.abs(values_at).max(initial=0)
        for small in (np.int16, np.int32):  # fewer bytes for numpy to go through
            if largest <= np.iinfo(small).max:
                values_at = values_at.astype(small)
                break
        return cls(units, codes, values_at, given, present, places)

    def core_sheets(self) -> list[Sheet]:
        """The same sheets as Decimals (a score's exponent: −places, as the database gives)."""
        sheets = []
        for t, target in enumerate(self.units):
            for s, scorer in enumerate(self.units):
                if self.sheets[t, s]:
                    row, there = self.values[t, s].tolist(), self.given[t, s].tolist()
                    scores = {
                        code: Decimal(value).scaleb(-self.places)
                        for code, value, given in zip(self.codes, row, there, strict=True)
                        if given
                    }
                    sheets.append(Sheet(scorer, target, scores))
        return sheets


class _Exact(Exception):
    """The integers cannot decide this group: the exact path does."""


@dataclass
class _Group:
    """Clusters of one shape, computed together (see `rank_grids`)."""

    indices: list[int]
    grids: list[Grid]
    automatic: list[dict]
    sums: np.ndarray  # (B, T, C): the aggregated numerators over 10**places
    divisors: np.ndarray | int  # (B, T, C) or one for all: the sums' divisors (0: no scorer)
    order: np.ndarray  # (B, T): unit indices, best first
    ranks: np.ndarray  # (B, T), in `order`
    totals: np.ndarray  # (B, T): rounded totals × 10**decimals, in `order`
    first_places: np.ndarray  # (B, T), by unit index, where `counted`
    counted: np.ndarray  # (B,)
    bands: np.ndarray  # (B, T): index in the bands best first, −1 none; in `order`
    exact: set[int]  # positions in the group computed by the exact path

    def first(self, b: int) -> list[int]:
        """Cluster b's first places, by unit index."""
        found = self.first_places[b] if self.counted[b] else _first_places([self.grids[b]])[0]
        return found.tolist()


class Ranking:
    """Every cluster's ranking, as arrays; one cluster's full results on demand."""

    def __init__(self, table: Table, facts: Sequence[Facts], rules: Rules, count: int):
        self.table, self.facts, self.rules = table, facts, rules
        self._where: list[tuple[_Group, int]] = [None] * count  # type: ignore[list-item]
        self._exact: dict[int, list[UnitResult]] = {}

    def exact_path(self, cluster: int) -> bool:
        """Whether the cluster was scored by `score` itself (see the module's docstring)."""
        return cluster in self._exact

    def standings(self, cluster: int) -> list[tuple[str, Decimal, int, int, str | None]]:
        """(unit, total, rank, first places, band), best first, from the arrays."""
        if cluster in self._exact:
            return [(r.unit, r.total, r.rank, r.first_places, r.band) for r in self._exact[cluster]]
        group, b = self._where[cluster]
        units = group.grids[b].units
        first_places = group.first(b)
        bands = sorted(self.rules.bands, key=lambda band: -band.minimum)
        return [
            (
                units[t],
                Decimal(total).scaleb(-self.rules.decimals),
                rank,
                first_places[t],
                bands[band].label if band >= 0 else None,
            )
            for t, total, rank, band in zip(
                group.order[b].tolist(),
                group.totals[b].tolist(),
                group.ranks[b].tolist(),
                group.bands[b].tolist(),
                strict=True,
            )
        ]

    def results(self, cluster: int) -> list[UnitResult]:
        """The cluster's `UnitResult`s, best first, digit for digit what `score` gives."""
        if cluster in self._exact:
            return self._exact[cluster]
        group, b = self._where[cluster]
        return _results(self.table, self.rules, group, b)


def rank_grids(
    table: Table, grids: Sequence[Grid], facts: Sequence[Facts], rules: Rules
) -> Ranking:
    """Every cluster scored and ranked, clusters of the same shape in one set of arrays."""
    ranking = Ranking(table, facts, rules, len(grids))
    judged = tuple(table.plan.judged)
    shapes: dict[tuple[int, int], list[int]] = {}
    for n, grid in enumerate(grids):
        if grid.codes != judged:
            raise ValueError("a grid's columns are the table's judged criteria, in order")
        shapes.setdefault((len(grid.units), grid.places), []).append(n)
    for indices in shapes.values():
        if rules.zscore:
            exact = list(indices)
        else:
            try:
                group = _group(table, [grids[n] for n in indices], facts, indices, rules)
            except _Exact:
                exact = list(indices)
            else:
                for b, n in enumerate(indices):
                    ranking._where[n] = (group, b)
                exact = [indices[b] for b in sorted(group.exact)]
        for n in exact:
            grid = grids[n]
            ranking._exact[n] = score(table, grid.units, grid.core_sheets(), facts[n], rules)
    return ranking


def score_grid(table: Table, grid: Grid, facts: Facts, rules: Rules) -> list[UnitResult]:
    """One cluster's results (what `score` gives on the grid's sheets)."""
    return rank_grids(table, [grid], [facts], rules).results(0)


def _ratio(value: Decimal) -> tuple[int, int]:
    return value.as_integer_ratio()


@dataclass(frozen=True)
class _Terms:
    """What the arrays need of a table, worked out once per table."""

    denominator: int  # of every maximum and minimum
    bound: Decimal  # their absolute values summed
    maxima: np.ndarray  # the judged criteria's maxima: numerators …
    maxima_below: np.ndarray  # … over these
    automatic: list[str]  # the leaves not judged
    column: dict[str, int]  # a judged criterion's column
    # each section, in `_roll_up`'s order: its judged children's columns (a slice when they
    # follow each other), its other children, its maximum
    sections: list[tuple[str, slice | list[int], list[str], Decimal]]


_TERMS: WeakKeyDictionary[Table, _Terms] = WeakKeyDictionary()


def _terms(table: Table) -> _Terms:
    if table not in _TERMS:
        values = [
            value
            for criterion in table.criteria.values()
            for value in (criterion.max_points, criterion.min_points)
        ]
        plan = table.plan
        ratios = [_ratio(table.criteria[code].max_points) for code in plan.judged]
        column = {code: c for c, code in enumerate(plan.judged)}
        sections = []
        for code, children, maximum in plan.sections:
            columns = [column[child] for child in children if child in column]
            if columns == list(range(columns[0], columns[0] + len(columns)) if columns else []):
                columns = slice(columns[0], columns[-1] + 1) if columns else slice(0, 0)
            others = [child for child in children if child not in column]
            sections.append((code, columns, others, maximum))
        _TERMS[table] = _Terms(
            denominator=lcm(1, *(_ratio(value)[1] for value in values)),
            bound=sum((abs(value) for value in values), ZERO),
            maxima=np.array([top for top, _below in ratios], dtype=np.int64),
            maxima_below=np.array([below for _top, below in ratios], dtype=np.int64),
            automatic=[code for code, _m, judged, _q in plan.leaves if not judged],
            column=column,
            sections=sections,
        )
    return _TERMS[table]


def _group(
    table: Table, grids: list[Grid], facts: Sequence[Facts], indices: list[int], rules: Rules
) -> _Group:
    plan = table.plan
    count, places = len(grids[0].units), grids[0].places
    scale = 10**places
    diagonal = np.arange(count)
    values = np.stack([grid.values for grid in grids])  # (B, T, S, C), 0 where not given
    complete = all(grid.complete for grid in grids)
    given = None if complete else np.stack([grid.given for grid in grids])
    # sums in the grids' own integers when they cannot overflow there
    largest = max(grid.largest for grid in grids)
    wide = next(
        small
        for small in (values.dtype, np.int32, np.int64)
        if largest * count < np.iinfo(small).max
    )
    values[:, diagonal, diagonal, :] = 0  # the self-assessments never count (here a copy)
    sums = values.sum(axis=2, dtype=wide)
    terms = _terms(table)
    if complete:  # the usual cluster: every sheet in, every criterion scored, one divisor
        scored = count - 1
        divisors: np.ndarray | int = scored
        if rules.aggregation == Aggregation.TRIMMED_MEAN and scored >= rules.trim_from:
            if rules.trim_from < 3:
                raise _Exact
            info = np.iinfo(values.dtype)
            values[:, diagonal, diagonal, :] = info.min
            sums = sums - values.max(axis=2)
            values[:, diagonal, diagonal, :] = info.max
            sums -= values.min(axis=2)
            divisors = scored - 2
        elif rules.aggregation == Aggregation.MEDIAN:
            sums, divisors = _medians(values, np.full(sums.shape, scored), None)
    else:
        peer = given & ~np.eye(count, dtype=bool)[:, :, None]
        scored = peer.sum(axis=2)
        divisors = scored
        if rules.aggregation == Aggregation.TRIMMED_MEAN:
            trimmed = scored >= rules.trim_from
            if trimmed.any():
                if rules.trim_from < 3:
                    raise _Exact
                info = np.iinfo(values.dtype)
                highest = np.where(peer, values, info.min).max(axis=2)
                lowest = np.where(peer, values, info.max).min(axis=2)
                sums = np.where(trimmed, sums - highest - lowest.astype(np.int64), sums)
                divisors = np.where(trimmed, scored - 2, scored)
        elif rules.aggregation == Aggregation.MEDIAN:
            sums, divisors = _medians(values, scored, peer)

    # the common denominator Q and a bound on every numerator
    automatic = [
        _automatic(table, grid.units, facts[n]) if terms.automatic else {}
        for grid, n in zip(grids, indices, strict=True)
    ]
    if isinstance(divisors, int):
        used = {divisors} - {0}
    else:
        used = set(np.flatnonzero(np.bincount(divisors.ravel())).tolist()) - {0}
    denominator = lcm(terms.denominator, scale, *(scale * d for d in used))
    bound = terms.bound
    for found in automatic:
        for computed in found.values():
            denominator = lcm(denominator, _ratio(computed.points)[1])
            bound += abs(computed.points)
    bound = (bound + Decimal(largest * count + 1) / scale * len(plan.judged)) * denominator
    rounding = 2 * 10**rules.decimals
    if bound * rounding * 4 >= _LIMIT or rules.decimals < 0:
        raise _Exact

    # aggregated points, capped at each criterion's maximum, in Q
    if isinstance(divisors, int):
        factor = denominator // (scale * divisors) if divisors else 0  # 0: nobody scored
        numerators = sums.astype(np.int64) * factor if factor != 1 else sums
    else:
        factors = np.zeros(int(divisors.max(initial=0)) + 1, dtype=np.int64)
        for d in used:
            factors[d] = denominator // (scale * d)
        numerators = sums * factors[divisors]  # nobody scored: 0 (factor 0)
    maxima = terms.maxima * (denominator // terms.maxima_below)
    if min(grid.smallest for grid in grids) < 0:  # never from the database
        numerators = np.maximum(numerators, 0)
    capped = np.minimum(numerators, maxima)  # int64

    # leaves, sections (in the order `_roll_up` sums them), total
    column = terms.column
    shape = capped.shape[:2]
    points: dict[str, np.ndarray] = {}
    for code in terms.automatic:
        points[code] = np.array(
            [
                [
                    int(found[(unit, code)].points * denominator) if (unit, code) in found else 0
                    for unit in grid.units
                ]
                for grid, found in zip(grids, automatic, strict=True)
            ],
            dtype=np.int64,
        ).reshape(shape)

    def of(code: str) -> np.ndarray:
        if code in column:
            return capped[:, :, column[code]]
        return points[code]

    for code, columns, others, maximum in terms.sections:
        inside = capped[:, :, columns].sum(axis=2)
        for child in others:
            inside = inside + points[child]
        points[code] = np.minimum(inside, int(maximum * denominator))
    total = np.zeros(shape, dtype=np.int64)
    for code in plan.roots:
        total = total + of(code)

    # the total rounded half up (away from 0) to the rules' decimals
    twice = 2 * np.abs(total) * 10**rules.decimals
    rounded = np.sign(total) * ((twice + denominator) // (2 * denominator))
    exact = _decimal_exact(denominator, bound)
    unsure = np.zeros(len(grids), dtype=bool)
    # Where `score`'s Decimals round (28 digits), its total lies within ~1e-24 of the exact
    # one, and an exact total not on a boundary is at least 1/(2·10**decimals·Q) from it:
    # the int64 bound on Q keeps that far larger, so only a total on a boundary is unsure.
    if not exact:
        unsure |= (np.abs(twice % (2 * denominator) - denominator) == 0).any(axis=1)

    # first places count only where units tie before them: elsewhere each cluster's are
    # counted when asked for (`_Group.first`)
    first_places = np.zeros(shape, dtype=np.int64)
    counted = np.zeros(len(grids), dtype=bool)
    # ranking: total, tie-breaks, then the unit's code
    keys = [rounded]
    others = ~np.eye(count, dtype=bool)
    tied = (rounded[:, :, None] == rounded[:, None, :]) & others  # pairs tied so far
    for rule in rules.tie_breaks:
        if rule == FIRST_PLACES:
            counted = tied.any(axis=(1, 2))
            if counted.any():
                first_places[counted] = _first_places([grids[b] for b in np.flatnonzero(counted)])
            key = first_places
        elif rule.startswith("section:"):
            code = rule.removeprefix("section:")
            key = of(code) if code in table.criteria else np.zeros(shape, dtype=np.int64)
        else:
            continue
        tied &= key[:, :, None] == key[:, None, :]
        if not exact and rule != FIRST_PLACES:
            # tied on a section's exact points: `score`'s rounded Decimals may differ there
            unsure |= tied.any(axis=(1, 2))
        keys.append(key)
    by_name = np.stack([grid.by_name for grid in grids])
    order = np.lexsort([by_name, *(-key for key in reversed(keys))], axis=-1)
    ordered = [np.take_along_axis(key, order, axis=1) for key in keys]
    same = np.ones(order.shape, dtype=bool)
    for key in ordered:
        same[:, 1:] &= key[:, 1:] == key[:, :-1]
    same[:, 0] = False
    positions = np.broadcast_to(np.arange(1, count + 1), order.shape)
    ranks = np.maximum.accumulate(np.where(same, 0, positions), axis=1)
    totals = ordered[0]
    bands = np.full(order.shape, -1, dtype=np.int64)
    for n, band in enumerate(sorted(rules.bands, key=lambda band: -band.minimum)):
        top, below = _ratio(band.minimum)
        reached = totals * below >= top * 10**rules.decimals
        bands = np.where((bands < 0) & reached, n, bands)
    return _Group(
        indices=indices,
        grids=grids,
        automatic=automatic,
        sums=sums,
        divisors=divisors,
        order=order,
        ranks=ranks,
        totals=totals,
        first_places=first_places,
        counted=counted,
        bands=bands,
        exact=set(np.flatnonzero(unsure).tolist()),
    )


def _first_places(grids: list[Grid]) -> np.ndarray:
    """How many scorers put each unit first: each peer sheet's total, each scorer's best."""
    count = len(grids[0].units)
    totals = np.stack([grid.values for grid in grids]).sum(axis=3, dtype=np.int64)
    present = np.stack([grid.sheets for grid in grids]) & ~np.eye(count, dtype=bool)
    best = np.where(present, totals, np.iinfo(np.int64).min).max(axis=1, keepdims=True)
    return (present & (totals == best)).sum(axis=2)


def _medians(values: np.ndarray, scored: np.ndarray, peer: np.ndarray | None):
    """Each middle score (odd count, divisor 1) or the two middle ones summed (divisor 2)."""
    count = values.shape[1]
    if peer is None:
        peer = ~np.eye(count, dtype=bool)[:, :, None]
    ordered = np.sort(np.where(peer, values, np.iinfo(values.dtype).max), axis=2)
    low = np.take_along_axis(ordered, (np.maximum(scored - 1, 0) // 2)[:, :, None, :], axis=2)
    high = np.take_along_axis(ordered, (scored // 2)[:, :, None, :], axis=2)
    low, high = low[:, :, 0, :].astype(np.int64), high[:, :, 0, :]
    odd = scored % 2 == 1
    sums = np.where(scored == 0, 0, np.where(odd, low, low + high))
    return sums, np.where(scored == 0, 0, np.where(odd, 1, 2))


def _decimal_exact(denominator: int, bound: Decimal) -> bool:
    """Whether `score`'s Decimal arithmetic is exact on these numbers: every one a terminating
    decimal (Q of 2s and 5s only) with at most 28 digits."""
    twos = fives = 0
    rest = denominator
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    return rest == 1 and bound / denominator * 10 ** max(twos, fives) < 10**27


def _results(table: Table, rules: Rules, group: _Group, b: int) -> list[UnitResult]:
    """One cluster's `UnitResult`s from the group's integers, in `score`'s Decimal steps."""
    plan = table.plan
    grid = group.grids[b]
    found_automatic = group.automatic[b]
    places, units = grid.places, grid.units
    scorers = sorted(range(len(units)), key=units.__getitem__)  # `score` reads them so
    bands = sorted(rules.bands, key=lambda band: -band.minimum)
    column = {code: c for c, code in enumerate(plan.judged)}
    sums = group.sums[b].tolist()
    divisors = np.broadcast_to(group.divisors, group.sums.shape)[b].tolist()
    values, given = grid.values.tolist(), grid.given.tolist()
    # one Decimal per distinct score (a score's exponent: −places, as the database gives)
    decimal = {v: Decimal(v).scaleb(-places) for v in np.unique(grid.values).tolist()}
    rank_of = {
        t: (rank, band)
        for t, rank, band in zip(
            group.order[b].tolist(), group.ranks[b].tolist(), group.bands[b].tolist(), strict=True
        )
    }
    median = rules.aggregation == Aggregation.MEDIAN
    first_places = group.first(b)
    by_unit = []
    for t, unit in enumerate(units):
        leaves: dict[str, CriterionResult] = {}
        self_points: dict[str, Decimal] = {}
        own = grid.sheets[t, t]
        row, there = values[t], given[t]
        peers = [s for s in scorers if s != t and grid.sheets[t, s]]
        if all(all(there[s]) for s in peers):  # the scores, criterion by criterion, at once
            names = [units[s] for s in peers]
            scored = [list(map(decimal.__getitem__, row[s])) for s in peers]
            by_column = list(zip(*scored, strict=True)) if peers else [()] * len(column)
        else:
            by_column = None
        for code, maximum, judged, quantitative_kind in plan.leaves:
            if judged:
                c = column[code]
                if by_column is not None:
                    by_scorer = dict(zip(names, by_column[c], strict=True))
                else:
                    by_scorer = {units[s]: decimal[row[s][c]] for s in peers if there[s][c]}
                divisor = divisors[t][c]
                if divisor == 0:
                    leaves[code] = CriterionResult(ZERO, by_scorer, None, True)
                else:
                    value = Decimal(sums[t][c]).scaleb(-places)
                    if not (median and divisor == 1):
                        value = value / divisor
                    leaves[code] = CriterionResult(
                        min(max(value, ZERO), maximum), by_scorer, None, False
                    )
                if own:
                    own_score = decimal[row[t][c]] if there[t][c] else None
                    self_points[code] = min(own_score, maximum) if own_score is not None else ZERO
            else:
                found = found_automatic.get((unit, code))
                leaves[code] = automatic_leaf(found, quantitative_kind)
                self_points[code] = leaves[code].points
        rolled = _roll_up(table, leaves, plan.sections)
        total_exact = sum((rolled[code].points for code in plan.roots), ZERO)
        total = round_half_up(total_exact, rules.decimals)
        self_total = None
        if own:
            self_total = round_half_up(_rolled_total(self_points, plan), rules.decimals)
        gap = self_total - total if self_total is not None else None
        rank, band = rank_of[t]
        by_unit.append(
            UnitResult(
                unit=unit,
                criteria=rolled,
                total_exact=total_exact,
                total=total,
                self_total=self_total,
                gap=gap,
                gap_flagged=gap is not None and abs(gap) > rules.gap_threshold,
                first_places=first_places[t],
                rank=rank,
                band=bands[band].label if band >= 0 else None,
            )
        )
    return [by_unit[t] for t in group.order[b].tolist()]
