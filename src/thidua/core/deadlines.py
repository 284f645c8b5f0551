"""Deadlines of a cluster year's phases: the rule set's defaults, days left, overdue.

A rule set may carry default deadlines as `data["deadlines"]`: for each phase, a number of
days after 1 January of the cycle's year (the conference of a year is usually held in January
of the next, so an offset may pass 365). The leader unit may set another date for any phase
not yet done. A phase's deadline is met when the phase closed on or before it; a phase still
open (or not yet started) after its deadline is overdue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from thidua.core.messages import Problem, format_day, gettext_noop
from thidua.core.phases import PHASE_LABELS, PHASES, Phase

#: The key of the defaults in a rule set's data.
KEY = "deadlines"
#: The latest default: 729 days after 1 January of the cycle's year is still in the next year.
MAX_OFFSET = 729
#: A deadline must lie in the cycle's year or the next one.
YEARS_AFTER = 1


class Standing(StrEnum):
    MET = "met"  # done on or before the deadline
    LATE = "late"  # done, after the deadline
    DUE = "due"  # not done, deadline today or later
    OVERDUE = "overdue"  # not done, deadline passed


@dataclass(frozen=True)
class Deadline:
    """A phase's deadline as it stands on `today`."""

    phase: Phase
    due: date
    standing: Standing
    days_left: int  # negative when overdue; 0 on the day itself

    @property
    def overdue(self) -> bool:
        return self.standing == Standing.OVERDUE


def check_offsets(raw: object) -> list[Problem]:
    """A rule set's default deadlines: known phases, whole days in [0, MAX_OFFSET], and in
    the order of the phases (a later phase is not due before an earlier one)."""
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        return [
            Problem(
                "deadlines_not_mapping",
                gettext_noop("Thời hạn mặc định phải là bảng giai đoạn → số ngày."),
                {},
                "data",
            )
        ]
    problems: list[Problem] = []
    known = {phase.value for phase in PHASES}
    for key, value in raw.items():
        if key not in known:
            problems.append(
                Problem(
                    "deadline_unknown_phase",
                    gettext_noop("Không có giai đoạn mã %(code)s."),
                    {"code": key},
                    "data",
                )
            )
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_OFFSET:
            problems.append(
                Problem(
                    "deadline_offset_range",
                    gettext_noop(
                        "Thời hạn mặc định của giai đoạn “%(phase)s” phải là số ngày nguyên "
                        "từ 0 đến %(most)s kể từ ngày 01/01 của năm thi đua."
                    ),
                    {"phase": PHASE_LABELS[Phase(key)], "most": MAX_OFFSET},
                    "data",
                )
            )
    if problems:
        return problems
    ordered = [raw[phase.value] for phase in PHASES if phase.value in raw]
    if ordered != sorted(ordered):
        problems.append(
            Problem(
                "deadlines_out_of_order",
                gettext_noop("Thời hạn mặc định của các giai đoạn phải theo thứ tự giai đoạn."),
                {},
                "data",
            )
        )
    return problems


def default_deadline(year: int, phase: Phase, offsets: Mapping[str, int] | None) -> date | None:
    """The rule set's default deadline of `phase` in the cycle year `year`, if it has one."""
    if not offsets or phase.value not in offsets:
        return None
    return date(year, 1, 1) + timedelta(days=offsets[phase.value])


def check_deadline(year: int, phase: Phase, due: date) -> list[Problem]:
    """A deadline lies in the cycle's year or the next (the conference is often in January)."""
    first, last = date(year, 1, 1), date(year + YEARS_AFTER, 12, 31)
    if not first <= due <= last:
        return [
            Problem(
                "deadline_out_of_range",
                gettext_noop(
                    "Thời hạn của giai đoạn “%(phase)s” phải trong khoảng %(first)s–%(last)s."
                ),
                {
                    "phase": PHASE_LABELS[phase],
                    "first": format_day(first),
                    "last": format_day(last),
                },
                "due",
            )
        ]
    return []


def days_left(due: date, today: date) -> int:
    return (due - today).days


def stand(phase: Phase, due: date, today: date, done_on: date | None = None) -> Deadline:
    """Where `phase`'s deadline stands on `today`: `done_on` is the day it closed, if done."""
    left = days_left(due, today)
    if done_on is not None:
        standing = Standing.MET if done_on <= due else Standing.LATE
    else:
        standing = Standing.OVERDUE if left < 0 else Standing.DUE
    return Deadline(phase, due, standing, left)


def needs_reminder(deadline: Deadline, within_days: int) -> bool:
    """A reminder goes out for a phase not done whose deadline is at most `within_days` away
    or already passed."""
    return deadline.standing in (Standing.DUE, Standing.OVERDUE) and deadline.days_left <= (
        within_days
    )
