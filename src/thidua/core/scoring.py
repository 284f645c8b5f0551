"""Scoring a cluster year: the criteria tree, automatic criteria, cross-scoring, ranking.

Every member is scored by the other members (or by an inspection team) on the `peer`
criteria; its own sheet is a self-assessment, shown beside the result but never counted.
Automatic criteria are computed: `quantitative` ones from the unit's statistics and its target
(the formulas police emulation scoring uses), `qualitative`, `per_occurrence` and
`bonus_penalty` ones from facts recorded for the unit. Everything is exact `Decimal`; totals
are rounded once, at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from itertools import repeat
from math import lcm
from operator import itemgetter
from statistics import median

from thidua.core.indicators import Kind as IndicatorKind
from thidua.core.lineage import Lineage
from thidua.core.messages import Phrase, Problem, gettext_noop
from thidua.core.numbers import format_exact, format_number, round_half_up

ZERO = Decimal(0)
HALF = Decimal("0.5")
HUNDRED = Decimal(100)


class Kind(StrEnum):
    SECTION = "section"  # groups criteria: the sum of its children, capped at its maximum
    PEER = "peer"  # judged by the scorers
    QUANTITATIVE = "quantitative"  # an indicator's result against the unit's target
    QUALITATIVE = "qualitative"  # achieved → maximum, else 0
    PER_OCCURRENCE = "per_occurrence"  # count × points, capped at the maximum
    BONUS_PENALTY = "bonus_penalty"  # bonus count × points − penalty count × points, clamped


class Aggregation(StrEnum):
    MEAN = "mean"
    MEDIAN = "median"
    TRIMMED_MEAN = "trimmed_mean"  # drop one highest and one lowest from 5 scorers up


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    kind: Kind
    max_points: Decimal
    parent: str | None = None
    min_points: Decimal = ZERO  # below 0 only for bonus/penalty criteria
    indicator: str | None = None  # the statistic a quantitative criterion measures
    points_each: Decimal = ZERO  # per occurrence, or per bonus
    penalty_each: Decimal = ZERO  # per penalty
    measure: str = ""  # shown after A and T in explanations, e.g. "%"

    @property
    def judged(self) -> bool:
        return self.kind == Kind.PEER


@dataclass(frozen=True)
class Band:
    minimum: Decimal
    label: str


@dataclass(frozen=True)
class Rules:
    """How a cycle scores; stored with the cycle and printed on every result."""

    aggregation: Aggregation = Aggregation.MEAN
    zscore: bool = False
    step: Decimal = Decimal("0.25")
    decimals: int = 2
    trim_from: int = 5
    tie_breaks: tuple[str, ...] = ()  # "section:<code>" or "first_places"
    bands: tuple[Band, ...] = ()
    gap_threshold: Decimal = Decimal(10)  # points between self-assessment and peers

    @classmethod
    def from_data(cls, data: Mapping | None) -> Rules:
        """The rules from the plain data an agreement stores (and a record carries)."""
        data = data or {}
        return cls(
            aggregation=Aggregation(data.get("aggregation", "mean")),
            zscore=bool(data.get("zscore", False)),
            step=Decimal(str(data.get("step", "0.25"))),
            decimals=int(data.get("decimals", 2)),
            trim_from=int(data.get("trim_from", 5)),
            tie_breaks=tuple(data.get("tie_breaks", ())),
            bands=tuple(
                Band(Decimal(str(band["minimum"])), band["label"]) for band in data.get("bands", ())
            ),
            gap_threshold=Decimal(str(data.get("gap_threshold", "10"))),
        )


@dataclass(frozen=True)
class Sheet:
    """One scorer unit's scores for one unit; a self-assessment when scorer == target."""

    scorer: str
    target: str
    scores: Mapping[str, Decimal]

    @property
    def is_self(self) -> bool:
        return self.scorer == self.target


@dataclass(frozen=True)
class Facts:
    """What automatic criteria are computed from, per unit."""

    actual: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)  # (unit, criterion)
    targets: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)
    achieved: Mapping[tuple[str, str], bool] = field(default_factory=dict)
    counts: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)
    penalties: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)


# --- the criteria tree --------------------------------------------------------------------


class Table:
    """A criteria table: criteria in order, each with its parent (None for the top level)."""

    def __init__(self, criteria: Iterable[Criterion]):
        self.criteria = {criterion.code: criterion for criterion in criteria}
        self.children: dict[str | None, list[str]] = {}
        for criterion in self.criteria.values():
            self.children.setdefault(criterion.parent, []).append(criterion.code)

    @property
    def roots(self) -> list[str]:
        return self.children.get(None, [])

    @property
    def leaves(self) -> list[Criterion]:
        return [c for c in self.criteria.values() if c.kind != Kind.SECTION]

    @property
    def judged(self) -> list[Criterion]:
        return [c for c in self.criteria.values() if c.judged]

    @cached_property
    def plan(self) -> _Plan:
        """The leaves, sections and roots `score` walks, once per table: a national recompute
        scores every cluster against the same table (a table is not changed once built)."""
        return _plan(self)

    @property
    def total_points(self) -> Decimal:
        """The scale (e.g. 100): top-level maxima, bonus and penalty points aside."""
        return sum(
            (
                self.criteria[code].max_points
                for code in self.roots
                if self.criteria[code].kind != Kind.BONUS_PENALTY
            ),
            ZERO,
        )

    @property
    def maximum(self) -> Decimal:
        """The highest total a unit can reach, bonus points included."""
        return sum((self.criteria[code].max_points for code in self.roots), ZERO)

    def check(self, declared_total: Decimal | None = None) -> list[Problem]:
        """What is wrong with the table itself (before it can be signed)."""
        problems: list[Problem] = []
        for criterion in self.criteria.values():
            params = {"name": criterion.name, "max": format_exact(criterion.max_points)}
            if criterion.parent is not None and criterion.parent not in self.criteria:
                problems.append(
                    Problem(
                        "unknown_parent",
                        gettext_noop("Tiêu chí “%(name)s” thuộc một mục không có trong bảng."),
                        params,
                        criterion.code,
                    )
                )
            elif criterion.parent and self.criteria[criterion.parent].kind != Kind.SECTION:
                problems.append(
                    Problem(
                        "parent_not_section",
                        gettext_noop(
                            "Tiêu chí “%(name)s” phải thuộc một mục, không thuộc tiêu chí."
                        ),
                        params,
                        criterion.code,
                    )
                )
            if criterion.max_points < 0 or criterion.min_points > criterion.max_points:
                problems.append(
                    Problem(
                        "bad_points",
                        gettext_noop("Điểm tối đa của “%(name)s” không hợp lệ (%(max)s)."),
                        params,
                        criterion.code,
                    )
                )
            if criterion.kind == Kind.SECTION and not self.children.get(criterion.code):
                problems.append(
                    Problem(
                        "empty_section",
                        gettext_noop("Mục “%(name)s” chưa có tiêu chí nào."),
                        params,
                        criterion.code,
                    )
                )
            if criterion.kind == Kind.QUANTITATIVE and not criterion.indicator:
                problems.append(
                    Problem(
                        "no_indicator",
                        gettext_noop("Tiêu chí định lượng “%(name)s” chưa gắn chỉ tiêu thống kê."),
                        params,
                        criterion.code,
                    )
                )
        for code, children in self.children.items():
            if code is None or code not in self.criteria:
                continue
            section = self.criteria[code]
            inside = sum((self.criteria[child].max_points for child in children), ZERO)
            if inside < section.max_points:
                problems.append(
                    Problem(
                        "section_unreachable",
                        gettext_noop(
                            "Mục “%(name)s” tối đa %(max)s điểm nhưng các tiêu chí trong mục "
                            "chỉ cộng được %(inside)s."
                        ),
                        {
                            "name": section.name,
                            "max": format_exact(section.max_points),
                            "inside": format_exact(inside),
                        },
                        code,
                    )
                )
        if declared_total is not None and self.total_points != declared_total:
            problems.append(
                Problem(
                    "total_mismatch",
                    gettext_noop(
                        "Tổng điểm các mục là %(sum)s, khác tổng điểm đã công bố %(declared)s."
                    ),
                    {
                        "sum": format_exact(self.total_points),
                        "declared": format_exact(declared_total),
                    },
                    "total",
                )
            )
        return problems


def merged_target(indicator_kind: str | None, targets: Sequence[Decimal | None]) -> Decimal | None:
    """The target of a unit formed by a merger during the year, from its predecessors' targets
    in the signed agreement (`targets`, one per predecessor, None for one that had none: it
    was not a member). Only where the rule is clear: every predecessor had a target, and a
    count or an amount adds up (the sum), a rate is kept when all agree (the same rate).
    Otherwise None: the targets stay with the units that signed them."""
    if not targets or any(target is None for target in targets):
        return None
    values = [target for target in targets if target is not None]
    if indicator_kind in (IndicatorKind.COUNT, IndicatorKind.AMOUNT):
        return sum(values, ZERO)
    if indicator_kind == IndicatorKind.RATE and len(set(values)) == 1:
        return values[0]
    return None


@dataclass(frozen=True)
class InheritedTarget:
    """What a member formed during the year inherits on one criterion: `merged_target`'s
    value (None where no rule combines them) from its predecessors' signed `sources`
    (predecessor code → its target, None where it had none)."""

    value: Decimal | None
    sources: tuple[tuple[str, Decimal | None], ...]


def inherited_targets(
    members: Iterable[tuple[str, date | None]],
    year: int,
    lineage: Lineage,
    kinds: Mapping[str, str | None],
    targets: Mapping[tuple[str, str], Decimal],
) -> dict[tuple[str, str], InheritedTarget]:
    """(member, criterion) → `InheritedTarget`, for the `members` (code, the day it was
    formed) formed during `year` on each quantitative criterion (`kinds`: criterion code →
    its indicator's kind) the signed `targets` give it none but a predecessor (the units
    that stood for it the day before) had one. The one rule for the app's results and for
    `thidua verify`, which recomputes them from the record."""
    found = {}
    for code, day in members:
        if day is None or day.year != year:
            continue
        predecessors = sorted(lineage.predecessors_before(code, day).units)
        if not predecessors or predecessors == [code]:
            continue
        for criterion, kind in kinds.items():
            if (code, criterion) in targets:
                continue
            given = [targets.get((source, criterion)) for source in predecessors]
            if all(value is None for value in given):
                continue
            found[(code, criterion)] = InheritedTarget(
                merged_target(kind, given), tuple(zip(predecessors, given, strict=True))
            )
    return found


def inherited_teams(
    teams: Mapping[str, Sequence[str]],
    members: Iterable[tuple[str, date | None]],
    year: int,
    lineage: Lineage,
) -> dict[str, list[str]]:
    """Who scores whom under inspection teams (`teams`: inspected unit → its scorers, as
    signed), for the `members` (code, the day it was formed): a member formed during `year`
    takes its predecessors' places, as inspected unit (their scorers, together) and as
    scorer (in their teams). A unit never scores itself as a peer: a place that would have
    the new unit score itself is dropped, as a team never lists the unit it inspects. Units
    no longer members score no one. The one rule for the app and for the record."""
    members = list(members)
    codes = [code for code, _day in members]
    successor: dict[str, str] = {}
    for code, day in members:
        if day is None or day.year != year:
            continue
        for source in lineage.predecessors_before(code, day).units:
            if source != code:
                successor[source] = code
    carried: dict[str, list[str]] = {code: [] for code in codes}
    for inspected, scorers in teams.items():
        target = successor.get(inspected, inspected)
        if target not in carried:
            continue
        for scorer in scorers:
            scorer = successor.get(scorer, scorer)
            if scorer in carried and scorer != target and scorer not in carried[target]:
                carried[target].append(scorer)
    return carried


def check_target(
    value: Decimal, indicator_kind: str | None, *, unit: str, code: str, field: str | None = None
) -> Problem | None:
    """A unit's target fits its indicator: a rate (%) from 0 to 100, a count a whole number
    from 0, any other figure from 0. The message names the unit and the criterion."""
    params = {"unit": unit, "code": code, "value": format_exact(value)}
    if indicator_kind == IndicatorKind.RATE and not ZERO <= value <= HUNDRED:
        return Problem(
            "target_out_of_range",
            gettext_noop(
                "%(unit)s – %(code)s: chỉ tiêu là tỷ lệ nên phải từ 0 đến 100%% "
                "(đã nhập %(value)s)."
            ),
            params,
            field,
        )
    if value < 0:
        return Problem(
            "negative_target",
            gettext_noop("%(unit)s – %(code)s: chỉ tiêu không thể âm (đã nhập %(value)s)."),
            params,
            field,
        )
    if indicator_kind == IndicatorKind.COUNT and value != value.to_integral_value():
        return Problem(
            "target_not_whole",
            gettext_noop(
                "%(unit)s – %(code)s: chỉ tiêu là số đếm nên phải là số nguyên (đã nhập %(value)s)."
            ),
            params,
            field,
        )
    return None


FIRST_PLACES = "first_places"


def tie_break_choices(table: Table) -> list[str]:
    """What may break a tie, in the order a form offers them: a top-level section's points
    ("section:II"), then how many scorers put the unit first."""
    return [f"section:{code}" for code in table.roots] + [FIRST_PLACES]


def describe_tie_break(rule: str) -> Phrase:
    """ "section:II" → *điểm mục II*; "first_places" → how many scorers put the unit first
    (one wording for every document and page)."""
    if rule == FIRST_PLACES:
        return Phrase(gettext_noop("số đơn vị chấm xếp đơn vị đó thứ nhất"))
    return Phrase(gettext_noop("điểm mục %(code)s"), {"code": rule.removeprefix("section:")})


def check_tie_breaks(tie_breaks: Sequence[str], table: Table) -> list[Problem]:
    """Each tie-break names a top-level section of the table or the first places, once."""
    known = set(tie_break_choices(table))
    problems: list[Problem] = []
    for position, rule in enumerate(tie_breaks):
        if rule not in known:
            problems.append(
                Problem(
                    "unknown_tie_break",
                    gettext_noop(
                        "Tiêu chí phụ khi bằng điểm “%(rule)s” không có trong bảng tiêu chí."
                    ),
                    {"rule": rule},
                    "tie_breaks",
                )
            )
        elif rule in tie_breaks[:position]:
            problems.append(
                Problem(
                    "repeated_tie_break",
                    gettext_noop("Tiêu chí phụ khi bằng điểm “%(rule)s” được chọn hai lần."),
                    {"rule": describe_tie_break(rule)},
                    "tie_breaks",
                )
            )
    return problems


def check_sheet(sheet: Mapping[str, Decimal], table: Table, step: Decimal) -> list[Problem]:
    """Every score on a judged criterion, in [0, maximum], on the step (e.g. 0,25)."""
    problems: list[Problem] = []
    for code, value in sheet.items():
        criterion = table.criteria.get(code)
        if criterion is None or not criterion.judged:
            problems.append(
                Problem(
                    "not_judged",
                    gettext_noop("“%(code)s” không phải là tiêu chí chấm điểm trên phiếu."),
                    {"code": code},
                    code,
                )
            )
            continue
        params = {
            "name": criterion.name,
            "value": format_exact(value),
            "max": format_exact(criterion.max_points),
            "step": format_exact(step),
        }
        if value < 0 or value > criterion.max_points:
            problems.append(
                Problem(
                    "score_out_of_range",
                    gettext_noop("Điểm “%(name)s” phải từ 0 đến %(max)s (đã nhập %(value)s)."),
                    params,
                    code,
                )
            )
        elif step > 0 and (value / step) != (value / step).to_integral_value():
            problems.append(
                Problem(
                    "score_off_step",
                    gettext_noop(
                        "Điểm “%(name)s” phải chia hết cho bước %(step)s (đã nhập %(value)s)."
                    ),
                    params,
                    code,
                )
            )
    return problems


def sheet_subtotals(sheet: Mapping[str, Decimal], table: Table) -> dict[str, Decimal]:
    """What a scorer has given so far under each top-level section (judged criteria only),
    for the live subtotals while a sheet is being filled. Only sections: a top-level bonus or
    penalty criterion has no subtotal (and no place for one on the page)."""
    totals = {code: Decimal(0) for code in table.roots if table.criteria[code].kind == Kind.SECTION}
    for code, value in sheet.items():
        if code not in table.criteria:
            continue
        root = code
        while table.criteria[root].parent is not None:
            root = table.criteria[root].parent
        if root != code and root in totals:
            totals[root] += value
    return totals


def missing_scores(sheet: Mapping[str, Decimal], table: Table) -> list[str]:
    """Judged criteria not yet scored on a sheet (it cannot be submitted until complete)."""
    return [criterion.code for criterion in table.judged if criterion.code not in sheet]


# --- automatic criteria -------------------------------------------------------------------


@dataclass(frozen=True)
class Computed:
    points: Decimal
    explanation: Phrase | None = None


def _pct_over(actual: Decimal, target: Decimal) -> Decimal:
    return (actual - target) * HUNDRED / target


def quantitative(
    criterion: Criterion, actual: Mapping[str, Decimal], targets: Mapping[str, Decimal]
) -> dict[str, Computed]:
    """The police formulas, for every unit with a result.

    With a target T > 0: below target 0,5·M·A/T; on target 0,5·M; above target and best by
    % above target M; above but not best 0,5·M + (% above / best % above)·0,5·M. Units without
    a target (or a target of 0) are scored among themselves: M·A / (best A of that group).
    """
    maximum = criterion.max_points
    with_target = {unit: a for unit, a in actual.items() if targets.get(unit, ZERO) > 0}
    without = {unit: a for unit, a in actual.items() if unit not in with_target}
    over = {
        unit: _pct_over(a, targets[unit]) for unit, a in with_target.items() if a > targets[unit]
    }
    best = max(over.values(), default=None)
    result: dict[str, Computed] = {}
    for unit, a in with_target.items():
        target = targets[unit]
        params = {
            "actual": format_number(a, 1) + criterion.measure,
            # as many decimals as the result (a rate reads "90,0%", never "90%") or more when
            # the target has them: rounding it would misstate what was agreed
            "target": format_exact(target, minimum=1) + criterion.measure,
        }
        if a < target:
            points = HALF * maximum * a / target
            explanation = Phrase(
                gettext_noop(
                    "A = %(actual)s, T = %(target)s, chưa đạt chỉ tiêu: "
                    "0,5 × %(max)s × A/T → %(points)s điểm"
                ),
                params,
            )
        elif a == target:
            points = HALF * maximum
            explanation = Phrase(
                gettext_noop(
                    "A = %(actual)s, T = %(target)s, đạt đúng chỉ tiêu: "
                    "0,5 × %(max)s → %(points)s điểm"
                ),
                params,
            )
        elif over[unit] == best:
            points = maximum
            explanation = Phrase(
                gettext_noop(
                    "A = %(actual)s, T = %(target)s, tỷ lệ vượt (A − T)/T = %(over)s%%, dẫn đầu "
                    "cụm → %(points)s điểm"
                ),
                # as the other lines print it (never 0,00 for a lead of thousandths)
                {
                    **params,
                    "over": format_number(best, _rate_decimals(best, best, maximum, maximum)),
                },
            )
        else:
            points = HALF * maximum + over[unit] / best * HALF * maximum
            shown = _rate_decimals(over[unit], best, maximum, points)
            explanation = Phrase(
                gettext_noop(
                    "A = %(actual)s, T = %(target)s, tỷ lệ vượt (A − T)/T = %(over)s%%, đơn vị "
                    "dẫn đầu vượt %(best)s%%: 0,5 × %(max)s + %(over)s/%(best)s × 0,5 × %(max)s "
                    "→ %(points)s điểm"
                ),
                {
                    **params,
                    "over": format_number(over[unit], shown),
                    "best": format_number(best, shown),
                },
            )
        result[unit] = Computed(points, _with_points(explanation, points, maximum))
    top = max(without.values(), default=ZERO)
    for unit, a in without.items():
        points = maximum * a / top if top > 0 else ZERO
        explanation = Phrase(
            gettext_noop(
                "A = %(actual)s, không giao chỉ tiêu; cao nhất nhóm %(top)s: "
                "%(max)s × A/%(top)s → %(points)s điểm"
            ),
            {
                "actual": format_number(a, 1) + criterion.measure,
                "top": format_number(top, 1) + criterion.measure,
            },
        )
        result[unit] = Computed(points, _with_points(explanation, points, maximum))
    return result


def _rate_decimals(over: Decimal, best: Decimal, maximum: Decimal, points: Decimal) -> int:
    """The decimals an over-target line prints its two rates with: two, or as many more (up
    to six) as it takes for the line, worked out again from the figures it prints, to give
    the points it prints (the Ministry's office checks it by hand)."""
    printed = round_half_up(points, 2)
    for decimals in range(2, 6):
        shown_best = round_half_up(best, decimals)
        if not shown_best:  # a lead of a few thousandths of a percent: more decimals
            continue
        again = HALF * maximum + round_half_up(over, decimals) / shown_best * HALF * maximum
        if round_half_up(again, 2) == printed:
            return decimals
    return 6


def _with_points(phrase: Phrase, points: Decimal, maximum: Decimal) -> Phrase:
    return Phrase(
        phrase.message,
        {**phrase.params, "points": format_number(points, 2), "max": format_exact(maximum)},
    )


def qualitative(criterion: Criterion, achieved: bool) -> Computed:
    return Computed(criterion.max_points if achieved else ZERO)


def per_occurrence(criterion: Criterion, count: Decimal) -> Computed:
    return Computed(min(count * criterion.points_each, criterion.max_points))


def bonus_penalty(criterion: Criterion, bonuses: Decimal, penalties: Decimal) -> Computed:
    raw = bonuses * criterion.points_each - penalties * criterion.penalty_each
    return Computed(min(max(raw, criterion.min_points), criterion.max_points))


# --- aggregation of the scorers' judgements -----------------------------------------------


def aggregate(values: Sequence[Decimal], method: Aggregation, trim_from: int = 5) -> Decimal | None:
    """One score from the scorers' scores for a criterion (None when nobody scored)."""
    if not values:
        return None
    if method == Aggregation.MEDIAN:
        return Decimal(median(values))  # median sorts them itself
    total, count = _summed(values, trim_from if method == Aggregation.TRIMMED_MEAN else None)
    return total / count


def _summed(values: Sequence[Decimal], trim_from: int | None) -> tuple[Decimal, int]:
    """A mean's sum and count (`aggregate` divides them): without the highest and the lowest
    score from `trim_from` scores up (a trimmed mean; None: a plain mean)."""
    (total,), count = _summed_columns([values], trim_from, len(values))
    return total, count


_MIDDLE = itemgetter(slice(1, -1))


def _summed_columns(
    columns: Iterable[Sequence[Decimal]], trim_from: int | None, length: int
) -> tuple[list[Decimal], int]:
    """`_summed` of columns of `length` scores each, all at once (no Python step per
    column): their sums, and the count each sum is of."""
    ordered = map(sorted, columns)  # summed in order: the same digits whichever way they came
    if trim_from is not None and length >= trim_from:
        return list(map(sum, map(_MIDDLE, ordered), repeat(ZERO))), length - 2
    return list(map(sum, ordered, repeat(ZERO))), length


def zscores(sheets: Sequence[Sheet], table: Table) -> dict[tuple[str, str, str], Decimal]:
    """Each scorer's scores normalised per criterion and rescaled to the criterion's range.

    z = (x − the scorer's mean) / the scorer's standard deviation over the units it scored on
    that criterion; the score becomes M/2 + z·M/6, clamped to [0, M] (three deviations either
    way span the range). A scorer who gave everyone the same gets M/2: it told nothing apart.
    Adding a constant to all of one scorer's scores, or multiplying them, changes nothing.
    """
    normalised: dict[tuple[str, str, str], Decimal] = {}
    by_scorer: dict[tuple[str, str], list[tuple[str, Decimal]]] = {}
    for sheet in sheets:
        if sheet.is_self:
            continue
        for code, value in sheet.scores.items():
            by_scorer.setdefault((sheet.scorer, code), []).append((sheet.target, value))
    for (scorer, code), scored in by_scorer.items():
        maximum = table.criteria[code].max_points
        # Mean and variance exact, so that shifting a scorer's scores leaves every z exactly
        # as it was (no rounding in between): in integers over a common denominator `d`, the
        # scores being a_i/d, the mean A/(n·d) and the offsets (n·a_i − A)/(n·d). A Decimal
        # quotient of two integers depends on their ratio only, so these are the digits the
        # same sums in `Fraction`s give, without a `Fraction` per score.
        ratios = [value.as_integer_ratio() for _, value in scored]
        d = lcm(*(den for _, den in ratios))
        scaled = [num * (d // den) for num, den in ratios]
        n = len(scaled)
        total = sum(scaled)
        offsets = [n * a - total for a in scaled]
        squares = sum(offset * offset for offset in offsets)  # variance: squares / (n³·d²)
        deviation = (Decimal(squares) / Decimal(n**3 * d * d)).sqrt() if squares else ZERO
        below, half = Decimal(n * d), maximum / 2
        for (target, _value), offset in zip(scored, offsets, strict=True):
            z = Decimal(offset) / below / deviation if deviation > 0 else ZERO
            rescaled = half + z * maximum / 6
            normalised[(scorer, target, code)] = min(max(rescaled, ZERO), maximum)
    return normalised


# --- results ------------------------------------------------------------------------------


@dataclass(slots=True)  # hundreds per ranking: half the memory without a __dict__
class CriterionResult:
    points: Decimal  # exact, capped at the criterion's maximum
    by_scorer: dict[str, Decimal] = field(default_factory=dict)  # peer scores as given
    explanation: Phrase | None = None
    missing: bool = False  # no scorer or no figure: counted as 0


@dataclass
class UnitResult:
    unit: str
    criteria: dict[str, CriterionResult]
    total_exact: Decimal
    total: Decimal
    self_total: Decimal | None
    gap: Decimal | None
    gap_flagged: bool
    first_places: int = 0
    rank: int = 0
    band: str | None = None

    def section(self, code: str) -> Decimal:
        return self.criteria[code].points if code in self.criteria else ZERO


def _automatic(table: Table, units: Sequence[str], facts: Facts) -> dict[tuple[str, str], Computed]:
    computed: dict[tuple[str, str], Computed] = {}
    for criterion in table.leaves:
        code = criterion.code
        if criterion.kind == Kind.QUANTITATIVE:
            actual = {u: facts.actual[(u, code)] for u in units if (u, code) in facts.actual}
            targets = {u: facts.targets[(u, code)] for u in units if (u, code) in facts.targets}
            for unit, result in quantitative(criterion, actual, targets).items():
                computed[(unit, code)] = result
        elif criterion.kind == Kind.QUALITATIVE:
            for unit in units:
                if (unit, code) in facts.achieved:
                    computed[(unit, code)] = qualitative(criterion, facts.achieved[(unit, code)])
        elif criterion.kind == Kind.PER_OCCURRENCE:
            for unit in units:
                if (unit, code) in facts.counts:
                    computed[(unit, code)] = per_occurrence(criterion, facts.counts[(unit, code)])
        elif criterion.kind == Kind.BONUS_PENALTY:
            for unit in units:
                bonuses = facts.counts.get((unit, code), ZERO)
                penalties = facts.penalties.get((unit, code), ZERO)
                computed[(unit, code)] = bonus_penalty(criterion, bonuses, penalties)
    return computed


Sections = list[tuple[str, list[str], Decimal]]


def _sections(table: Table) -> Sections:
    """The sections under the roots, each after the sections inside it (depth first, in
    the table's order), with its children and maximum: the order `_roll_up` sums them in."""
    order: Sections = []
    for root in table.roots:
        _visit(table, root, order)
    return order


def _visit(table: Table, code: str, order: Sections) -> None:
    """`code`'s sections, then itself if it is one (a function of its own: a recursive
    closure is a reference cycle, which kept each table until the cycle collector ran)."""
    criterion = table.criteria[code]
    if criterion.kind != Kind.SECTION:
        return
    children = table.children.get(code, [])
    for child in children:
        _visit(table, child, order)
    order.append((code, children, criterion.max_points))


def automatic_results(
    table: Table, units: Sequence[str], facts: Facts, unit: str
) -> dict[str, CriterionResult]:
    """`unit`'s results on the criteria not scored by peers, as `score` gives them, without
    scoring any unit's judged criteria (a sheet page shows one unit's automatic points): the
    points are computed for all `units`, as a quantitative criterion's depend on the best."""
    automatic = _automatic(table, units, facts)
    return {
        code: automatic_leaf(automatic.get((unit, code)), quantitative)
        for code, _maximum, judged, quantitative in table.plan.leaves
        if not judged
    }


def automatic_leaf(found, quantitative: bool) -> CriterionResult:
    """An automatic criterion's result from its computed points (`found`, None when the
    figures give none: missing if the criterion is quantitative)."""
    return CriterionResult(
        found.points if found else ZERO,
        explanation=found.explanation if found else None,
        missing=found is None and quantitative,
    )


def _roll_up(
    table: Table, leaves: dict[str, CriterionResult], sections: Sections | None = None
) -> dict[str, CriterionResult]:
    """Sections: the sum of their children, capped at their maximum."""
    results = dict(leaves)
    for code, children, maximum in _sections(table) if sections is None else sections:
        inside = sum([results[child].points for child in children], ZERO)
        results[code] = CriterionResult(min(inside, maximum))
    return results


@dataclass(frozen=True)
class _Plan:
    """What `score` walks for every unit, worked out once per table (see `Table.plan`)."""

    leaves: list[tuple[str, Decimal, bool, bool]]  # code, maximum, judged, quantitative
    sections: Sections
    roots: list[str]
    judged: list[str]
    judged_maxima: list[Decimal]


def _plan(table: Table) -> _Plan:
    return _Plan(
        leaves=[
            (c.code, c.max_points, c.judged, c.kind == Kind.QUANTITATIVE) for c in table.leaves
        ],
        sections=_sections(table),
        roots=table.roots,
        judged=[c.code for c in table.judged],
        judged_maxima=[c.max_points for c in table.judged],
    )


_NOT_KEPT: dict[str, Decimal] = {}  # `by_scorer` of a criterion scored without them (shared)


def score(
    table: Table,
    units: Sequence[str],
    sheets: Iterable[Sheet],
    facts: Facts,
    rules: Rules,
    *,
    by_scorer: bool = True,
) -> list[UnitResult]:
    """Every unit's points per criterion, total, rank and band, best first. `by_scorer`
    False: no criterion keeps the scores each scorer gave it (`CriterionResult.by_scorer`
    empty), which a check of the results (`core.verify`) never reads — a dict per unit and
    criterion, most of scoring's memory — and the criteria scored alike share one result
    (read them, never change them); nor are first places counted (0) unless a tie-break
    reads them."""
    sheets = [sheet for sheet in sheets if sheet.target in units]
    peer_sheets = sorted((s for s in sheets if not s.is_self), key=lambda s: (s.target, s.scorer))
    selves = {sheet.target: sheet for sheet in sheets if sheet.is_self}
    normalised = zscores(peer_sheets, table) if rules.zscore else {}
    automatic = _automatic(table, units, facts)
    plan = table.plan
    by_target: dict[str, list[Sheet]] = {}
    for sheet in peer_sheets:
        by_target.setdefault(sheet.target, []).append(sheet)
    results: list[UnitResult] = []
    zscore, method, trim_from = rules.zscore, rules.aggregation, rules.trim_from
    seen: dict[tuple[str, bool], CriterionResult] = {}  # `by_scorer` False: shared results
    # a mean, without z-scores: its sum and count decide its points (`_summed`, then
    # `aggregate`'s division and the cap), so criteria with the same sum share them
    means = None if method == Aggregation.MEDIAN else {}
    trimmed = trim_from if method == Aggregation.TRIMMED_MEAN else None
    for unit in units:
        own = by_target.get(unit, [])
        scorers = [sheet.scorer for sheet in own]
        given_sheets = [sheet.scores for sheet in own]
        own_scores = selves[unit].scores if unit in selves else None
        # each scorer once, no z-scores: the values alone are enough when none is kept
        lean = not by_scorer and not zscore and len(set(scorers)) == len(scorers)
        columns = _columns(given_sheets, plan.judged) if lean else None
        worked_out = None  # every judged criterion's mean at once, when they are all means
        if columns is not None and means is not None and given_sheets:
            worked_out = iter(
                _means(columns, plan.judged_maxima, trimmed, len(given_sheets), means)
            )
        leaves: dict[str, CriterionResult] = {}
        self_points: dict[str, Decimal] = {}
        for code, maximum, judged, quantitative_kind in plan.leaves:
            if judged and lean:
                if worked_out is not None:
                    leaves[code] = next(worked_out)
                else:
                    if columns is not None:
                        values = next(columns)
                    else:  # a sheet without the criterion
                        values = [scores[code] for scores in given_sheets if code in scores]
                    if means is not None and values:
                        (leaves[code],) = _means([values], [maximum], trimmed, len(values), means)
                    else:
                        value = aggregate(values, method, trim_from)
                        capped = min(max(value, ZERO), maximum) if value is not None else ZERO
                        found = (str(capped), value is None)  # `str` of a Decimal is exact
                        if found not in seen:
                            seen[found] = CriterionResult(capped, _NOT_KEPT, None, value is None)
                        leaves[code] = seen[found]
                if own_scores is not None:
                    own_score = own_scores.get(code)
                    self_points[code] = min(own_score, maximum) if own_score is not None else ZERO
            elif judged:
                try:  # every sheet scored the criterion (a submitted sheet is complete)
                    values = [scores[code] for scores in given_sheets]
                    given = dict(zip(scorers, values, strict=True))
                    if len(given) < len(values):  # one scorer's two sheets: the last counts
                        values = list(given.values())
                except KeyError:
                    given = {
                        scorer: scores[code]
                        for scorer, scores in zip(scorers, given_sheets, strict=True)
                        if code in scores
                    }
                    values = list(given.values())
                used = [normalised[(scorer, unit, code)] for scorer in given] if zscore else values
                value = aggregate(used, method, trim_from)
                capped = min(max(value, ZERO), maximum) if value is not None else ZERO
                leaves[code] = CriterionResult(
                    capped, given if by_scorer else _NOT_KEPT, None, value is None
                )
                if own_scores is not None:
                    own_score = own_scores.get(code)
                    self_points[code] = min(own_score, maximum) if own_score is not None else ZERO
            else:
                leaves[code] = automatic_leaf(automatic.get((unit, code)), quantitative_kind)
                self_points[code] = leaves[code].points
        rolled = _roll_up(table, leaves, plan.sections)
        total_exact = sum((rolled[code].points for code in plan.roots), ZERO)
        self_total = None
        gap = None
        if own_scores is not None:
            self_total = round_half_up(_rolled_total(self_points, plan), rules.decimals)
        total = round_half_up(total_exact, rules.decimals)
        if self_total is not None:
            gap = self_total - total
        results.append(
            UnitResult(
                unit=unit,
                criteria=rolled,
                total_exact=total_exact,
                total=total,
                self_total=self_total,
                gap=gap,
                gap_flagged=gap is not None and abs(gap) > rules.gap_threshold,
            )
        )
    if by_scorer or FIRST_PLACES in rules.tie_breaks:  # else no caller reads them
        _count_first_places(results, peer_sheets, plan.judged)
    return rank(results, rules)


def _means(
    columns: Iterable[Sequence[Decimal]],
    maxima: Sequence[Decimal],
    trim_from: int | None,
    length: int,
    means: dict[tuple, CriterionResult],
) -> list[CriterionResult]:
    """Criteria's results from their columns of `length` scores (one per maximum): each a
    mean (`_summed_columns`, then `aggregate`'s division) capped at its maximum, one result
    for every criterion with the same sum, count and maximum (`means`, shared by units)."""
    totals, count = _summed_columns(columns, trim_from, length)
    found = []
    for total, maximum in zip(totals, maxima, strict=True):
        key = (str(total), count, maximum)  # `str` of a Decimal is exact
        result = means.get(key)
        if result is None:
            result = means[key] = CriterionResult(
                min(max(total / count, ZERO), maximum), _NOT_KEPT, None, False
            )
        found.append(result)
    return found


def _columns(given: list[Mapping[str, Decimal]], codes: list[str]) -> Iterator[tuple] | None:
    """The judged criteria's scores in the table's order, each as a tuple of its scores in
    the sheets' order, read sheet by sheet as they are asked for; None when a sheet lacks
    one of them."""
    wanted = frozenset(codes)
    if not all(wanted <= scores.keys() for scores in given):
        return None
    if not given:
        return repeat(())
    return zip(*(_values_in(scores, codes) for scores in given), strict=True)


def _values_in(scores: Mapping[str, Decimal], codes: list[str]) -> Iterator[Decimal]:
    """A sheet's scores of `codes`, in order: at once where its table gives them so
    (`values_in`, a sheet as `thidua verify` holds it)."""
    taken = getattr(scores, "values_in", None)
    return taken(codes) if taken is not None else map(scores.__getitem__, codes)


def _rolled_total(points: dict[str, Decimal], plan: _Plan) -> Decimal:
    """The total `_roll_up` gives, on bare points (a self-assessment needs no more)."""
    points = dict(points)
    for code, children, maximum in plan.sections:
        points[code] = min(sum([points[child] for child in children], ZERO), maximum)
    return sum((points[code] for code in plan.roots), ZERO)


def _count_first_places(
    results: list[UnitResult], sheets: Sequence[Sheet], judged: Sequence[str]
) -> None:
    """How many scorers put each unit first among the units they scored (a tie-break)."""
    given: dict[str, dict[str, Decimal]] = {}
    for sheet in sheets:
        scores = sheet.scores
        if list(scores) == judged:  # the usual sheet: the same sum, without 100 look-ups
            sheet_total = sum(scores.values(), ZERO)
        else:
            sheet_total = sum(map(scores.get, judged, repeat(ZERO)), ZERO)
        given.setdefault(sheet.scorer, {})[sheet.target] = sheet_total
    by_unit = {result.unit: result for result in results}
    for totals in given.values():
        if not totals:
            continue
        best = max(totals.values())
        for unit, total in totals.items():
            if total == best and unit in by_unit:
                by_unit[unit].first_places += 1


def _tie_key(result: UnitResult, rules: Rules) -> tuple:
    keys: list[Decimal | int] = []
    for rule in rules.tie_breaks:
        if rule.startswith("section:"):
            keys.append(result.section(rule.removeprefix("section:")))
        elif rule == FIRST_PLACES:
            keys.append(result.first_places)
    return (result.total, *keys)


def rank(results: list[UnitResult], rules: Rules) -> list[UnitResult]:
    """Best first; configured tie-breaks, else shared ranks (1, 2, 2, 4); then bands."""
    ordered = sorted(results, key=lambda r: (_negate(_tie_key(r, rules)), r.unit))
    for position, result in enumerate(ordered):
        if position and _tie_key(result, rules) == _tie_key(ordered[position - 1], rules):
            result.rank = ordered[position - 1].rank
        else:
            result.rank = position + 1
        result.band = next(
            (
                band.label
                for band in sorted(rules.bands, key=lambda b: -b.minimum)
                if result.total >= band.minimum
            ),
            None,
        )
    return ordered


def _negate(key: tuple) -> tuple:
    return tuple(-part for part in key)


# --- sheets entered on a member's behalf ("nhập thay") -----------------------------------

#: A peer sheet the leader unit's secretary submitted on the scorer unit's behalf: its scores
#: wait for that unit to confirm them, or for the leader to record why it could not.
SHEET_AWAITING = "awaiting"

#: Only a submitted sheet counts in the aggregation (an awaiting one does not, yet).
SHEET_COUNTED = "submitted"


def sheet_submitted_status(*, on_behalf: bool) -> str:
    """The status a submitted sheet takes: a unit's own counts at once; one entered on its
    behalf waits for its confirmation (or the leader's reason why it could not)."""
    return SHEET_AWAITING if on_behalf else SHEET_COUNTED


def check_sheet_on_behalf(
    reason: str, *, scorer: str, target: str, leader: str | None
) -> list[Problem]:
    """Entering a member's sheet on its behalf: a reason is required; the sheet is one the
    member gives another unit (a unit never scores itself, nor is its self-assessment written
    for it); the leader unit fills its own sheets itself."""
    problems = []
    if not reason.strip():
        problems.append(
            Problem(
                "on_behalf_reason_required",
                gettext_noop("Phải ghi lý do nhập thay phiếu chấm cho đơn vị."),
                field="on_behalf_reason",
            )
        )
    if scorer == target:
        problems.append(
            Problem(
                "on_behalf_self",
                gettext_noop(
                    "Không nhập thay phiếu một đơn vị tự chấm mình: đơn vị không chấm chính mình; "
                    "chỉ nhập thay phiếu đơn vị chấm các đơn vị khác."
                ),
            )
        )
    if leader is not None and scorer == leader:
        problems.append(
            Problem(
                "on_behalf_of_own_unit",
                gettext_noop("Đơn vị cụm trưởng tự chấm phiếu của mình, không nhập thay."),
            )
        )
    return problems


def check_sheet_settle(
    status: str, *, excuse: str | None = None, target: str | None = None, leader: str | None = None
) -> list[Problem]:
    """Settling a sheet entered on a unit's behalf: the unit confirms it (`excuse` None), or
    the leader records why the unit could not (`excuse`, required). Only an awaiting sheet.
    A sheet of the leader unit (`target` == `leader`) is never excused: the leader entered
    another's scores of itself, which count only on the scorer's own word."""
    problems = []
    if status != SHEET_AWAITING:
        problems.append(
            Problem(
                "sheet_not_awaiting",
                gettext_noop("Phiếu chấm không chờ đơn vị xác nhận điểm nhập thay."),
            )
        )
    if excuse is not None and not excuse.strip():
        problems.append(
            Problem(
                "reason_required",
                gettext_noop("Phải ghi lý do đơn vị không xác nhận được."),
                field="reason",
            )
        )
    if excuse is not None and leader is not None and target == leader:
        problems.append(
            Problem(
                "excuse_own_unit",
                gettext_noop(
                    "Phiếu chấm đơn vị cụm trưởng do cụm trưởng nhập thay chỉ được tính khi"
                    " đơn vị chấm xác nhận."
                ),
            )
        )
    return problems
