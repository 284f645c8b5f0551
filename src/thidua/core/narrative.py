"""The year-end report's first draft: its four written sections as Vietnamese paragraphs,
from the cycle's data only.

Plain data in (each indicator's figure beside last year's, the score table's section points,
the cluster's make-up and agreement, the hand-over), plain text out: section key → the
paragraphs of its draft. Every sentence states a fact the data holds; nothing is praised or
explained that the data does not say. What the units wrote themselves (their highlights of
the movement, their explanations of a jump) is quoted as theirs, under their names. A
section the data says nothing about gets one line saying that the leader unit writes it,
never a sentence written as if the work were done.

Document text, so always Vietnamese (no gettext); numbers the Vietnamese way (2.156; 19,6%).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from thidua.core.indicators import Change, Direction, Kind, RateMismatch, change, shown
from thidua.core.messages import format_day
from thidua.core.numbers import format_exact, format_number, format_percent

#: The report's written sections, in the order the report prints them.
SECTION_KEYS = ("situation", "results", "shortcomings", "next_year")


@dataclass(frozen=True)
class Figure:
    """One indicator's figure for the year, beside the same period a year earlier."""

    name: str  # "Số vụ phạm tội về trật tự xã hội"
    measure: str  # "vụ"; "%" for a rate
    kind: Kind
    value: Decimal | None
    before: Decimal | None = None
    decimals: int = 0
    direction: Direction = Direction.NEUTRAL
    # a rate's numerator (cases solved) is judged by its rate: fewer cases solved out of
    # fewer cases is no shortcoming when the clearance rate rose
    judged: bool = True

    @property
    def change(self) -> Change | None:
        return change(self.value, self.before, self.kind)

    @property
    def worse(self) -> bool:
        """It went the wrong way against last year (crimes up, clearance rate down)."""
        found = self.change
        return self.judged and found is not None and found.is_better(self.direction) is False

    @property
    def better(self) -> bool:
        found = self.change
        return found is not None and found.is_better(self.direction) is True


@dataclass(frozen=True)
class Line:
    """An indicator: the cluster's total and each member's own figure (unit name, figure)."""

    total: Figure
    units: tuple[tuple[str, Figure], ...] = ()


@dataclass(frozen=True)
class Group:
    """A criterion group (a top-level section) of the score table and each unit's points in
    it, as the score table shows them (rounded)."""

    name: str  # "I. Công tác lãnh đạo, chỉ đạo, tổ chức phong trào thi đua"
    maximum: Decimal
    points: Mapping[str, Decimal]  # unit name → points


@dataclass(frozen=True)
class Agreement:
    """The cycle's giao ước thi đua as signed: its groups (name, maximum) and how units score."""

    signed_on: date | None
    groups: tuple[tuple[str, Decimal], ...]
    criteria: int  # criteria scored (the groups aside, the bonus and penalty too)
    total_points: Decimal
    scoring: str  # "mọi đơn vị chấm chéo các đơn vị còn lại"
    bonus: str = ""  # "V. Điểm thưởng, điểm trừ": outside the scale, added or taken off


@dataclass(frozen=True)
class Handover:
    year: int
    leader: str
    deputy: str | None
    method: str  # "bầu tại hội nghị", "Bộ Công an phân công"


@dataclass(frozen=True)
class Mismatch:
    """A rate that does not follow from its counts: a unit's (`source` its name) or the
    cluster's published one (`source` empty)."""

    source: str
    mismatch: RateMismatch


@dataclass(frozen=True)
class Explained:
    """A unit's figure that jumped against last year (`core.plausibility`), and the unit's
    explanation of it."""

    unit: str
    figure: Figure
    note: str


@dataclass(frozen=True)
class ReportData:
    year: int
    cluster: str  # "Cụm thi đua số II"
    members: tuple[str, ...]  # unit names, in the cluster's order
    leader: str
    deputy: str | None = None
    lines: tuple[Line, ...] = ()
    reported: int = 0  # members whose figures count in the totals
    missing: tuple[str, ...] = ()  # members without a report that counts
    first: tuple[str, Decimal] | None = None  # the ranking's first unit and its total
    groups: tuple[Group, ...] = ()  # empty until the ranking is published
    agreement: Agreement | None = None
    mismatches: tuple[Mismatch, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()  # (unit name, a problem noted on its figures)
    explained: tuple[Explained, ...] = ()  # jumps against last year, as the units explain them
    # (unit name, its highlights of the movement as it wrote them, a line each), in the
    # cluster's order; units that wrote none are not in it
    highlights: tuple[tuple[str, str], ...] = ()
    handover: Handover | None = None
    score_decimals: int = 2


TO_WRITE = "(Đơn vị cụm trưởng viết "


def to_write(what: str) -> str:
    """The line said where the data has nothing: the leader unit writes it."""
    return f"{TO_WRITE}{what}.)"


def is_to_write(line: str) -> bool:
    """The line is a note to the leader unit (a `to_write` gap or a `to_check` figure), not
    a fact: the editor shows it, the signed report leaves it out."""
    line = line.strip()
    return line.startswith((TO_WRITE, TO_CHECK)) and line.endswith(".)")


TO_CHECK = "(Đơn vị cụm trưởng đối chiếu: "


def to_check(what: str) -> str:
    """A figure that does not add up, for the leader unit to settle before signing: an
    internal reconciliation, never printed to the Ministry."""
    return f"{TO_CHECK}{what}.)"


# --- figures in words ---------------------------------------------------------------------


def amount(figure: Figure, value: Decimal | None = None) -> str:
    """The figure with its measure: "2.156 vụ", "78,0%", "12,5 kg"."""
    value = figure.value if value is None else value
    text = shown(value, figure.kind, figure.decimals)
    return text if figure.kind == Kind.RATE or not figure.measure else f"{text} {figure.measure}"


def change_words(
    figure: Figure, year: int, *, versus: bool = True, compact: bool = False
) -> str | None:
    """The change against `year` (last year): "giảm 379 vụ (15,0%) so với năm 2019",
    "tăng 2,0 điểm phần trăm so với năm 2019", "bằng năm 2019"; without "so với năm …"
    unless `versus`; "giảm 379 vụ, tương đương 15,0%" when `compact` (inside brackets); None
    without a baseline."""
    found = figure.change
    if found is None:
        return None
    against = f" so với năm {year}" if versus else ""
    if found.kind == Kind.RATE:
        points = found.points or Decimal(0)
        if points == 0:
            return f"bằng năm {year}"
        verb = "tăng" if points > 0 else "giảm"
        return f"{verb} {format_number(abs(points), 1)} điểm phần trăm{against}"
    if found.delta == 0:
        return f"bằng năm {year}"
    verb = "tăng" if found.delta > 0 else "giảm"
    difference = amount(figure, abs(found.delta))
    if found.percent is None:  # nothing a year earlier
        return f"{verb} {difference}{against} (năm {year} không có)"
    # the verb says which way: no sign (a "-" splits from its figure at a line end)
    percent = format_percent(abs(found.percent), 1)
    if compact:
        return f"{verb} {difference}, tương đương {percent}{against}"
    return f"{verb} {difference} ({percent}){against}"


def table_change(found: Change) -> str:
    """The change in a table cell, short: "giảm 15,0%", "tăng 2,0 điểm phần trăm", "bằng";
    `Change.phrase` but with a rate's change in full words (no "điểm %")."""
    if found.kind == Kind.RATE and found.points:
        verb = "tăng" if found.points > 0 else "giảm"
        return f"{verb} {format_number(abs(found.points), 1)} điểm phần trăm"
    return found.phrase().render()


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _points(value: Decimal, decimals: int | None = None) -> str:
    """ "94,38 điểm" (`decimals` as the score table shows them), "20 điểm" for a maximum."""
    return f"{format_exact(value) if decimals is None else format_number(value, decimals)} điểm"


def _listed(items: Sequence[str]) -> list[str]:
    """Bullet lines: "- a;" … "- z."."""
    return [
        f"- {item}{'.' if index == len(items) - 1 else ';'}" for index, item in enumerate(items)
    ]


# --- the sections -------------------------------------------------------------------------


def situation(data: ReportData) -> list[str]:
    paragraphs = []
    if data.members:
        made_of = (
            f"Năm {data.year}, {data.cluster} gồm {len(data.members)} đơn vị: "
            f"{', '.join(data.members)}; {data.leader} là đơn vị cụm trưởng"
        )
        made_of += f", {data.deputy} là đơn vị cụm phó." if data.deputy else "."
        paragraphs.append(made_of)
    agreement = data.agreement
    if agreement is not None and agreement.signed_on is not None:
        groups = "; ".join(f"{name} ({_points(maximum)})" for name, maximum in agreement.groups)
        paragraphs.append(
            f"Ngày {format_day(agreement.signed_on)}, các đơn vị trong cụm ký kết giao ước thi "
            f"đua năm {data.year}. Bảng tiêu chí chấm điểm gồm {len(agreement.groups)} nhóm, "
            f"{agreement.criteria} tiêu chí, thang điểm {_points(agreement.total_points)}: "
            f"{groups}"
            + (f"; ngoài thang điểm: {agreement.bonus}" if agreement.bonus else "")
            + f". Hình thức chấm điểm: {_lower_first(agreement.scoring)}."
        )
    elif agreement is not None:
        paragraphs.append(f"Giao ước thi đua năm {data.year} của cụm chưa được ký kết.")
    return paragraphs or [to_write("phần đặc điểm tình hình")]


def results(data: ReportData) -> list[str]:
    paragraphs = []
    stated = [line for line in data.lines if line.total.value is not None]
    if stated:
        whose = (
            f"báo cáo của {len(data.members)} đơn vị trong cụm"
            if data.reported >= len(data.members)
            else f"báo cáo của {data.reported}/{len(data.members)} đơn vị đã gửi số liệu"
        )
        paragraphs.append(f"Năm {data.year}, số liệu thống kê tổng hợp từ {whose} như sau:")
        items = []
        for line in stated:
            words = change_words(line.total, data.year - 1)
            item = f"{line.total.name}: {amount(line.total)}"
            items.append(
                f"{item}, {words}"
                if words
                else f"{item} (chưa có số liệu năm {data.year - 1} để so sánh)"
            )
        paragraphs += _listed(items)
        # where the first figure to bring down fell, unit by unit
        headline = next((line for line in stated if line.total.direction == Direction.LOWER), None)
        fell = [
            f"{unit} {change_words(figure, data.year - 1, versus=False)}"
            for unit, figure in (headline.units if headline and headline.total.better else ())
            if figure.better
        ]
        if fell:
            where = (
                f"ở cả {len(fell)} đơn vị"
                if len(fell) == len(headline.units)
                else f"ở {len(fell)} đơn vị"
            )
            paragraphs.append(f"{headline.total.name} giảm {where}: {'; '.join(fell)}.")
    written = [(unit, _quoted(text)) for unit, text in data.highlights if _quoted(text)]
    if written:
        paragraphs.append("Những điểm nổi bật của phong trào thi đua do các đơn vị báo cáo:")
        paragraphs += [f"- {unit}: {text}" for unit, text in written]
    if data.explained:
        paragraphs.append(
            f"Một số số liệu biến động lớn so với năm {data.year - 1}, đã được đơn vị giải trình:"
        )
        paragraphs += _listed([_explained(item, data.year - 1) for item in data.explained])
    if data.first is not None:
        unit, total = data.first
        paragraphs.append(
            f"Kết quả chấm điểm thi đua năm {data.year}: {unit} dẫn đầu cụm với "
            f"{_points(total, data.score_decimals)}."
        )
    leads = []
    for group in data.groups:
        if not group.points:
            continue
        best = max(group.points.values())
        units = [unit for unit, points in group.points.items() if points == best]
        leads.append(
            f"{group.name} (tối đa {_points(group.maximum)}): {', '.join(units)} "
            f"({_points(best, data.score_decimals)})"
        )
    if leads:
        paragraphs.append("Đơn vị dẫn đầu từng nhóm tiêu chí của bảng chấm điểm:")
        paragraphs += _listed(leads)
    return paragraphs or [to_write("phần kết quả thực hiện phong trào thi đua")]


def _quoted(text: str) -> str:
    """A unit's highlights on one line, in its own words: its lines joined, each ended as a
    sentence (its bullet mark dropped, a full stop where the unit left none or a ";"),
    nothing else changed."""
    sentences = []
    for line in text.splitlines():
        line = " ".join(line.split()).lstrip("-+•* ").rstrip(" ;,:")
        if line:
            sentences.append(line if line.endswith((".", "!", "?", "…")) else f"{line}.")
    return " ".join(sentences)


def _explained(item: Explained, year: int) -> str:
    words = change_words(item.figure, year, versus=False)
    figure = f"{_lower_first(item.figure.name)} {amount(item.figure)}"
    return (
        f"{item.unit}: {figure}{f' ({words})' if words else ''}, "
        f"giải trình: “{' '.join(item.note.split()).rstrip('.;')}”"
    )


def _mismatch(found: Mismatch) -> str:
    item = found.mismatch
    whose = (
        f"{found.source}: {_lower_first(item.indicator.name)} báo cáo"
        if found.source
        else f"Số liệu công bố của cụm: {_lower_first(item.indicator.name)} là"
    )
    text = (
        f"{whose} {format_percent(item.reported, 1)}, nhưng tính từ số liệu các đơn vị báo cáo "
        f"là {format_number(item.numerator)}/{format_number(item.denominator)} = "
        f"{format_percent(item.computed, 1)} (chênh {format_number(abs(item.gap), 1)} điểm phần "
        "trăm)"
    )
    implied = item.implied_denominator
    if implied is not None:
        text += f"; tỷ lệ {format_percent(item.reported, 1)} ứng với mẫu số khoảng " + (
            f"{format_number(implied)}, tức là tính trên phạm vi số liệu khác"
        )
    return text


def shortcomings(data: ReportData) -> list[str]:
    paragraphs = []
    before = data.year - 1
    worse = [line for line in data.lines if line.total.worse]
    if worse:
        paragraphs.append(f"So với năm {before}, một số chỉ tiêu của toàn cụm diễn biến chưa tốt:")
        paragraphs += _listed(
            [
                f"{line.total.name}: {amount(line.total)}, {change_words(line.total, before)}"
                for line in worse
            ]
        )
    by_unit = []
    for line in data.lines:
        units = [
            f"{unit} {change_words(figure, before, versus=False)}"
            for unit, figure in line.units
            if figure.worse
        ]
        if units:
            by_unit.append(f"{line.total.name}: {'; '.join(units)}")
    if by_unit:
        paragraphs.append(f"Tại một số đơn vị, chỉ tiêu diễn biến chưa tốt so với năm {before}:")
        paragraphs += _listed(by_unit)
    if data.missing:
        paragraphs.append(
            f"Đến thời điểm lập báo cáo, {len(data.missing)} đơn vị chưa có báo cáo số liệu "
            f"được tổng hợp ({', '.join(data.missing)}); số liệu toàn cụm mới tính trên "
            f"{data.reported}/{len(data.members)} đơn vị."
        )
    unmatched = [_mismatch(found) for found in data.mismatches]
    unmatched += [f"{unit}: {note.rstrip('.')}" for unit, note in data.notes]
    paragraphs += [to_check(item) for item in unmatched]
    if paragraphs:
        return [*paragraphs, to_write("bổ sung nguyên nhân của các tồn tại, hạn chế trên")]
    return [to_write("phần tồn tại, hạn chế và nguyên nhân")]


def next_year(data: ReportData) -> list[str]:
    paragraphs = []
    handover = data.handover
    if handover is not None:
        text = f"Năm {handover.year}, {handover.leader} đảm nhận cụm trưởng"
        text += f", {handover.deputy} đảm nhận cụm phó" if handover.deputy else ""
        paragraphs.append(f"{text} ({_lower_first(handover.method)}).")
    coming = data.year + 1
    down = [
        f"{_lower_first(line.total.name)} ({amount(line.total)}, "
        f"{change_words(line.total, data.year - 1, versus=False, compact=True)})"
        for line in data.lines
        if line.total.worse and line.total.direction == Direction.LOWER
    ]
    if down:
        paragraphs.append(
            f"Năm {coming}, tập trung kéo giảm các chỉ tiêu năm {data.year} tăng so với năm "
            f"{data.year - 1}: {'; '.join(down)}."
        )
    return paragraphs or [to_write(f"phần phương hướng, nhiệm vụ năm {coming}")]


WRITERS = {
    "situation": situation,
    "results": results,
    "shortcomings": shortcomings,
    "next_year": next_year,
}


@dataclass(frozen=True)
class Draft:
    """Each section's draft paragraphs (section key → paragraphs)."""

    sections: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def text(self, key: str) -> str:
        """A section's draft as the edit page and the saved text hold it: one paragraph a
        line."""
        return "\n".join(self.sections.get(key, ()))


def draft(data: ReportData) -> Draft:
    return Draft({key: tuple(WRITERS[key](data)) for key in SECTION_KEYS})


def same_text(first: str, second: str) -> bool:
    """The same paragraphs, whatever the line endings and the spaces around them (a
    browser sends a textarea back with CRLF)."""

    def lines(text: str) -> list[str]:
        return [" ".join(line.split()) for line in text.splitlines() if line.strip()]

    return lines(first) == lines(second)
