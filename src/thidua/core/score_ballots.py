"""Score ballots at the conference (phiếu chấm điểm): each delegate scores each candidate unit.

A score is an integer on the poll's scale, or one integer per criteria group when the rule set
scores by group (each with its own maximum). A delegate never scores their own unit. A ballot
that leaves a unit unscored is either refused whole (invalid) or counted with no score for that
unit, so that unit's average is over fewer scores: which, the rule set says.

Everything is exact: totals and counts are integers, averages are fractions, and the rounding
is only how an average is shown. Ties in the ranking are shown, never broken. A trimmed mean
(the highest and the lowest score dropped) needs every ballot's scores, so it exists only for
scores entered ballot by ballot; encrypted ballots are added up without being opened, and a sum
cannot be trimmed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction

from thidua.core.ballots import Title
from thidua.core.messages import Problem, gettext_noop


class Partial(StrEnum):
    """What a ballot that leaves a candidate unscored is."""

    REFUSE = "refuse"  # invalid: the whole ballot is set aside
    SKIP = "skip"  # valid: no score for that candidate, whose average is over fewer scores


@dataclass(frozen=True)
class ScoreRules:
    candidates: tuple[str, ...]
    groups: tuple[int, ...] = (100,)  # each group's maximum; one group: a single score
    partial: Partial = Partial.REFUSE
    trimmed: bool = False  # also the mean without the highest and the lowest score
    decimals: int = 2  # how an average is shown (rounded half up)

    @property
    def maximum(self) -> int:
        return sum(self.groups)


@dataclass(frozen=True)
class ScoreBallot:
    """One delegate's ballot: their own unit (never scored) and a score per candidate, as one
    integer per group."""

    scores: Mapping[str, tuple[int, ...]]
    own_unit: str | None = None


def rules_from(data: Mapping, candidates: Sequence[str]) -> ScoreRules:
    """A score poll's rules from the plain data the rule set stores (and a record carries)."""
    return ScoreRules(
        candidates=tuple(candidates),
        groups=tuple(int(g) for g in data.get("groups", [data.get("maximum", 100)])),
        partial=Partial(data.get("partial", Partial.REFUSE)),
        trimmed=bool(data.get("trimmed", False)),
        decimals=int(data.get("decimals", 2)),
    )


def rules_problems(data: Mapping, *, encrypted: bool) -> list[Problem]:
    """Why a rule set's score vote cannot be used as written: a scale that is no scale, and a
    trimmed mean asked of encrypted ballots (whose sums cannot drop a highest score)."""
    problems: list[Problem] = []
    groups = data.get("groups", [data.get("maximum", 100)])
    if not groups or any(not isinstance(g, int) or g < 1 for g in groups):
        problems.append(
            Problem(
                "bad_scale",
                gettext_noop("Thang điểm phải là số nguyên dương cho từng nhóm tiêu chí."),
                {},
                "groups",
            )
        )
    if data.get("partial", Partial.REFUSE) not in tuple(Partial):
        problems.append(
            Problem(
                "bad_partial",
                gettext_noop("Cách xử lý phiếu chấm thiếu phải là “refuse” hoặc “skip”."),
                {},
                "partial",
            )
        )
    if data.get("trimmed") and encrypted:
        problems.append(
            Problem(
                "trim_encrypted",
                gettext_noop(
                    "Không thể bỏ điểm cao nhất và thấp nhất với phiếu mã hóa: ban kiểm phiếu "
                    "chỉ giải mã tổng điểm, không mở từng phiếu. Chỉ dùng với phiếu giấy."
                ),
                {},
                "trimmed",
            )
        )
    return problems


MESSAGES = {
    "own_unit": gettext_noop("Đại biểu không chấm điểm đơn vị mình (%(unit)s)."),
    "unknown": gettext_noop("“%(unit)s” không có trong danh sách đơn vị được chấm."),
    "groups": gettext_noop("%(unit)s: cần %(expected)s điểm thành phần, phiếu ghi %(given)s."),
    "range": gettext_noop("%(unit)s: điểm %(score)s ngoài thang 0–%(maximum)s."),
    "missing": gettext_noop("Phiếu chấm thiếu: chưa chấm %(units)s."),
}


def check(ballot: ScoreBallot, rules: ScoreRules) -> Problem | None:
    """Why the ballot is invalid, or None. The first reason found is enough to set it aside."""

    def problem(code: str, **params) -> Problem:
        return Problem(code, MESSAGES[code], params, "scores")

    for unit, scores in ballot.scores.items():
        if unit not in rules.candidates:
            return problem("unknown", unit=unit)
        if unit == ballot.own_unit:
            return problem("own_unit", unit=unit)
        if len(scores) != len(rules.groups):
            return problem("groups", unit=unit, expected=len(rules.groups), given=len(scores))
        for score, maximum in zip(scores, rules.groups, strict=True):
            if not 0 <= score <= maximum:
                return problem("range", unit=unit, score=score, maximum=maximum)
    missing = [u for u in scored_by(ballot.own_unit, rules) if u not in ballot.scores]
    if missing and rules.partial == Partial.REFUSE:
        return problem("missing", units=", ".join(missing))
    return None


def scored_by(own_unit: str | None, rules: ScoreRules) -> tuple[str, ...]:
    """The candidates a delegate of `own_unit` scores: all but their own."""
    return tuple(c for c in rules.candidates if c != own_unit)


@dataclass(frozen=True)
class ScoreTotals:
    """Ballots known only by their sums (the encrypted box as the board decrypted it, or a
    record's published totals): per candidate the total and the number of scores."""

    ballots: int
    invalid: int
    total: Mapping[str, int]
    count: Mapping[str, int]


@dataclass(frozen=True)
class Standing:
    unit: str
    total: int
    count: int
    average: Fraction | None  # None: nobody scored the unit
    trimmed: Fraction | None = None  # without one highest and one lowest score (3+ scores)
    rank: int | None = None  # competition ranking: 1, 2, 2, 4; None without scores
    tied: bool = False  # shares its rank with another unit


@dataclass(frozen=True)
class ScoreTally:
    returned: int
    valid: int
    invalid: int
    standings: tuple[Standing, ...]  # best average first; units without scores last
    trimmed_shown: bool = False
    problems: tuple[Problem, ...] = field(default=())

    def of(self, unit: str) -> Standing:
        return next(s for s in self.standings if s.unit == unit)


def tally(
    ballots: Iterable[ScoreBallot], rules: ScoreRules, *, totals: Iterable[ScoreTotals] = ()
) -> ScoreTally:
    """Count the score ballots (their order never matters), adding ballots known only by their
    sums. Invalid ballots count as returned and add nothing. The trimmed mean is computed only
    when every valid ballot is known ballot by ballot."""
    totals = list(totals)
    returned = invalid = 0
    scores: dict[str, list[int]] = {c: [] for c in rules.candidates}
    for ballot in ballots:
        returned += 1
        if check(ballot, rules) is not None:
            invalid += 1
            continue
        for unit, parts in ballot.scores.items():
            scores[unit].append(sum(parts))
    returned += sum(t.ballots for t in totals)
    invalid += sum(t.invalid for t in totals)
    trimmable = rules.trimmed and not totals
    standings = []
    for unit in rules.candidates:
        total = sum(scores[unit]) + sum(t.total.get(unit, 0) for t in totals)
        count = len(scores[unit]) + sum(t.count.get(unit, 0) for t in totals)
        standings.append(
            Standing(
                unit,
                total,
                count,
                Fraction(total, count) if count else None,
                _trimmed(scores[unit]) if trimmable else None,
            )
        )
    problems = ()
    if rules.trimmed and totals:
        problems = (
            Problem(
                "trim_sums",
                gettext_noop(
                    "Không tính điểm bình quân bỏ cao nhất, thấp nhất: một phần phiếu chỉ có "
                    "tổng điểm (phiếu mã hóa), không có điểm từng phiếu."
                ),
                {},
                "trimmed",
            ),
        )
    return ScoreTally(
        returned=returned,
        valid=returned - invalid,
        invalid=invalid,
        standings=_ranked(standings),
        trimmed_shown=trimmable,
        problems=problems,
    )


def _trimmed(scores: list[int]) -> Fraction | None:
    if len(scores) < 3:
        return None
    kept = sorted(scores)[1:-1]
    return Fraction(sum(kept), len(kept))


def _ranked(standings: list[Standing]) -> tuple[Standing, ...]:
    """Best average first, competition ranking; equal averages share a rank and are marked
    tied (in the order of the candidate list, never by an invented criterion)."""
    scored = [s for s in standings if s.average is not None]
    unscored = [s for s in standings if s.average is None]
    scored.sort(key=lambda s: -s.average)  # stable: the candidate order among equals
    ranked = []
    for standing in scored:
        first = next(i for i, s in enumerate(scored) if s.average == standing.average)
        shared = sum(1 for s in scored if s.average == standing.average) > 1
        ranked.append(replace(standing, rank=first + 1, tied=shared))
    return tuple(ranked + unscored)


def shown(average: Fraction | None, decimals: int) -> str:
    """An average as the minutes print it: rounded half up, with a decimal comma (87,33)."""
    if average is None:
        return "—"
    scale = 10**decimals
    rounded = (average * scale * 2 + 1) // 2  # half up, exactly
    whole, part = divmod(int(rounded), scale)
    return f"{whole},{part:0{decimals}d}" if decimals else str(whole)


@dataclass(frozen=True)
class Nominations:
    nominees: dict[str, tuple[str, ...]]  # per title code, best first
    ties: dict[str, tuple[str, ...]]  # per title code: units tied across its last seat


def nominations(
    result: ScoreTally,
    titles: Sequence[Title],
    minimum: Fraction,
    ranks: Mapping[str, int] | None = None,
) -> Nominations:
    """Titles from the score ranking: title by title (in the rule set's order, the higher title
    first), the best averages of at least `minimum`, up to the title's seats. One flag a year:
    a unit nominated for a title is not nominated for a title it excludes. A title that must go
    to the unit leading the cluster takes only a unit ranked first. A tie across a title's last
    seat is not broken: the tied units are reported, for the conference to vote between them,
    and the seats they contest stay empty. `ranks` is the cluster's ranking that "leading the
    cluster" refers to (the score sheets'); without it, this vote's own ranking."""
    nominees: dict[str, tuple[str, ...]] = {}
    ties: dict[str, tuple[str, ...]] = {}
    taken: dict[str, str] = {}  # unit → the title it was nominated for
    for title in titles:
        barred = {u for u, code in taken.items() if _exclusive(titles, code, title.code)}
        eligible = [
            s
            for s in result.standings
            if s.average is not None
            and s.average >= minimum
            and s.unit not in barred
            and (title.requires_rank is None or _rank(s, ranks) <= title.requires_rank)
        ]
        chosen = eligible[: title.seats]
        if (
            len(eligible) > title.seats
            and chosen
            and (eligible[title.seats].average == chosen[-1].average)
        ):
            boundary = chosen[-1].average
            ties[title.code] = tuple(s.unit for s in eligible if s.average == boundary)
            chosen = [s for s in chosen if s.average > boundary]
        nominees[title.code] = tuple(s.unit for s in chosen)
        for s in chosen:
            taken[s.unit] = title.code
    return Nominations(nominees, ties)


def _rank(standing: Standing, ranks: Mapping[str, int] | None) -> int:
    rank = ranks.get(standing.unit) if ranks is not None else standing.rank
    return rank if rank is not None else 10**6


def _exclusive(titles: Sequence[Title], one: str, other: str) -> bool:
    by_code = {t.code: t for t in titles}
    return other in by_code[one].excludes or one in by_code[other].excludes


class TitlesMode(StrEnum):
    """How a score vote leads to titles."""

    RANKING = "ranking"  # nominations follow the ranking (`nominations`), above a minimum
    INFORM = "inform"  # the score vote only informs a following approval poll


def vote_problems(data: Mapping) -> list[Problem]:
    """Why a rule set's score-vote section cannot be used: its scale (`rules_problems`, for
    paper, where a trimmed mean is possible), its titles mode, and the minimum average a
    ranking needs."""
    problems = rules_problems(data, encrypted=False)
    if data.get("decimals", 2) not in range(5):
        problems.append(
            Problem(
                "bad_decimals",
                gettext_noop("Số chữ số thập phân của điểm bình quân phải từ 0 đến 4."),
                {},
                "decimals",
            )
        )
    mode = data.get("titles", TitlesMode.INFORM)
    if mode not in tuple(TitlesMode):
        problems.append(
            Problem(
                "bad_titles_mode",
                gettext_noop("Cách xét danh hiệu từ phiếu chấm phải là “ranking” hoặc “inform”."),
                {},
                "titles",
            )
        )
    elif mode == TitlesMode.RANKING:
        try:
            minimum = Fraction(str(data.get("minimum", "")))
        except (ValueError, ZeroDivisionError):
            minimum = None
        if minimum is None or not 0 <= minimum <= sum(
            g for g in data.get("groups", [data.get("maximum", 100)]) if isinstance(g, int)
        ):
            problems.append(
                Problem(
                    "bad_minimum",
                    gettext_noop(
                        "Xét danh hiệu theo thứ hạng điểm cần điểm bình quân tối thiểu trong thang "
                        "điểm (ví dụ “80”)."
                    ),
                    {},
                    "minimum",
                )
            )
    return problems


def ballot_from(content: Mapping) -> ScoreBallot:
    """A score ballot from its stored content: {"scores": {unit: [ints per group]},
    "own_unit": unit}."""
    return ScoreBallot(
        scores={unit: tuple(parts) for unit, parts in (content.get("scores") or {}).items()},
        own_unit=content.get("own_unit"),
    )


def content_of(ballot: ScoreBallot) -> dict:
    """A score ballot as it is stored and published: the inverse of `ballot_from`."""
    return {
        "scores": {unit: list(parts) for unit, parts in sorted(ballot.scores.items())},
        "own_unit": ballot.own_unit,
    }


def _fraction(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def stored_result(result: ScoreTally, rules: ScoreRules) -> dict:
    """The tally as a score poll keeps it (frozen at closing) and a record carries it: plain
    JSON, averages as exact fractions "n/d" beside how they are shown."""
    return {
        "kind": "score",
        "returned": result.returned,
        "valid": result.valid,
        "invalid": result.invalid,
        "groups": list(rules.groups),
        "partial": rules.partial.value,
        "decimals": rules.decimals,
        "trimmed_shown": result.trimmed_shown,
        "standings": [
            {
                "unit": s.unit,
                "total": s.total,
                "count": s.count,
                "average": _fraction(s.average),
                "shown": shown(s.average, rules.decimals),
                "trimmed": _fraction(s.trimmed),
                "trimmed_shown": shown(s.trimmed, rules.decimals) if s.trimmed else None,
                "rank": s.rank,
                "tied": s.tied,
            }
            for s in result.standings
        ],
        "problems": [{"code": p.code, "params": dict(p.params)} for p in result.problems],
    }


def reconcile(
    first: Sequence[ScoreBallot], second: Sequence[ScoreBallot]
) -> list[tuple[int, ScoreBallot | None, ScoreBallot | None]]:
    """Two independent entries of the same pile of paper score ballots: every position where
    they differ (1-based), with what each entry says. Empty when they agree."""
    mismatches = []
    for position in range(max(len(first), len(second))):
        a = first[position] if position < len(first) else None
        b = second[position] if position < len(second) else None
        if (content_of(a) if a else None) != (content_of(b) if b else None):
            mismatches.append((position + 1, a, b))
    return mismatches


@dataclass(frozen=True)
class PaperSheet:
    """The board's count of a pile of paper score ballots, entered as totals (spec §5): how
    many were returned, how many invalid and valid, and per candidate and criteria group the
    total of the scores and the number of ballots that scored it."""

    returned: int
    invalid: int
    valid: int
    total: Mapping[str, tuple[int, ...]]
    count: Mapping[str, tuple[int, ...]]

    def totals(self) -> ScoreTotals:
        """The sheet as the tally adds it: per candidate the sum over its groups, and the
        number of ballots that scored it (the same in every group, `sheet_problems`)."""
        return ScoreTotals(
            ballots=self.returned,
            invalid=self.invalid,
            total={unit: sum(parts) for unit, parts in self.total.items()},
            count={unit: max(parts, default=0) for unit, parts in self.count.items()},
        )

    def as_json(self) -> dict:
        return {
            "returned": self.returned,
            "invalid": self.invalid,
            "valid": self.valid,
            "total": {unit: list(parts) for unit, parts in sorted(self.total.items())},
            "count": {unit: list(parts) for unit, parts in sorted(self.count.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping) -> PaperSheet:
        return cls(
            returned=data.get("returned", 0),
            invalid=data.get("invalid", 0),
            valid=data.get("valid", 0),
            total={unit: tuple(parts) for unit, parts in (data.get("total") or {}).items()},
            count={unit: tuple(parts) for unit, parts in (data.get("count") or {}).items()},
        )


_SHEET_CELLS = {
    "returned": "Số phiếu thu về",
    "invalid": "Số phiếu không hợp lệ",
    "valid": "Số phiếu hợp lệ",
}

_SHEET_MESSAGES = {
    "not_number": gettext_noop("%(cell)s phải là số nguyên không âm."),
    "not_number_cell": gettext_noop(
        "%(unit)s, nhóm %(group)s: tổng điểm và số phiếu chấm phải là số nguyên không âm."
    ),
    "unknown": gettext_noop("“%(unit)s” không có trong danh sách đơn vị được chấm."),
    "groups": gettext_noop("%(unit)s: cần %(expected)s nhóm tiêu chí, tờ tổng hợp ghi %(given)s."),
    "valid": gettext_noop(
        "Số phiếu hợp lệ (%(valid)s) phải bằng số phiếu thu về (%(returned)s) trừ số phiếu "
        "không hợp lệ (%(invalid)s)."
    ),
    "count_above_valid": gettext_noop(
        "%(unit)s, nhóm %(group)s: %(count)s phiếu chấm, nhiều hơn số phiếu hợp lệ (%(valid)s)."
    ),
    "total_above_maximum": gettext_noop(
        "%(unit)s, nhóm %(group)s: tổng %(total)s điểm, quá %(count)s phiếu × %(maximum)s điểm "
        "tối đa = %(most)s."
    ),
    "counts_differ": gettext_noop(
        "%(unit)s: số phiếu chấm khác nhau giữa các nhóm tiêu chí (%(counts)s); một phiếu chấm "
        "một đơn vị thì chấm đủ mọi nhóm."
    ),
}


def sheet_problems(sheet: PaperSheet, rules: ScoreRules) -> list[Problem]:
    """Why a paper totals sheet cannot be: figures that are not non-negative integers, valid
    ≠ returned − invalid, a unit scored by more ballots than are valid, a total above what its
    ballots can give (count × the group's maximum), counts that differ between groups."""

    def problem(code: str, field_: str, **params) -> Problem:
        return Problem(code, _SHEET_MESSAGES[code], params, field_)

    def whole(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    cells = {"returned": sheet.returned, "invalid": sheet.invalid, "valid": sheet.valid}
    problems = [
        problem("not_number", name, cell=_SHEET_CELLS[name])
        for name, value in cells.items()
        if not whole(value)
    ]
    if problems:
        return problems
    if sheet.valid != sheet.returned - sheet.invalid:
        problems.append(problem("valid", "valid", **cells))
    for unit in sorted(set(sheet.total) | set(sheet.count)):
        if unit not in rules.candidates:
            problems.append(problem("unknown", unit, unit=unit))
            continue
        totals, counts = sheet.total.get(unit, ()), sheet.count.get(unit, ())
        for parts in (totals, counts):
            if len(parts) != len(rules.groups):
                problems.append(
                    problem("groups", unit, unit=unit, expected=len(rules.groups), given=len(parts))
                )
                break
        else:
            for group, (total, count, maximum) in enumerate(
                zip(totals, counts, rules.groups, strict=True), start=1
            ):
                where = f"{unit}:{group}"
                if not whole(total) or not whole(count):
                    problems.append(problem("not_number_cell", where, unit=unit, group=group))
                elif count > sheet.valid:
                    problems.append(
                        problem(
                            "count_above_valid",
                            where,
                            unit=unit,
                            group=group,
                            count=count,
                            valid=sheet.valid,
                        )
                    )
                elif total > count * maximum:
                    problems.append(
                        problem(
                            "total_above_maximum",
                            where,
                            unit=unit,
                            group=group,
                            total=total,
                            count=count,
                            maximum=maximum,
                            most=count * maximum,
                        )
                    )
            if all(whole(c) for c in counts) and len(set(counts)) > 1:
                problems.append(
                    problem(
                        "counts_differ", unit, unit=unit, counts=", ".join(str(c) for c in counts)
                    )
                )
    return problems


def sheet_mismatches(first: PaperSheet, second: PaperSheet) -> list[str]:
    """Two board members' entries of the same totals sheet: every cell where they differ
    ("returned", "invalid", "valid", or "unit:group:total" / "unit:group:count"), in order.
    Empty when they agree."""
    cells = [
        name
        for name in ("returned", "invalid", "valid")
        if getattr(first, name) != getattr(second, name)
    ]
    for unit in sorted(set(first.total) | set(second.total) | set(first.count) | set(second.count)):
        for name in ("total", "count"):
            a, b = getattr(first, name).get(unit, ()), getattr(second, name).get(unit, ())
            for group in range(max(len(a), len(b))):
                if (a[group] if group < len(a) else None) != (b[group] if group < len(b) else None):
                    cells.append(f"{unit}:{group + 1}:{name}")
    return cells
