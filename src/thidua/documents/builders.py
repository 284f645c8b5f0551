"""The cycle's documents, each a function from its data (read through the selectors) to a file.

- biên bản kiểm phiếu (one per counted poll), biên bản hội nghị, báo cáo tổng kết, tờ trình
  đề nghị khen thưởng (one per title with nominees): DOCX in the official layout;
- bảng tổng hợp điểm: XLSX (values only: a summary under the title block and over the leader's
  signature block, one sheet per section, the rules; A4 landscape).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.http import Http404, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH

from thidua import xlsx
from thidua.audit import selectors as audit_selectors
from thidua.audit.services import chain_of
from thidua.core import ballot_crypto as crypto
from thidua.core import ballots as core_ballots
from thidua.core import narrative, signing
from thidua.core.indicators import Period, shown
from thidua.core.messages import Problem, gettext_noop
from thidua.core.numbers import format_number, format_percent, with_words
from thidua.core.paperwork import date_line, signer_name, slug
from thidua.core.phases import Phase
from thidua.core.record import AuditAction
from thidua.core.text import collation_key
from thidua.documents import layout, pdf
from thidua.documents import selectors as documents_selectors
from thidua.documents.models import SECTIONS
from thidua.errors import StateConflict
from thidua.org import selectors as org_selectors
from thidua.org.models import Cycle
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


@dataclass
class Plan:
    """One document the cycle can have: ready to build, or what it still needs."""

    key: str
    label: str
    filename: str
    build: Callable[[], Built] | None
    missing: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.build is not None:
            self.build = _in_vietnamese(self.build)

    @property
    def ready(self) -> bool:
        return self.build is not None and not self.missing


def _in_vietnamese(build: Callable[[], Built]) -> Callable[[], Built]:
    """Official documents are Vietnamese whatever the reader's interface language, and the
    same bytes for everyone (the record keeps their digests)."""

    def built() -> Built:
        with translation.override("vi"):
            return build()

    return built


def _issuer(cycle: Cycle) -> str:
    return cycle.title.split(" – ")[0].split(" - ")[0]


def _leader_signer(cycle: Cycle) -> layout.Signer:
    """The leader unit's head signs for the cluster: TM. CỤM THI ĐUA SỐ II / CỤM TRƯỞNG /
    GIÁM ĐỐC CÔNG AN TỈNH HÀ GIANG / the rank and name (Thiếu tướng Hoàng Văn Thanh)."""
    leader = cycle.leader
    post, name = signer_name(leader.head_title, leader.head_name)  # the rank before the name
    return layout.Signer(
        f"TM. {_issuer(cycle)}",
        "Cụm trưởng",
        name,
        f"{post or 'Thủ trưởng'} {leader.name}",
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


def _day(cycle: Cycle, conference: Conference | None) -> date:
    return (
        conference.held_on if conference and conference.held_on else None
    ) or timezone.localdate()


def _heading(cycle, conference, kind_code, number, kind, summary) -> layout.Heading:
    return layout.Heading(
        parent_body=cycle.cluster.parent_body,
        issuer=_issuer(cycle),
        issuer_code=ISSUER_CODE,
        kind_code=kind_code,
        number=number,
        place=cycle.leader.short_name,
        day=_day(cycle, conference),
        kind=kind,
        summary=summary,
    )


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


def _outcome(poll: Poll, code: str, votes: int, refused: bool = False) -> str:
    """The "Kết quả" column: every candidate gets a word, not only the winners, in the words
    of what the poll decides (a title nominates: "Được đề nghị", never "Trúng cử"); a winner
    the title's rules refuse is not nominated (the reason follows the table)."""
    result = poll.result
    won, lost = core_ballots.EFFECT_WORDS[poll.effect]
    if code in result["winners"]:
        return "Không được đề nghị" if refused else won
    if code in ((result.get("runoff") or {}).get("candidates") or []):
        return "Bỏ phiếu lại"
    if core_ballots.reaches(votes, result["required"], result["quorum_met"]):
        return "Đủ ngưỡng, ngoài số lượng"
    return lost


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
        came.append(f"{with_words(phones)} phiếu bỏ trên điện thoại")
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


def vote_count_minutes(cycle: Cycle, poll: Poll, number: int) -> Built:
    conference = poll.conference
    result = poll.result
    candidates = voting_selectors.candidates_of(poll)
    names = {c.unit.code: c.unit.name for c in candidates}
    rules = voting_selectors.core_rules(poll)
    document = layout.new_document(
        _heading(cycle, conference, "BB", number, "Biên bản", f"Kiểm phiếu: {poll.title}")
    )
    day = _day(cycle, conference)
    closed = _clock(poll.closed_at, day)
    when = f"Hồi {closed}, ngày {day:%d/%m/%Y}" if closed else f"Ngày {day:%d/%m/%Y}"
    layout.body(
        document,
        f"{when}, tại {conference.place or '...'}, Ban kiểm "
        f"phiếu Hội nghị tổng kết phong trào thi đua “{cycle.cluster.movement}” năm {cycle.year} "
        f"của {cycle.title} tiến hành kiểm phiếu: {poll.title}.",
    )
    board = _board(conference)
    layout.body(document, "Ban kiểm phiếu gồm:", bold=True)
    for member in board:
        layout.body(
            document,
            f"- {member.user.display_name}, {member.unit.name}: {member.get_board_display()};",
        )
    layout.body(document, "Quy định bỏ phiếu:", bold=True)
    rule_set = cycle.rule_set
    if poll.rules.get("rule_set") == f"{rule_set.code}@{rule_set.version}":
        layout.body(document, f"Áp dụng: {rule_set.name}.")
    if poll.rules.get("legal_basis"):
        layout.body(document, f"Căn cứ: {poll.rules['legal_basis']}.")
    layout.body(document, rules.describe(poll.effect).render())
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
        f"{r.issued_by.display_name if r.issued_by else 'hệ thống'} cấp lại, lý do: {r.reason}"
        for r in voting_selectors.reissues_before(conference, poll.closed_at)
    ]
    layout.body(
        document,
        f"Cấp lại mã điểm danh trước khi kiểm phiếu: {'; '.join(reissues) or 'không có'}.",
    )
    layout.body(document, "Kết quả kiểm phiếu:", bold=True)
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
        outcome = _outcome(poll, candidate.unit.code, votes, candidate.unit.code in refusals)
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
            "Kết luận: kiểm phiếu không hợp lệ, không có kết quả; các phiếu được để riêng, không "
            "được tính; ban kiểm phiếu cho bỏ phiếu lại.",
            bold=True,
        )
    for code in result["winners"]:
        if code in refusals:
            layout.body(document, f"Không được đề nghị: {refusals[code].render()}")
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
        document, ["Đoàn Chủ tịch hội nghị", "Các đơn vị trong cụm"], signers, f"{_issuer(cycle)}"
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
        f"Phiếu bỏ trên điện thoại được mã hóa (giao thức thidua-ballot-crypto-v1) bằng khóa "
        f"của Ban kiểm phiếu tạo tại lễ {ceremony.label}, {ceremony.threshold}/"
        f"{ceremony.members} thành viên giải mã được; dấu vân tay của khóa: "
        f"{ceremony.key_fingerprint}; của từng thành viên: {members}.",
        f"Số phiếu mã hóa trong hòm: {box.get('ballots', 0)}; số phiếu đại biểu kiểm tra rồi hủy "
        f"(không tính): {voting_selectors.spoiled_count(poll)}; kết quả do các thành viên số "
        f"{decrypted or '—'} giải mã, mỗi phần kèm chứng minh; không phiếu nào được giải mã "
        f"riêng.",
        f"Mã SHA-256 của chương trình trên trình duyệt: {scripts}.",
    ]


def _checkpoint(document, cycle: Cycle, entry, what: str) -> None:
    """The signed checkpoint of the audit chain the signers' paper anchors the record to:
    its first 128 bits in groups, and the whole in a QR code; said plainly when there is none
    yet (the act it follows has not happened)."""
    if entry is None:
        layout.body(
            document,
            f"Mã kiểm chứng {what}: chưa có (mã được tạo khi việc này hoàn tất trên hệ thống).",
            italic=True,
        )
        return
    layout.checkpoint(
        document,
        f"Mã kiểm chứng {what}: {signing.grouped(entry.hash)} (mốc số {entry.seq} trong nhật ký "
        f"năm thi đua {entry.chain}, do máy có khóa {signing.grouped(entry.after['fingerprint'])} "
        "ký). Bản ghi điện tử của năm thi đua phải chứa đúng mã này; kiểm tra bằng lệnh "
        "“thidua verify” với tuỳ chọn --anchor.",
        f"thidua:{entry.chain}:{entry.seq}:{entry.hash}",
    )


# --- biên bản hội nghị --------------------------------------------------------------------


def _statistics_sentence(cycle: Cycle) -> str | None:
    table = stats_selectors.cluster_table(cycle, Period.YEAR)
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


def conference_minutes(cycle: Cycle, conference: Conference) -> Built:
    document = layout.new_document(
        _heading(
            cycle,
            conference,
            "BB",
            1,
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
        f"{opened}, tại {conference.place or '...'}, "
        f"{cycle.title} tổ "
        f"chức Hội nghị tổng kết phong trào thi đua “{cycle.cluster.movement}” năm {cycle.year}.",
    )
    layout.body(document, "I. THÀNH PHẦN THAM DỰ", bold=True, indent=False)
    by_unit: dict[str, list[Delegate]] = {}
    for delegate in voting_selectors.delegates_of(conference):
        by_unit.setdefault(delegate.unit.name, []).append(delegate)
    for unit_name, delegates in sorted(by_unit.items(), key=lambda item: collation_key(item[0])):
        present = [d.user.display_name for d in delegates if d.checked_in_at]
        layout.body(
            document,
            f"- {unit_name}: {len(present)}/{len(delegates)} đại biểu "
            f"({', '.join(present) or '—'});",
        )
    layout.body(
        document,
        f"Chủ trì hội nghị: {conference.chair_name or '...'}; thư ký hội nghị: "
        f"{conference.secretary_name or '...'}.",
    )
    layout.body(document, "II. NỘI DUNG", bold=True, indent=False)
    for line in (conference.agenda or "").splitlines():
        if line.strip():
            layout.body(document, line.strip())
    sentence = _statistics_sentence(cycle)
    if sentence:
        layout.body(document, sentence)
    results = scoring_selectors.results(cycle)
    if results is not None and not results.ready:
        layout.body(document, f"Kết quả chấm điểm thi đua: {_not_ranked(results)}")
    elif results is not None:
        ranking = "; ".join(
            f"{result.rank}. {unit.short_name} {format_number(result.total, 2)} điểm"
            for unit, result in results.ranking
        )
        layout.body(document, f"Kết quả chấm điểm thi đua: {ranking}.")
    layout.body(document, "III. KẾT QUẢ BÌNH XÉT VÀ BẦU", bold=True, indent=False)
    for outcome in voting_selectors.outcomes(voting_selectors.polls_of(conference)):
        poll = outcome.poll
        names = {c.unit.code: c.unit.name for c in poll.candidates.all()}
        if not outcome.complete:
            layout.body(document, f"- {poll.title}: chưa kiểm phiếu xong.")
            continue
        winners = [
            f"{names.get(code, code)} ({outcome.votes[code][0]}/{outcome.votes[code][1]} phiếu"
            + (", vòng " + str(_round_of(outcome, code)) if len(outcome.rounds) > 1 else "")
            + ")"
            for code in outcome.winners
        ]
        layout.body(document, f"- {poll.title}: {', '.join(winners) or 'không có đơn vị đạt'}.")
    handover = org_selectors.handover_from(cycle)
    if handover is not None:
        layout.body(
            document,
            f"Cụm trưởng năm {handover.year}: {handover.leader.name}"
            + (f"; cụm phó: {handover.deputy.name}" if handover.deputy else "")
            + f" ({handover.get_method_display().lower()}).",
        )
    closed = (
        f"Hội nghị kết thúc hồi {conference.ends_at:%H} giờ {conference.ends_at:%M} phút cùng ngày."
        if conference.ends_at
        else "Hội nghị kết thúc cùng ngày."
    )
    layout.body(document, f"{closed} Biên bản đã được thông qua trước hội nghị.")
    _checkpoint(
        document,
        cycle,
        audit_selectors.checkpoint_after(
            chain_of(cycle), AuditAction.PHASE_CLOSE, phase=Phase.CONFERENCE.value
        ),
        "hội nghị (khi đóng giai đoạn hội nghị)",
    )
    layout.closing(
        document,
        ["Bộ Công an (để báo cáo)", "Các đơn vị trong cụm"],
        [
            layout.Signer("Chủ trì hội nghị", "", conference.chair_name),
            layout.Signer("Thư ký hội nghị", "", conference.secretary_name),
        ],
        _issuer(cycle),
    )
    return Built(_filename("bien-ban-hoi-nghi", str(cycle.year)), layout.save(document), DOCX)


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


def year_end_report(cycle: Cycle) -> Built:
    """The report: each written section as the leader unit saved it, else the draft written
    from the cycle's data (`core.narrative`); the statistics and the ranking after the
    results."""
    conference = voting_selectors.conference_of(cycle)
    document = layout.new_document(
        _heading(
            cycle,
            conference,
            "BC",
            1,
            "Báo cáo",
            f"Tổng kết phong trào thi đua “{cycle.cluster.movement}” năm {cycle.year}",
        )
    )
    texts = documents_selectors.report_texts(cycle)
    table = stats_selectors.cluster_table(cycle, Period.YEAR)
    results = scoring_selectors.results(cycle)
    draft = documents_selectors.report_draft(cycle, table=table, results=results)
    for index, (key, label) in enumerate(SECTIONS):
        layout.body(document, _report_heading(cycle, index, key, label), bold=True, indent=False)
        written = (texts.get(key) or "").strip() or draft.text(key)
        for paragraph in written.splitlines():
            if paragraph.strip():  # a gap the leader unit is to fill reads as a note
                layout.body(document, paragraph.strip(), italic=narrative.is_to_write(paragraph))
        if key == "results":
            _report_tables(document, cycle, table, results)
    layout.closing(
        document,
        ["Bộ Công an (để báo cáo)", "Các đơn vị trong cụm"],
        [_leader_signer(cycle)],
        _issuer(cycle),
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
    names = [row.unit.short_name for row in table.rows] + ["Toàn cụm"]
    rows = [
        [_unbroken(row.unit.short_name)] + [_cell_text(row.cells[i]) for i in wanted]
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


def _not_ranked(results) -> str:
    """Said instead of a ranking while the scoring is not over (the document is Vietnamese)."""
    return " ".join(problem.render() for problem in results.why_not_ready)


# --- tờ trình đề nghị khen thưởng ---------------------------------------------------------


def proposal(cycle: Cycle, outcome: voting_selectors.Outcome, number: int) -> Built:
    """The proposal for one title: the units its vote elected (over all its rounds)."""
    poll = outcome.poll
    conference = poll.conference
    names = {c.unit.code: c.unit.name for c in voting_selectors.candidates_of(poll)}
    title = next(
        (t.name for t in voting_rules.titles(cycle.rule_set) if t.code == poll.title_code),
        poll.title,
    )
    document = layout.new_document(
        _heading(
            cycle, conference, "TTr", number, "Tờ trình", f"Đề nghị tặng {title} năm {cycle.year}"
        )
    )
    layout.body(
        document, "Kính gửi: Hội đồng Thi đua - Khen thưởng Bộ Công an.", bold=True, indent=False
    )
    basis = poll.rules.get("legal_basis") or cycle.rule_set.legal_basis
    layout.body(
        document,
        f"Căn cứ {basis}; căn cứ giao ước thi đua năm {cycle.year} và kết quả bình xét tại "
        f"Hội nghị "
        f"tổng kết phong trào thi đua “{cycle.cluster.movement}” năm {cycle.year} ngày "
        f"{_day(cycle, conference):%d/%m/%Y},",
    )
    layout.body(
        document,
        f"{cycle.title} kính đề nghị Hội đồng Thi đua - Khen thưởng Bộ Công an xem xét, "
        f"đề nghị tặng "
        f"{title} năm {cycle.year} cho {len(outcome.winners)} đơn vị sau:",
    )
    results = scoring_selectors.results(cycle)
    scores = {unit.code: result_ for unit, result_ in results.ranking} if results else {}
    layout.table(
        document,
        ["STT", "Đơn vị", "Số phiếu bình xét", "Tỷ lệ", "Điểm thi đua (hạng)"],
        [
            [
                str(index),
                names.get(code, code),
                f"{outcome.votes[code][0]}/{outcome.votes[code][1]}",
                _percent(*outcome.votes[code]),
                f"{format_number(scores[code].total, 2)} ({scores[code].rank})"
                if code in scores
                else "—",
            ]
            for index, code in enumerate(outcome.winners, start=1)
        ],
    )
    layout.body(
        document,
        f"Kèm theo: biên bản hội nghị, biên bản kiểm phiếu, báo cáo tổng kết năm {cycle.year} "
        "của cụm.",
    )
    layout.body(document, "Kính đề nghị Hội đồng xem xét.")
    layout.closing(
        document,
        ["Như trên", "Cục Công tác Đảng và công tác chính trị"],
        [_leader_signer(cycle)],
        _issuer(cycle),
    )
    return Built(
        _filename("to-trinh", poll.title_code or poll.code, str(cycle.year)),
        layout.save(document),
        DOCX,
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
        issuer=_issuer(cycle),
        place_date=date_line(cycle.leader.short_name, _day(cycle, conference)),
        kind=SCORE_TABLE,
        summary=f"{_issuer(cycle)} năm {cycle.year}",
    )
    signer = _leader_signer(cycle)
    signature = xlsx.Signature(signer.authority, signer.title, signer.office, signer.name)
    return Built(
        _filename("bang-tong-hop-diem", str(cycle.year), extension="xlsx"),
        scoring_excel.results_xlsx(results, head, [signature]),
        XLSX,
    )


# --- what the cycle can have --------------------------------------------------------------


def _minutes_numbers(polls: list[Poll]) -> dict[int, int]:
    """Poll id → the number of its vote-count minutes: after the conference minutes (01), the
    counted polls in the order they were counted, so the numbers have no gap and a poll
    counted later never renumbers minutes already printed."""
    counted = sorted(
        (p for p in polls if p.status in (Poll.Status.CLOSED, Poll.Status.VOID)),
        key=lambda p: (p.closed_at is None, p.closed_at, p.pk),
    )
    return {poll.pk: number for number, poll in enumerate(counted, start=2)}


def plans(cycle: Cycle) -> list[Plan]:
    """Every document of the cycle, each ready or saying what it still needs."""
    conference = voting_selectors.conference_of(cycle)
    results = scoring_selectors.results(cycle)
    stats_ready = stats_selectors.figures_by_unit(
        [u.code for u in org_selectors.member_units(cycle)], cycle.year, Period.YEAR
    )[1]
    found: list[Plan] = []
    no_conference = [] if conference else [_("Chưa có hội nghị tổng kết.")]
    found.append(
        Plan(
            "conference-minutes",
            _("Biên bản hội nghị"),
            _filename("bien-ban-hoi-nghi", str(cycle.year)),
            (lambda: conference_minutes(cycle, conference)) if conference else None,
            no_conference,
        )
    )
    found.append(
        Plan(
            "year-end-report",
            _("Báo cáo tổng kết"),
            _filename("bao-cao-tong-ket", str(cycle.year)),
            lambda: year_end_report(cycle),
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
            (lambda: score_table(cycle)) if not unranked else None,
            unranked,
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
    numbers = _minutes_numbers(polls)
    for poll in polls:
        counted = poll.status in (Poll.Status.CLOSED, Poll.Status.VOID)
        number = numbers.get(poll.pk)
        found.append(
            Plan(
                f"vote-count-{poll.code}",
                _("Biên bản kiểm phiếu: %(poll)s") % {"poll": poll.title},
                _filename("bien-ban-kiem-phieu", str(cycle.year), poll.code),
                (lambda poll=poll, number=number: vote_count_minutes(cycle, poll, number))
                if counted
                else None,
                [] if counted else [_("Cuộc bỏ phiếu chưa kiểm phiếu.")],
            )
        )
    proposals = 0
    problems = voting_selectors.nomination_problems(cycle, polls) if polls else []
    for outcome in voting_selectors.outcomes(polls):
        poll = outcome.poll
        if poll.purpose != Poll.Purpose.TITLE or not poll.title_code:
            continue
        # a nominee who breaks a nested quota (e.g. the Government flag without the
        # Ministry flag) gets no proposal until the conference settles it
        refused = [p.render(_) for p in problems if p.field == poll.title_code]
        ready = outcome.complete and bool(outcome.winners) and not refused
        proposals += 1
        found.append(
            Plan(
                f"proposal-{poll.code}",
                _("Tờ trình đề nghị: %(poll)s") % {"poll": poll.title},
                _filename("to-trinh", poll.title_code, str(cycle.year)),
                (lambda outcome=outcome, number=proposals: proposal(cycle, outcome, number))
                if ready
                else None,
                (refused or ([] if ready else [_("Chưa có đơn vị được bình xét.")]))
                + _signer_missing(cycle),
            )
        )
    return found


def produce(cycle: Cycle, key: str, kind: str = "file") -> Built:
    """The document `key` of the cycle, as its own file (DOCX/XLSX) or as a PDF (`kind`).

    Unknown keys are a 404; a document whose data is missing, or a PDF with no engine, is
    refused with the reason (409), so the page and the API say the same thing."""
    plan = next((p for p in plans(cycle) if p.key == key), None)
    if plan is None or kind not in ("file", "pdf"):
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
    built = plan.build()
    if kind == "file":
        return built
    if not built.filename.endswith(".docx"):
        raise Http404(_("Bảng tính không có bản PDF."))
    content = pdf.to_pdf(built.content, built.filename)
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
