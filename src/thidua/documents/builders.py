"""The cycle's documents, each a function from its data (read through the selectors) to a file.

- giấy mời (with the conference's programme), biên bản kiểm phiếu (one per counted poll),
  biên bản hội nghị, thông báo kết luận, báo cáo tổng kết, tờ trình đề nghị khen thưởng (one
  per title with nominees), the công văn sending the proposals with their list, giao ước thi
  đua with the quy chế hoạt động adopted with it, biên bản bàn giao cụm trưởng, the phiếu
  tổng hợp điểm of each member and the phiếu chấm điểm of each scoring unit: DOCX in the
  official layout;
- bảng tổng hợp điểm: XLSX (values only: a summary under the title block and over the leader's
  signature block, one sheet per section, the rules; A4 landscape).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH

from thidua import xlsx
from thidua.audit import selectors as audit_selectors
from thidua.audit import versions
from thidua.audit.services import chain_of
from thidua.core import ballot_crypto as crypto
from thidua.core import ballots as core_ballots
from thidua.core import narrative, signing
from thidua.core import scoring as core_scoring
from thidua.core.deadlines import STEP_LABELS
from thidua.core.indicators import Period, shown
from thidua.core.messages import Problem, gettext_noop
from thidua.core.numbers import format_exact, format_number, format_percent, with_words
from thidua.core.paperwork import date_line, grounds_for, person, slug, symbol
from thidua.core.phases import Phase
from thidua.core.record import AuditAction, document_digest
from thidua.core.text import collation_key
from thidua.documents import layout, pdf
from thidua.documents import selectors as documents_selectors
from thidua.documents.models import DISCUSSION, GROUNDS, SECTIONS
from thidua.errors import StateConflict
from thidua.org import selectors as org_selectors
from thidua.org.models import Cycle, TitleState
from thidua.scoring import excel as scoring_excel
from thidua.scoring import selectors as scoring_selectors
from thidua.stats import selectors as stats_selectors
from thidua.voting import rules as voting_rules
from thidua.voting import scripts as voting_scripts
from thidua.voting import selectors as voting_selectors
from thidua.voting.models import Conference, Delegate, Poll

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ISSUER_CODE = "CTĐ"
# A công văn's symbol (NĐ 30/2020, appendix I): the issuer's abbreviation, then the drafting
# unit's or the field's; the cluster has no drafting units, so the field: thi đua, khen thưởng.
LETTER_SYMBOL = f"{ISSUER_CODE}-TĐKT"
MINISTRY_COUNCIL = "Hội đồng Thi đua - Khen thưởng Bộ Công an"
EMULATION_OFFICE = "Cục Công tác Đảng và công tác chính trị"
CENTER = WD_ALIGN_PARAGRAPH.CENTER
REPORT_INDICATORS = [
    "social_order_cases",
    "social_order_offenders",
    "social_order_solved",
    "clearance_rate",
    "serious_cases",
    "serious_solved",
    "serious_clearance_rate",
]


@dataclass(frozen=True)
class Built:
    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Issue:
    """What issuing adds to a document: its number in the cycle's register, the day it is
    issued (a paper otherwise dated by hand is dated by it: the frozen bytes carry it) and,
    for a correction, the sentence naming the document it replaces. A draft has none."""

    number: int
    replaces: str = ""
    on: date | None = None


def _dated(day: date | int, issue: Issue | None) -> date | int:
    """A paper dated by hand (`day` a year alone) takes the day it is issued."""
    return issue.on if isinstance(day, int) and issue is not None and issue.on else day


Build = Callable[[Issue | None], Built]


@dataclass
class Plan:
    """One document the cycle can have: ready to build (`build(None)` for a draft, or with
    its `Issue`), or what it still needs."""

    key: str
    label: str
    filename: str
    build: Build | None
    missing: list[str] = field(default_factory=list)
    # False for a paper another body signs and numbers (a nominee's achievement report): the
    # cluster's register gives it no number
    issuable: bool = True
    # False for a paper that reads beyond the cycle's record (the achievement report reads
    # the register's other years): a record cannot reproduce it, so it carries no digest of it
    in_record: bool = True

    def __post_init__(self) -> None:
        if self.build is not None:
            self.build = _in_vietnamese(self.build)

    @property
    def ready(self) -> bool:
        return self.build is not None and not self.missing


def _in_vietnamese(build: Build) -> Build:
    """Official documents are Vietnamese whatever the reader's interface language, and the
    same bytes for everyone (the record keeps their digests)."""

    def built(issue: Issue | None = None) -> Built:
        with translation.override("vi"):
            return build(issue)

    return built


def _leader_signer(cycle: Cycle) -> layout.Signer:
    """The leader unit's head signs for the cluster: TM. CỤM THI ĐUA SỐ II / CỤM TRƯỞNG /
    GIÁM ĐỐC CÔNG AN TỈNH HÀ GIANG / the rank and name (Thiếu tướng Hoàng Văn Thanh)."""
    leader = cycle.leader
    return layout.Signer(
        f"TM. {documents_selectors.issuer(cycle)}",
        "Cụm trưởng",
        person(leader.head_rank, leader.head_name),
        f"{leader.head_title or 'Thủ trưởng'} {leader.name}",
    )


def _signer_missing(cycle: Cycle) -> list[str]:
    """A document the leader signs needs its head's name (the unit's profile)."""
    if cycle.leader.head_name.strip():
        return []
    return [
        _(
            "Chưa có họ tên thủ trưởng của đơn vị cụm trưởng (%(unit)s) để ký: thư ký đơn vị "
            "nhập trong hồ sơ đơn vị."
        )
        % {"unit": cycle.leader.name}
    ]


def _minutes_signers_missing(conference: Conference) -> list[str]:
    """The conference minutes are signed by its chair and its secretary: both named."""
    missing = []
    if not conference.chair_name.strip():
        missing.append(_("Chưa ghi họ tên người chủ trì hội nghị (trang hội nghị)."))
    if not conference.secretary_name.strip():
        missing.append(_("Chưa ghi họ tên thư ký hội nghị (trang hội nghị)."))
    return missing


def _day(cycle: Cycle, conference: Conference | None) -> date:
    return (
        conference.held_on if conference and conference.held_on else None
    ) or timezone.localdate()


def _heading(
    cycle, conference, kind_code, issue: Issue | None, kind, summary, day: date | int | None = None
) -> layout.Heading:
    """The heading blocks; the number is the register's, left blank on a draft; dated the
    conference's day unless `day` says otherwise (a year alone: dated by hand). A công văn
    (kind_code "") has the issuer's and the field's abbreviations instead ("05/CTĐ-TĐKT")."""
    return layout.Heading(
        parent_body=cycle.cluster.parent_body,
        issuer=documents_selectors.issuer(cycle),
        issuer_code=ISSUER_CODE if kind_code else LETTER_SYMBOL,
        kind_code=kind_code,
        number=issue.number if issue else None,
        replaces=issue.replaces if issue else "",
        place=cycle.leader.short_name,
        day=_day(cycle, conference) if day is None else _dated(day, issue),
        kind=kind,
        summary=summary,
    )


#: Words of an administrative unit, written lower case inside a sentence ("tại huyện Đồng
#: Văn"), as the place is entered for the start of a line ("Địa điểm: Huyện Đồng Văn").
_ADMINISTRATIVE = ("Huyện ", "Xã ", "Phường ", "Thị trấn ", "Thị xã ", "Tỉnh ", "Quận ")


def _at(place: str) -> str:
    """ ", tại huyện Đồng Văn, tỉnh Hà Giang"; nothing when no place is recorded (never a
    placeholder)."""
    place = (place or "").strip()
    if not place:
        return ""
    if place.startswith(_ADMINISTRATIVE):
        place = place[0].lower() + place[1:]
    return f", tại {place}"


def _filename(*parts: str, extension: str = "docx") -> str:
    return "-".join(slug(part) for part in parts if part) + f".{extension}"


def _percent(votes: int, base: int) -> str:
    return format_percent(votes * 100 / base if base else 0, 1)


def _board(conference: Conference) -> list[Delegate]:
    return sorted(
        (d for d in voting_selectors.delegates_of(conference) if d.board),
        key=lambda d: (d.board != "chair", d.unit.short_name, d.user.display_name),
    )


# --- biên bản kiểm phiếu -------------------------------------------------------------------


def _outcome(poll: Poll, code: str, refused: bool = False) -> str:
    """The "Kết quả" column: every candidate gets a word, not only the winners, the same word
    as on the poll page (`core.ballots.outcome_word`); a refusal's reason follows the table."""
    standing = core_ballots.standing_of(code, poll.result)
    return core_ballots.outcome_word(poll.effect, standing, refused)


def _conclusion(poll: Poll, winners: list[str]) -> str:
    """The minutes' conclusion, in the words of what the poll decides."""
    names = ", ".join(winners)
    if poll.effect == core_ballots.Effect.NOMINATED:
        if not winners:
            return "Kết luận: không có đơn vị nào đạt số phiếu theo quy định để được đề nghị."
        return f"Kết luận: {names} đạt số phiếu theo quy định, được hội nghị đề nghị."
    if poll.effect == core_ballots.Effect.ELECTED:
        return f"Kết luận: {names} trúng cử." if winners else "Kết luận: không có đơn vị trúng cử."
    if not winners:
        return "Kết luận: không có nội dung nào đạt số phiếu theo quy định để được thông qua."
    return f"Kết luận: {names} được thông qua."


def _clock(moment, day: date) -> str | None:
    """ "09 giờ 42 phút" when the moment is on the conference's day (not, e.g., when the data
    was loaded or entered later), else None."""
    if moment is None:
        return None
    local = timezone.localtime(moment)
    return f"{local:%H} giờ {local:%M} phút" if local.date() == day else None


def _ballot_counts(poll: Poll) -> str:
    """The counts the board signs, each in figures and in words, and how the ballots came."""
    result, paper = poll.result, poll.paper or {}
    came = []
    phones = result["returned"] - paper.get("ballots", 0)
    if poll.mode == Poll.Mode.ELECTRONIC:
        came.append(f"{with_words(phones)} phiếu điện tử")
    else:
        came.append(f"{with_words(paper['ballots'] - paper['written'])} phiếu giấy")
    if paper.get("written"):
        came.append(f"{with_words(paper['written'])} ý kiến bằng văn bản của đại biểu vắng mặt")
    return (
        f"Tổng số đại biểu được triệu tập: {with_words(result['electorate'])}; số phiếu phát "
        f"ra: {with_words(result['issued'])}; số phiếu thu vào: "
        f"{with_words(result['returned'])} (gồm {', '.join(came)}); số phiếu hợp lệ: "
        f"{with_words(result['valid'])}, trong đó {with_words(result['blank'])} phiếu trắng; "
        f"số phiếu không hợp lệ: {with_words(result['invalid'])}."
    )


def _score_results(document, poll: Poll, names: dict[str, str]) -> None:
    """A score poll's count: ballots, then per unit the scores, total, average and rank, ties
    shown (never broken); the nominations when the ranking nominates."""
    result = poll.result
    if poll.paper:  # the paper pile counted by the board and entered in totals (§5)
        paper = poll.paper["returned"]
        came = f"{with_words(paper)} phiếu giấy, ban kiểm phiếu kiểm và nhập theo tổng điểm"
        came += " và số phiếu chấm từng đơn vị (hai thành viên nhập độc lập, khớp nhau)"
        if result["returned"] > paper:
            came = f"{with_words(result['returned'] - paper)} phiếu điện tử, {came}"
    elif poll.mode == Poll.Mode.ELECTRONIC:
        came = "phiếu điện tử"
    else:
        came = "phiếu giấy, nhập từng phiếu"
    layout.body(
        document,
        f"Tổng số đại biểu được triệu tập: {with_words(result['electorate'])}; số phiếu phát "
        f"ra: {with_words(result['issued'])}; số phiếu thu vào: "
        f"{with_words(result['returned'])} ({came}); số phiếu hợp lệ: "
        f"{with_words(result['valid'])}; số phiếu không hợp lệ: {with_words(result['invalid'])}.",
    )
    trimmed = result.get("trimmed_shown")
    rows = [
        [
            str(index),
            names.get(row["unit"], row["unit"]),
            format_number(row["count"]),
            format_number(row["total"]),
            row["shown"],
            *([row["trimmed_shown"] or "—"] if trimmed else []),
            (f"{row['rank']} (đồng hạng)" if row["tied"] else str(row["rank"]))
            if row["rank"]
            else "—",
        ]
        for index, row in enumerate(result["standings"], start=1)
    ]
    headers = ["STT", "Đơn vị", "Số phiếu chấm", "Tổng điểm", "Điểm bình quân"]
    headers += ["Bình quân bỏ cao, thấp nhất"] if trimmed else []
    layout.table(document, [*headers, "Xếp hạng"], rows)
    if poll.status == Poll.Status.VOID:
        for reason in voting_selectors.void_reasons(poll):
            layout.body(document, f"Kiểm phiếu không hợp lệ: {reason.render()}")
        layout.body(
            document,
            "Kết luận: kiểm phiếu không hợp lệ, không có kết quả; ban kiểm phiếu cho bỏ phiếu lại.",
            bold=True,
        )
        return
    nominations = result.get("nominations")
    if nominations:
        titles = {
            item["code"]: item["name"]
            for item in (poll.conference.cycle.rule_set.data.get("voting") or {}).get("titles", [])
        }
        for code, units in nominations["nominees"].items():
            chosen = ", ".join(names.get(u, u) for u in units) or "không có đơn vị nào"
            layout.body(document, f"Đề nghị {titles.get(code, code)}: {chosen}.")
        for code, units in nominations["ties"].items():
            tied = ", ".join(names.get(u, u) for u in units)
            layout.body(
                document,
                f"{titles.get(code, code)}: các đơn vị {tied} bằng điểm ở suất cuối; hội nghị "
                "biểu quyết giữa các đơn vị này.",
            )


def vote_count_minutes(cycle: Cycle, poll: Poll, issue: Issue | None = None) -> Built:
    conference = poll.conference
    result = poll.result
    candidates = voting_selectors.candidates_of(poll)
    names = {c.unit.code: c.unit.name for c in candidates}
    document = layout.new_document(
        _heading(cycle, conference, "BB", issue, "Biên bản", f"Kiểm phiếu: {poll.title}")
    )
    day = _day(cycle, conference)
    closed = _clock(poll.closed_at, day)
    when = f"Hồi {closed}, ngày {day:%d/%m/%Y}" if closed else f"Ngày {day:%d/%m/%Y}"
    layout.body(
        document,
        f"{when}{_at(conference.place)}, Ban kiểm "
        f"phiếu Hội nghị tổng kết phong trào thi đua “{cycle.cluster.movement}” năm {cycle.year} "
        f"của {cycle.title} tiến hành kiểm phiếu: {poll.title}.",
    )
    board = _board(conference)
    layout.body(document, "Ban kiểm phiếu gồm:", bold=True)
    for index, member in enumerate(board, start=1):
        end = "." if index == len(board) else ";"
        layout.body(
            document,
            f"- {member.user.display_name}, {member.unit.name}: {member.get_board_display()}{end}",
        )
    layout.body(document, "Quy định bỏ phiếu:", bold=True)
    # one legal basis for the cycle's year, the proposals' (not the rule set's own short list)
    layout.body(document, f"Căn cứ: {_legal_basis_line(cycle)}.")
    if voting_selectors.is_score(poll):
        layout.body(document, voting_selectors.score_rules_sentence(poll.rules))
    else:
        layout.body(document, voting_selectors.core_rules(poll).describe(poll.effect).render())
    electors = voting_selectors.electors_of(poll)
    opened = _clock(poll.opened_at, day)
    layout.body(
        document,
        "Danh sách cử tri (chốt khi mở cuộc bỏ phiếu"
        + (f" lúc {opened}" if opened else "")
        + f"): {with_words(len(electors))} đại biểu: "
        + "; ".join(f"{d.user.display_name} ({d.unit.short_name})" for d in electors)
        + ".",
    )
    if opened and closed:
        layout.body(
            document,
            f"Cuộc bỏ phiếu mở lúc {opened}; hòm phiếu đóng và bắt đầu kiểm phiếu lúc {closed}.",
        )
    reissues = [
        f"{timezone.localtime(r.issued_at):%H:%M ngày %d/%m/%Y}, đại biểu "
        f"{r.delegate.user.display_name} ({r.delegate.unit.short_name}), do "
        f"{r.issued_by.display_name if r.issued_by else 'Ban kiểm phiếu'} cấp lại, "
        f"lý do: {r.reason}"
        for r in voting_selectors.reissues_before(conference, poll.closed_at)
    ]
    if reissues:  # an event the board records; none is nothing to sign
        layout.body(document, f"Cấp lại mã điểm danh trước khi kiểm phiếu: {'; '.join(reissues)}.")
    layout.body(document, "Kết quả kiểm phiếu:", bold=True)
    if voting_selectors.is_score(poll):
        _score_results(document, poll, names)
    else:
        layout.body(document, _ballot_counts(poll))
        base_label = core_ballots.BASE_LABELS[core_ballots.Base(result["base"])]
        layout.body(
            document,
            f"Tỷ lệ tính trên {base_label} ({result['base_count']}); số phiếu tối thiểu để đạt "
            f"ngưỡng: {result['required']}.",
        )
        refusals = (
            {
                unit: problem
                for (title, unit), problem in voting_selectors.refused_nominees(
                    cycle, voting_selectors.polls_of(conference)
                ).items()
                if title == poll.title_code
            }
            if poll.purpose == Poll.Purpose.TITLE and poll.title_code
            else {}
        )
        rows = []
        for index, candidate in enumerate(candidates, start=1):
            votes = result["votes"].get(candidate.unit.code, 0)
            outcome = _outcome(poll, candidate.unit.code, candidate.unit.code in refusals)
            rows.append(
                [
                    str(index),
                    candidate.unit.name,
                    str(votes),
                    _percent(votes, result["base_count"]),
                    outcome,
                ]
            )
        layout.table(
            document,
            ["STT", "Đơn vị", "Số phiếu", "Tỷ lệ", "Kết quả"],
            rows,
            widths=(1.2, 6.9, 2.8, 2.8, 2.8),
        )
        if not result["quorum_met"]:
            layout.body(
                document,
                "Số đại biểu tham gia bỏ phiếu không đủ theo quy định; không có đơn vị nào đạt.",
            )
        if poll.status == Poll.Status.VOID:
            for reason in voting_selectors.void_reasons(poll):
                layout.body(document, f"Kiểm phiếu không hợp lệ: {reason.render()}")
            layout.body(
                document,
                "Kết luận: kiểm phiếu không hợp lệ, không có kết quả; các phiếu được để riêng, "
                "không được tính; ban kiểm phiếu cho bỏ phiếu lại.",
                bold=True,
            )
        for code in result["winners"]:
            if code in refusals:
                layout.body(document, f"Không được đề nghị: {refusals[code].render()}")
        for candidate in candidates:  # above the threshold, yet outside the seats: say why
            code = candidate.unit.code
            if core_ballots.standing_of(code, result) == core_ballots.Standing.OUTSIDE_SEATS:
                why = core_ballots.why(code, result, int(poll.rules["seats"]), names)
                layout.body(document, f"{names.get(code, code)}: {why.render()}")
        winners = [names.get(code, code) for code in result["winners"] if code not in refusals]
        if poll.status != Poll.Status.VOID:
            layout.body(document, _conclusion(poll, winners), bold=True)
        if result.get("runoff"):
            tied = ", ".join(names.get(code, code) for code in result["runoff"]["candidates"])
            layout.body(
                document,
                f"Các đơn vị {tied} bằng phiếu ở suất cuối; hội nghị bỏ phiếu lại cho "
                f"{result['runoff']['seats']} suất còn lại.",
            )
    receipts = voting_selectors.published(poll, names).receipts
    if poll.sealed:
        for line in _sealed_lines(poll):
            layout.body(document, line)
        receipts = [crypto.shown_tracker(code) if len(code) == 64 else code for code in receipts]
    layout.body(
        document,
        f"Các mã biên nhận của {with_words(len(receipts))} phiếu đã được tính: xem Phụ lục.",
    )
    layout.body(document, "Biên bản lập xong và được thông qua trước hội nghị.")
    closing = AuditAction.POLL_VOID if poll.status == Poll.Status.VOID else AuditAction.POLL_CLOSE
    _checkpoint(
        document,
        cycle,
        audit_selectors.checkpoint_after(
            chain_of(cycle),
            closing,
            object_id=audit_selectors.poll_log_id(chain_of(cycle), poll.code) or "",
        ),
        "kết quả kiểm phiếu",
    )
    chair = next((m for m in board if m.board == "chair"), None)
    signers = [layout.Signer("Trưởng ban kiểm phiếu", "", chair.user.display_name if chair else "")]
    signers += [
        layout.Signer("Thành viên", "", m.user.display_name) for m in board if m.board != "chair"
    ]
    layout.closing(
        document,
        ["Chủ trì hội nghị", "Các đơn vị trong cụm"],
        signers,
        f"{documents_selectors.issuer(cycle)}",
    )
    # the receipts, for each delegate to find theirs: an appendix, not the body the board reads
    appendix = layout.body(document, "PHỤ LỤC", bold=True, indent=False)
    appendix.alignment = CENTER
    appendix.paragraph_format.page_break_before = True
    layout.body(
        document,
        f"Danh sách {with_words(len(receipts))} mã biên nhận của các phiếu đã được tính "
        f"(kèm theo Biên bản kiểm phiếu: {poll.title}):",
        indent=False,
    )
    layout.body(document, ", ".join(receipts) or "—", indent=False)
    return Built(
        _filename("bien-ban-kiem-phieu", str(cycle.year), poll.code), layout.save(document), DOCX
    )


def _sealed_lines(poll: Poll) -> list[str]:
    """What the board signs for an encrypted poll: the key and who holds it, the ballots in
    the box and the challenged ones, who decrypted, and the code browsers ran."""
    ceremony = poll.ceremony
    members = "; ".join(
        f"thành viên số {t.index}: {t.fingerprint}" for t in voting_selectors.trustees_of(ceremony)
    )
    box = poll.sealed_tally or {}
    decrypted = ", ".join(str(index) for index in voting_selectors.decrypting_trustees(poll))
    scripts = "; ".join(
        f"{name}: {signing.grouped(digest)}" for name, digest in voting_scripts.hashes().items()
    )
    return [
        f"Phiếu điện tử được mã hóa bằng khóa "
        f"của Ban kiểm phiếu tạo tại lễ {ceremony.label}, {ceremony.threshold}/"
        f"{ceremony.members} thành viên giải mã được; dấu vân tay của khóa: "
        f"{ceremony.key_fingerprint}; của từng thành viên: {members}.",
        f"Số phiếu mã hóa trong hòm: {box.get('ballots', 0)}; số phiếu đại biểu kiểm tra rồi hủy "
        f"(không tính): {voting_selectors.spoiled_count(poll)}; kết quả do các thành viên số "
        f"{decrypted or '—'} giải mã, mỗi phần kèm chứng minh; không phiếu nào được giải mã "
        f"riêng.",
        f"Mã kiểm chứng (SHA-256) của chương trình bỏ phiếu: {scripts}.",
    ]


def _checkpoint(document, cycle: Cycle, entry, what: str) -> None:
    """The signed checkpoint of the audit chain the signers' paper anchors the record to:
    its first 128 bits in groups, and the whole in a QR code; said plainly when there is none
    yet (the act it follows has not happened)."""
    if entry is None:  # the act it follows has not happened: nothing to print, nothing owed
        return
    layout.checkpoint(
        document,
        f"Mã kiểm chứng {what}: {signing.grouped(entry.hash)} (mốc số {entry.seq}). Mã này gắn "
        f"văn bản với hồ sơ điện tử năm thi đua {cycle.year} của cụm: hồ sơ điện tử đúng phải "
        "chứa đúng mã này; mã vạch dưới đây ghi mã đầy đủ để đối chiếu.",
        f"thidua:{entry.chain}:{entry.seq}:{entry.hash}",
    )


# --- biên bản hội nghị --------------------------------------------------------------------


def _statistics_sentence(cycle: Cycle, table) -> str | None:
    cells = {cell.indicator.code: cell for cell in table.total.cells}
    needed = ("social_order_cases", "social_order_offenders", "social_order_solved")
    if any(cells.get(code) is None or cells[code].value is None for code in needed):
        return None
    text = (
        f"Năm {cycle.year}, trên địa bàn các đơn vị trong cụm xảy ra "
        f"{format_number(cells['social_order_cases'].value)} vụ, "
        f"{format_number(cells['social_order_offenders'].value)} đối tượng phạm tội về trật tự xã "
        f"hội; điều tra, khám phá {format_number(cells['social_order_solved'].value)} vụ"
    )
    if cells.get("clearance_rate") and cells["clearance_rate"].value is not None:
        text += f", đạt {format_percent(cells['clearance_rate'].value)}"
    serious = cells.get("serious_cases")
    solved = cells.get("serious_solved")
    if serious and solved and serious.value is not None and solved.value is not None:
        rate = cells["serious_clearance_rate"].value
        text += (
            f"; án rất nghiêm trọng và đặc biệt nghiêm trọng {format_number(serious.value)} vụ, đã "
            f"điều tra làm rõ {format_number(solved.value)} vụ"
            + (f", đạt {format_percent(rate)}" if rate is not None else "")
        )
    return text + "."


def _round_of(outcome: voting_selectors.Outcome, code: str) -> int:
    """The round (1, 2, …) in which `code` was elected."""
    return next(
        number
        for number, poll in enumerate(outcome.rounds, start=1)
        if poll.result and code in poll.result["winners"]
    )


def _attendance(document, conference: Conference) -> None:
    """I. Who attended: the chair and the secretary (rank, name, position), the guests, and
    the delegates of each member unit (present of those called)."""
    layout.body(document, "I. THÀNH PHẦN THAM DỰ", bold=True, indent=False)
    chair = person(conference.chair_rank, conference.chair_name, conference.chair_position)
    secretary = person(
        conference.secretary_rank, conference.secretary_name, conference.secretary_position
    )
    layout.body(document, f"1. Chủ trì hội nghị: đồng chí {chair}.")
    layout.body(document, f"2. Thư ký hội nghị: đồng chí {secretary}.")
    guests = [line.strip().rstrip(";.,") for line in conference.guests.splitlines()]
    guests = [line for line in guests if line]
    if guests:
        layout.body(document, "3. Khách mời:")
        for index, guest in enumerate(guests, start=1):
            layout.body(document, f"- {guest}{'.' if index == len(guests) else ';'}")
    layout.body(document, f"{4 if guests else 3}. Đại biểu các đơn vị trong cụm:")
    by_unit: dict[str, list[Delegate]] = {}
    for delegate in voting_selectors.delegates_of(conference):
        by_unit.setdefault(delegate.unit.name, []).append(delegate)
    units = sorted(by_unit.items(), key=lambda item: collation_key(item[0]))
    for index, (unit_name, delegates) in enumerate(units, start=1):
        present = [d.user.display_name for d in delegates if d.checked_in_at]
        end = "." if index == len(units) else ";"
        layout.body(
            document,
            f"- {unit_name}: {len(present)}/{len(delegates)} đại biểu có mặt"
            + (
                f" ({'các đồng chí' if len(present) > 1 else 'đồng chí'} {', '.join(present)})"
                if present
                else ""
            )
            + end,
        )
    if not by_unit:
        layout.body(document, "- Chưa có danh sách đại biểu.")


def _title_name(cycle: Cycle, poll: Poll, code: str = "") -> str:
    """The title a poll nominates for (`code`: the one a score poll's ranking nominates for),
    as the rule set names it (the poll's own title else)."""
    code = code or poll.title_code
    return next((t.name for t in voting_rules.titles(cycle.rule_set) if t.code == code), poll.title)


def _proposal_key(outcome: voting_selectors.Outcome) -> str:
    """A title vote's proposal is its poll's; a score poll nominates for several titles."""
    poll = outcome.poll
    return (
        f"proposal-{poll.code}-{outcome.title_code}"
        if outcome.title_code
        else f"proposal-{poll.code}"
    )


def _votes(cycle: Cycle, conference: Conference) -> tuple[list[str], list[str]]:
    """Each vote with its result, in the words of what it decides (the minutes' lines), and
    the conclusions the counted ones allow (a vote not counted is said to be so, and concludes
    nothing)."""
    lines, concluded = [], []
    polls = voting_selectors.polls_of(conference)
    refused = voting_selectors.refused_nominees(cycle, polls)
    for outcome in voting_selectors.outcomes(polls):
        poll = outcome.poll
        names = {c.unit.code: c.unit.name for c in poll.candidates.all()}
        if not outcome.complete:
            lines.append(f"- {poll.title}: chưa kiểm phiếu xong, chưa có kết quả.")
            continue
        if not outcome.winners:
            lines.append(f"- {poll.title}: không có đơn vị đạt số phiếu theo quy định.")
            continue
        won = core_ballots.EFFECT_WORDS[poll.effect][0].lower()
        winners = [
            f"{names.get(code, code)} ({outcome.votes[code][0]}/{outcome.votes[code][1]} phiếu"
            + (", vòng " + str(_round_of(outcome, code)) if len(outcome.rounds) > 1 else "")
            + ")"
            for code in outcome.winners
        ]
        lines.append(f"- {poll.title}: {', '.join(winners)} {won}.")
        elected = ", ".join(names.get(code, code) for code in outcome.winners)
        if poll.effect == core_ballots.Effect.NOMINATED:
            # a nominee a title rule refuses (e.g. one flag a year) is not concluded as proposed
            elected = ", ".join(
                names.get(code, code)
                for code in outcome.winners
                if (poll.title_code, code) not in refused
            )
            if not elected:
                continue
            concluded.append(
                f"đề nghị tặng {_title_name(cycle, poll)} năm {cycle.year} cho {elected}."
            )
        elif poll.effect == core_ballots.Effect.ELECTED:
            concluded.append(f"kết quả {poll.title[0].lower()}{poll.title[1:]}: {elected}.")
        else:
            concluded.append(f"thông qua: {poll.title}: {elected}.")
    return lines, concluded


def _conclusion_points(cycle: Cycle, conference: Conference, results) -> list[str]:
    """The conference's conclusions, one point each, as the minutes state them and the notice
    of conclusions repeats them: the ranking agreed (once the scoring is over), what each
    counted vote concluded, then the conclusions the secretary wrote."""
    points = (
        [f"Hội nghị thống nhất kết quả chấm điểm, xếp hạng thi đua năm {cycle.year} của cụm."]
        if results is not None and results.ready
        else []
    )
    points += [f"Hội nghị thống nhất {line}" for line in _votes(cycle, conference)[1]]
    return points + [line.strip() for line in conference.conclusions.splitlines() if line.strip()]


def _handover_sentence(cycle: Cycle) -> str | None:
    """Who hands the cluster's leadership over to whom, for which year."""
    handover = org_selectors.handover_from(cycle)
    if handover is None:
        return None
    how = (
        "theo kết quả bầu tại hội nghị"
        if handover.method == "elected"
        else ("theo phân công của Bộ Công an")
    )
    if handover.leader_id == cycle.leader_id:
        text = f"{cycle.leader.name} tiếp tục làm cụm trưởng năm {handover.year} ({how})"
    else:
        text = (
            f"{cycle.leader.name}, cụm trưởng năm {cycle.year}, bàn giao nhiệm vụ cụm trưởng "
            f"năm {handover.year} cho {handover.leader.name} ({how})"
        )
    if handover.deputy is not None:
        text += f"; cụm phó năm {handover.year}: {handover.deputy.name}"
    return text + "."


def _took_part_sentence(cycle: Cycle) -> str | None:
    """When the members changed during the year (a merger), how many units signed the
    agreement and how many took part in the scoring and the vote (the members now), and how
    the new ones came: the year is signed by some, held by others. None otherwise."""
    joined = [m for m in cycle.memberships.select_related("unit") if m.joined_on]
    if not joined:
        return None
    members = org_selectors.member_units(cycle)
    agreement = scoring_selectors.agreement_of(cycle)
    signed = scoring_selectors.signatories(agreement, members)
    came = "; ".join(f"{m.unit.short_name}: {m.note}" for m in joined if m.note)
    opening = (
        f"Giao ước thi đua năm {cycle.year} do {with_words(len(signed))} đơn vị ký kết"
        if agreement is not None and agreement.signed_at is not None
        else f"Đầu năm {cycle.year}, cụm có {with_words(len(signed))} đơn vị"
    )
    return (
        f"{opening}; sau sắp xếp, sáp nhập đơn vị trong năm ({came}), "
        f"{with_words(len(members))} đơn vị tham gia chấm điểm và bình xét thi đua: "
        f"{', '.join(unit.short_name for unit in members)}."
    )


def conference_minutes(cycle: Cycle, conference: Conference, issue: Issue | None = None) -> Built:
    """The minutes as the chair and the secretary sign them: when and where, who attended,
    the proceedings as held (the agenda, the report's figures, the scores, each vote with its
    result, the hand-over), the conclusions. Nothing still open is printed as done: a vote
    not counted says so, and the closing is stated only once its time is recorded."""
    document = layout.new_document(
        _heading(
            cycle,
            conference,
            "BB",
            issue,
            "Biên bản",
            f"Hội nghị tổng kết phong trào thi đua “{cycle.cluster.movement}” năm {cycle.year}",
        )
    )
    day = f"ngày {_day(cycle, conference):%d/%m/%Y}"
    opened = (
        f"Hồi {conference.starts_at:%H} giờ {conference.starts_at:%M} phút, {day}"
        if conference.starts_at
        else day[0].upper() + day[1:]
    )
    layout.body(
        document,
        f"{opened}{_at(conference.place)}, {cycle.title} tổ chức Hội nghị tổng kết "
        f"phong trào thi đua “{cycle.cluster.movement}” năm {cycle.year}.",
    )
    _attendance(document, conference)
    took_part = _took_part_sentence(cycle)
    if took_part:
        layout.body(document, took_part)
    layout.body(document, "II. NỘI DUNG HỘI NGHỊ", bold=True, indent=False)
    # the programme's items without the hours the invitation gave them, numbered
    agenda = [_written_time(line)[1] for line in _agenda_lines(conference)]
    agenda = [re.sub(r"^\d+[.)]\s*", "", line) for line in agenda]
    if agenda:
        layout.body(document, "Hội nghị tiến hành theo chương trình:")
        for index, line in enumerate(agenda, start=1):
            layout.body(document, f"{index}. {line}")
    table = stats_selectors.cluster_table(cycle, Period.YEAR)
    sentence = _statistics_sentence(cycle, table)
    if sentence:
        presenter = person(conference.chair_rank, conference.chair_name)
        layout.body(
            document,
            "Hội nghị nghe "
            + (f"đồng chí {presenter}, thay mặt đơn vị cụm trưởng, trình bày " if presenter else "")
            + f"báo cáo tổng kết phong trào thi đua năm {cycle.year} của cụm. "
            + sentence,
        )
        _on_behalf_notes(document, list(documents_selectors.statistics_on_behalf(table).values()))
    _discussion(document, cycle)
    results = scoring_selectors.results(cycle)
    if results is not None and not results.ready:
        layout.body(document, f"Kết quả chấm điểm thi đua: {_not_ranked(results)}")
    elif results is not None:
        ranking = "; ".join(
            f"{result.rank}. {unit.short_name} {format_number(result.total, 2)} điểm"
            for unit, result in results.ranking
        )
        layout.body(document, f"Hội nghị công bố kết quả chấm điểm thi đua: {ranking}.")
    _on_behalf_notes(document, _sheet_notes(results))
    layout.body(document, "Kết quả bỏ phiếu kín:")
    for line in _votes(cycle, conference)[0]:
        layout.body(document, line)
    handover = _handover_sentence(cycle)
    if handover:
        layout.body(document, f"Bàn giao nhiệm vụ cụm trưởng: {handover}")
    layout.body(document, "III. KẾT LUẬN", bold=True, indent=False)
    points = _conclusion_points(cycle, conference, results)
    for point in points:
        layout.body(document, f"- {point}")
    if not points:
        layout.body(document, "Hội nghị chưa có kết luận.")
    if conference.ends_at:
        layout.body(
            document,
            f"Hội nghị kết thúc hồi {conference.ends_at:%H} giờ {conference.ends_at:%M} phút "
            "cùng ngày. Biên bản đã được đọc lại trước hội nghị và được hội nghị thông qua.",
        )
    _checkpoint(
        document,
        cycle,
        audit_selectors.checkpoint_after(
            chain_of(cycle), AuditAction.PHASE_CLOSE, phase=Phase.CONFERENCE.value
        ),
        "hội nghị",
    )
    # as minutes are signed: the secretary at the left, the chair at the right, side by side
    layout.signatures(
        document,
        [
            layout.Signer(
                "Thư ký hội nghị",
                "",
                person(conference.secretary_rank, conference.secretary_name),
            ),
            layout.Signer(
                "Chủ trì hội nghị", "", person(conference.chair_rank, conference.chair_name)
            ),
        ],
    )
    layout.closing(
        document,
        ["Bộ Công an (để báo cáo)", "Các đơn vị trong cụm"],
        [],
        documents_selectors.issuer(cycle),
    )
    return Built(_filename("bien-ban-hoi-nghi", str(cycle.year)), layout.save(document), DOCX)


def _discussion(document, cycle: Cycle) -> None:
    """What was said, as the secretary wrote it on the documents page (one contribution a
    line); nothing when nothing was written: the minutes never invent a discussion."""
    written = documents_selectors.report_texts(cycle).get(DISCUSSION, "")
    lines = [line.strip().rstrip(";. ") for line in written.splitlines() if line.strip()]
    if not lines:
        return
    layout.body(document, "Hội nghị thảo luận; các ý kiến phát biểu:")
    for index, line in enumerate(lines):
        layout.body(document, f"- {line}{'.' if index == len(lines) - 1 else ';'}")


# --- báo cáo tổng kết ---------------------------------------------------------------------

#: The sections' headings as the report prints them (sentence case, Roman numerals); a
#: section without one here prints its label.
REPORT_HEADINGS = {"next_year": "Phương hướng, nhiệm vụ năm {next}"}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
NO_BREAK = "\u00a0"


def _cell_text(cell) -> str:
    value = shown(cell.value, cell.indicator.kind, cell.indicator.decimals)
    if cell.value is None or not cell.change:
        return value
    return f"{value}\n({narrative.table_change(cell.change)})"


def _unbroken(name: str) -> str:
    """A unit's name kept on one line in a table (non-breaking spaces)."""
    return name.replace(" ", NO_BREAK)


def _name_width(names: list[str], size: float, least: float) -> float:
    """A column wide enough (cm) for the longest name on one line at `size` pt (Times New
    Roman averages about half an em a character), cell margins included."""
    longest = max((len(name) for name in names), default=0)
    return max(least, round(longest * size * 0.5 / 28.35 + 0.6, 1))


def _report_heading(cycle: Cycle, index: int, key: str, label) -> str:
    heading = REPORT_HEADINGS.get(key, "{label}").format(next=cycle.year + 1, label=label)
    return f"{ROMAN[index]}. {heading}"


def year_end_report(cycle: Cycle, issue: Issue | None = None) -> Built:
    """The report: each written section as the leader unit saved it, else the draft written
    from the cycle's data (`core.narrative`); the statistics and the ranking after the
    results."""
    conference = voting_selectors.conference_of(cycle)
    document = layout.new_document(
        _heading(
            cycle,
            conference,
            "BC",
            issue,
            "Báo cáo",
            f"Tổng kết phong trào thi đua “{cycle.cluster.movement}” năm {cycle.year}",
        )
    )
    texts = documents_selectors.report_texts(cycle)
    table = stats_selectors.cluster_table(cycle, Period.YEAR)
    results = scoring_selectors.results(cycle)
    draft = documents_selectors.report_draft(cycle, table=table, results=results)
    took_part = _took_part_sentence(cycle)
    if took_part:
        layout.body(document, took_part)
    for index, (key, label) in enumerate(SECTIONS):
        layout.body(document, _report_heading(cycle, index, key, label), bold=True, indent=False)
        written = (texts.get(key) or "").strip() or draft.text(key)
        for paragraph in written.splitlines():
            # a note to the leader unit (a gap to fill, a figure to settle) is not signed
            if paragraph.strip() and not narrative.is_to_write(paragraph):
                layout.body(document, paragraph.strip())
        if key == "results":
            _report_tables(document, cycle, table, results)
    layout.closing(
        document,
        ["Bộ Công an (để báo cáo)", "Các đơn vị trong cụm"],
        [_leader_signer(cycle)],
        documents_selectors.issuer(cycle),
    )
    return Built(_filename("bao-cao-tong-ket", str(cycle.year)), layout.save(document), DOCX)


def _report_tables(document, cycle: Cycle, table, results) -> None:
    """The statistics (each unit beside last year) and the ranking, unit names on one line;
    the figures that do not add up are stated in the draft's shortcomings."""
    wanted = [i for i, ind in enumerate(table.indicators) if ind.code in REPORT_INDICATORS]
    layout.body(document, f"Số liệu thống kê năm {cycle.year} (so với năm {cycle.year - 1}):")
    headings = ["Đơn vị"] + [
        f"{table.indicators[i].name} ({table.indicators[i].measure})" for i in wanted
    ]
    entered = documents_selectors.statistics_on_behalf(table)
    names = [row.unit.short_name for row in table.rows] + ["Toàn cụm"]
    names += [f"({ON_BEHALF})"] if entered else []
    rows = [
        [_unbroken(row.unit.short_name) + (f"\n({ON_BEHALF})" if row.unit.code in entered else "")]
        + [_cell_text(row.cells[i]) for i in wanted]
        for row in table.rows
    ]
    rows.append([_unbroken("Toàn cụm")] + [_cell_text(table.total.cells[i]) for i in wanted])
    first = _name_width(names, 10, 2.4)
    layout.table(
        document,
        headings,
        rows,
        size=10,
        bold_last=True,
        widths=[first] + [(layout.TEXT_WIDTH_CM - first) / len(wanted)] * len(wanted),
    )
    _on_behalf_notes(document, list(entered.values()))
    if results is not None and not results.ready:
        layout.body(document, f"Kết quả chấm điểm, xếp hạng thi đua: {_not_ranked(results)}")
    elif results is not None:
        layout.body(document, "Kết quả chấm điểm, xếp hạng thi đua:")
        name = _name_width([unit.name for unit, _result in results.ranking], layout.TABLE_SIZE, 6)
        rest = (layout.TEXT_WIDTH_CM - 1.4 - name) / 3
        layout.table(
            document,
            ["Hạng", "Đơn vị", "Tổng điểm", "Tự chấm", "Xếp loại"],
            [
                [
                    str(result.rank),
                    _unbroken(unit.name),
                    format_number(result.total, 2),
                    format_number(result.self_total, 2) if result.self_total is not None else "—",
                    result.band or "—",
                ]
                for unit, result in results.ranking
            ],
            widths=[1.4, name, rest, rest, rest],
        )
    _on_behalf_notes(document, _sheet_notes(results))


def _nominee_sheet_notes(results, codes) -> list[str]:
    """The notes of the sheets entered on a scorer's behalf on the nominees `codes`: their
    scores are printed beside them."""
    if results is None or not results.ready:
        return []
    wanted = set(codes)
    return [
        note
        for slot, note in documents_selectors.sheets_on_behalf(results)
        if slot.target.code in wanted
    ]


def _not_ranked(results) -> str:
    """Said instead of a ranking while the scoring is not over (the document is Vietnamese)."""
    return " ".join(problem.render() for problem in results.why_not_ready)


ON_BEHALF = "nhập thay"


def _on_behalf_notes(document, notes: list[str]) -> None:
    """Under a table: the figures or score sheets the leader unit entered on a member's
    behalf, each its note (whose, by which unit, why, confirmed or not and so counted or not:
    `documents_selectors.statistics_on_behalf`, `sheets_on_behalf`)."""
    if len(notes) == 1:
        layout.body(document, f"Ghi chú: {notes[0]}", italic=True)
    elif notes:
        layout.body(document, "Ghi chú:", italic=True)
        for note in notes:
            layout.body(document, f"- {note}", italic=True)


def _sheet_notes(results, target=None) -> list[str]:
    if results is None:
        return []
    return [note for _slot, note in documents_selectors.sheets_on_behalf(results, target=target)]


# --- tờ trình đề nghị khen thưởng ---------------------------------------------------------


def rule_set_grounds(cycle: Cycle) -> list[str]:
    """The laws, decrees and circulars the cycle's rule set cites for the cycle's year (the
    rule set's short legal basis when it lists none)."""
    rule_set = cycle.rule_set
    cited = grounds_for(rule_set.data.get("grounds") or [], cycle.year)
    return cited or ([rule_set.legal_basis] if rule_set.legal_basis else [])


def _legal_basis_line(cycle: Cycle) -> str:
    """The cycle year's instruments in one line, the same list the proposals cite."""
    return "; ".join(rule_set_grounds(cycle))


def _year_grounds(cycle: Cycle) -> list[str]:
    """The rule set's instruments for the year, then the year's own the leader secretary
    listed (the Ministry's guidance, the cluster's rules), one per line."""
    written = documents_selectors.report_texts(cycle).get(GROUNDS, "")
    return rule_set_grounds(cycle) + [
        line.strip().rstrip(";.,") for line in written.splitlines() if line.strip()
    ]


def _cite(document, grounds: list[str]) -> None:
    """ "Căn cứ …;" one per line, the last closed by a comma: the sentence goes on after it."""
    for index, ground in enumerate(grounds):
        layout.body(document, f"Căn cứ {ground}{',' if index == len(grounds) - 1 else ';'}")


def _grounds(cycle: Cycle, conference: Conference) -> list[str]:
    """Everything a proposal cites, in the order of authority: the rule set's instruments,
    the year's own (the Ministry's guidance, the cluster's rules), the signed agreement, and
    the conference that voted."""
    cited = _year_grounds(cycle)
    agreement = scoring_selectors.agreement_of(cycle)
    if agreement is not None and agreement.signed_at is not None:
        cited.append(f"Giao ước thi đua năm {cycle.year} của {cycle.title}")
    cited.append(
        f"kết quả bình xét tại Hội nghị tổng kết phong trào thi đua “{cycle.cluster.movement}” "
        f"năm {cycle.year} của {cycle.title} ngày {_day(cycle, conference):%d/%m/%Y}"
    )
    return cited


def _vote_line(outcome: voting_selectors.Outcome, code: str) -> str:
    """ "18/21 phiếu (85,7%)", with the round when the vote took more than one; a score poll's
    nominee by its standing: "điểm bình quân 92,33, hạng 1 (18 phiếu chấm)"."""
    if outcome.standings:
        return _standing_line(outcome.standings[code])
    votes, base = outcome.votes[code]
    line = f"{votes}/{base} phiếu ({_percent(votes, base)})"
    if len(outcome.rounds) > 1:
        line += f", vòng {_round_of(outcome, code)}"
    return line


def _standing_line(row: dict) -> str:
    """A unit's line of a counted score poll: "điểm bình quân 92,33, hạng 1 (18 phiếu chấm)"."""
    rank = f"{'đồng hạng' if row['tied'] else 'hạng'} {row['rank']}"
    return f"điểm bình quân {row['shown']}, {rank} ({row['count']} phiếu chấm)"


def _informed_by(document, outcome: voting_selectors.Outcome, names: dict[str, str]) -> None:
    """Where a score poll informed the vote (titles "inform"), each nominee's standing in it."""
    polls = voting_selectors.polls_of(outcome.poll.conference)
    for poll in voting_selectors.informing_score_polls(polls):
        standings = {row["unit"]: row for row in poll.result["standings"]}
        lines = [
            f"{names.get(code, code)} đạt {_standing_line(standings[code])}"
            if standings[code]["rank"] is not None
            else f"{names.get(code, code)} không được chấm điểm"
            for code in outcome.winners
            if code in standings
        ]
        if lines:
            layout.body(
                document,
                f"Trước khi biểu quyết, hội nghị bỏ phiếu chấm điểm kín ({poll.title}): "
                + "; ".join(lines)
                + ".",
            )


def proposal(
    cycle: Cycle,
    outcome: voting_selectors.Outcome,
    attached: list[str],
    issue: Issue | None = None,
) -> Built:
    """The proposal for one title: the units its vote elected (over all its rounds), on the
    grounds cited for the cycle's year, with the rule they were elected by and the documents
    that go with it (`attached`: only those that can be produced)."""
    poll = outcome.poll
    conference = poll.conference
    names = {c.unit.code: c.unit.name for c in voting_selectors.candidates_of(poll)}
    title = _title_name(cycle, poll, outcome.title)
    council = "Hội đồng Thi đua - Khen thưởng Bộ Công an"
    scored = bool(outcome.standings)  # nominated by a score poll's ranking, not by a vote
    document = layout.new_document(
        _heading(
            cycle, conference, "TTr", issue, "Tờ trình", f"Đề nghị tặng {title} năm {cycle.year}"
        )
    )
    layout.addressee(document, [council])
    _cite(document, _grounds(cycle, conference))
    layout.body(
        document,
        f"{cycle.title} kính đề nghị {council} xem xét, đề nghị cấp có thẩm quyền tặng "
        f"{title} năm {cycle.year} cho {with_words(len(outcome.winners))} đơn vị sau:",
    )
    results = scoring_selectors.results(cycle)
    scores = {unit.code: result_ for unit, result_ in results.ranking} if results else {}
    layout.table(
        document,
        [
            "STT",
            "Đơn vị",
            "Kết quả phiếu chấm điểm" if scored else "Kết quả bỏ phiếu",
            "Điểm thi đua (hạng)",
        ],
        [
            [
                str(index),
                names.get(code, code),
                _vote_line(outcome, code),
                f"{format_number(scores[code].total, 2)} ({scores[code].rank})"
                if code in scores
                else "—",
            ]
            for index, code in enumerate(outcome.winners, start=1)
        ],
    )
    _on_behalf_notes(document, _nominee_sheet_notes(results, outcome.winners))
    electors = poll.result["electorate"] if poll.result else 0
    rule = (
        voting_selectors.score_rules_sentence(poll.rules)
        if scored
        else voting_selectors.core_rules(poll).describe(poll.effect).render()
    )
    layout.body(
        document,
        f"{'Các đơn vị trên' if len(outcome.winners) > 1 else 'Đơn vị trên'} được bình xét "
        f"bằng {'phiếu chấm điểm kín' if scored else 'bỏ phiếu kín'} tại hội nghị, với "
        f"{with_words(electors)} đại biểu được triệu tập. " + rule,
    )
    if not scored:
        _informed_by(document, outcome, names)
    if attached:
        layout.body(document, "Hồ sơ kèm theo:", bold=True)
        for index, name in enumerate(attached, start=1):
            end = "." if index == len(attached) else ";"
            layout.body(document, f"{index}. {name}{end}")
    layout.body(document, f"Kính đề nghị {council} xem xét, quyết định./.")
    layout.closing(
        document,
        ["Như trên", "Cục Công tác Đảng và công tác chính trị"],
        [_leader_signer(cycle)],
        documents_selectors.issuer(cycle),
    )
    return Built(
        _filename("to-trinh", outcome.title or poll.code, str(cycle.year)),
        layout.save(document),
        DOCX,
    )


# --- báo cáo thành tích ---------------------------------------------------------------------

#: The years of the register a report looks back on (the titles a unit held recently).
HISTORY_YEARS = 5
#: What a provincial police department is for, in the words of its founding texts: the
#: report's "chức năng, nhiệm vụ" starts from it and the unit adds its own.
PROVINCE_DUTIES = (
    "tham mưu cho Bộ trưởng Bộ Công an và cấp ủy, chính quyền địa phương về bảo vệ an ninh "
    "quốc gia, bảo đảm trật tự, an toàn xã hội; trực tiếp đấu tranh phòng, chống tội phạm và "
    "vi phạm pháp luật về trật tự, an toàn xã hội trên địa bàn"
)


def _history_rows(unit, cycle: Cycle) -> list[list[str]]:
    """The titles the unit was awarded over the years before the cycle, from the register, as
    the template's table has them (year, title, the decision's number, date and issuer): a
    proposal is not an award, and a year the register knows nothing of is left out (never
    printed as "not awarded" nor as a gap)."""
    records = org_selectors.titles_by_unit([unit], before=cycle.year).get(unit.pk, [])
    rows = []
    for year in range(cycle.year - HISTORY_YEARS, cycle.year):
        for record in records:
            if record.year != year or record.state != TitleState.AWARDED:
                continue
            decision = record.decision
            rows.append(
                [
                    str(year),
                    record.title,
                    f"Quyết định số {decision.number} ngày {decision.signed_on:%d/%m/%Y} của "
                    f"{decision.issuer}"
                    if decision is not None
                    else "—",
                ]
            )
    return rows


def _nominees(poll: Poll, outcome: voting_selectors.Outcome) -> list:
    """The units a title vote proposes, in the order it elected them."""
    units = {c.unit.code: c.unit for c in voting_selectors.candidates_of(poll)}
    return [units[code] for code in outcome.winners if code in units]


def _achievement_filename(cycle: Cycle, outcome: voting_selectors.Outcome, unit) -> str:
    return _filename(
        "bao-cao-thanh-tich", unit.short_name, outcome.title or outcome.poll.code, str(cycle.year)
    )


def _certifying_unit(cycle: Cycle, unit):
    """Who certifies a nominee's report for the cluster: the leader, but never its own (a
    competitor does not certify itself): the deputy certifies the leader's."""
    return cycle.deputy if unit.pk == cycle.leader_id and cycle.deputy_id else cycle.leader


def _certifier(cycle: Cycle, unit) -> layout.Signer:
    certifying = _certifying_unit(cycle, unit)
    post = "Cụm trưởng" if certifying.pk == cycle.leader_id else "Cụm phó"
    return layout.Signer(
        "Xác nhận của cấp trình khen thưởng",
        f"TM. {documents_selectors.issuer(cycle)}",
        person(certifying.head_rank, certifying.head_name),
        f"{post} – {certifying.head_title or 'Thủ trưởng'} {certifying.name}",
    )


def achievement_report(
    cycle: Cycle, outcome: voting_selectors.Outcome, unit, issue: Issue | None = None
) -> Built:
    """The achievement report (báo cáo thành tích) of one nominee, in the sections of the
    commendation decree's template for a collective (NĐ 91/2017 mẫu 01, NĐ 98/2023 mẫu 02:
    I. situation and duties; II. 1 results, 2 the measures behind them, 3 the Party's and the
    State's policies carried out; III. 1 titles, 2 other awards), as a first draft from the data:
    the unit's figures beside last year, its score and rank, the conference's vote, the
    movement and agreement it worked under, and its titles from the register; what only the
    unit knows (II.2's measures, II.3, III.2) is left blank under its heading. The unit
    completes it, signs it and enters it in its own register (no
    number from the cluster's); the cluster certifies it as the proposing level, by its leader
    or, for the leader's own report, by its deputy."""
    del issue  # the unit's paper: never numbered by the cluster (Plan.issuable is False)
    poll = outcome.poll
    conference = poll.conference
    title = _title_name(cycle, poll, outcome.title)
    document = layout.new_document(
        layout.Heading(
            parent_body=cycle.cluster.parent_body,
            issuer=unit.name,
            issuer_code="",
            kind_code="BC",
            number=None,
            place=unit.short_name,
            day=cycle.year,
            kind="Báo cáo thành tích",
            summary=f"Đề nghị tặng {title} năm {cycle.year}",
            numbered=False,
        )
    )
    layout.body(document, f"Tên tập thể đề nghị: {unit.name}.", indent=False)
    layout.body(document, "I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH", bold=True, indent=False)
    if unit.pk == cycle.leader_id:
        place = "đơn vị cụm trưởng"
    elif unit.pk == cycle.deputy_id:
        place = f"đơn vị cụm phó (cụm trưởng: {cycle.leader.name})"
    else:
        place = f"đơn vị thành viên (cụm trưởng: {cycle.leader.name})"
    layout.body(
        document,
        f"1. Đặc điểm, tình hình: năm {cycle.year}, {unit.name} là {place} của {cycle.title}, "
        f"tham gia phong trào thi đua “{cycle.cluster.movement}”.",
    )
    layout.body(document, f"2. Chức năng, nhiệm vụ: {PROVINCE_DUTIES}.")
    layout.body(document, "II. THÀNH TÍCH ĐẠT ĐƯỢC", bold=True, indent=False)
    layout.body(document, f"1. Kết quả thực hiện nhiệm vụ năm {cycle.year}:")
    layout.body(document, f"a) Các chỉ tiêu công tác (so với năm {cycle.year - 1}):")
    table = stats_selectors.cluster_table(cycle, Period.YEAR)
    row = next((r for r in table.rows if r.unit is not None and r.unit.pk == unit.pk), None)
    entered = documents_selectors.statistics_on_behalf(table).get(unit.code)
    if row is None or not row.counted:
        # figures that do not count (a draft, or entered on its behalf and not confirmed) are
        # not the unit's achievement yet
        layout.body(
            document, entered or "Đơn vị chưa báo cáo số liệu thống kê của năm.", italic=True
        )
    else:
        layout.table(
            document,
            ["STT", "Chỉ tiêu", f"Năm {cycle.year}", f"Năm {cycle.year - 1}", "So sánh"],
            [
                [
                    str(index),
                    f"{cell.indicator.name} ({cell.indicator.measure})",
                    shown(cell.value, cell.indicator.kind, cell.indicator.decimals),
                    shown(cell.before, cell.indicator.kind, cell.indicator.decimals),
                    narrative.table_change(cell.change) if cell.change else "—",
                ]
                for index, cell in enumerate(
                    (c for c in row.cells if c.indicator.code in REPORT_INDICATORS), start=1
                )
            ],
            widths=(1.2, 7.0, 2.4, 2.4, 3.0),
            left=1,
        )
        _on_behalf_notes(document, [entered] if entered else [])
    results = scoring_selectors.results(cycle)
    ranked = {u.pk: r for u, r in results.ranking} if results and results.ready else {}
    if unit.pk in ranked:
        result = ranked[unit.pk]
        layout.body(
            document,
            f"b) Kết quả chấm điểm thi đua theo giao ước: {format_number(result.total, 2)} "
            f"điểm, xếp thứ {result.rank}/{len(ranked)} đơn vị của cụm"
            + (f", xếp loại {result.band}" if result.band else "")
            + ".",
        )
        layout.table(
            document,
            ["STT", "Nhóm tiêu chí", "Điểm tối đa", "Điểm đạt"],
            [
                [
                    str(index),
                    f"{section.code}. {section.name}",
                    format_number(section.max_points, 2),
                    format_number(result.section(section.code), 2),
                ]
                for index, section in enumerate(results.sections, start=1)
            ],
            widths=(1.2, 9.6, 2.6, 2.6),
            left=1,
        )
        layout.body(document, scoring_excel.ROUNDING_NOTE, italic=True)
        _on_behalf_notes(document, _sheet_notes(results, unit))
    else:
        layout.body(document, "b) Kết quả chấm điểm thi đua: chưa có kết quả xếp hạng của cụm.")
    how = (
        "đề nghị theo kết quả phiếu chấm điểm kín" if outcome.standings else "bỏ phiếu kín đề nghị"
    )
    layout.body(
        document,
        f"c) Kết quả bình xét: tại Hội nghị tổng kết phong trào thi đua của cụm ngày "
        f"{_day(cycle, conference):%d/%m/%Y}, {unit.name} được hội nghị {how} "
        f"tặng {title} năm {cycle.year} với {_vote_line(outcome, unit.code)}.",
    )
    # the template's points 2 and 3: what only the unit can say, left for it to write
    agreement = scoring_selectors.agreement_of(cycle)
    layout.body(
        document,
        "2. Những biện pháp hoặc nguyên nhân đạt được thành tích; các phong trào thi đua đã "
        f"được áp dụng trong thực tiễn công tác: đơn vị thực hiện phong trào thi đua "
        f"“{cycle.cluster.movement}”"
        + (
            f" theo Giao ước thi đua năm {cycle.year} của {cycle.title}."
            if agreement is not None and agreement.signed_at is not None
            else "."
        ),
    )
    layout.body(document, "")
    layout.body(
        document,
        "3. Việc thực hiện chủ trương, đường lối của Đảng, chính sách và pháp luật của Nhà "
        "nước; hoạt động của tổ chức đảng, đoàn thể:",
    )
    layout.body(document, "")
    layout.body(document, "III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG", bold=True, indent=False)
    history = _history_rows(unit, cycle)
    layout.body(document, "1. Danh hiệu thi đua:")
    if history:
        layout.table(
            document,
            ["Năm", "Danh hiệu thi đua", "Số, ngày, tháng, năm của quyết định; cơ quan ban hành"],
            history,
            widths=(1.6, 5.6, 8.0),
            left=1,
        )
    else:
        # a drafting note for the unit, as the template's blanks are: not a claim that
        # nothing was awarded, which only the unit's own register can say
        layout.body(
            document,
            f"(Đơn vị ghi các danh hiệu thi đua đã được tặng trong {HISTORY_YEARS} năm gần "
            "đây; sổ danh hiệu của cụm không có danh hiệu nào của đơn vị.)",
            italic=True,
        )
    # the register holds titles only: the unit lists its other awards (bằng khen, huân
    # chương) itself
    layout.body(document, "2. Hình thức khen thưởng:")
    layout.body(document, "")
    layout.signatures(
        document,
        [
            _certifier(cycle, unit),
            layout.Signer(
                "Thủ trưởng đơn vị",
                "",
                person(unit.head_rank, unit.head_name),
                f"{unit.head_title or 'Thủ trưởng'} {unit.name}",
            ),
        ],
        hint=layout.SEAL_HINT,  # as the template (NĐ 91/2017 mẫu 01; NĐ 98/2023 mẫu 02)
    )
    return Built(_achievement_filename(cycle, outcome, unit), layout.save(document), DOCX)


# --- giao ước thi đua ---------------------------------------------------------------------


def _head_signer(unit, authority: str | None = None) -> layout.Signer:
    """A unit's head signing for it: the unit, the head's title, the rank and name."""
    name = person(unit.head_rank, unit.head_name)
    if authority is None:
        return layout.Signer(unit.name, unit.head_title or "Thủ trưởng", name)
    return layout.Signer(authority, "", name, f"{unit.head_title or 'Thủ trưởng'} {unit.name}")


def _heads_missing(units) -> list[str]:
    """A paper each unit's head signs needs their names (the units' profiles)."""
    unnamed = [unit.short_name for unit in units if not unit.head_name.strip()]
    if not unnamed:
        return []
    return [
        _("Chưa có họ tên thủ trưởng của: %(units)s (hồ sơ đơn vị).")
        % {"units": ", ".join(unnamed)}
    ]


def _confirmations(document, agreement, members) -> None:
    """Which units' directors confirmed this very text in the app before it was signed, with
    the digest of the content confirmed. Printed from what the year's record carries (the
    units, the content), so that a year restored from its record prints the same document;
    who confirmed and when, and why a unit could not, are in the year's audit log."""
    if agreement.signed_at is None:
        return
    digest = scoring_selectors.agreement_digest(agreement)
    confirmed = {unit.pk for unit in agreement.approved_by.all()}
    code = " ".join(digest[i : i + 4].upper() for i in range(0, 16, 4))
    layout.body(
        document,
        "Trước khi ký, thủ trưởng các đơn vị đã xác nhận nội dung giao ước này trên hồ sơ điện "
        f"tử của cụm. Mã kiểm chứng nội dung giao ước: {code} (hồ sơ điện tử đúng cho ra đúng "
        "mã này).",
    )
    layout.table(
        document,
        ["Đơn vị", "Xác nhận nội dung"],
        [
            [
                unit.short_name,
                "Đã xác nhận" if unit.pk in confirmed else "Không xác nhận",
            ]
            for unit in members
        ],
        size=11,
        widths=[4.0, layout.TEXT_WIDTH_CM - 4.0],
    )


def agreement_document(cycle: Cycle, agreement, issue: Issue | None = None) -> Built:
    """The emulation agreement (giao ước thi đua) as every member's head signs it: the
    grounds, the members, the criteria table with its points, each unit's targets, how the
    units are scored, and one signature block per member."""
    # the units that signed it, not those holding the year after a merger
    members = scoring_selectors.signatories(agreement, org_selectors.member_units(cycle))
    # signed on paper, dated by hand; the date the app recorded only when it is of the year
    signed = timezone.localtime(agreement.signed_at).date() if agreement.signed_at else None
    day = signed if signed and signed.year in (cycle.year - 1, cycle.year) else cycle.year
    document = layout.new_document(
        layout.Heading(
            parent_body=cycle.cluster.parent_body,
            issuer=documents_selectors.issuer(cycle),
            issuer_code=ISSUER_CODE,
            kind_code="GƯTĐ",
            number=issue.number if issue else None,
            replaces=issue.replaces if issue else "",
            place=cycle.leader.short_name,
            day=_dated(day, issue),
            kind="Giao ước thi đua",
            summary=f"Thực hiện phong trào thi đua “{cycle.cluster.movement}” năm {cycle.year}",
        )
    )
    _cite(document, _year_grounds(cycle))
    layout.body(
        document,
        f"Các đơn vị trong {cycle.title} gồm {with_words(len(members))} đơn vị: "
        f"{', '.join(unit.name for unit in members)}, thống nhất ký kết giao ước thi đua năm "
        f"{cycle.year} với các nội dung sau:",
    )
    layout.body(document, "I. NỘI DUNG, TIÊU CHÍ VÀ THANG ĐIỂM", bold=True, indent=False)
    criteria = scoring_selectors.criteria_of(agreement)
    layout.table(
        document,
        ["Mục", "Nội dung, tiêu chí", "Điểm tối đa"],
        [[row.code, row.name, format_number(row.max_points, 2)] for row in criteria]
        + [["", _total_label(criteria), format_number(agreement.declared_total, 2)]],
        bold_last=True,
        widths=[1.8, layout.TEXT_WIDTH_CM - 4.3, 2.5],
    )
    targets = scoring_selectors.targets_of(agreement)
    targeted = [row for row in criteria if any(code == row.code for _u, code in targets)]
    if targeted:
        layout.body(document, "II. CHỈ TIÊU GIAO CHO TỪNG ĐƠN VỊ", bold=True, indent=False)
        layout.table(
            document,
            ["Đơn vị"] + [row.code for row in targeted],
            [
                [unit.short_name]
                + [
                    # as agreed, to its last decimal, with its unit ("75,5%"); 0: none set
                    format_exact(targets[unit.code, row.code]) + scoring_selectors.measure_of(row)
                    if targets.get((unit.code, row.code))
                    else "—"
                    for row in targeted
                ]
                for unit in members
            ],
            size=11,
        )
    part = "III" if targeted else "II"
    layout.body(document, f"{part}. TỔ CHỨC THỰC HIỆN", bold=True, indent=False)
    layout.body(
        document,
        f"Cách phân công chấm điểm: {agreement.get_assignment_display().lower()}. Mỗi đơn vị "
        "tự chấm điểm theo bảng tiêu chí trên và được các đơn vị khác chấm; không đơn vị nào "
        "chấm điểm cho chính mình. Kết quả được tổng hợp, xếp hạng và công bố tại Hội nghị "
        f"tổng kết năm {cycle.year} của cụm.",
    )
    layout.body(
        document,
        f"Giao ước này được lập thành {with_words(len(members) + 1)} bản, mỗi đơn vị giữ một "
        "bản, một bản gửi Bộ Công an để báo cáo.",
    )
    _confirmations(document, agreement, members)
    layout.signatures(document, [_head_signer(unit) for unit in members])
    layout.closing(
        document,
        ["Bộ Công an (để báo cáo)", "Các đơn vị trong cụm"],
        [],
        documents_selectors.issuer(cycle),
    )
    return Built(_filename("giao-uoc-thi-dua", str(cycle.year)), layout.save(document), DOCX)


# --- biên bản bàn giao cụm trưởng -------------------------------------------------------------


def _total_label(criteria) -> str:
    """The total row's words: the scale (e.g. 100) leaves out the bonus and penalty points,
    so a reader adding up the maxima is told why they come to more."""
    outside = [c.code for c in criteria if c.kind == "bonus_penalty"]
    if not outside:
        return "Tổng cộng"
    return f"Tổng cộng (điểm tối đa không kể điểm thưởng, điểm trừ của mục {', '.join(outside)})"


def _grouped_labels(labels: list[str]) -> list[str]:
    """ "Phiếu tổng hợp điểm: Cao Bằng", "…: Điện Biên" (or "Phiếu chấm điểm của …") as one
    item naming every unit, in the order first met: a list a reader can tick off, not a
    run-on paragraph."""
    groups: dict[str, tuple[str, list[str]]] = {}
    for label in map(str, labels):
        for sep, joiner in ((": ", "; "), (" của ", ", ")):
            kind, found, which = label.partition(sep)
            if found:
                groups.setdefault(kind + sep, (joiner, []))[1].append(which)
                break
        else:
            groups.setdefault(label, ("", []))
    return [prefix + joiner.join(which) for prefix, (joiner, which) in groups.items()]


def _handed(cycle: Cycle) -> list[str]:
    """What the hand-over lists: the cycle's other documents that are ready, named as the
    documents page names them, in the language the minutes are built in (Vietnamese, whoever
    builds them: their names are read when the minutes are, not in the reader's language)."""
    return [plan.label for plan in plans(cycle) if plan.ready and plan.key != "handover-minutes"]


def handover_minutes(
    cycle: Cycle,
    handover,
    conference: Conference | None,
    handed: list[str],
    issue: Issue | None = None,
) -> Built:
    """The minutes of the hand-over of the cluster's leadership: who hands over to whom, for
    which year and on what basis (the vote at the conference, or the Ministry's decision),
    what is handed over (the year's documents that exist), signed by both sides' heads."""
    giver, taker = cycle.leader, handover.leader
    document = layout.new_document(
        _heading(
            cycle,
            conference,
            "BB",
            issue,
            "Biên bản",
            f"Bàn giao nhiệm vụ cụm trưởng {documents_selectors.issuer(cycle)} năm {handover.year}",
        )
    )
    day = _day(cycle, conference)
    place = conference.place if conference and conference.place else giver.short_name
    layout.body(
        document,
        f"Ngày {day:%d/%m/%Y}{_at(place)}, "
        f"{giver.name} (cụm trưởng năm {cycle.year}) bàn giao nhiệm vụ cụm trưởng "
        f"{cycle.title} năm {handover.year} cho {taker.name}.",
    )
    layout.body(document, "I. THÀNH PHẦN", bold=True, indent=False)
    for side, unit in (("Bên giao", giver), ("Bên nhận", taker)):
        layout.body(
            document,
            f"{side}: {unit.name}, do đồng chí "
            f"{person(unit.head_rank, unit.head_name, unit.head_title or 'Thủ trưởng')}, làm "
            "đại diện.",
        )
    layout.body(document, "II. CĂN CỨ", bold=True, indent=False)
    if handover.method == "elected":
        leader_poll = next(
            (
                outcome
                for outcome in voting_selectors.outcomes(
                    voting_selectors.polls_of(conference) if conference else []
                )
                if outcome.poll.purpose == Poll.Purpose.LEADER and taker.code in outcome.winners
            ),
            None,
        )
        basis = f"Kết quả bầu cụm trưởng năm {handover.year} tại Hội nghị tổng kết năm {cycle.year}"
        if leader_poll is not None:
            votes, base = leader_poll.votes[taker.code]
            basis += f": {taker.name} trúng cử với {votes}/{base} phiếu"
    else:
        basis = "Phân công của Bộ Công an"
    if handover.decision_ref:
        basis += f" ({handover.decision_ref})"
    layout.body(document, basis + ".")
    if handover.deputy is not None:
        layout.body(document, f"Cụm phó năm {handover.year}: {handover.deputy.name}.")
    layout.body(document, "III. NỘI DUNG BÀN GIAO", bold=True, indent=False)
    layout.body(document, f"Hồ sơ, tài liệu của cụm năm {cycle.year}, gồm:")
    items = [
        *_grouped_labels(handed),
        f"Hồ sơ điện tử năm thi đua {cycle.year} của cụm, đối chiếu được với các mã kiểm chứng "
        "in trên các biên bản",
    ]
    for index, item in enumerate(items, start=1):
        layout.body(document, f"{index}. {item}{'.' if index == len(items) else ';'}")
    layout.body(
        document,
        f"Kể từ ngày ký biên bản này, {taker.name} đảm nhận nhiệm vụ cụm trưởng năm "
        f"{handover.year}. Biên bản được lập thành hai bản có giá trị như nhau, mỗi bên giữ một "
        "bản; bản sao gửi Bộ Công an và các đơn vị trong cụm.",
    )
    layout.signatures(
        document,
        [_head_signer(giver, "Đại diện bên giao"), _head_signer(taker, "Đại diện bên nhận")],
    )
    layout.closing(
        document,
        ["Bộ Công an (để báo cáo)", "Các đơn vị trong cụm"],
        [],
        documents_selectors.issuer(cycle),
    )
    return Built(
        _filename("bien-ban-ban-giao-cum-truong", str(handover.year)), layout.save(document), DOCX
    )


# --- giấy mời và chương trình hội nghị -----------------------------------------------------

# a time written at the start of an agenda line: "08:30 …", "08h30 - 09h00: …", "8 giờ 30 …"
_TIME_AT_START = re.compile(
    r"(\d{1,2})\s*(?::|h|giờ)\s*(\d{2})(?:\s*[-–]\s*(\d{1,2})\s*(?::|h|giờ)\s*(\d{2}))?\s*[:,–-]?\s+"
)


def _hour(hours: int, minutes: int) -> str:
    return f"{hours:02d} giờ {minutes:02d}"


def _written_time(line: str) -> tuple[str, str]:
    """(the time written at the start of an agenda line, the rest), or ("", the line)."""
    found = _TIME_AT_START.match(line)
    if found is None:
        return "", line
    parts = [int(part) for part in found.groups() if part is not None]
    if any(h > 23 or m > 59 for h, m in zip(parts[::2], parts[1::2], strict=True)):
        return "", line
    shown = " - ".join(_hour(h, m) for h, m in zip(parts[::2], parts[1::2], strict=True))
    return shown, line[found.end() :]


def _agenda_lines(conference: Conference) -> list[str]:
    return [line.strip() for line in (conference.agenda or "").splitlines() if line.strip()]


def _programme(conference: Conference) -> list[tuple[str, str]]:
    """(time, item) for the programme: the opening and the closing at the hours recorded for
    them, the agenda lines between, each with the time written at its start if any. No hour is
    made up: an item with no time written has none."""
    rows = []
    if conference.starts_at:
        opening = conference.starts_at
        rows.append((_hour(opening.hour, opening.minute), "Khai mạc hội nghị"))
    rows += [_written_time(line) for line in _agenda_lines(conference)]
    if conference.ends_at:
        rows.append((_hour(conference.ends_at.hour, conference.ends_at.minute), "Bế mạc hội nghị"))
    return rows


def _when_where_missing(conference: Conference | None) -> list[str]:
    """A paper that states when and where the conference is needs both (the conference page)."""
    if conference is None:
        return [_("Chưa có hội nghị tổng kết.")]
    missing = []
    if conference.held_on is None:
        missing.append(_("Chưa ghi ngày họp của hội nghị (trang hội nghị)."))
    if not conference.place.strip():
        missing.append(_("Chưa ghi địa điểm hội nghị (trang hội nghị)."))
    return missing


def _invitees(cycle: Cycle, conference: Conference) -> list[str]:
    """Each member unit's head (by name when the unit's profile gives it) and its delegates."""
    delegates: dict[int, list[str]] = {}
    for delegate in voting_selectors.delegates_of(conference):
        delegates.setdefault(delegate.unit_id, []).append(delegate.user.display_name)
    lines = []
    for unit in org_selectors.member_units(cycle):
        office = f"{unit.head_title or 'Thủ trưởng'} {unit.name}"
        name = person(unit.head_rank, unit.head_name)
        line = f"Đồng chí {name}, {office}" if unit.head_name.strip() else f"Đồng chí {office}"
        others = [n for n in delegates.get(unit.pk, []) if n != unit.head_name.strip()]
        if others:
            comrades = "các đồng chí" if len(others) > 1 else "đồng chí"
            line += f"; {comrades} đại biểu của đơn vị: {', '.join(others)}"
        lines.append(line)
    return lines


def _conference_name(cycle: Cycle) -> str:
    return (
        f"Hội nghị tổng kết phong trào thi đua “{cycle.cluster.movement}” năm {cycle.year} của "
        f"{cycle.title}"
    )


def invitation(cycle: Cycle, conference: Conference, issue: Issue | None = None) -> Built:
    """The invitation to the year-end conference (giấy mời), signed by the leader: each member
    unit's head and delegates, when and where (the hour only when it is recorded), and the
    programme after it, from the agenda. Sent before the conference: dated by hand."""
    document = layout.new_document(
        _heading(
            cycle,
            conference,
            "GM",
            issue,
            "Giấy mời",
            f"Dự Hội nghị tổng kết phong trào thi đua “{cycle.cluster.movement}” năm {cycle.year}",
            day=conference.held_on.year,
        )
    )
    layout.body(document, f"{cycle.title} trân trọng kính mời:")
    invitees = _invitees(cycle, conference)
    for index, line in enumerate(invitees, start=1):
        layout.body(document, f"- {line}{'.' if index == len(invitees) else ';'}")
    layout.body(document, f"Tới dự {_conference_name(cycle)}.")
    opening = conference.starts_at
    hour = f"{_hour(opening.hour, opening.minute)} phút, " if opening else ""
    layout.body(document, f"Thời gian: {hour}ngày {conference.held_on:%d/%m/%Y}.")
    layout.body(document, f"Địa điểm: {conference.place.strip()}.")
    programme = _programme(conference)
    if programme:
        layout.body(document, "Chương trình hội nghị: kèm theo Giấy mời này.")
    layout.body(document, "Đề nghị các đồng chí sắp xếp công việc, đến dự đúng thời gian./.")
    layout.closing(
        document,
        ["Như trên", "Bộ Công an (để báo cáo)"],
        [_leader_signer(cycle)],
        documents_selectors.issuer(cycle),
    )
    if programme:
        heading = layout.body(document, "CHƯƠNG TRÌNH HỘI NGHỊ", bold=True, indent=False)
        heading.alignment = CENTER
        heading.paragraph_format.page_break_before = True
        number = f" số {reference('invitation', issue.number)}" if issue else ""
        note = layout.body(
            document,
            f"(Kèm theo Giấy mời{number} của {documents_selectors.issuer(cycle)})",
            italic=True,
        )
        note.alignment = CENTER
        layout.body(document, f"{_conference_name(cycle)}:", indent=False)
        if any(time for time, _item in programme):
            layout.table(
                document,
                ["Thời gian", "Nội dung"],
                [[time, item] for time, item in programme],
                widths=(4.0, layout.TEXT_WIDTH_CM - 4.0),
                left=1,
            )
        else:
            for _time, item in programme:
                layout.body(document, item)
    return Built(_filename("giay-moi-hoi-nghi", str(cycle.year)), layout.save(document), DOCX)


# --- thông báo kết luận hội nghị --------------------------------------------------------------


def _undecided(polls: list[Poll]) -> list[str]:
    """The votes without a final result (a round open or a tie left)."""
    return [
        outcome.poll.title for outcome in voting_selectors.outcomes(polls) if not outcome.complete
    ]


def conclusions_notice(cycle: Cycle, conference: Conference, issue: Issue | None = None) -> Built:
    """The notice of the conference's conclusions (thông báo kết luận), signed by the leader:
    when, where and who chaired, the conclusions as the minutes state them (the same points),
    and the hand-over of the leadership. Sent after the conference: dated by hand."""
    document = layout.new_document(
        _heading(
            cycle,
            conference,
            "TB",
            issue,
            "Thông báo",
            f"Kết luận Hội nghị tổng kết phong trào thi đua “{cycle.cluster.movement}” năm "
            f"{cycle.year}",
            day=conference.held_on.year,
        )
    )
    chair = person(conference.chair_rank, conference.chair_name, conference.chair_position)
    layout.body(
        document,
        f"Ngày {conference.held_on:%d/%m/%Y}{_at(conference.place)}, {cycle.title} tổ "
        f"chức Hội nghị tổng kết phong trào thi đua “{cycle.cluster.movement}” năm {cycle.year}"
        + (f", do đồng chí {chair} chủ trì" if conference.chair_name.strip() else "")
        + f". {documents_selectors.issuer(cycle)} thông báo kết luận của hội nghị như sau:",
    )
    points = _conclusion_points(cycle, conference, scoring_selectors.results(cycle))
    handover = _handover_sentence(cycle)
    if handover:
        points.append(f"Bàn giao nhiệm vụ cụm trưởng: {handover}")
    for index, point in enumerate(points, start=1):
        layout.body(document, f"{index}. {point}")
    layout.body(
        document,
        f"{documents_selectors.issuer(cycle)} thông báo để các đơn vị trong cụm biết, thực hiện./.",
    )
    layout.closing(
        document,
        ["Bộ Công an (để báo cáo)", "Các đơn vị trong cụm"],
        [_leader_signer(cycle)],
        documents_selectors.issuer(cycle),
    )
    return Built(
        _filename("thong-bao-ket-luan-hoi-nghi", str(cycle.year)), layout.save(document), DOCX
    )


# --- công văn gửi hồ sơ đề nghị ---------------------------------------------------------------


def covering_letter(
    cycle: Cycle,
    conference: Conference,
    proposed: list[voting_selectors.Outcome],
    attached: list[str],
    issue: Issue | None = None,
) -> Built:
    """The letter (công văn) sending the year's proposals to the Ministry's emulation office:
    the list of the units proposed for each title (the counted title votes', each title as the
    rule set names it) with their votes and their score and rank, and the documents that go
    with it (`attached`: only those that can be produced)."""
    document = layout.new_document(
        _heading(
            cycle,
            conference,
            "",
            issue,
            "Công văn",
            f"gửi hồ sơ đề nghị tặng danh hiệu thi đua năm {cycle.year}",
        )
    )
    office = f"{EMULATION_OFFICE}, Bộ Công an"
    layout.addressee(document, [office])
    rows = []
    results = scoring_selectors.results(cycle)
    scores = {unit.code: result_ for unit, result_ in results.ranking} if results else {}
    for outcome in proposed:
        names = {c.unit.code: c.unit.name for c in outcome.poll.candidates.all()}
        title = _title_name(cycle, outcome.poll, outcome.title)
        for code in outcome.winners:
            rows.append(
                [
                    str(len(rows) + 1),
                    title,
                    names.get(code, code),
                    _vote_line(outcome, code),
                    f"{format_number(scores[code].total, 2)} ({scores[code].rank})"
                    if code in scores
                    else "—",
                ]
            )
    layout.body(
        document,
        f"Căn cứ kết quả bình xét tại Hội nghị tổng kết phong trào thi đua "
        f"“{cycle.cluster.movement}” năm {cycle.year} ngày {_day(cycle, conference):%d/%m/%Y}, "
        f"{cycle.title} gửi {EMULATION_OFFICE} hồ sơ đề nghị tặng danh hiệu thi đua năm "
        f"{cycle.year}, gồm {with_words(len(rows))} đề nghị theo danh sách sau:",
    )
    layout.table(
        document,
        [
            "STT",
            "Danh hiệu",
            "Đơn vị",
            # a title the score ranking nominated for shows the nominee's standing
            "Kết quả bỏ phiếu, chấm điểm"
            if any(o.standings for o in proposed)
            else "Kết quả bỏ phiếu",
            "Điểm thi đua (hạng)",
        ],
        rows,
        widths=(1.2, 4.8, 5.2, 2.9, 2.4),
    )
    _on_behalf_notes(
        document,
        _nominee_sheet_notes(results, [code for outcome in proposed for code in outcome.winners]),
    )
    if attached:
        layout.body(document, "Hồ sơ kèm theo:", bold=True)
        for index, name in enumerate(attached, start=1):
            layout.body(document, f"{index}. {name}{'.' if index == len(attached) else ';'}")
    layout.body(
        document,
        f"Đề nghị {EMULATION_OFFICE} tổng hợp, trình {MINISTRY_COUNCIL} xem xét, quyết định./.",
    )
    layout.closing(
        document,
        ["Như trên", "Các đơn vị trong cụm"],
        [_leader_signer(cycle)],
        documents_selectors.issuer(cycle),
    )
    return Built(
        _filename("cong-van-gui-ho-so-de-nghi", str(cycle.year)), layout.save(document), DOCX
    )


# --- bảng tổng hợp điểm -------------------------------------------------------------------


SCORE_TABLE = "Bảng tổng hợp kết quả chấm điểm thi đua"


def score_table(cycle: Cycle) -> Built:
    """The results as the cluster signs them: the title block (issuing body, national name
    and motto, place and date of the conference, the table's name), the ranking, the leader's
    signature block; A4 landscape."""
    results = scoring_selectors.results(cycle)
    conference = voting_selectors.conference_of(cycle)
    head = xlsx.Letterhead(
        parent_body=cycle.cluster.parent_body,
        issuer=documents_selectors.issuer(cycle),
        place_date=date_line(cycle.leader.short_name, _day(cycle, conference)),
        kind=SCORE_TABLE,
        summary=f"{documents_selectors.issuer(cycle)} năm {cycle.year}",
    )
    signer = _leader_signer(cycle)
    signature = xlsx.Signature(signer.authority, signer.title, signer.office, signer.name)
    return Built(
        _filename("bang-tong-hop-diem", str(cycle.year), extension="xlsx"),
        scoring_excel.results_xlsx(
            results,
            head,
            [signature],
            [f"Ghi chú: {note}" for note in _sheet_notes(results)],
        ),
        XLSX,
    )


# --- phiếu chấm điểm: của từng đơn vị được chấm, của từng đơn vị chấm ------------------------

#: Judged criteria per table: the codes side by side on an A4 portrait page, at 11 pt.
MATRIX_CRITERIA = 8
MATRIX_SIZE = 11
SCORE_SHEET = "Phiếu tổng hợp điểm thi đua"
SCORER_SHEET = "Phiếu chấm điểm thi đua"


def _points(value) -> str:
    return format_number(value, 2) if value is not None else "—"


def _aggregation_words(rules) -> str:
    """How the scorers' points on a criterion become the unit's, as the results page says it."""
    if rules.aggregation == "median":
        words = "trung vị điểm của các đơn vị chấm"
    elif rules.aggregation == "trimmed_mean":
        words = (
            "trung bình cộng điểm của các đơn vị chấm, sau khi bỏ một điểm cao nhất và một "
            f"điểm thấp nhất khi có từ {with_words(rules.trim_from)} đơn vị chấm trở lên"
        )
    else:
        words = "trung bình cộng điểm của các đơn vị chấm"
    if rules.zscore:
        words += ", sau khi quy đổi điểm về cùng mặt bằng giữa các đơn vị chấm"
    return words


def _score_matrix(document, judged, rows: list[tuple[str, dict[str, str], str]]) -> None:
    """Units down the side, the judged criteria's codes across (with their maximum in the
    first row), a total at the end; `MATRIX_CRITERIA` codes to a table, so that a longer
    table of criteria goes on in a further table rather than off the page. The last row is
    bold when it is the aggregate (its label starts "Điểm tổng hợp")."""
    for start in range(0, max(len(judged), 1), MATRIX_CRITERIA):
        part = judged[start : start + MATRIX_CRITERIA]
        last = start + MATRIX_CRITERIA >= len(judged)
        headings = ["Đơn vị", *(c.code for c in part)] + (["Cộng"] if last else [])
        body = [["Điểm tối đa", *(_points(c.max_points) for c in part)]]
        if last:
            body[0].append(_points(sum((c.max_points for c in judged), start=Decimal(0))))
        for label, cells, total in rows:
            body.append(
                [label, *(cells.get(c.code, "—") for c in part)] + ([total] if last else [])
            )
        first = 3.4
        rest = (layout.TEXT_WIDTH_CM - first) / (len(headings) - 1)
        layout.table(
            document,
            headings,
            body,
            size=MATRIX_SIZE,
            bold_last=rows[-1][0].startswith("Điểm tổng hợp") if rows else False,
            widths=[first] + [rest] * (len(headings) - 1),
            left=0,
        )


def _self_points(results, result, own: dict) -> dict[str, Decimal | None]:
    """The unit's self-assessment per criterion as the results count it beside the total:
    its own score on a judged criterion (capped), the computed points on an automatic one,
    each section the sum of its children capped at its maximum."""
    values: dict[str, Decimal | None] = {}
    for criterion in results.table.leaves:
        if criterion.judged:
            given = own.get(criterion.code)
            values[criterion.code] = min(given, criterion.max_points) if given is not None else None
        else:
            values[criterion.code] = result.criteria[criterion.code].points
    for row in reversed(results.criteria):  # children come after their section
        if row.kind == "section":
            inside = [values.get(child) for child in results.table.children.get(row.code, [])]
            values[row.code] = (
                min(sum((v for v in inside if v is not None), Decimal(0)), row.max_points)
                if any(v is not None for v in inside)
                else None
            )
    return values


def _sheets_by_pair(results) -> dict[tuple[int, int], object]:
    """(scorer id, target id) → the submitted sheet, from the results' slots (no query)."""
    return {
        (slot.scorer.pk, slot.target.pk): slot.sheet
        for slot in results.slots
        if slot.sheet is not None and slot.status == "submitted"
    }


def _given(scores: dict[int, dict[str, object]], sheet) -> dict[str, object]:
    """Criterion code → the stored score (its value and reason) of a sheet, from `scores`
    (`documents_selectors.scores_of`); none for no sheet."""
    return scores[sheet.pk] if sheet else {}


def unit_score_sheet(cycle: Cycle, results, unit, issue: Issue | None = None) -> Built:
    """The score sheet of one unit as the leader unit compiles it: per criterion of the
    agreement's table, the unit's self-assessment (shown, never counted), each scoring unit's
    score under its name (never the unit's own), the aggregated score the results page
    computes, the total, rank and band; signed by the leader unit's head."""
    conference = voting_selectors.conference_of(cycle)
    result = next(r for u, r in results.ranking if u.pk == unit.pk)
    issuer = documents_selectors.issuer(cycle)
    document = layout.new_document(
        layout.Heading(
            parent_body=cycle.cluster.parent_body,
            issuer=issuer,
            issuer_code=ISSUER_CODE,
            kind_code="BC",  # not printed (numbered=False), and not a công văn's layout
            number=None,
            replaces=issue.replaces if issue else "",
            place=cycle.leader.short_name,
            day=_day(cycle, conference),
            kind=SCORE_SHEET,
            summary=f"{unit.name} năm {cycle.year}",
            numbered=False,
        )
    )
    attached = layout.body(
        document, f"(Kèm theo {SCORE_TABLE} năm {cycle.year} của {issuer})", italic=True
    )
    attached.alignment = CENTER
    members = [slot.target for slot in results.slots if slot.kind == "self"]  # member order
    assigned = scoring_selectors.assignment(results.agreement, members)
    by_code = {u.code: u for u in members}
    scorers = [by_code[code] for code in assigned.get(unit.code, []) if code != unit.code]
    sheets = _sheets_by_pair(results)
    own_sheet = sheets.get((unit.pk, unit.pk))
    own_scores = _given(documents_selectors.scores_of([own_sheet]), own_sheet)
    own = {code: score.value for code, score in own_scores.items()}
    layout.body(
        document,
        f"Đơn vị được chấm: {unit.name}. Đơn vị chấm: "
        + (
            f"{with_words(len(scorers))} đơn vị gồm {', '.join(s.name for s in scorers)}"
            if scorers
            else "chưa phân công"
        )
        + f". {unit.name} không chấm "
        "điểm cho chính mình: điểm tự chấm ghi để đối chiếu, không tính vào kết quả.",
    )
    layout.body(
        document,
        f"Điểm của mỗi tiêu chí chấm chéo là {_aggregation_words(results.rules)}, không vượt "
        "điểm tối đa của tiêu chí; các tiêu chí khác tính từ số liệu thống kê và các nội dung đã "
        "ghi nhận; điểm mỗi mục là tổng điểm các tiêu chí trong mục, không vượt điểm tối đa của "
        f"mục; tổng điểm làm tròn đến {with_words(results.rules.decimals)} chữ số thập phân.",
    )
    layout.body(document, "I. ĐIỂM THEO TỪNG TIÊU CHÍ", bold=True, indent=False)
    selves = _self_points(results, result, own)
    rows = [
        [
            row.code,
            row.name,
            _points(row.max_points),
            _points(selves.get(row.code)),
            _points(result.criteria[row.code].points),
        ]
        for row in results.criteria
    ]
    rows.append(
        [
            "",
            _total_label(results.criteria),
            _points(results.table.total_points),
            _points(result.self_total),
            _points(result.total),
        ]
    )
    layout.table(
        document,
        ["Mục", "Nội dung, tiêu chí", "Điểm tối đa", "Tự chấm", "Điểm đạt"],
        rows,
        size=MATRIX_SIZE,
        bold_last=True,
        widths=[1.4, layout.TEXT_WIDTH_CM - 1.4 - 3 * 2.1, 2.1, 2.1, 2.1],
        left=1,
    )
    layout.body(document, scoring_excel.ROUNDING_NOTE, italic=True)
    rank_line = (
        f"Tổng điểm: {_points(result.total)} điểm (tự chấm {_points(result.self_total)}); xếp "
        f"thứ {result.rank}/{len(results.ranking)} đơn vị của cụm"
        + (f"; xếp loại {result.band}" if result.band else "")
        + "."
    )
    layout.body(document, rank_line, bold=True)
    judged = [c for c in results.criteria if c.kind == "peer"]
    entered = {
        slot.scorer.pk: note
        for slot, note in documents_selectors.sheets_on_behalf(results, target=unit)
    }
    if judged:
        layout.body(document, "II. ĐIỂM CỦA TỪNG ĐƠN VỊ CHẤM", bold=True, indent=False)
        lines = []
        for scorer in scorers:
            given = result.criteria
            cells = {
                c.code: _points(given[c.code].by_scorer[scorer.code])
                for c in judged
                if scorer.code in given[c.code].by_scorer
            }
            total = sum(
                (
                    given[c.code].by_scorer[scorer.code]
                    for c in judged
                    if scorer.code in given[c.code].by_scorer
                ),
                start=Decimal(0),
            )
            label = scorer.short_name + (f" ({ON_BEHALF})" if scorer.pk in entered else "")
            lines.append((label, cells, _points(total) if cells else "—"))
        lines.append(
            (
                f"Tự chấm (không tính{f', {ON_BEHALF}' if unit.pk in entered else ''})",
                {c.code: _points(own[c.code]) for c in judged if c.code in own},
                _points(sum((own[c.code] for c in judged if c.code in own), start=Decimal(0)))
                if own
                else "—",
            )
        )
        lines.append(
            (
                "Điểm tổng hợp",
                {c.code: _points(result.criteria[c.code].points) for c in judged},
                _points(sum((result.criteria[c.code].points for c in judged), start=Decimal(0))),
            )
        )
        _score_matrix(document, judged, lines)
    _on_behalf_notes(document, list(entered.values()))
    automatic = [
        (row, result.criteria[row.code])
        for row in results.criteria
        if row.kind not in ("section", "peer") and result.criteria[row.code].explanation
    ]
    if automatic:
        layout.body(document, "III. CÁCH TÍNH CÁC TIÊU CHÍ THEO SỐ LIỆU", bold=True, indent=False)
        for row, item in automatic:
            layout.body(document, f"- {row.code}. {row.name}: {item.explanation.render()}.")
    layout.closing(
        document,
        ["Bộ Công an (để báo cáo)", unit.name],
        [_leader_signer(cycle)],
        issuer,
    )
    return Built(_score_sheet_filename(cycle, unit), layout.save(document), DOCX)


def _score_sheet_filename(cycle: Cycle, unit) -> str:
    return _filename("phieu-tong-hop-diem", unit.short_name, str(cycle.year))


def _scorer_sheet_filename(cycle: Cycle, unit) -> str:
    return _filename("phieu-cham-diem", unit.short_name, str(cycle.year))


def scorer_sheet(cycle: Cycle, results, scorer, issue: Issue | None = None) -> Built:
    """The score sheet a scoring unit submitted, as its director signs it: per judged
    criterion, the score it gave each other unit it scores, and the reason it recorded where
    a score is below that unit's self-assessment. The unit's own paper: it enters it in its
    own register (the cluster gives it no number)."""
    del issue  # the scoring unit's paper (Plan.issuable is False)
    members = [slot.target for slot in results.slots if slot.kind == "self"]
    assigned = scoring_selectors.assignment(results.agreement, members)
    targets = [u for u in members if scorer.code in assigned.get(u.code, [])]
    sheets = _sheets_by_pair(results)
    judged = [c for c in results.criteria if c.kind == "peer"]
    submitted = [sheets[scorer.pk, t.pk] for t in targets if (scorer.pk, t.pk) in sheets]
    # dated the day its last sheet was submitted, when that is of the year (else by hand)
    moments = [s.submitted_at for s in submitted if s.submitted_at is not None]
    last = timezone.localtime(max(moments)).date() if moments else None
    day = last if last and last.year in (cycle.year, cycle.year + 1) else cycle.year
    document = layout.new_document(
        layout.Heading(
            parent_body=cycle.cluster.parent_body,
            issuer=scorer.name,
            issuer_code="",
            kind_code="BC",  # not printed (numbered=False)
            number=None,
            place=scorer.short_name,
            day=day,
            kind=SCORER_SHEET,
            summary=f"{scorer.name} chấm điểm các đơn vị {documents_selectors.issuer(cycle)} "
            f"năm {cycle.year}",
            numbered=False,
        )
    )
    layout.body(
        document,
        f"Thực hiện Giao ước thi đua năm {cycle.year} của {cycle.title}, {scorer.name} chấm "
        f"điểm {with_words(len(targets))} đơn vị: {', '.join(t.name for t in targets)}, theo "
        f"các tiêu chí chấm chéo của giao ước (bước điểm {_points(results.rules.step)}). "
        f"{scorer.name} không chấm điểm cho chính mình; điểm tự chấm của đơn vị ghi trên phiếu "
        "riêng. Các tiêu chí tính từ số liệu thống kê và các nội dung đã ghi nhận không chấm "
        "trên phiếu này.",
    )
    layout.body(document, "I. TIÊU CHÍ CHẤM", bold=True, indent=False)
    layout.table(
        document,
        ["Mục", "Nội dung, tiêu chí", "Điểm tối đa"],
        [[c.code, c.name, _points(c.max_points)] for c in judged],
        size=MATRIX_SIZE,
        widths=[1.4, layout.TEXT_WIDTH_CM - 1.4 - 2.1, 2.1],
        left=1,
    )
    layout.body(document, "II. ĐIỂM CHẤM", bold=True, indent=False)
    pairs = [(scorer, t) for t in targets] + [(t, t) for t in targets]
    scores = documents_selectors.scores_of(sheets.get((a.pk, b.pk)) for a, b in pairs)
    given_by_target = {t.pk: _given(scores, sheets.get((scorer.pk, t.pk))) for t in targets}
    entered = {
        slot.target.pk: note
        for slot, note in documents_selectors.sheets_on_behalf(results)
        if slot.scorer.pk == scorer.pk and slot.kind == "peer"
    }
    reasons: list[tuple[object, str, list[tuple[str, object, object]]]] = []
    rows = []
    for target in targets:
        given = given_by_target[target.pk]
        own = _given(scores, sheets.get((target.pk, target.pk)))
        cells = {}
        by_reason: dict[str, list] = {}
        for criterion in judged:
            score = given.get(criterion.code)
            if score is None:
                continue
            cells[criterion.code] = _points(score.value) + ("*" if score.reason else "")
            if score.reason:
                mine = own.get(criterion.code)
                by_reason.setdefault(score.reason, []).append(
                    (criterion.code, score.value, mine.value if mine else None)
                )
        total = sum((s.value for s in given.values()), start=Decimal(0))
        label = target.short_name + (f" ({ON_BEHALF})" if target.pk in entered else "")
        rows.append((label, cells, _points(total) if given else "—"))
        reasons += [(target, reason, items) for reason, items in by_reason.items()]
    _score_matrix(document, judged, rows)
    _on_behalf_notes(document, list(entered.values()))
    layout.body(document, "III. LÝ DO CHẤM THẤP HƠN ĐIỂM ĐƠN VỊ TỰ CHẤM", bold=True, indent=False)
    if not reasons:
        layout.body(document, "Phiếu chấm không ghi lý do nào.")
    else:
        layout.body(document, "Các điểm đánh dấu * ở bảng trên:")
    for target, reason, items in reasons:
        scores = "; ".join(
            f"{code}: {_points(value)}"
            + (f" (đơn vị tự chấm {_points(mine)})" if mine is not None else "")
            for code, value, mine in items
        )
        layout.body(document, f"- {target.name}, {scores}. Lý do: {reason.strip().rstrip('.')}.")
    layout.closing(
        document,
        [f"{documents_selectors.issuer(cycle)} (đơn vị cụm trưởng, để tổng hợp)"],
        [
            layout.Signer(
                "Thủ trưởng đơn vị",
                "",
                person(scorer.head_rank, scorer.head_name),
                f"{scorer.head_title or 'Thủ trưởng'} {scorer.name}",
            )
        ],
        scorer.short_name,
    )
    return Built(_scorer_sheet_filename(cycle, scorer), layout.save(document), DOCX)


# --- quy chế hoạt động của cụm ----------------------------------------------------------------

QUY_CHE = "Quy chế"


def _fraction_words(threshold: str, comparison: str) -> str:
    return f"{'ít nhất' if comparison == '>=' else 'quá'} {threshold}"


def _vote_rule_lines(data: dict, seats: int | None = None) -> list[str]:
    """A vote rule of the rule set in the words the minutes use: the threshold of its base,
    the quorum, blank ballots and written opinions."""
    base = core_ballots.BASE_LABELS[core_ballots.Base(data.get("base", "electorate"))]
    lines = [
        f"số phiếu tán thành phải đạt {_fraction_words(data['threshold'], data['comparison'])} "
        f"{base}" + (f"; tối đa {with_words(seats)} đơn vị" if seats is not None else "")
    ]
    quorum = data.get("quorum")
    lines.append(
        f"số đại biểu tham gia bỏ phiếu phải đạt ít nhất {quorum} tổng số đại biểu"
        if quorum
        else "không quy định số đại biểu tối thiểu tham gia bỏ phiếu"
    )
    lines.append(
        "phiếu không chọn đơn vị nào (phiếu trắng) là phiếu hợp lệ"
        if data.get("blank_valid", True)
        else "phiếu trắng không hợp lệ"
    )
    lines.append(
        "ý kiến bằng văn bản của đại biểu vắng mặt được tính như một phiếu"
        if data.get("written_counted", True)
        else "ý kiến bằng văn bản của đại biểu vắng mặt không được tính"
    )
    return lines


def _adopted_with(cycle: Cycle) -> str:
    """ "(Ban hành kèm theo Giao ước thi đua số 01/GƯTĐ-CTĐ ngày 02/03/2020 của …)": the
    agreement's number once the register issued it."""
    issued = documents_selectors.issued_of(cycle).get("agreement")
    number = (
        f" số {issued.reference} ngày {timezone.localtime(issued.issued_at):%d/%m/%Y}"
        if issued is not None
        else f" năm {cycle.year}"
    )
    return f"(Ban hành kèm theo Giao ước thi đua{number} của {cycle.title})"


def operating_rules(cycle: Cycle, agreement, issue: Issue | None = None) -> Built:
    """The cluster's operating rules (quy chế hoạt động) for the year, from the data the year
    runs under and nothing else: the members and the leadership, the agreement's criteria and
    their points, the scoring rules, the conference's titles with their quotas and the vote
    thresholds of the rule set, the phases' deadlines and the documents; adopted with the
    agreement, signed by the leader unit's head."""
    members = org_selectors.member_units(cycle)
    signed = timezone.localtime(agreement.signed_at).date() if agreement.signed_at else None
    day = signed if signed and signed.year in (cycle.year - 1, cycle.year) else cycle.year
    issuer = documents_selectors.issuer(cycle)
    document = layout.new_document(
        _heading(
            cycle,
            None,
            "QC",
            issue,
            QUY_CHE,
            f"Hoạt động của {issuer} năm {cycle.year}",
            day=day,
        )
    )
    note = layout.body(document, _adopted_with(cycle), italic=True)
    note.alignment = CENTER
    rule_set = cycle.rule_set
    rules = scoring_selectors.rules_of(agreement)
    article = iter(range(1, 100))

    chapter = iter(["I", "II", "III", "IV", "V"])

    def heading(text: str) -> None:
        """A chapter as the decree lays it out: "Chương I" and its name, centred, bold."""
        for line in (f"Chương {next(chapter)}", text):
            layout.body(document, line, bold=True, indent=False).alignment = CENTER

    def clause(title: str) -> None:
        layout.body(document, f"Điều {next(article)}. {title}", bold=True)

    heading("QUY ĐỊNH CHUNG")
    clause("Phạm vi điều chỉnh và đối tượng áp dụng")
    layout.body(
        document,
        f"Quy chế này quy định tổ chức, hoạt động của {cycle.title} trong năm thi đua "
        f"{cycle.year}: thành viên, cụm trưởng, cụm phó; giao ước, tiêu chí và cách chấm điểm; "
        "bình xét, suy tôn tại hội nghị tổng kết; văn bản và thời hạn. Quy chế áp dụng đối với "
        "các đơn vị thành viên của cụm.",
    )
    clause("Căn cứ")
    # the rules do not cite themselves (the year's grounds may list the cluster's rules)
    grounds = [g for g in _year_grounds(cycle) if not g.lower().startswith("quy chế hoạt động")]
    for index, ground in enumerate(grounds):
        layout.body(document, f"- {ground}{'.' if index == len(grounds) - 1 else ';'}")
    layout.body(
        document,
        "Các quy định về chấm điểm, danh hiệu và bỏ phiếu trong Quy chế này thực hiện theo các "
        f"văn bản nêu trên, áp dụng cho năm thi đua {cycle.year} của cụm.",
    )
    clause("Mục đích")
    layout.body(
        document,
        f"Tổ chức phong trào thi đua “{cycle.cluster.movement}” trong các đơn vị của cụm; đánh "
        "giá, chấm điểm, xếp hạng và bình xét, đề nghị khen thưởng công khai, theo giao ước đã "
        "ký và các quy định nêu tại Điều 2.",
    )
    heading("TỔ CHỨC CỦA CỤM")
    clause("Thành viên")
    layout.body(
        document,
        f"{cycle.title} năm {cycle.year} gồm {with_words(len(members))} đơn vị: "
        f"{', '.join(unit.name for unit in members)}.",
    )
    clause("Cụm trưởng, cụm phó")
    layout.body(
        document,
        f"Năm {cycle.year}: cụm trưởng là {cycle.leader.name}"
        + (f"; cụm phó là {cycle.deputy.name}" if cycle.deputy else "")
        + ".",
    )
    layout.body(
        document,
        "Đơn vị cụm trưởng chỉ đạo, điều hành các bước của năm thi đua; dự thảo giao ước; tổng hợp "
        "kết quả chấm điểm; điều hành hội nghị tổng kết; ký các văn bản của cụm. Giải trình về "
        "điểm của đơn vị cụm trưởng do đơn vị cụm phó kết luận.",
    )
    voting = (rule_set.data or {}).get("voting") or {}
    election = voting.get("election")
    layout.body(
        document,
        "Cụm trưởng, cụm phó năm sau do Bộ Công an phân công hoặc do hội nghị tổng kết bầu"
        + (" bằng bỏ phiếu kín: " + "; ".join(_vote_rule_lines(election, 1)) if election else "")
        + ". Việc bàn giao nhiệm vụ cụm trưởng thực hiện tại hội nghị tổng kết, có biên bản "
        "bàn giao.",
    )
    heading("GIAO ƯỚC, TIÊU CHÍ VÀ CHẤM ĐIỂM")
    clause("Giao ước và bảng tiêu chí")
    criteria = scoring_selectors.criteria_of(agreement)
    layout.body(
        document,
        f"Các đơn vị ký Giao ước thi đua năm {cycle.year} với bảng tiêu chí và điểm tối đa "
        "(trọng số) sau:",
    )
    layout.table(
        document,
        ["Mục", "Nội dung, tiêu chí", "Cách tính", "Điểm tối đa"],
        [
            [
                c.code,
                c.name,
                "" if c.kind == "section" else c.get_kind_display(),
                _points(c.max_points),
            ]
            for c in criteria
        ]
        + [["", _total_label(criteria), "", _points(agreement.declared_total)]],
        size=MATRIX_SIZE,
        bold_last=True,
        widths=[1.4, layout.TEXT_WIDTH_CM - 1.4 - 3.6 - 2.1, 3.6, 2.1],
        left=1,
    )
    clause("Phương pháp chấm điểm")
    points = [
        f"Phân công chấm: {agreement.get_assignment_display().lower()}; không đơn vị nào chấm "
        "điểm cho chính mình. Mỗi đơn vị tự chấm; điểm tự chấm ghi bên cạnh để đối chiếu, không "
        "tính vào kết quả"
        + f", chênh lệch trên {format_number(rules.gap_threshold)} điểm so với kết quả được "
        "đánh dấu.",
        f"Điểm của mỗi tiêu chí chấm chéo là {_aggregation_words(rules)}; điểm chấm theo bước "
        f"{_points(rules.step)} điểm, trong khoảng từ 0 đến điểm tối đa của tiêu chí. Đơn vị "
        "chấm thấp hơn điểm đơn vị tự chấm ghi lý do; đơn vị được chấm được giải trình.",
        "Tiêu chí định lượng tính từ số liệu thống kê so với chỉ tiêu được giao: dưới chỉ tiêu "
        "được 0,5 × M × A / T; đạt đúng chỉ tiêu được 0,5 × M; vượt chỉ tiêu và dẫn đầu cụm "
        "về tỷ lệ vượt được M; vượt nhưng không dẫn đầu được 0,5 × M cộng phần tương ứng với "
        "tỷ lệ vượt so với đơn vị dẫn đầu (M: điểm tối đa, A: kết quả, T: chỉ tiêu). Tiêu chí "
        "đạt/không đạt: đạt được điểm tối đa, không đạt 0 điểm; điểm thưởng, điểm trừ theo số "
        "lần đã ghi nhận, trong giới hạn của tiêu chí.",
        f"Tổng điểm là tổng điểm các mục, làm tròn đến {with_words(rules.decimals)} chữ số "
        "thập phân; xếp hạng theo tổng điểm từ cao xuống thấp"
        + (
            "; bằng điểm thì xét lần lượt: "
            + ", ".join(core_scoring.describe_tie_break(rule).render() for rule in rules.tie_breaks)
            + ", nếu vẫn bằng thì đồng hạng"
            if rules.tie_breaks
            else "; bằng điểm thì đồng hạng"
        )
        + ".",
    ]
    bands = sorted(rules.bands, key=lambda band: -band.minimum)
    if bands:
        points.append(
            "Xếp loại theo tổng điểm: "
            + "; ".join(
                # the lowest band has no floor worth saying: "dưới 65 điểm", not "từ 0 điểm"
                f"{band.label} từ {format_number(band.minimum)} điểm"
                if band.minimum > 0 or index == 0
                else f"{band.label} dưới {format_number(previous.minimum)} điểm"
                for index, (band, previous) in enumerate(
                    zip(bands, [bands[0], *bands], strict=False)
                )
            )
            + "."
        )
    points.append(
        "Kết quả chấm điểm, xếp hạng chỉ công bố khi các đơn vị đã nộp đủ phiếu chấm hoặc khi "
        "giai đoạn chấm điểm đã đóng."
    )
    for index, text in enumerate(points, start=1):
        layout.body(document, f"{index}. {text}")
    heading("BÌNH XÉT, SUY TÔN TẠI HỘI NGHỊ TỔNG KẾT")
    clause("Danh hiệu và số lượng đề nghị")
    titles = [core_ballots.title_from(item) for item in voting.get("titles", [])]
    names = {title.code: title.name for title in titles}
    for index, title in enumerate(titles, start=1):
        line = f"- {title.name}: cụm đề nghị tối đa {with_words(title.seats)} đơn vị"
        if title.requires_rank:
            line += f"; chỉ đơn vị xếp thứ {title.requires_rank} trong kết quả chấm điểm của cụm"
        excluded = core_ballots.excluded_by(titles, title.code)
        if excluded:
            line += "; đơn vị được đề nghị danh hiệu này không đồng thời được đề nghị " + ", ".join(
                names.get(code, code) for code in excluded
            )
        layout.body(document, line + ("." if index == len(titles) else ";"))
    # the conditions the rule set's eligibility rules set on these titles, in its own words
    order = list(names)
    conditions = sorted(
        (
            rule
            for rule in ((rule_set.data or {}).get("eligibility") or {}).get("rules", [])
            if rule.get("title") in names and (rule.get("note") or "").strip()
        ),
        key=lambda rule: order.index(rule["title"]),  # as Điều 8 lists the titles
    )
    if conditions:
        layout.body(document, "Điều kiện đề nghị:")
    for rule in conditions:
        # a condition of the cluster's own is this Quy chế's: it cites nothing; another cites
        # the instrument it comes from
        source = rule.get("source") or ""
        layout.body(
            document,
            f"- {names[rule['title']]}: {rule['note'].strip().rstrip('.')}"
            + (f" (theo {source})" if source and source != "cluster_decision" else "")
            + ".",
        )
    clause("Bỏ phiếu kín và ngưỡng đề nghị")
    cluster_vote = voting.get("cluster_vote")
    if cluster_vote:
        layout.body(
            document,
            "Đơn vị được đề nghị khi: " + "; ".join(_vote_rule_lines(cluster_vote)) + ".",
        )
        base = core_ballots.BASE_LABELS[core_ballots.Base(cluster_vote.get("base", "electorate"))]
        layout.body(
            document,
            f"Tỷ lệ tính trên {base}. Nếu nhiều đơn vị bằng phiếu ở suất cuối, hội nghị bỏ phiếu "
            "lại giữa các đơn vị đó cho số suất còn lại. Biên bản kiểm phiếu ghi quy định áp "
            "dụng, số phiếu và tỷ lệ của từng đơn vị.",
        )
    heading("VĂN BẢN VÀ THỜI HẠN")
    clause("Thời hạn")
    # the phases and the mid-year review, in the order they fall due
    due = sorted(org_selectors.deadlines(cycle, timezone.localdate()), key=lambda row: row.due)
    for index, row in enumerate(due, start=1):
        end = "." if index == len(due) else ";"
        layout.body(
            document, f"- {STEP_LABELS[row.phase]}: hoàn thành trước ngày {row.due:%d/%m/%Y}{end}"
        )
    if not due:
        layout.body(document, "Thời hạn các giai đoạn do đơn vị cụm trưởng thông báo.")
    clause("Văn bản của cụm")
    layout.body(
        document,
        "Văn bản của cụm gồm: giao ước thi đua; phiếu chấm điểm của từng đơn vị chấm và phiếu "
        "tổng hợp điểm của từng đơn vị; bảng tổng hợp kết quả chấm điểm; giấy mời và chương "
        "trình hội nghị; biên bản hội nghị và biên bản kiểm phiếu; thông báo kết luận; báo cáo "
        "tổng kết; tờ trình và công văn đề nghị khen thưởng; biên bản bàn giao cụm trưởng. Văn "
        "bản của cụm do đơn vị cụm trưởng ký, được cấp số theo sổ văn bản của cụm (một dãy số "
        "mỗi năm) khi phát hành; văn bản đã phát hành không sửa, việc sửa là ban hành văn bản "
        "đính chính.",
    )
    layout.body(
        document,
        f"Quy chế này áp dụng cho năm thi đua {cycle.year} của {cycle.title}.",
    )
    layout.closing(
        document,
        ["Bộ Công an (để báo cáo)", "Các đơn vị trong cụm"],
        [_leader_signer(cycle)],
        issuer,
    )
    return Built(_filename("quy-che-hoat-dong", str(cycle.year)), layout.save(document), DOCX)


# --- what the cycle can have --------------------------------------------------------------


def _not_nominated(outcome: voting_selectors.Outcome) -> list[str]:
    """Why a title's proposal cannot be made yet: units tied across a score ranking's last
    seat (the conference votes between them), or nobody nominated."""
    tied = (outcome.poll.result or {}).get("nominations", {}).get("ties", {}).get(outcome.title)
    if outcome.title_code and tied:
        names = {c.unit.code: c.unit.name for c in voting_selectors.candidates_of(outcome.poll)}
        return [
            _(
                "Các đơn vị %(units)s bằng điểm ở suất cuối của danh hiệu: hội nghị biểu quyết "
                "giữa các đơn vị này."
            )
            % {"units": ", ".join(names.get(code, code) for code in tied)}
        ]
    return [_("Chưa có đơn vị được bình xét.")]


def _attached(
    ready: dict[str, Plan], outcomes: list[voting_selectors.Outcome], informing: list[Poll]
) -> list[str]:
    """What goes with a proposal (or the letter sending them), as its list names them: the
    documents of the cycle that can be produced (the conference minutes, the vote-count
    minutes of each round of the votes and of the score polls `informing` them, the year-end
    report, the score table); one that cannot is not listed as attached."""
    polls = [poll for outcome in outcomes for poll in outcome.rounds]
    if any(not outcome.standings for outcome in outcomes):  # a vote, not a score ranking
        polls += informing
    wanted = [
        ("conference-minutes", "Biên bản Hội nghị tổng kết"),
        *((f"vote-count-{poll.code}", f"Biên bản kiểm phiếu: {poll.title}") for poll in polls),
        ("year-end-report", "Báo cáo tổng kết phong trào thi đua của cụm"),
        ("score-table", "Bảng tổng hợp kết quả chấm điểm thi đua"),
    ]
    return [name for key, name in wanted if key in ready]


def _sheet_plans(cycle: Cycle, results: scoring_selectors.Progress | None) -> list[Plan]:
    """Each member's score sheet (once the ranking is published) and each scoring unit's
    sheet (once it has submitted every sheet it owes): read from the sheets' progress (no
    score), so that the panel's queries do not grow with the units; the full results are
    read only when a sheet is made."""
    if results is None:
        waiting = [_("Chưa có giao ước thi đua và phiếu chấm.")]
        return [
            Plan("score-sheet", _("Phiếu tổng hợp điểm của từng đơn vị"), "", None, waiting),
            Plan("scorer-sheet", _("Phiếu chấm điểm của từng đơn vị chấm"), "", None, waiting),
        ]
    members = results.members
    unranked = [problem.render(_) for problem in results.why_not_ready] + _signer_missing(cycle)
    found = []
    for unit in members:
        found.append(
            Plan(
                f"score-sheet-{unit.code}",
                _("Phiếu tổng hợp điểm: %(unit)s") % {"unit": unit.short_name},
                _score_sheet_filename(cycle, unit),
                (
                    lambda issue, unit=unit: unit_score_sheet(
                        cycle, scoring_selectors.results(cycle), unit, issue
                    )
                )
                if not unranked
                else None,
                unranked,
            )
        )
    names = {unit.code: unit.short_name for unit in members}
    owed: dict[int, list[str]] = {scorer: [] for scorer in results.peer_scorers}
    for slot in results.missing:
        if slot.kind == "peer":
            owed[slot.scorer_id].append(names[slot.target_code])
    for unit in members:
        if unit.pk not in owed:
            continue  # scores no other unit
        missing = (
            [
                _("%(unit)s chưa nộp phiếu chấm cho: %(targets)s.")
                % {"unit": unit.short_name, "targets": ", ".join(owed[unit.pk])}
            ]
            if owed[unit.pk]
            else []
        ) + _heads_missing([unit])
        found.append(
            Plan(
                f"scorer-sheet-{unit.code}",
                _("Phiếu chấm điểm của %(unit)s") % {"unit": unit.short_name},
                _scorer_sheet_filename(cycle, unit),
                (
                    lambda issue, unit=unit: scorer_sheet(
                        cycle, scoring_selectors.results(cycle), unit, issue
                    )
                )
                if not missing
                else None,
                missing,
                issuable=False,  # the scoring unit's own paper, signed by its director
                in_record=False,  # the reasons it gave are not in the record
            )
        )
    return found


def plans(cycle: Cycle) -> list[Plan]:
    """Every document of the cycle, each ready or saying what it still needs."""
    conference = voting_selectors.conference_of(cycle)
    results = scoring_selectors.sheets_progress(cycle)  # no points shown here
    stats_ready = stats_selectors.figures_by_unit(
        [u.code for u in org_selectors.member_units(cycle)], cycle.year, Period.YEAR
    )[1]
    found: list[Plan] = []
    no_conference = [] if conference else [_("Chưa có hội nghị tổng kết.")]
    unplanned = _when_where_missing(conference) + _signer_missing(cycle)
    found.append(
        Plan(
            "invitation",
            _("Giấy mời và chương trình hội nghị"),
            _filename("giay-moi-hoi-nghi", str(cycle.year)),
            (lambda issue: invitation(cycle, conference, issue)) if not unplanned else None,
            unplanned,
        )
    )
    unsigned = _minutes_signers_missing(conference) if conference else []
    found.append(
        Plan(
            "conference-minutes",
            _("Biên bản hội nghị"),
            _filename("bien-ban-hoi-nghi", str(cycle.year)),
            (lambda issue: conference_minutes(cycle, conference, issue)) if not unsigned else None,
            no_conference + unsigned,
        )
    )
    found.append(
        Plan(
            "year-end-report",
            _("Báo cáo tổng kết"),
            _filename("bao-cao-tong-ket", str(cycle.year)),
            lambda issue: year_end_report(cycle, issue),
            ([] if stats_ready else [_("Chưa có đơn vị nào báo cáo số liệu.")])
            + _signer_missing(cycle),
        )
    )
    unranked = (
        [_("Chưa có giao ước thi đua và phiếu chấm.")]
        if results is None
        else [problem.render(_) for problem in results.why_not_ready] + _signer_missing(cycle)
    )
    found.append(
        Plan(
            "score-table",
            _("Bảng tổng hợp điểm"),
            _filename("bang-tong-hop-diem", str(cycle.year), extension="xlsx"),
            (lambda _issue: score_table(cycle)) if not unranked else None,
            unranked,
        )
    )
    found += _sheet_plans(cycle, results)
    agreement = scoring_selectors.agreement_of(cycle)
    members = scoring_selectors.signatories(agreement, org_selectors.member_units(cycle))
    tabled = agreement is not None and agreement.criteria.exists()
    unwritten = _heads_missing(members) if tabled else [_("Chưa có giao ước thi đua.")]
    found.append(
        Plan(
            "agreement",
            _("Giao ước thi đua"),
            _filename("giao-uoc-thi-dua", str(cycle.year)),
            (lambda issue: agreement_document(cycle, agreement, issue)) if not unwritten else None,
            unwritten,
        )
    )
    voting_rules_missing = (
        []
        if (cycle.rule_set.data or {}).get("voting")
        else [
            _("Bộ quy tắc “%(name)s” chưa quy định việc bỏ phiếu.") % {"name": cycle.rule_set.name}
        ]
    )
    unruled = (
        ([] if tabled else [_("Chưa có giao ước thi đua.")])
        + voting_rules_missing
        + _signer_missing(cycle)
    )
    found.append(
        Plan(
            "quy-che",
            _("Quy chế hoạt động của cụm"),
            _filename("quy-che-hoat-dong", str(cycle.year)),
            (lambda issue: operating_rules(cycle, agreement, issue)) if not unruled else None,
            unruled,
            in_record=False,  # the deadlines the leader unit set are not in the record
        )
    )
    handover = org_selectors.handover_from(cycle)
    not_handed = (
        [_("Chưa ghi nhận cụm trưởng năm sau.")]
        if handover is None
        else _heads_missing([cycle.leader, handover.leader])
    )
    found.append(
        Plan(
            "handover-minutes",
            _("Biên bản bàn giao cụm trưởng"),
            _filename(
                "bien-ban-ban-giao-cum-truong", str(handover.year if handover else cycle.year + 1)
            ),
            (lambda issue: handover_minutes(cycle, handover, conference, _handed(cycle), issue))
            if not not_handed
            else None,
            not_handed,
        )
    )
    polls = voting_selectors.polls_of(conference) if conference else []
    if not polls:
        found.append(
            Plan(
                "vote-count",
                _("Biên bản kiểm phiếu"),
                "",
                None,
                no_conference or [_("Chưa có cuộc bỏ phiếu nào.")],
            )
        )
    for poll in polls:
        counted = poll.status in (Poll.Status.CLOSED, Poll.Status.VOID)
        found.append(
            Plan(
                f"vote-count-{poll.code}",
                _("Biên bản kiểm phiếu: %(poll)s") % {"poll": poll.title},
                _filename("bien-ban-kiem-phieu", str(cycle.year), poll.code),
                (lambda issue, poll=poll: vote_count_minutes(cycle, poll, issue))
                if counted
                else None,
                [] if counted else [_("Cuộc bỏ phiếu chưa kiểm phiếu.")],
            )
        )
    # the notice waits for every vote's final result, not for the phase to close: a closed
    # poll's result is frozen, so its conclusion is final once counted, while the phase may
    # stay open for other business; a vote still open would be a conclusion left out
    undecided = _undecided(polls)
    unconcluded = (
        _when_where_missing(conference)
        + (
            [_("Còn cuộc bỏ phiếu chưa có kết quả: %(polls)s.") % {"polls": "; ".join(undecided)}]
            if undecided
            else []
        )
        + _signer_missing(cycle)
    )
    if conference and not unconcluded and not _conclusion_points(cycle, conference, results):
        unconcluded = [_("Hội nghị chưa có kết luận.")]
    found.append(
        Plan(
            "conclusions-notice",
            _("Thông báo kết luận hội nghị"),
            _filename("thong-bao-ket-luan-hoi-nghi", str(cycle.year)),
            (lambda issue: conclusions_notice(cycle, conference, issue))
            if not unconcluded
            else None,
            unconcluded,
        )
    )
    problems = voting_selectors.nomination_problems(cycle, polls) if polls else []
    ready = {plan.key: plan for plan in found if plan.ready}
    proposed = []
    every_report: list[str] = []  # the nominees' achievement reports that can be drafted
    informing = voting_selectors.informing_score_polls(polls)
    for outcome in voting_selectors.title_outcomes(polls):
        poll = outcome.poll
        # as the papers name themselves, and the covering letter and the hand-over list them
        name = poll.title if voting_rules_missing else _title_name(cycle, poll, outcome.title)
        title = {"title": name, "year": cycle.year}
        # a nominee who breaks a nested quota (e.g. the Government flag without the
        # Ministry flag) gets no proposal until the conference settles it
        refused = [p.render(_) for p in problems if p.field == outcome.title]
        complete = outcome.complete and bool(outcome.winners) and not refused
        reports: list[tuple[str, str]] = []  # (key, what the proposal lists) of ready ones
        if complete:
            proposed.append(outcome)
            for unit in _nominees(poll, outcome):
                plan = Plan(
                    f"achievement-{poll.code}-{unit.code}"
                    + (f"-{outcome.title_code}" if outcome.title_code else ""),
                    _("Báo cáo thành tích đề nghị tặng %(title)s năm %(year)s: %(unit)s")
                    % {**title, "unit": unit.short_name},
                    _achievement_filename(cycle, outcome, unit),
                    lambda issue, outcome=outcome, unit=unit: achievement_report(
                        cycle, outcome, unit, issue
                    ),
                    _heads_missing([unit, _certifying_unit(cycle, unit)]),
                    issuable=False,
                    in_record=False,
                )
                found.append(plan)
                if plan.ready:
                    reports.append((plan.key, f"Báo cáo thành tích của {unit.name}"))
        every_report += [name for _key, name in reports]
        found.append(
            Plan(
                _proposal_key(outcome),
                _("Tờ trình đề nghị khen thưởng: %(title)s năm %(year)s") % title,
                _filename("to-trinh", outcome.title, str(cycle.year)),
                (
                    lambda issue, outcome=outcome, reports=reports: proposal(
                        cycle,
                        outcome,
                        _attached(ready, [outcome], informing) + [n for _k, n in reports],
                        issue,
                    )
                )
                if complete
                else None,
                (refused or ([] if complete else _not_nominated(outcome))) + _signer_missing(cycle),
            )
        )
    # the letter sends what can go: the titles whose proposal can be made, and those papers
    ready = {plan.key: plan for plan in found if plan.ready}
    unsent = (
        []
        if proposed
        else [
            _(
                "Chưa có danh hiệu nào được bình xét xong: cần một cuộc bỏ phiếu danh hiệu đã "
                "kiểm phiếu, có đơn vị được đề nghị."
            )
        ]
    ) + _signer_missing(cycle)
    if proposed and conference.held_on is None:  # the letter cites the conference's day
        unsent.append(_("Chưa ghi ngày họp của hội nghị (trang hội nghị)."))
    found.append(
        Plan(
            "covering-letter",
            _("Công văn gửi hồ sơ đề nghị khen thưởng"),
            _filename("cong-van-gui-ho-so-de-nghi", str(cycle.year)),
            (
                lambda issue: covering_letter(
                    cycle,
                    conference,
                    proposed,
                    [
                        f"Tờ trình đề nghị tặng {_title_name(cycle, o.poll, o.title)} năm "
                        f"{cycle.year}"
                        for o in proposed
                        if _proposal_key(o) in ready
                    ]
                    + _attached(ready, proposed, informing)
                    + every_report,
                    issue,
                )
            )
            if not unsent
            else None,
            unsent,
        )
    )
    return found


# The kind of each document in its number ("03/BB-CTĐ"), by key prefix; a workbook has none;
# a công văn's is "" (its number has no kind: "05/CTĐ-TĐKT").
KIND_CODES = {
    "invitation": "GM",
    "conclusions-notice": "TB",
    "covering-letter": "",
    "conference-minutes": "BB",
    "handover-minutes": "BB",
    "vote-count-": "BB",
    "year-end-report": "BC",
    "proposal-": "TTr",
    "agreement": "GƯTĐ",
    "quy-che": "QC",
}


def reference(key: str, number: int) -> str:
    """How the register writes the number of document `key`, as its number line does:
    "03/BB-CTĐ", a công văn's "05/CTĐ-TĐKT", a workbook's "03"."""
    kind = next((code for start, code in KIND_CODES.items() if key.startswith(start)), None)
    if kind is None:
        return f"{number:02d}"
    return f"{number:02d}/{symbol(kind, ISSUER_CODE if kind else LETTER_SYMBOL)}"


def ready_plan(cycle: Cycle, key: str) -> Plan:
    """The plan of document `key`, ready to build: unknown keys are a 404; a document whose
    data is missing is refused with the reason (409), so the page and the API say the same."""
    plan = next((p for p in plans(cycle) if p.key == key), None)
    if plan is None:
        raise Http404(_("Không có văn bản này."))
    if not plan.ready:
        raise StateConflict(
            [
                Problem(
                    "document_not_ready",
                    gettext_noop("Văn bản này chưa tạo được: %(reason)s"),
                    {"reason": " ".join(plan.missing)},
                )
            ]
        )
    return plan


def produce(cycle: Cycle, key: str, kind: str = "file") -> Built:
    """The document `key` of the cycle as its own file (DOCX/XLSX), as a PDF (`kind`), or as
    the current draft: an issued document is served as it was issued (frozen), a document
    not issued yet as a draft built from the data now."""
    if kind not in ("file", "pdf", "draft"):
        raise Http404(_("Không có văn bản này."))
    issued = documents_selectors.issued_of(cycle).get(key) if kind != "draft" else None
    if issued is not None:
        built = Built(
            issued.filename,
            documents_selectors.issued_content(issued),
            XLSX if issued.filename.endswith(".xlsx") else DOCX,
        )
        logged = audit_selectors.issued_digest(chain_of(cycle), issued.reference)
        if logged is None or document_digest(built.content) != logged:
            # the stored file was changed behind the log's back: never serve it as issued
            raise StateConflict(
                [
                    Problem(
                        "issued_document_altered",
                        gettext_noop(
                            "Tệp đã phát hành số %(reference)s không khớp với nhật ký: tệp "
                            "trong cơ sở dữ liệu đã bị sửa."
                        ),
                        {"reference": issued.reference},
                    )
                ]
            )
    else:
        built = ready_plan(cycle, key).build(None)
    if kind != "pdf":
        return built
    if not built.filename.endswith(".docx"):
        raise Http404(_("Bảng tính không có bản PDF."))
    engine = pdf.engine()
    content = versions.cached_from(  # a draft as it stands, or the issued file: its bytes
        cycle,
        f"documents.pdf.{engine}.{key}",
        document_digest(built.content),
        lambda: pdf.to_pdf(built.content, built.filename, using=engine),
    )
    if content is None:
        raise StateConflict(
            [
                Problem(
                    "pdf_unavailable",
                    gettext_noop("Máy chủ chưa có công cụ tạo PDF nên chưa có bản PDF."),
                )
            ]
        )
    return Built(built.filename.removesuffix(".docx") + ".pdf", content, "application/pdf")


def attachment(built: Built) -> HttpResponse:
    """The file as a download; the name is plain ASCII (see `core.paperwork.slug`)."""
    response = HttpResponse(built.content, content_type=built.content_type)
    response["Content-Disposition"] = f'attachment; filename="{built.filename}"'
    return response
