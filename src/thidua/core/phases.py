"""The phases of a cluster year and the rules for moving between them.

A cycle goes through its phases in order; the leader unit's secretary opens and closes each
one explicitly. At any time the cycle stands at one phase, which is open or closed: phases
before it are done, phases after it have not started. Re-opening the phase just closed is
allowed, with a reason, as long as the next one has not been opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from thidua.core.messages import Label, Problem, gettext_noop


class Phase(StrEnum):
    PLANNING = "planning"
    AGREEMENT = "agreement"
    REPORTING = "reporting"
    SCORING = "scoring"
    CONFERENCE = "conference"


PHASES: tuple[Phase, ...] = tuple(Phase)

PHASE_LABELS: dict[Phase, Label] = {
    Phase.PLANNING: Label(gettext_noop("Lập kế hoạch")),
    Phase.AGREEMENT: Label(gettext_noop("Ký kết giao ước")),
    Phase.REPORTING: Label(gettext_noop("Báo cáo số liệu")),
    Phase.SCORING: Label(gettext_noop("Chấm điểm")),
    Phase.CONFERENCE: Label(gettext_noop("Hội nghị tổng kết")),
}

#: The cycle's state when no phase is open and the last one is done.
CLOSED = "closed"
#: The cycle's state between two phases (one closed, the next not yet opened).
IDLE = "idle"

STATE_LABELS: dict[str, Label] = {
    **{phase.value: label for phase, label in PHASE_LABELS.items()},
    IDLE: Label(gettext_noop("Giữa hai giai đoạn")),
    CLOSED: Label(gettext_noop("Đã kết thúc")),
}


class PhaseStatus(StrEnum):
    DONE = "done"
    OPEN = "open"
    CLOSED = "closed"
    PENDING = "pending"


@dataclass(frozen=True)
class Position:
    """Where a cycle stands: its current phase and whether that phase is open."""

    phase: Phase = Phase.PLANNING
    is_open: bool = True

    @property
    def state(self) -> str:
        """The open phase's code, `idle` between phases, or `closed` when the year is done."""
        if self.is_open:
            return self.phase.value
        return CLOSED if self.phase == PHASES[-1] else IDLE

    @property
    def working_phase(self) -> Phase | None:
        """The phase the cycle works on: the open one, or between two phases the next one;
        None when the last phase is closed (the year is done)."""
        if self.is_open:
            return self.phase
        following = PHASES.index(self.phase) + 1
        return PHASES[following] if following < len(PHASES) else None

    def status_of(self, phase: Phase) -> PhaseStatus:
        here, there = PHASES.index(self.phase), PHASES.index(phase)
        if there < here:
            return PhaseStatus.DONE
        if there > here:
            return PhaseStatus.PENDING
        return PhaseStatus.OPEN if self.is_open else PhaseStatus.CLOSED


def _problem(code: str, message: str, phase: Phase) -> list[Problem]:
    return [Problem(code, message, {"phase": PHASE_LABELS[phase]}, "phase")]


def check_open(position: Position, phase: Phase) -> list[Problem]:
    """A phase opens only after the previous one closed, one phase at a time."""
    index = PHASES.index(phase)
    if position.is_open:
        return _problem(
            "another_phase_open",
            gettext_noop("Phải đóng giai đoạn đang mở trước khi mở giai đoạn “%(phase)s”."),
            phase,
        )
    if index != PHASES.index(position.phase) + 1:
        if index <= PHASES.index(position.phase):
            return _problem(
                "phase_already_done",
                gettext_noop("Giai đoạn “%(phase)s” đã đóng; muốn sửa đổi thì mở lại kèm lý do."),
                phase,
            )
        return _problem(
            "phase_out_of_order",
            gettext_noop("Chưa thể mở giai đoạn “%(phase)s”: các giai đoạn trước chưa hoàn thành."),
            phase,
        )
    return []


def check_close(position: Position, phase: Phase) -> list[Problem]:
    if not (position.is_open and position.phase == phase):
        return _problem(
            "phase_not_open",
            gettext_noop("Giai đoạn “%(phase)s” không đang mở nên không thể đóng."),
            phase,
        )
    return []


def check_reopen(position: Position, phase: Phase, reason: str) -> list[Problem]:
    """Only the phase just closed may re-open, before the next one starts, with a reason."""
    problems: list[Problem] = []
    if position.is_open or position.phase != phase:
        problems += _problem(
            "cannot_reopen",
            gettext_noop(
                "Chỉ mở lại được giai đoạn vừa đóng khi giai đoạn sau chưa bắt đầu; "
                "giai đoạn “%(phase)s” không ở tình trạng đó."
            ),
            phase,
        )
    if not reason.strip():
        problems.append(
            Problem(
                "reason_required",
                gettext_noop("Phải ghi lý do mở lại giai đoạn."),
                {},
                "reason",
            )
        )
    return problems
