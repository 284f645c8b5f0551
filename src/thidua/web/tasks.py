"""What each person should do next, for the home page: "Nộp báo cáo số liệu 2020",
"Chấm điểm 6 đơn vị", "Bỏ phiếu: Cờ thi đua của Chính phủ" — derived from the cycles' phases
and the person's roles in them, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from thidua.core import deadlines as core_deadlines
from thidua.core.deadlines import Deadline
from thidua.core.indicators import Period
from thidua.core.phases import CLOSED, PHASE_LABELS, PHASES, Phase
from thidua.core.policy import Action, Role
from thidua.org import selectors as org_selectors
from thidua.org.authz import UnitInCycle, can, roles_for
from thidua.org.models import Cycle
from thidua.scoring import selectors as scoring_selectors
from thidua.scoring.models import ScoreSheet
from thidua.stats import selectors as stats_selectors
from thidua.voting import selectors as voting_selectors
from thidua.voting.models import Poll


@dataclass(frozen=True)
class Task:
    cycle: Cycle
    text: str
    url: str
    urgent: bool = False  # something others wait for
    deadline: Deadline | None = None  # of the phase the task belongs to

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self.deadline.overdue


def _base(cycle: Cycle) -> str:
    return f"/clusters/{cycle.cluster.code}/{cycle.year}/"


def _report_task(cycle: Cycle, unit, period: Period) -> str:
    """A unit's report of the year or of its first half: it confirms what the leader
    secretary entered on its behalf and awaits it (nhập thay), else it submits its own. The
    one rule for both periods."""
    awaiting = unit.code in stats_selectors.awaiting_confirmation(cycle, period)
    if period == Period.H1:
        text = (
            _("Xác nhận số liệu 6 tháng đầu năm %(year)s thư ký cụm trưởng nhập thay")
            if awaiting
            else _("Nộp báo cáo số liệu 6 tháng đầu năm %(year)s")
        )
    else:
        text = (
            _("Xác nhận số liệu %(year)s thư ký cụm trưởng nhập thay")
            if awaiting
            else _("Nộp báo cáo số liệu %(year)s")
        )
    return text % {"year": cycle.year}


def _officer(user, cycle: Cycle) -> list[Task]:
    if user.unit_id is None or not cycle.phase_is_open:
        return []
    if user.unit_id not in {unit.pk for unit in org_selectors.member_units(cycle)}:
        return []
    slot = UnitInCycle(cycle, user.unit)
    base = _base(cycle)
    if (
        cycle.phase == Phase.REPORTING
        and can(user, Action.EDIT_REPORT, slot)
        and user.unit.code in {unit.code for unit in stats_selectors.late_reports(cycle)}
    ):
        return [
            Task(
                cycle,
                _report_task(cycle, user.unit, Period.YEAR),
                f"{base}stats/{user.unit.code}/",
                urgent=True,
            )
        ]
    if cycle.phase == Phase.SCORING and can(user, Action.EDIT_SHEET, slot):
        results = scoring_selectors.sheets_progress(cycle)
        mine = [s for s in (results.missing if results else []) if s.scorer_id == user.unit_id]
        # sheets the leader secretary entered on the unit's behalf: the unit confirms them
        awaiting = [s for s in mine if s.status == ScoreSheet.Status.AWAITING]
        mine = [s for s in mine if s.status != ScoreSheet.Status.AWAITING]
        peers = sum(1 for s in mine if s.kind == ScoreSheet.Kind.PEER)
        tasks = []
        if awaiting:
            tasks.append(
                Task(
                    cycle,
                    ngettext(
                        "Xác nhận %(count)s phiếu chấm thư ký cụm trưởng nhập thay",
                        "Xác nhận %(count)s phiếu chấm thư ký cụm trưởng nhập thay",
                        len(awaiting),
                    )
                    % {"count": len(awaiting)},
                    f"{base}scoring/{user.unit.code}/{awaiting[0].target_code}/"
                    if len(awaiting) == 1
                    else f"{base}scoring/",
                    urgent=True,
                )
            )
        if peers:
            tasks.append(
                Task(
                    cycle,
                    ngettext("Chấm điểm %(count)s đơn vị", "Chấm điểm %(count)s đơn vị", peers)
                    % {"count": peers},
                    f"{base}scoring/",
                    urgent=True,
                )
            )
        if len(mine) > peers:
            tasks.append(Task(cycle, _("Tự chấm điểm"), f"{base}scoring/", urgent=True))
        return tasks
    return []


def _delegate(user, cycle: Cycle) -> list[Task]:
    if cycle.phase != Phase.CONFERENCE or not cycle.phase_is_open:
        return []
    conference = voting_selectors.conference_of(cycle)
    if conference is None:
        return []
    me = voting_selectors.delegate_for(user, conference)
    if me is None:
        return []
    tasks = []
    if me.checked_in_at is None:
        tasks.append(Task(cycle, _("Điểm danh tại hội nghị"), f"{_base(cycle)}conference/"))
        return tasks
    mine = voting_selectors.my_votes(conference, me)  # the polls I am an elector of
    for poll in voting_selectors.polls_of(conference):
        if poll.status == Poll.Status.OPEN and poll.pk in mine and not mine[poll.pk].voted:
            tasks.append(
                Task(
                    cycle,
                    _("Bỏ phiếu: %(poll)s") % {"poll": poll.title},
                    f"{_base(cycle)}conference/polls/{poll.code}/",
                    urgent=True,
                )
            )
    return tasks


def _leader_secretary(cycle: Cycle) -> list[Task]:
    base = _base(cycle)
    position = cycle.position
    if not position.is_open:
        following = PHASES.index(position.phase) + 1
        if following < len(PHASES):
            phase = PHASES[following]
            return [
                Task(
                    cycle,
                    _("Mở giai đoạn: %(phase)s") % {"phase": _(PHASE_LABELS[phase])},
                    base,
                )
            ]
        return []
    if position.phase == Phase.PLANNING:
        return [
            Task(
                cycle,
                _("Soạn và ký giao ước thi đua %(year)s") % {"year": cycle.year},
                f"{base}agreement/",
            )
        ]
    waiting = org_selectors.late(cycle)
    if position.phase == Phase.REPORTING:
        if waiting:
            return [
                Task(
                    cycle,
                    _("Chờ báo cáo số liệu của: %(units)s")
                    % {"units": ", ".join(unit.name for unit in waiting)},
                    f"{base}stats/",
                )
            ]
        return [Task(cycle, _("Mọi đơn vị đã nộp báo cáo: đóng giai đoạn báo cáo"), base)]
    if position.phase == Phase.SCORING:
        if waiting:
            return [
                Task(
                    cycle,
                    _("Chờ phiếu chấm của: %(units)s")
                    % {"units": ", ".join(unit.name for unit in waiting)},
                    f"{base}scoring/",
                )
            ]
        return [Task(cycle, _("Mọi phiếu chấm đã nộp: đóng giai đoạn chấm điểm"), base)]
    if position.phase == Phase.CONFERENCE:
        return [Task(cycle, _("Điều hành hội nghị tổng kết"), f"{base}conference/")]
    return []


def _midyear(user, cycle: Cycle, today: date, *, leads: bool) -> list[Task]:
    """The mid-year review (sơ kết 6 tháng), while it is open and its deadline near or past:
    a member unit's officers submit its first-half report; the leader secretary sees whose
    is missing. Both carry the mid-year deadline (overdue once it passed)."""
    if core_deadlines.midyear_state(cycle.position) != core_deadlines.MIDYEAR_OPEN:
        return []
    due = org_selectors.midyear_due(cycle)
    if due is None or not core_deadlines.midyear_shown(due, today):
        return []
    waiting = org_selectors.late(cycle, core_deadlines.Milestone.MIDYEAR)
    if not waiting:
        return []
    deadline = core_deadlines.stand(core_deadlines.Milestone.MIDYEAR, due, today)
    base = _base(cycle)
    tasks = []
    if leads:
        tasks.append(
            Task(
                cycle,
                _("Sơ kết 6 tháng: chờ báo cáo số liệu 6 tháng đầu năm của: %(units)s")
                % {"units": ", ".join(unit.name for unit in waiting)},
                f"{base}stats/?period={Period.H1.value}",
                deadline=deadline,
            )
        )
    slot = UnitInCycle(cycle, user.unit, Period.H1.value)
    if user.unit.code in {unit.code for unit in waiting} and can(user, Action.EDIT_REPORT, slot):
        tasks.append(
            Task(
                cycle,
                _report_task(cycle, user.unit, Period.H1),
                f"{base}stats/{user.unit.code}/?period={Period.H1.value}",
                urgent=True,
                deadline=deadline,
            )
        )
    return tasks


def for_user(user, today: date | None = None) -> list[Task]:
    """The next things `user` should do, urgent ones first, in the cycles they take part in."""
    tasks: list[Task] = []
    if user.unit_id is None:  # every task here belongs to a member unit's people
        return tasks
    today = today or timezone.localdate()
    for cycle in org_selectors.visible_cycles(user):
        if cycle.state == CLOSED:
            continue
        mine: list[Task] = []
        leads = Role.LEADER_SECRETARY in roles_for(user, cycle)
        if leads:
            mine += _leader_secretary(cycle)
        mine += _officer(user, cycle)
        mine += _delegate(user, cycle)
        if mine:
            deadline = org_selectors.current_deadline(cycle, today)
            tasks += [replace(task, deadline=deadline) for task in mine]
        tasks += _midyear(user, cycle, today, leads=leads)
    return sorted(tasks, key=lambda task: (not task.overdue, not task.urgent))
