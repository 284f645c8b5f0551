"""Plausibility: a figure that jumps far from the lineage baseline asks for an explanation.

A jump is *warned about*, never refused: +500 % may be real (2 → 12 cases), so a change is
implausible only when it passes both thresholds of its indicator, as the indicator catalog
sets them (data, never constants here):

- ``relative``: the change in per cent of last year's value, |now − before| / before × 100
  (for a rate too: the change of the rate, relative to last year's rate); a change from 0 is
  infinitely large relative to it;
- ``absolute``: |now − before| in the indicator's own measure (cases, kg; for a rate,
  percentage points).

A threshold left out (None) does not restrict; an indicator with neither is never checked.
Figures are compared as the statistics show them: counts and amounts as entered, rates
computed from their counts (`indicators.values`), exactly (no rounding).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from thidua.core.indicators import HUNDRED, Catalog, Change, Figures, Indicator, Kind, values
from thidua.core.messages import Phrase, Problem, gettext_noop
from thidua.core.numbers import format_number


@dataclass(frozen=True)
class Threshold:
    """When a change is implausible: both set limits reached (>=)."""

    relative: Decimal | None = None  # per cent of last year's value
    absolute: Decimal | None = None  # in the indicator's measure (points for a rate)

    @property
    def active(self) -> bool:
        return self.relative is not None or self.absolute is not None


Thresholds = Mapping[str, Threshold]


def threshold_problems(threshold: Threshold, *, field: str | None = None) -> list[Problem]:
    """What is wrong with a threshold as typed in the catalog (empty when it is usable)."""
    problems = []
    if threshold.relative is not None and threshold.relative <= 0:
        problems.append(
            Problem(
                "plausible_relative_not_positive",
                gettext_noop("Ngưỡng biến động tương đối phải lớn hơn 0%% (đang là %(value)s)."),
                {"value": format_number(threshold.relative, 1)},
                field,
            )
        )
    if threshold.absolute is not None and threshold.absolute < 0:
        problems.append(
            Problem(
                "plausible_absolute_negative",
                gettext_noop("Ngưỡng biến động tuyệt đối không thể âm (đang là %(value)s)."),
                {"value": format_number(threshold.absolute, 1)},
                field,
            )
        )
    return problems


def relative_change(now: Decimal, before: Decimal) -> Decimal | None:
    """|now − before| / before × 100, exact; None (infinitely large) when before = 0 ≠ now."""
    if before == 0:
        return Decimal(0) if now == 0 else None
    return abs(now - before) * HUNDRED / abs(before)


def is_implausible(now: Decimal, before: Decimal, threshold: Threshold) -> bool:
    """Both set limits of `threshold` reached by the change from `before` to `now`."""
    if not threshold.active or now == before:
        return False
    if threshold.absolute is not None and abs(now - before) < threshold.absolute:
        return False
    if threshold.relative is not None:
        relative = relative_change(now, before)
        if relative is not None and relative < threshold.relative:
            return False
    return True


@dataclass(frozen=True)
class Jump:
    """An implausible change of one indicator against the lineage baseline."""

    indicator: Indicator
    change: Change
    threshold: Threshold

    @property
    def code(self) -> str:
        return self.indicator.code

    def phrase(self) -> Phrase:
        """*Số vụ … tăng 181,0% so với cùng kỳ (từ 100 lên 281): cần ghi giải trình.*"""
        decimals = 1 if self.indicator.kind == Kind.RATE else self.indicator.decimals
        suffix = "%" if self.indicator.kind == Kind.RATE else ""
        return Phrase(
            gettext_noop(
                "%(name)s %(change)s so với cùng kỳ (từ %(before)s lên %(now)s), vượt ngưỡng "
                "biến động của chỉ tiêu: cần ghi giải trình."
            )
            if self.change.delta > 0
            else gettext_noop(
                "%(name)s %(change)s so với cùng kỳ (từ %(before)s xuống %(now)s), vượt ngưỡng "
                "biến động của chỉ tiêu: cần ghi giải trình."
            ),
            {
                "name": self.indicator.name,
                "change": self.change.phrase(),
                "before": format_number(self.change.before, decimals) + suffix,
                "now": format_number(self.change.now, decimals) + suffix,
            },
        )


def jumps(
    figures: Figures, before: Figures, catalog: Catalog, thresholds: Thresholds
) -> list[Jump]:
    """The implausible changes of a unit's figures against its baseline (`before`, after
    lineage), in the catalog's order; indicators missing either year are not compared."""
    return jumps_of_values(values(figures, catalog), values(before, catalog), catalog, thresholds)


def jumps_of_values(
    now_values: Mapping[str, Decimal | None],
    before_values: Mapping[str, Decimal | None],
    catalog: Catalog,
    thresholds: Thresholds,
) -> list[Jump]:
    """`jumps` from the values already computed (`indicators.values` of both years), so that a
    table computing them for its cells does not compute them twice."""
    found = []
    for code, indicator in catalog.items():
        threshold = thresholds.get(code)
        if threshold is None:
            continue
        now, then = now_values.get(code), before_values.get(code)
        if now is None or then is None or now == then:
            continue
        # `is_implausible`, written out: a national table asks it 9.600 times (the property
        # test in tests/core/test_plausibility.py holds the two to the same answers)
        relative, absolute = threshold.relative, threshold.absolute
        if relative is None and absolute is None:
            continue
        distance = abs(now - then)
        if absolute is not None and distance < absolute:
            continue
        if relative is not None and then != 0 and distance * HUNDRED / abs(then) < relative:
            continue  # (from 0, the change is infinitely large: it does not restrict)
        found.append(Jump(indicator, Change(now, then, indicator.kind), threshold))
    return found


def missing_notes(found: list[Jump], notes: Mapping[str, str]) -> list[Problem]:
    """A problem for each jump without an explanation, naming its indicator, on the field
    ``note_<code>``."""
    return [
        Problem(
            "plausibility_note_required",
            gettext_noop(
                "%(name)s biến động bất thường so với cùng kỳ (%(change)s): phải ghi giải trình "
                "trước khi nộp."
            ),
            {"name": jump.indicator.name, "change": jump.change.phrase()},
            f"note_{jump.code}",
        )
        for jump in found
        if not (notes.get(jump.code) or "").strip()
    ]
