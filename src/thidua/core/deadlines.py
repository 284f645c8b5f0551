"""Deadlines of a cluster year's phases: the rule set's defaults, days left, overdue.

A rule set may carry default deadlines as `data["deadlines"]`: for each phase, a number of
days after 1 January of the cycle's year (the conference of a year is usually held in January
of the next, so an offset may pass 365). The leader unit may set another date for any phase
not yet done. A phase's deadline is met when the phase closed on or before it; a phase still
open (or not yet started) after its deadline is overdue.

The mid-year review (sơ kết 6 tháng) uses the same machinery: a milestone, not a phase, whose
deadline is for each member unit's first-half (H1) report. Those reports are written during
the year, while the year's reporting phase has not closed; a unit meets the deadline by
submitting its H1 report on or before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from thidua.core.messages import Label, Problem, format_day, gettext_noop
from thidua.core.phases import PHASE_LABELS, PHASES, Phase, Position

#: The key of the defaults in a rule set's data.
KEY = "deadlines"
#: The latest default: 729 days after 1 January of the cycle's year is still in the next year.
MAX_OFFSET = 729
#: The latest default of the mid-year review: 364 days after 1 January is still in the year.
MIDYEAR_MAX_OFFSET = 364
#: A deadline must lie in the cycle's year or the next one.
YEARS_AFTER = 1


class Milestone(StrEnum):
    """A deadline of the year that is not a phase's."""

    MIDYEAR = "midyear"  # sơ kết 6 tháng: each member unit's H1 report


#: A phase or a milestone: what a deadline is of.
Step = Phase | Milestone

STEP_LABELS: dict[Step, Label] = {
    **PHASE_LABELS,
    Milestone.MIDYEAR: Label(gettext_noop("Sơ kết 6 tháng (số liệu 6 tháng đầu năm)")),
}

#: The states of a unit's H1 report (for the policy): written and reviewed while open.
MIDYEAR_OPEN = "midyear_open"
MIDYEAR_CLOSED = "midyear_closed"
#: The mid-year task shows on the home page this many days before its deadline (the figures
#: of the first half exist only near its end; a January page need not ask for them).
MIDYEAR_SHOWN_DAYS = 30


def step_of(code: str) -> Step | None:
    """The phase or milestone with this code, None if there is none."""
    for kind in (Phase, Milestone):
        try:
            return kind(code)
        except ValueError:
            continue
    return None


def midyear_state(position: Position) -> str:
    """The mid-year review is open from the start of the year until the year's reporting phase
    closes: after that the year's figures supersede the first half's."""
    working = position.working_phase
    if working is not None and PHASES.index(working) <= PHASES.index(Phase.REPORTING):
        return MIDYEAR_OPEN
    return MIDYEAR_CLOSED


def midyear_shown(due: date, today: date) -> bool:
    """Whether the home page asks a unit for its H1 report on `today`."""
    return today >= due - timedelta(days=MIDYEAR_SHOWN_DAYS)


class Standing(StrEnum):
    MET = "met"  # done on or before the deadline
    LATE = "late"  # done, after the deadline
    DUE = "due"  # not done, deadline today or later
    OVERDUE = "overdue"  # not done, deadline passed


@dataclass(frozen=True)
class Deadline:
    """A phase's deadline as it stands on `today`."""

    phase: Step
    due: date
    standing: Standing
    days_left: int  # negative when overdue; 0 on the day itself

    @property
    def overdue(self) -> bool:
        return self.standing == Standing.OVERDUE


def check_offsets(raw: object) -> list[Problem]:
    """A rule set's default deadlines: known phases (and the mid-year milestone), whole days in
    [0, MAX_OFFSET], the phases in their order (a later phase is not due before an earlier
    one), the mid-year review within the cycle's year."""
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
    known = {phase.value for phase in PHASES} | {Milestone.MIDYEAR.value}
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
                    {"phase": STEP_LABELS[step_of(key)], "most": MAX_OFFSET},
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
    if raw.get(Milestone.MIDYEAR.value, 0) > MIDYEAR_MAX_OFFSET:
        problems.append(
            Problem(
                "deadline_midyear_offset",
                gettext_noop(
                    "Thời hạn mặc định của sơ kết 6 tháng phải trong năm thi đua "
                    "(từ 0 đến %(most)s ngày kể từ ngày 01/01)."
                ),
                {"most": MIDYEAR_MAX_OFFSET},
                "data",
            )
        )
    return problems


def default_deadline(year: int, phase: Step, offsets: Mapping[str, int] | None) -> date | None:
    """The rule set's default deadline of `phase` in the cycle year `year`, if it has one."""
    if not offsets or phase.value not in offsets:
        return None
    return date(year, 1, 1) + timedelta(days=offsets[phase.value])


def check_deadline(year: int, phase: Step, due: date) -> list[Problem]:
    """A deadline lies in the cycle's year or the next (the conference is often in January);
    the mid-year review's in the cycle's year."""
    after = 0 if phase == Milestone.MIDYEAR else YEARS_AFTER
    first, last = date(year, 1, 1), date(year + after, 12, 31)
    if not first <= due <= last:
        return [
            Problem(
                "deadline_out_of_range",
                gettext_noop(
                    "Thời hạn của giai đoạn “%(phase)s” phải trong khoảng %(first)s–%(last)s."
                ),
                {
                    "phase": STEP_LABELS[phase],
                    "first": format_day(first),
                    "last": format_day(last),
                },
                "due",
            )
        ]
    return []


def days_left(due: date, today: date) -> int:
    return (due - today).days


def stand(phase: Step, due: date, today: date, done_on: date | None = None) -> Deadline:
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
