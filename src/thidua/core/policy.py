"""Who may do what, in which state: the one permission table of thidua.

Roles are relative to the object acted on and derived from the cycle (the Django side works
them out; see `thidua.org.authz`): a unit's secretary is the *leader secretary* only in the
cycles its unit leads, so powers move with the hand-over without anyone editing groups. A
rule names the roles allowed and, where it matters, the object states in which the action is
allowed (a cycle's state is its open phase, `idle` between phases, or `closed`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from thidua.core.deadlines import MIDYEAR_CLOSED, MIDYEAR_OPEN
from thidua.core.messages import Label, Problem, gettext_noop
from thidua.core.phases import IDLE, PHASES, STATE_LABELS, Phase


class Role(StrEnum):
    ADMIN = "admin"  # ministry admin
    LEADER_SECRETARY = "leader_secretary"  # secretary of the cycle's leader unit
    OFFICER = "officer"  # officer of the unit concerned (of a member unit, for a cycle)
    DELEGATE = "delegate"  # conference delegate of a member unit
    OBSERVER = "observer"  # reads everything, writes nothing
    MEMBER = "member"  # anyone of a member unit of the cycle concerned
    BOARD = "board"  # a member of the conference's vote-counting board
    DIRECTOR = "director"  # the director (thủ trưởng) of the unit concerned, a member of the cycle
    USER = "user"  # anyone signed in
    SYSTEM = "system"  # the demo loader and command-line tools: any role, same state rules


class Action(StrEnum):
    VIEW_CLUSTER = "view_cluster"
    VIEW_UNIT = "view_unit"
    EDIT_UNIT = "edit_unit"
    RECORD_LINEAGE = "record_lineage"
    CREATE_CYCLE = "create_cycle"
    VIEW_CYCLE = "view_cycle"
    EDIT_CYCLE = "edit_cycle"
    OPEN_PHASE = "open_phase"
    CLOSE_PHASE = "close_phase"
    REOPEN_PHASE = "reopen_phase"
    SET_DEADLINE = "set_deadline"
    RECORD_HANDOVER = "record_handover"
    ASSIGN_LEADER = "assign_leader"
    MANAGE_OWN_TOKENS = "manage_own_tokens"
    VIEW_REPORT = "view_report"
    EDIT_REPORT = "edit_report"
    RETURN_REPORT = "return_report"
    ENTER_REPORT_ON_BEHALF = "enter_report_on_behalf"
    CONFIRM_REPORT = "confirm_report"
    EXCUSE_REPORT = "excuse_report"
    EDIT_PUBLISHED_FIGURES = "edit_published_figures"
    RECORD_BASELINE = "record_baseline"
    VIEW_AUDIT = "view_audit"
    VIEW_AGREEMENT = "view_agreement"
    EDIT_AGREEMENT = "edit_agreement"
    CONFIRM_AGREEMENT = "confirm_agreement"
    EDIT_SHEET = "edit_sheet"
    VIEW_DRAFT_SHEET = "view_draft_sheet"
    REOPEN_SHEET = "reopen_sheet"
    ENTER_SHEET_ON_BEHALF = "enter_sheet_on_behalf"
    CONFIRM_SHEET = "confirm_sheet"
    EXCUSE_SHEET = "excuse_sheet"
    RECORD_FACTS = "record_facts"
    UPLOAD_EVIDENCE = "upload_evidence"
    FILE_EXPLANATION = "file_explanation"
    ANSWER_EXPLANATION = "answer_explanation"
    FINALISE_EXPLANATION = "finalise_explanation"
    VIEW_RESULTS = "view_results"
    VIEW_CONFERENCE = "view_conference"
    MANAGE_CONFERENCE = "manage_conference"
    CAST_BALLOT = "cast_ballot"
    COUNT_BALLOTS = "count_ballots"
    EDIT_REPORT_TEXT = "edit_report_text"
    VIEW_OVERVIEW = "view_overview"
    RECEIVE_RECORDS = "receive_records"
    ISSUE_DOCUMENT = "issue_document"
    RECORD_TITLES = "record_titles"
    RECORD_DECISION = "record_decision"


#: Actions that change nothing.
READS = frozenset(
    {
        Action.VIEW_CLUSTER,
        Action.VIEW_UNIT,
        Action.VIEW_CYCLE,
        Action.VIEW_REPORT,
        Action.VIEW_AUDIT,
        Action.VIEW_AGREEMENT,
        Action.VIEW_DRAFT_SHEET,
        Action.VIEW_RESULTS,
        Action.VIEW_CONFERENCE,
        Action.VIEW_OVERVIEW,
    }
)

ACTION_LABELS: dict[Action, Label] = {
    Action.VIEW_CLUSTER: Label(gettext_noop("xem cụm thi đua")),
    Action.VIEW_UNIT: Label(gettext_noop("xem đơn vị")),
    Action.EDIT_UNIT: Label(gettext_noop("sửa thông tin đơn vị")),
    Action.RECORD_LINEAGE: Label(gettext_noop("ghi nhận sáp nhập, chia tách đơn vị")),
    Action.CREATE_CYCLE: Label(gettext_noop("tạo năm thi đua")),
    Action.VIEW_CYCLE: Label(gettext_noop("xem năm thi đua")),
    Action.EDIT_CYCLE: Label(gettext_noop("sửa thành viên, cụm trưởng, cụm phó")),
    Action.OPEN_PHASE: Label(gettext_noop("mở giai đoạn")),
    Action.CLOSE_PHASE: Label(gettext_noop("đóng giai đoạn")),
    Action.REOPEN_PHASE: Label(gettext_noop("mở lại giai đoạn")),
    Action.SET_DEADLINE: Label(gettext_noop("đặt thời hạn các giai đoạn")),
    Action.RECORD_HANDOVER: Label(gettext_noop("ghi nhận bàn giao cụm trưởng, cụm phó")),
    Action.ASSIGN_LEADER: Label(
        gettext_noop("ghi nhận cụm trưởng, cụm phó do Bộ Công an phân công")
    ),
    Action.MANAGE_OWN_TOKENS: Label(gettext_noop("quản lý khóa API của mình")),
    Action.VIEW_REPORT: Label(gettext_noop("xem báo cáo số liệu")),
    Action.EDIT_REPORT: Label(gettext_noop("nhập, sửa, nộp báo cáo số liệu của đơn vị")),
    Action.RETURN_REPORT: Label(gettext_noop("trả lại báo cáo số liệu để sửa")),
    Action.ENTER_REPORT_ON_BEHALF: Label(
        gettext_noop("nhập thay báo cáo số liệu cho đơn vị thành viên")
    ),
    Action.CONFIRM_REPORT: Label(gettext_noop("xác nhận số liệu nhập thay cho đơn vị mình")),
    Action.EXCUSE_REPORT: Label(
        gettext_noop("ghi lý do đơn vị không xác nhận được số liệu nhập thay")
    ),
    Action.EDIT_PUBLISHED_FIGURES: Label(gettext_noop("nhập số liệu công bố của cụm")),
    Action.RECORD_BASELINE: Label(gettext_noop("nhập số liệu các năm trước")),
    Action.VIEW_AUDIT: Label(gettext_noop("xem nhật ký thao tác")),
    Action.VIEW_AGREEMENT: Label(gettext_noop("xem giao ước thi đua")),
    Action.EDIT_AGREEMENT: Label(gettext_noop("soạn, sửa, ký giao ước thi đua")),
    Action.CONFIRM_AGREEMENT: Label(gettext_noop("xác nhận giao ước thi đua cho đơn vị mình")),
    Action.EDIT_SHEET: Label(gettext_noop("chấm điểm, nộp phiếu chấm của đơn vị")),
    Action.VIEW_DRAFT_SHEET: Label(gettext_noop("xem phiếu chấm chưa nộp")),
    Action.REOPEN_SHEET: Label(gettext_noop("mở lại phiếu chấm đã nộp")),
    Action.ENTER_SHEET_ON_BEHALF: Label(
        gettext_noop("nhập thay phiếu chấm điểm cho đơn vị thành viên")
    ),
    Action.CONFIRM_SHEET: Label(gettext_noop("xác nhận phiếu chấm nhập thay cho đơn vị mình")),
    Action.EXCUSE_SHEET: Label(
        gettext_noop("ghi lý do đơn vị không xác nhận được phiếu chấm nhập thay")
    ),
    Action.RECORD_FACTS: Label(
        gettext_noop("ghi nhận kết quả tiêu chí đạt/không đạt, thưởng, trừ")
    ),
    Action.UPLOAD_EVIDENCE: Label(gettext_noop("đính kèm tài liệu chứng minh")),
    Action.FILE_EXPLANATION: Label(gettext_noop("giải trình điểm của đơn vị mình")),
    Action.ANSWER_EXPLANATION: Label(gettext_noop("trả lời giải trình về điểm đơn vị mình chấm")),
    Action.FINALISE_EXPLANATION: Label(
        gettext_noop("kết luận giải trình (cụm trưởng; cụm phó với giải trình của cụm trưởng)")
    ),
    Action.VIEW_RESULTS: Label(gettext_noop("xem kết quả chấm điểm")),
    Action.VIEW_CONFERENCE: Label(gettext_noop("xem hội nghị và kết quả bỏ phiếu")),
    Action.MANAGE_CONFERENCE: Label(gettext_noop("điều hành hội nghị: điểm danh, tạo phiếu bầu")),
    Action.CAST_BALLOT: Label(gettext_noop("bỏ phiếu")),
    Action.COUNT_BALLOTS: Label(gettext_noop("mở, đóng cuộc bỏ phiếu và kiểm phiếu")),
    Action.EDIT_REPORT_TEXT: Label(gettext_noop("viết nội dung báo cáo tổng kết")),
    Action.VIEW_OVERVIEW: Label(gettext_noop("xem tổng quan các cụm")),
    Action.RECEIVE_RECORDS: Label(
        gettext_noop("đăng ký khóa ký của cụm và nhận bản ghi năm thi đua từ máy của cụm")
    ),
    Action.ISSUE_DOCUMENT: Label(gettext_noop("phát hành văn bản để ký")),
    Action.RECORD_TITLES: Label(gettext_noop("nhập, sửa sổ danh hiệu thi đua của cụm")),
    Action.RECORD_DECISION: Label(gettext_noop("ghi nhận quyết định khen thưởng")),
}

#: Object states of a unit, for rules about units.
UNIT_ACTIVE = "active"
UNIT_ENDED = "ended"

_STATE_LABELS: dict[str, Label] = {
    **STATE_LABELS,
    UNIT_ACTIVE: Label(gettext_noop("Đang hoạt động")),
    UNIT_ENDED: Label(gettext_noop("Đã kết thúc (sáp nhập, chia tách)")),
    MIDYEAR_OPEN: Label(gettext_noop("Sơ kết 6 tháng đang mở")),
    MIDYEAR_CLOSED: Label(gettext_noop("Sơ kết 6 tháng đã khép lại")),
}


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    states: frozenset[str] | None = None  # None: in every state


def _rule(*roles: Role, states: tuple[str, ...] | None = None) -> Rule:
    return Rule(frozenset(roles), None if states is None else frozenset(states))


_CYCLE_READERS = (Role.ADMIN, Role.OBSERVER, Role.MEMBER)
_AFTER_REPORTING = tuple(phase.value for phase in PHASES[PHASES.index(Phase.REPORTING) :])
_REPORT_STATES = (Phase.REPORTING.value, MIDYEAR_OPEN)

POLICY: dict[Action, Rule] = {
    Action.VIEW_CLUSTER: _rule(Role.USER),
    Action.VIEW_UNIT: _rule(Role.USER),
    Action.EDIT_UNIT: _rule(Role.ADMIN, Role.OFFICER, states=(UNIT_ACTIVE,)),
    Action.RECORD_LINEAGE: _rule(Role.ADMIN),
    Action.CREATE_CYCLE: _rule(Role.ADMIN),
    Action.VIEW_CYCLE: _rule(*_CYCLE_READERS),
    Action.EDIT_CYCLE: _rule(Role.ADMIN, states=(Phase.PLANNING.value,)),
    Action.OPEN_PHASE: _rule(Role.ADMIN, Role.LEADER_SECRETARY),
    Action.CLOSE_PHASE: _rule(Role.ADMIN, Role.LEADER_SECRETARY),
    Action.REOPEN_PHASE: _rule(Role.ADMIN, Role.LEADER_SECRETARY),
    # Deadlines are the leader unit's to set, for a year not yet closed.
    Action.SET_DEADLINE: _rule(
        Role.LEADER_SECRETARY, states=(*(phase.value for phase in PHASES), IDLE)
    ),
    Action.RECORD_HANDOVER: _rule(
        Role.ADMIN, Role.LEADER_SECRETARY, states=(Phase.CONFERENCE.value,)
    ),
    # A Ministry assignment (not an election at the conference) is recorded by its admins only.
    Action.ASSIGN_LEADER: _rule(Role.ADMIN),
    Action.MANAGE_OWN_TOKENS: _rule(Role.USER),
    Action.VIEW_REPORT: _rule(*_CYCLE_READERS),
    # A unit's report in its states: the year's in the reporting phase, the first half's
    # (H1, sơ kết 6 tháng) while the mid-year review is open (`core.deadlines.midyear_state`).
    Action.EDIT_REPORT: _rule(Role.OFFICER, states=_REPORT_STATES),
    Action.RETURN_REPORT: _rule(Role.LEADER_SECRETARY, states=_REPORT_STATES),
    # On a member unit's part of the cycle: the leader unit's secretary enters its figures
    # when it cannot ("nhập thay", with a reason); they count once the unit's own officers
    # confirm them, or once the leader secretary records why the unit could not.
    Action.ENTER_REPORT_ON_BEHALF: _rule(Role.LEADER_SECRETARY, states=_REPORT_STATES),
    Action.CONFIRM_REPORT: _rule(Role.OFFICER, states=_REPORT_STATES),
    Action.EXCUSE_REPORT: _rule(Role.LEADER_SECRETARY, states=_REPORT_STATES),
    Action.EDIT_PUBLISHED_FIGURES: _rule(Role.LEADER_SECRETARY, states=_AFTER_REPORTING),
    Action.RECORD_BASELINE: _rule(Role.ADMIN),
    Action.VIEW_AUDIT: _rule(Role.ADMIN, Role.LEADER_SECRETARY),
    Action.VIEW_AGREEMENT: _rule(*_CYCLE_READERS),
    Action.EDIT_AGREEMENT: _rule(Role.LEADER_SECRETARY, states=(Phase.PLANNING.value,)),
    # On a member unit's part of the cycle: only that unit's director confirms the agreement
    # for it, while the agreement can still change.
    Action.CONFIRM_AGREEMENT: _rule(Role.DIRECTOR, states=(Phase.PLANNING.value,)),
    # On a scorer unit's part of the cycle: its own officers fill its sheets.
    Action.EDIT_SHEET: _rule(Role.OFFICER, states=(Phase.SCORING.value,)),
    Action.VIEW_DRAFT_SHEET: _rule(Role.OFFICER),
    Action.REOPEN_SHEET: _rule(Role.LEADER_SECRETARY, states=(Phase.SCORING.value,)),
    # On a scorer unit's part of the cycle: the leader unit's secretary enters its sheet when
    # it cannot ("nhập thay", with a reason); it counts once the unit's own staff or director
    # confirm it, or once the leader secretary records why the unit could not.
    Action.ENTER_SHEET_ON_BEHALF: _rule(Role.LEADER_SECRETARY, states=(Phase.SCORING.value,)),
    Action.CONFIRM_SHEET: _rule(Role.OFFICER, Role.DIRECTOR, states=(Phase.SCORING.value,)),
    Action.EXCUSE_SHEET: _rule(Role.LEADER_SECRETARY, states=(Phase.SCORING.value,)),
    Action.RECORD_FACTS: _rule(Role.LEADER_SECRETARY, states=(Phase.SCORING.value,)),
    Action.UPLOAD_EVIDENCE: _rule(Role.OFFICER, states=(Phase.SCORING.value,)),
    # the unit's staff (as for the sheets); finalising further needs the secretary of the
    # leader unit (of the deputy for the leader's own unit, `core.review.finaliser`)
    Action.FILE_EXPLANATION: _rule(Role.OFFICER, states=(Phase.SCORING.value,)),
    Action.ANSWER_EXPLANATION: _rule(Role.OFFICER, states=(Phase.SCORING.value,)),
    Action.FINALISE_EXPLANATION: _rule(Role.OFFICER, states=(Phase.SCORING.value,)),
    Action.VIEW_RESULTS: _rule(*_CYCLE_READERS),
    Action.VIEW_CONFERENCE: _rule(*_CYCLE_READERS),
    Action.MANAGE_CONFERENCE: _rule(Role.LEADER_SECRETARY, states=(Phase.CONFERENCE.value,)),
    Action.CAST_BALLOT: _rule(Role.DELEGATE, states=(Phase.CONFERENCE.value,)),
    Action.COUNT_BALLOTS: _rule(Role.BOARD, states=(Phase.CONFERENCE.value,)),
    Action.EDIT_REPORT_TEXT: _rule(Role.LEADER_SECRETARY, states=_AFTER_REPORTING),
    Action.VIEW_OVERVIEW: _rule(Role.ADMIN, Role.OBSERVER),
    # The Ministry's server takes the clusters' records in: its admins register the laptops'
    # keys and type the checkpoint printed on the signed minutes.
    Action.RECEIVE_RECORDS: _rule(Role.ADMIN),
    # The leader secretary issues the cluster's documents: the exact file goes into the log.
    Action.ISSUE_DOCUMENT: _rule(Role.LEADER_SECRETARY),
    # The register of titles, on a cluster: its current leader's secretary keeps it (past
    # years' proposals included), and the Ministry's emulation office (its admins).
    Action.RECORD_TITLES: _rule(Role.ADMIN, Role.LEADER_SECRETARY),
    # The decision on a year's proposals, on that year's cycle, in any state (it arrives after
    # the cycle is closed): the Ministry's office, or that year's leader unit on its behalf.
    Action.RECORD_DECISION: _rule(Role.ADMIN, Role.LEADER_SECRETARY),
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    problem: Problem | None = None

    @property
    def refused_for_state(self) -> bool:
        """True when the roles were right but the object was in the wrong state."""
        return self.problem is not None and self.problem.code == "wrong_state"


def decide(action: Action, roles: frozenset[Role], state: str | None = None) -> Decision:
    """Allowed when one of `roles` may do `action` and the object is in an allowed state."""
    rule = POLICY[action]
    if Role.SYSTEM not in roles and not (rule.roles & roles):
        return Decision(
            False,
            Problem(
                "not_allowed",
                gettext_noop("Bạn không có quyền %(action)s."),
                {"action": ACTION_LABELS[action]},
            ),
        )
    if rule.states is not None and state not in rule.states:
        return Decision(
            False,
            Problem(
                "wrong_state",
                gettext_noop("Không thể %(action)s ở trạng thái “%(state)s”."),
                {
                    "action": ACTION_LABELS[action],
                    "state": _STATE_LABELS.get(state or "", Label(state or "")),
                },
            ),
        )
    return Decision(True)


# --- API tokens -----------------------------------------------------------------------------

#: What an API token may do on top of its person's own rights: `read`, and writing one stage.
TOKEN_STAGES = ("org", "stats", "scoring", "voting", "documents")
TOKEN_SCOPES = ("read", *(f"write:{stage}" for stage in TOKEN_STAGES))
#: The longest a token lives (days); a token always expires.
TOKEN_MAX_DAYS = 366


def token_allows(scopes, stage: str, write: bool) -> bool:
    """A token with `scopes` may read anything (with `read`), and write `stage` only with
    `write:<stage>`; it never goes beyond its person's own rights, checked as usual."""
    return f"write:{stage}" in scopes if write else "read" in scopes
