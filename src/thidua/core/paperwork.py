"""Vietnamese administrative paperwork (Nghị định 30/2020/NĐ-CP): numbers, date lines, names.

The rules of the layout itself (fonts, sizes, margins) live with the document builders; these
are the texts that must be exactly right.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

# The national title and motto heading every administrative document (DOCX and XLSX alike).
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def date_line(place: str, day: date | int) -> str:
    """ "Hà Giang, ngày 05 tháng 01 năm 2021": days under 10 and months 1–2 with a leading 0;
    given only a year, the day and month are left blank for the hand that signs it."""
    if isinstance(day, int):
        blank = "\u00a0" * 5
        return f"{place}, ngày{blank}tháng{blank}năm {day}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def symbol(kind: str, issuer: str) -> str:
    """The symbol after the number: the kind's abbreviation then the issuer's ("BB-CTĐ"). A
    công văn has no kind (NĐ 30/2020, appendix I): its symbol is the issuer's abbreviation then
    the drafting unit's or the field's, given here whole as `issuer` with `kind` empty
    ("CTĐ-TĐKT")."""
    return f"{kind}-{issuer}" if kind else issuer


def number_line(number: int | None, kind: str, issuer: str) -> str:
    """ "Số: 01/BB-CTĐ" (a công văn, kind "": "Số: 05/CTĐ-TĐKT"): numbers under 10 with a
    leading 0; left blank for the clerk when None."""
    shown = f"{number:02d}" if number is not None else "\u00a0" * 6
    return f"Số: {shown}/{symbol(kind, issuer)}"


@lru_cache(maxsize=4096)  # the same few names on every document of a panel: 2 per member unit
def slug(text: str) -> str:
    """An ASCII file name part that survives every OS: "Cờ Chính phủ" → "co-chinh-phu"."""
    text = text.replace("Đ", "D").replace("đ", "d")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "tai-lieu"


#: The ranks of the People's Public Security, highest first, as a signature prints them (the
#: choices of the rank fields: a unit's head, the conference's chair and secretary).
RANKS = (
    "Đại tướng",
    "Thượng tướng",
    "Trung tướng",
    "Thiếu tướng",
    "Đại tá",
    "Thượng tá",
    "Trung tá",
    "Thiếu tá",
    "Đại úy",
    "Thượng úy",
    "Trung úy",
    "Thiếu úy",
)


def person(rank: str, name: str, position: str = "") -> str:
    """A person as official papers name them: rank before the name, the position after it
    ("Đại tá Nguyễn Văn A, Giám đốc Công an tỉnh Hà Giang"); parts left empty are left out."""
    named = " ".join(part.strip() for part in (rank, name) if part.strip())
    return ", ".join(part for part in (named, position.strip()) if part)


class GroundsError(ValueError):
    """A rule set's list of legal grounds that cannot be read (the message says where)."""


def grounds_for(entries: object, year: int) -> list[str]:
    """The legal grounds ("Căn cứ …") a document of `year` cites, from a rule set's
    `grounds`: a list of {"text", optional "from_year", "to_year"}, in the order cited.

    A rule set covers several years, and an instrument may take effect inside them (a
    circular issued in 2019 is no ground for a 2018 proposal), hence the years per entry."""
    if not isinstance(entries, list):
        raise GroundsError("grounds: cần một danh sách")
    cited = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            raise GroundsError(f"grounds[{index}]: cần một mục có “text”")
        unknown = set(entry) - {"text", "from_year", "to_year"}
        if unknown:
            raise GroundsError(f"grounds[{index}]: khóa lạ {', '.join(sorted(unknown))}")
        bounds = [entry.get("from_year"), entry.get("to_year")]
        if any(b is not None and (not isinstance(b, int) or isinstance(b, bool)) for b in bounds):
            raise GroundsError(f"grounds[{index}]: năm phải là số nguyên")
        first, last = bounds
        if (first is None or first <= year) and (last is None or year <= last):
            cited.append(entry["text"].strip())
    return [text for text in cited if text]


def on_behalf_note(
    subject: str,
    by: str,
    reason: str,
    *,
    awaiting: bool,
    confirmed_on: date | None = None,
    excuse: str = "",
    uncounted: str,
) -> str:
    """The note an official document prints under a table for figures or a score sheet the
    leader unit entered on a member's behalf ("nhập thay"): whose, by which unit, why, and
    how it stands. "Số liệu thống kê năm 2020 của Công an tỉnh Điện Biên do Công an tỉnh Hà
    Giang (đơn vị cụm trưởng) nhập thay (lý do: …); đơn vị đã xác nhận ngày 12/01/2021."
    While `awaiting` the unit's confirmation, it says what does not count yet (`uncounted`:
    "số liệu này chưa tính vào số liệu toàn cụm"); once the leader recorded why the unit
    could not confirm (`excuse`), that reason."""
    who = f"{by} (đơn vị cụm trưởng)" if by else "đơn vị cụm trưởng"
    text = f"{subject} do {who} nhập thay (lý do: {reason.strip().rstrip('.;')})"
    if awaiting:
        return f"{text}; đơn vị chưa xác nhận nên {uncounted}."
    if excuse.strip():
        return (
            f"{text}; đơn vị không xác nhận được, đơn vị cụm trưởng đã ghi nhận lý do: "
            f"{excuse.strip().rstrip('.;')}."
        )
    if confirmed_on is not None:
        return f"{text}; đơn vị đã xác nhận ngày {confirmed_on:%d/%m/%Y}."
    return f"{text}."
