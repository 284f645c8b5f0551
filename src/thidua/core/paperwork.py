"""Vietnamese administrative paperwork (Nghị định 30/2020/NĐ-CP): numbers, date lines, names.

The rules of the layout itself (fonts, sizes, margins) live with the document builders; these
are the texts that must be exactly right.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# The national title and motto heading every administrative document (DOCX and XLSX alike).
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def date_line(place: str, day: date) -> str:
    """ "Hà Giang, ngày 05 tháng 01 năm 2021": days under 10 and months 1–2 with a leading 0."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def number_line(number: int | None, kind: str, issuer: str) -> str:
    """ "Số: 01/BB-CTĐ": numbers under 10 with a leading 0; left blank for the clerk when None."""
    shown = f"{number:02d}" if number is not None else "\u00a0" * 6
    return f"Số: {shown}/{kind}-{issuer}"


def slug(text: str) -> str:
    """An ASCII file name part that survives every OS: "Cờ Chính phủ" → "co-chinh-phu"."""
    text = text.replace("Đ", "D").replace("đ", "d")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "tai-lieu"
