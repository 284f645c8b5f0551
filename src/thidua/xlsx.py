"""Workbook helpers shared by every Excel import and export (statistics, agreement, results).

Imports are refused as a whole, with every problem placed on its sheet, row and column.
"""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Border, Font, PatternFill, Side

from thidua.core.messages import Problem, gettext_noop

MAX_BYTES = 5 * 1024 * 1024  # a filled template is a few kilobytes
MAX_UNPACKED = 50 * 1024 * 1024  # refuse zip bombs before opening them

BOLD = Font(name="Times New Roman", bold=True)
NORMAL = Font(name="Times New Roman")
TITLE = Font(name="Times New Roman", bold=True, size=13)
NOTE = Font(name="Times New Roman", italic=True)
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="F2DCDB")
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookRefused(Exception):
    """The file was not imported; `problems` say where and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(problems)


def save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def safe_filename(*parts: str) -> str:
    """ASCII names that survive every OS: so-lieu-cum-2-2020-Y.xlsx."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", "-".join(part for part in parts if part)) + ".xlsx"


def at(sheet: str, cell: str, reason: Problem) -> Problem:
    """`reason`, placed on a cell: Trang “Sơn La”, hàng 12, cột D (ô D12): …"""
    row = int(re.sub(r"\D", "", cell))
    column = re.sub(r"\d", "", cell)
    return Problem(
        reason.code,
        gettext_noop("Trang “%(sheet)s”, hàng %(row)s, cột %(column)s (ô %(cell)s): %(reason)s"),
        {"sheet": sheet, "row": row, "column": column, "cell": cell, "reason": reason},
        f"{sheet}!{cell}",
    )


def file_problem(code: str, message: str, **params) -> WorkbookRefused:
    return WorkbookRefused([Problem(code, message, params, "file")])


def open_workbook(content: bytes):
    """A read-only workbook, after refusing oversized files, zip bombs and non-workbooks."""
    if len(content) > MAX_BYTES:
        raise file_problem(
            "file_too_large",
            gettext_noop("Tệp lớn quá %(limit)s MB."),
            limit=MAX_BYTES // (1024 * 1024),
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise file_problem(
            "not_xlsx", gettext_noop("Tệp không phải là bảng tính Excel (.xlsx).")
        ) from None
    if unpacked > MAX_UNPACKED:
        raise file_problem(
            "file_too_large",
            gettext_noop("Tệp lớn quá %(limit)s MB."),
            limit=MAX_UNPACKED // (1024 * 1024),
        )
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a broken file
        raise file_problem(
            "not_xlsx", gettext_noop("Tệp không phải là bảng tính Excel (.xlsx).")
        ) from None


def cells(sheet, max_rows: int, max_col: int) -> tuple[dict[str, object], int] | None:
    """The sheet's values by coordinate and its last row; None when it has too many rows."""
    values: dict[str, object] = {}
    last_row = 0
    for row in sheet.iter_rows(max_col=max_col):
        last_row += 1
        if last_row > max_rows:
            return None
        for item in row:
            if getattr(item, "coordinate", None) is not None:
                values[item.coordinate] = item.value
    return values, last_row


def too_many_rows(title: str, limit: int) -> Problem:
    return Problem(
        "too_many_rows",
        gettext_noop("Trang “%(sheet)s” có quá %(limit)s hàng."),
        {"sheet": title, "limit": limit},
        title,
    )
