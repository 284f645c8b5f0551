"""The conference's run-of-show: the agenda as the chair and the secretary walk through it.

Each step says who does it, whether it is done (from what the data shows, never ticked by
hand), and what is left; the first step not done is the one the hall is at. A step the hall
moved past without finishing (delegates who never came) does not hold the others back: the
check-in counts as done once a vote has opened.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from thidua.core.messages import Label, Phrase, gettext_noop


class State(StrEnum):
    DONE = "done"
    NOW = "now"  # the first step not done: where the hall is
    TODO = "todo"


class PollStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    COUNTING = "counting"  # an encrypted poll's box closed, awaiting the board's keys
    CLOSED = "closed"
    VOID = "void"


@dataclass(frozen=True)
class PollFacts:
    code: str
    title: str
    status: PollStatus
    voted: int
    electorate: int
    runoff_open: bool = False  # counted with a tie across the last seat, no runoff yet
    revoted: bool = False  # counted void, and a new vote created in its place


@dataclass(frozen=True)
class ConferenceFacts:
    details_ready: bool  # date, place, chair and secretary recorded
    delegates: int
    checked_in: int
    board: int  # members of the vote-counting board
    encrypted: bool  # some vote is encrypted on the phones
    key_ready: bool  # the board's key ceremony is complete
    scores_final: bool  # the scoring phase is closed: the ranking can be announced
    polls: tuple[PollFacts, ...]
    leader_elected: bool
    handover_recorded: bool
    concluded: bool  # conclusions and the closing time recorded


SECRETARY = Label(gettext_noop("Thư ký (đơn vị cụm trưởng)"))
CHAIR = Label(gettext_noop("Chủ trì hội nghị"))
BOARD = Label(gettext_noop("Ban kiểm phiếu"))


@dataclass(frozen=True)
class Step:
    key: str  # what the step links to: "details", "delegates", "poll:<code>", …
    what: Phrase
    who: Label
    done: bool
    detail: Phrase | None = None
    state: State = State.TODO


def _poll_step(poll: PollFacts) -> Step:
    what = Phrase(gettext_noop("Bỏ phiếu: %(title)s"), {"title": poll.title})
    counts = {"voted": poll.voted, "electorate": poll.electorate}
    if poll.status == PollStatus.DRAFT:
        detail = gettext_noop("Chưa mở: ban kiểm phiếu mở trên trang cuộc bỏ phiếu.")
        return Step(f"poll:{poll.code}", what, BOARD, False, Phrase(detail))
    if poll.status == PollStatus.OPEN:
        detail = gettext_noop(
            "Đang bỏ phiếu: %(voted)s/%(electorate)s đại biểu đã bỏ phiếu; khi đủ, ban kiểm "
            "phiếu đóng và kiểm phiếu."
        )
        return Step(f"poll:{poll.code}", what, BOARD, False, Phrase(detail, counts))
    if poll.status == PollStatus.COUNTING:
        detail = gettext_noop(
            "Đã đóng hòm phiếu mã hóa: các thành viên giữ khóa của ban kiểm phiếu giải mã tổng "
            "số phiếu trên trang cuộc bỏ phiếu."
        )
        return Step(f"poll:{poll.code}", what, BOARD, False, Phrase(detail))
    if poll.status == PollStatus.VOID:
        detail = (
            gettext_noop("Kiểm phiếu không hợp lệ; đã tạo cuộc bỏ phiếu lại.")
            if poll.revoted
            else gettext_noop("Kiểm phiếu không hợp lệ: thư ký tạo cuộc bỏ phiếu lại.")
        )
        return Step(f"poll:{poll.code}", what, SECRETARY, poll.revoted, Phrase(detail))
    if poll.runoff_open:
        detail = gettext_noop("Bằng phiếu ở suất cuối: thư ký tạo cuộc bầu lại.")
        return Step(f"poll:{poll.code}", what, SECRETARY, False, Phrase(detail))
    detail = gettext_noop("Đã kiểm phiếu: chủ trì công bố kết quả trên màn hình chiếu.")
    return Step(f"poll:{poll.code}", what, CHAIR, True, Phrase(detail))


def run_of_show(facts: ConferenceFacts) -> list[Step]:
    """The steps in the order the conference takes them, each with its state."""
    voting_started = any(p.status != PollStatus.DRAFT for p in facts.polls)
    steps = [
        Step(
            "details",
            Phrase(gettext_noop("Khai mạc: ngày, địa điểm, chủ trì và thư ký hội nghị")),
            SECRETARY,
            facts.details_ready,
            None
            if facts.details_ready
            else Phrase(gettext_noop("Ghi ngày họp, địa điểm, người chủ trì và thư ký.")),
        ),
        Step(
            "delegates",
            Phrase(gettext_noop("Điểm danh đại biểu")),
            SECRETARY,
            facts.delegates > 0 and (facts.checked_in == facts.delegates or voting_started),
            Phrase(
                gettext_noop("%(present)s/%(total)s đại biểu đã điểm danh."),
                {"present": facts.checked_in, "total": facts.delegates},
            ),
        ),
        Step(
            "board",
            Phrase(gettext_noop("Ban kiểm phiếu và khóa của ban")),
            SECRETARY,
            facts.board > 0 and (facts.key_ready or not facts.encrypted),
            None
            if facts.board > 0 and (facts.key_ready or not facts.encrypted)
            else Phrase(
                gettext_noop(
                    "Chọn ban kiểm phiếu trong số đại biểu; ban lập khóa trước khi mở cuộc bỏ "
                    "phiếu mã hóa."
                )
                if facts.encrypted
                else gettext_noop("Chọn ban kiểm phiếu trong số đại biểu.")
            ),
        ),
        Step(
            "results",
            Phrase(gettext_noop("Báo cáo tổng kết và công bố kết quả chấm điểm")),
            CHAIR,
            facts.scores_final,
            None
            if facts.scores_final
            else Phrase(gettext_noop("Giai đoạn chấm điểm chưa đóng: bảng xếp hạng chưa chốt.")),
        ),
        *(_poll_step(poll) for poll in facts.polls),
        Step(
            "handover",
            Phrase(gettext_noop("Bàn giao cụm trưởng, cụm phó năm sau")),
            SECRETARY,
            facts.handover_recorded,
            None
            if facts.handover_recorded or facts.leader_elected
            else Phrase(gettext_noop("Sau khi kiểm phiếu bầu cụm trưởng.")),
        ),
        Step(
            "details-closing",
            Phrase(gettext_noop("Kết luận và bế mạc")),
            CHAIR,
            facts.concluded,
            None
            if facts.concluded
            else Phrase(gettext_noop("Thư ký ghi kết luận và giờ bế mạc vào thông tin hội nghị.")),
        ),
        Step(
            "documents",
            Phrase(gettext_noop("Biên bản hội nghị, biên bản kiểm phiếu: in, ký, phát hành")),
            SECRETARY,
            False,
        ),
    ]
    now = next((i for i, step in enumerate(steps) if not step.done), None)
    return [
        replace(step, state=State.DONE if step.done else State.NOW if i == now else State.TODO)
        for i, step in enumerate(steps)
    ]
