"""Indicators: rates from their counts, change against last year, cluster totals, checks.

Rates are never typed-in truths: a rate is computed from its numerator and denominator, and a
rate a unit reports is kept as *reported* and compared with the computed one. Cluster totals
sum counts; a cluster rate is Σnumerators / Σdenominators, never a mean of unit rates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import repeat
from operator import itemgetter, mod

from thidua.core.messages import Label, Phrase, Problem, gettext_noop
from thidua.core.numbers import (
    InvalidNumber,
    format_exact,
    format_number,
    format_percent,
    parse_number,
    round_half_up,
    to_decimal,
)

HUNDRED = Decimal(100)
ZERO = Decimal(0)
ONE = Decimal(1)
#: A reported rate further than this from the rate of its counts is flagged (points).
RATE_TOLERANCE = Decimal("0.05")


class Kind(StrEnum):
    COUNT = "count"  # whole numbers: cases, offenders, people
    AMOUNT = "amount"  # quantities with decimals: kg, million đồng
    RATE = "rate"  # numerator / denominator × 100


class Direction(StrEnum):
    LOWER = "lower"  # lower is better (crimes, accidents)
    HIGHER = "higher"  # higher is better (clearance)
    NEUTRAL = "neutral"  # neither (drug cases detected: more may mean more enforcement)


class Period(StrEnum):
    YEAR = "Y"
    H1 = "H1"
    H2 = "H2"
    Q1 = "Q1"
    Q2 = "Q2"
    Q3 = "Q3"
    Q4 = "Q4"

    def end(self, year: int) -> date:
        """The period's last day: figures belong to the units that exist on it."""
        month = {"Y": 12, "H1": 6, "H2": 12, "Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12}[self.value]
        return date(year, month, 30 if month in (6, 9) else 31)


PERIOD_LABELS: dict[Period, Label] = {
    Period.YEAR: Label(gettext_noop("Cả năm")),
    Period.H1: Label(gettext_noop("6 tháng đầu năm")),
    Period.H2: Label(gettext_noop("6 tháng cuối năm")),
    Period.Q1: Label(gettext_noop("Quý I")),
    Period.Q2: Label(gettext_noop("Quý II")),
    Period.Q3: Label(gettext_noop("Quý III")),
    Period.Q4: Label(gettext_noop("Quý IV")),
}


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    kind: Kind
    direction: Direction = Direction.NEUTRAL
    decimals: int = 0
    numerator: str | None = None
    denominator: str | None = None

    @property
    def shown_decimals(self) -> int:
        return shown_decimals(self.kind, self.decimals)


def shown_decimals(kind: str, decimals: int) -> int:
    """How many decimals a figure shows: a rate always one ("81,0%", never "81"), a count
    or an amount its indicator's own."""
    return 1 if kind == Kind.RATE else decimals


def shown(value: Decimal | None, kind: str, decimals: int) -> str:
    """A figure as tables and documents show it: 2.156, 12,5 or 98,6%; — when missing."""
    if value is None:
        return "—"
    text = format_number(value, shown_decimals(kind, decimals))
    return f"{text}%" if kind == Kind.RATE else text


Catalog = Mapping[str, Indicator]
Figures = Mapping[str, Decimal]


def rate(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """numerator / denominator × 100, unrounded; None when either is missing or the base is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator * HUNDRED / denominator


def value_of(indicator: Indicator, figures: Figures) -> Decimal | None:
    """The indicator's value: as entered for counts and amounts, computed for rates."""
    if indicator.kind == Kind.RATE:
        return rate(
            figures.get(indicator.numerator or ""), figures.get(indicator.denominator or "")
        )
    return figures.get(indicator.code)


def values(figures: Figures, catalog: Catalog) -> dict[str, Decimal | None]:
    """`value_of` every indicator, in the catalog's order (a national table asks it of 880
    rows of 60: the counts and amounts are looked up at once, only the rates computed)."""
    found = {code: figures.get(code) for code in catalog}
    for code, indicator in catalog.items():
        if indicator.kind == Kind.RATE:
            found[code] = value_of(indicator, figures)
    return found


def total(
    reports: Iterable[Figures], catalog: Catalog, *, require_all: bool = False
) -> dict[str, Decimal]:
    """Totals of counts and amounts; rates are not summed but recomputed from the summed
    counts (`values`). With `require_all`, an indicator is totalled only when every report
    has it (a baseline made of predecessors must not silently miss one of them)."""
    reports = list(reports)
    summed = [code for code, indicator in catalog.items() if indicator.kind != Kind.RATE]
    if len(reports) == 1:  # most baselines: one unit's own figures (a national table, 400)
        (figures,) = reports
        return {code: ZERO + figures[code] for code in summed if code in figures}
    return _sums(reports, summed, _in_all(reports), require_all=require_all)


def _sums(
    reports: list[Figures], summed: list[str], everywhere: set[str], *, require_all: bool = False
) -> dict[str, Decimal]:
    """`total` of the codes `summed` (counts and amounts), `everywhere` those all reports
    have (`_in_all`)."""
    sums: dict[str, Decimal] = {}
    for code in summed:
        if code in everywhere:  # the usual case, summed without testing each report
            sums[code] = sum(map(itemgetter(code), reports), ZERO)
            continue
        present = [figures[code] for figures in reports if code in figures]
        if present and (not require_all or len(present) == len(reports)):
            sums[code] = sum(present, ZERO)
    return sums


def _in_all(figures: list[Mapping[str, Decimal]]) -> set[str]:
    """The codes every one of `figures` has."""
    return set(figures[0]).intersection(*figures[1:]) if figures else set()


#: Report statuses whose figures count: in cluster totals, charts, "reported" lists, scoring.
#: A draft or a report returned for correction is the unit's work in progress.
COUNTED_STATUSES = frozenset({"submitted"})

#: A report the leader unit's secretary submitted on a member's behalf ("nhập thay"): its
#: figures wait for the unit to confirm them, or for the leader to record why it could not.
AWAITING = "awaiting"


def submitted_status(*, on_behalf: bool) -> str:
    """The status a submission takes: a unit's own counts at once; one entered on its behalf
    waits for the unit's confirmation (or the leader's reason why it could not) to count."""
    return AWAITING if on_behalf else "submitted"


def counts(status: str) -> bool:
    """Whether a report's figures count (cluster totals, charts, scoring)."""
    return status in COUNTED_STATUSES


def check_on_behalf(reason: str) -> list[Problem]:
    """Entering a member's figures on its behalf needs the reason the unit cannot."""
    if reason.strip():
        return []
    return [
        Problem(
            "on_behalf_reason_required",
            gettext_noop("Phải ghi lý do nhập thay cho đơn vị."),
            field="on_behalf_reason",
        )
    ]


#: The longest highlights text kept: a few lines, not a second report.
HIGHLIGHTS_MAX = 3000


def tidy_highlights(text: str) -> str:
    """The unit's highlights as it wrote them, line by line, without the blank lines and
    the spaces around them that a textarea adds (CRLF from a browser)."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def check_highlights(text: str, period: Period) -> list[Problem]:
    """The movement's highlights belong to the year report (the year-end report quotes them)
    and are a few lines long."""
    if not text.strip():
        return []
    if period != Period.YEAR:
        return [
            Problem(
                "highlights_not_year",
                gettext_noop("Những điểm nổi bật chỉ ghi trong báo cáo năm."),
                field="highlights",
            )
        ]
    if len(tidy_highlights(text)) > HIGHLIGHTS_MAX:
        return [
            Problem(
                "highlights_too_long",
                gettext_noop("Những điểm nổi bật dài quá %(max)s ký tự; chỉ ghi vài dòng."),
                {"max": format_number(HIGHLIGHTS_MAX)},
                field="highlights",
            )
        ]
    return []


def check_settle(status: str, *, excuse: str | None = None) -> list[Problem]:
    """Settling an on-behalf submission: the unit confirms it (`excuse` None), or the leader
    records why the unit could not (`excuse`, required). Only an awaiting report is settled."""
    problems = []
    if status != AWAITING:
        problems.append(
            Problem(
                "report_not_awaiting",
                gettext_noop("Báo cáo không chờ đơn vị xác nhận số liệu nhập thay."),
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
    return problems


@dataclass(frozen=True)
class ClusterTotal:
    """The cluster's totals from the reports that count, and the same units a year earlier."""

    now: dict[str, Decimal]
    before: dict[str, Decimal]
    counted: tuple[str, ...]  # the members whose reports count, in the members' order
    members: int

    @property
    def partial(self) -> bool:
        """Some members have not reported: the total is theirs, not the whole cluster's."""
        return len(self.counted) < self.members


def cluster_total(
    now: Mapping[str, Figures],
    before: Mapping[str, Figures],
    members: Iterable[str],
    catalog: Catalog,
) -> ClusterTotal:
    """Totals of the members that reported (`now`: unit → figures of the reports that count),
    and a year earlier over the same units only (`before`: unit → its baseline after lineage).

    Comparing a few units with last year's whole cluster would show a fall that is only the
    missing reports: so each indicator is compared over the units whose figures make up its
    total now, and only when every one of them has a baseline for it. When every member has
    reported, this is the whole cluster against the whole cluster."""
    members = list(members)
    counted = tuple(unit for unit in members if unit in now)
    reports = [now[unit] for unit in counted]
    everywhere = _in_all(reports)
    if len(reports) == 1:
        totals_now = total(reports, catalog)
    else:  # as `total`, with the codes every report has found once for both years
        summed = [code for code, indicator in catalog.items() if indicator.kind != Kind.RATE]
        totals_now = _sums(reports, summed, everywhere)
    totals_before: dict[str, Decimal] = {}
    pairs = [(now[unit], before.get(unit, {})) for unit in counted]
    befores = [then for _figures, then in pairs]
    before_everywhere = _in_all(befores)
    for code in totals_now:
        if code in everywhere:  # every unit has it now: all of them need it a year earlier
            if code in before_everywhere:
                totals_before[code] = sum(map(itemgetter(code), befores), ZERO)
            continue
        wanted = [earlier for figures, earlier in pairs if code in figures]
        then = [earlier[code] for earlier in wanted if code in earlier]
        if len(then) == len(wanted):
            totals_before[code] = sum(then, ZERO)
    return ClusterTotal(totals_now, totals_before, counted, len(members))


def baseline(
    previous: Mapping[str, Figures], units: Iterable[str], partial: bool, catalog: Catalog
) -> tuple[dict[str, Decimal], frozenset[str]]:
    """A unit's figures a year earlier: the sum over the units it stood for then (`units`),
    and those of them without a report. Nothing when one is missing or a split lies between
    (the predecessors covered more territory); a single predecessor's reported rates carry
    over, several cannot be combined."""
    units = sorted(units)
    present = [previous[unit] for unit in units if unit in previous]
    missing = frozenset(unit for unit in units if unit not in previous)
    if missing or partial:
        return {}, missing
    figures = total(present, catalog, require_all=True)
    if figures and len(present) == 1:
        # a figure of an indicator since retired is not in the catalog: it carries nothing
        figures.update(
            {
                code: value
                for code, value in present[0].items()
                if code in catalog and catalog[code].kind == Kind.RATE
            }
        )
    return figures, missing


# --- change against a baseline ------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    now: Decimal
    before: Decimal
    kind: Kind

    @property
    def delta(self) -> Decimal:
        return self.now - self.before

    @property
    def percent(self) -> Decimal | None:
        """Δ% = (now − before) / before × 100, half-up to one decimal; None when before = 0.

        For a rate the change is in percentage points instead (see `points`).
        """
        if self.kind == Kind.RATE or self.before == 0:
            return None
        return round_half_up(self.delta * HUNDRED / self.before, 1)

    @property
    def points(self) -> Decimal | None:
        return round_half_up(self.delta, 1) if self.kind == Kind.RATE else None

    def phrase(self) -> Phrase:
        """*giảm 19,6%*, *tăng 5,3%*, *bằng*; for rates *tăng 1,2 điểm %*."""
        if self.kind == Kind.RATE:
            points = self.points or Decimal(0)
            if points == 0:
                return Phrase(gettext_noop("bằng"))
            message = (
                gettext_noop("tăng %(value)s điểm %%")
                if points > 0
                else gettext_noop("giảm %(value)s điểm %%")
            )
            return Phrase(message, {"value": format_number(abs(points), 1)})
        if self.delta == 0:
            return Phrase(gettext_noop("bằng"))
        if self.percent is None:
            return Phrase(
                gettext_noop("tăng %(value)s (cùng kỳ bằng 0)"),
                {"value": format_number(self.delta, 0)},
            )
        message = (
            gettext_noop("tăng %(value)s") if self.delta > 0 else gettext_noop("giảm %(value)s")
        )
        return Phrase(message, {"value": format_percent(abs(self.percent), 1)})

    def is_better(self, direction: Direction) -> bool | None:
        if direction == Direction.NEUTRAL or self.delta == 0:
            return None
        return (self.delta < 0) == (direction == Direction.LOWER)


def change(now: Decimal | None, before: Decimal | None, kind: Kind) -> Change | None:
    if now is None or before is None:
        return None
    return Change(now, before, kind)


# --- checks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateMismatch:
    """A reported rate that does not follow from its counts."""

    indicator: Indicator
    reported: Decimal
    computed: Decimal
    numerator: Decimal
    denominator: Decimal

    @property
    def gap(self) -> Decimal:
        return self.reported - self.computed

    @property
    def implied_denominator(self) -> Decimal | None:
        """The base that would give the reported rate from the same numerator."""
        if self.reported == 0:
            return None
        return self.numerator * HUNDRED / self.reported

    def phrase(self) -> Phrase:
        params = {
            "name": self.indicator.name,
            "reported": format_percent(self.reported, 1),
            "numerator": format_number(self.numerator),
            "denominator": format_number(self.denominator),
            "computed": format_percent(self.computed, 1),
            "gap": format_number(abs(self.gap), 1),
        }
        implied = self.implied_denominator
        if implied is None:
            return Phrase(
                gettext_noop(
                    "%(name)s báo cáo %(reported)s nhưng tính từ số liệu là %(numerator)s/"
                    "%(denominator)s = %(computed)s (lệch %(gap)s điểm %%)."
                ),
                params,
            )
        return Phrase(
            gettext_noop(
                "%(name)s báo cáo %(reported)s nhưng tính từ số liệu là %(numerator)s/"
                "%(denominator)s = %(computed)s (lệch %(gap)s điểm %%); tỷ lệ báo cáo ứng với "
                "mẫu số khoảng %(implied)s, tức là phạm vi số liệu khác."
            ),
            {**params, "implied": format_number(implied)},
        )


def check_rates(figures: Figures, catalog: Catalog) -> list[RateMismatch]:
    """Reported rates (a rate indicator's entry in `figures`) further than 0,05 points from
    the rate of their counts."""
    found = []
    for code, indicator in catalog.items():
        if indicator.kind != Kind.RATE or code not in figures:
            continue
        numerator = figures.get(indicator.numerator or "")
        denominator = figures.get(indicator.denominator or "")
        computed = rate(numerator, denominator)
        if computed is None or numerator is None or denominator is None:
            continue
        if abs(figures[code] - computed) > RATE_TOLERANCE:
            found.append(RateMismatch(indicator, figures[code], computed, numerator, denominator))
    return found


def validate(figures: Figures, catalog: Catalog) -> list[Problem]:
    """Hard errors in a unit's figures: refused, never stored."""
    kinds = _kinds(catalog)
    if _plainly_valid(figures, kinds):  # most figures: checked at once (22.800 in a table)
        problems: list[Problem] = []
    else:
        problems = _figure_problems(figures, catalog)
    for indicator in kinds.rates:
        numerator = figures.get(indicator.numerator or "")
        denominator = figures.get(indicator.denominator or "")
        if numerator is None or denominator is None or min(numerator, denominator) < 0:
            continue  # a negative figure is refused on its own: no second error from it
        if numerator > denominator:
            problems.append(
                Problem(
                    "numerator_above_denominator",
                    gettext_noop("%(part)s (%(numerator)s) lớn hơn %(whole)s (%(denominator)s)."),
                    {
                        "part": catalog[indicator.numerator].name,
                        "numerator": format_number(numerator),
                        "whole": catalog[indicator.denominator].name,
                        "denominator": format_number(denominator),
                    },
                    indicator.numerator,
                )
            )
    return problems


@dataclass(frozen=True)
class _Kinds:
    """A catalog's codes by kind, for the checks a table runs on each of its rows."""

    catalog: Catalog
    size: int  # the catalog's, when read (a catalog is not changed in place, but in case)
    counts: frozenset[str]
    rate_codes: tuple[str, ...]
    rates: tuple[Indicator, ...]


_last_kinds: list[_Kinds] = []  # the last catalog's (a table asks it once per row)


def _kinds(catalog: Catalog) -> _Kinds:
    if _last_kinds and _last_kinds[0].catalog is catalog and _last_kinds[0].size == len(catalog):
        return _last_kinds[0]
    kinds = _Kinds(
        catalog,
        len(catalog),
        frozenset(code for code, indicator in catalog.items() if indicator.kind == Kind.COUNT),
        tuple(code for code, indicator in catalog.items() if indicator.kind == Kind.RATE),
        tuple(indicator for indicator in catalog.values() if indicator.kind == Kind.RATE),
    )
    _last_kinds[:] = [kinds]
    return kinds


def _plainly_valid(figures: Figures, kinds: _Kinds) -> bool:
    """No figure `_figure_problems` would refuse: every code known, none negative, counts
    whole, rates at most 100 (each test over all the figures at once)."""
    if not figures:
        return True
    if not figures.keys() <= kinds.catalog.keys() or min(figures.values()) < ZERO:
        return False
    # none negative: a count is whole when nothing remains of it modulo 1
    if any(map(mod, map(figures.__getitem__, kinds.counts & figures.keys()), repeat(ONE))):
        return False
    return not any(figures[code] > HUNDRED for code in kinds.rate_codes if code in figures)


def _figure_problems(figures: Figures, catalog: Catalog) -> list[Problem]:
    """Each figure's own problems: unknown, negative, a fraction of a count, a rate above 100."""
    problems: list[Problem] = []
    count, rate_kind = Kind.COUNT, Kind.RATE
    for code, value in figures.items():
        indicator = catalog.get(code)
        if indicator is None:
            problems.append(
                Problem(
                    "unknown_indicator",
                    gettext_noop("Không có chỉ tiêu mã %(code)s."),
                    {"code": code},
                    code,
                )
            )
            continue
        if value < ZERO:
            problems.append(
                Problem(
                    "negative",
                    gettext_noop("%(name)s không thể âm (%(value)s)."),
                    _shown_exactly(indicator, value),
                    code,
                )
            )
        elif indicator.kind == count and value != value.to_integral_value():
            problems.append(
                Problem(
                    "not_whole",
                    gettext_noop("%(name)s phải là số nguyên (%(value)s)."),
                    _shown_exactly(indicator, value),
                    code,
                )
            )
        elif indicator.kind == rate_kind and value > HUNDRED:
            problems.append(
                Problem(
                    "rate_above_100",
                    gettext_noop("%(name)s không thể vượt 100%% (%(value)s)."),
                    _shown_exactly(indicator, value),
                    code,
                )
            )
    return problems


def _shown_exactly(indicator: Indicator, value: Decimal) -> dict[str, str]:
    """A refused figure's parameters, formatted only when refused (a national table validates
    tens of thousands of figures that pass)."""
    return {"name": indicator.name, "value": format_exact(value)}


def parse_figures(
    raw: Mapping[str, object], catalog: Catalog
) -> tuple[dict[str, Decimal], list[Problem]]:
    """Figures typed in a form or sent as JSON (code → text or number), as exact numbers.

    Text is read the Vietnamese way; numbers are taken exactly; empty entries are not
    reported. Every problem is returned at once, each on its indicator's code.
    """
    figures: dict[str, Decimal] = {}
    problems: list[Problem] = []
    for code, value in raw.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        indicator = catalog.get(code)
        if indicator is None:
            problems.append(
                Problem(
                    "unknown_indicator",
                    gettext_noop("Không có chỉ tiêu mã %(code)s."),
                    {"code": code},
                    code,
                )
            )
            continue
        try:
            if isinstance(value, str):
                figures[code] = parse_number(
                    value,
                    whole=indicator.kind == Kind.COUNT,
                    percent=indicator.kind == Kind.RATE,
                )
            else:
                figures[code] = to_decimal(value)
        except InvalidNumber as error:
            problems.append(replace(error.problem, field=code))
    refused = {problem.field for problem in problems}
    return figures, problems + [
        problem for problem in validate(figures, catalog) if problem.field not in refused
    ]
