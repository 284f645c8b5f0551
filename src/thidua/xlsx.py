"""Workbook helpers shared by every Excel import and export (statistics, agreement, results).

Imports are refused as a whole, with every problem placed on its sheet, row and column.

Every workbook is written through `save`, which applies the rules every export keeps:
a string that starts with `=`, `+`, `-` or `@` is stored as a text cell (never a formula,
and marked so that Excel keeps it as text when the cell is edited), numbers stay numbers,
and every cell is in Times New Roman. Printed documents (the score table) add the official
title block, the signature block and the print set-up (`letterhead`, `signatures`,
`print_setup`).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.page import PageMargins

from thidua.core.messages import Problem, gettext_noop
from thidua.core.paperwork import MOTTO, NATION

MAX_BYTES = 5 * 1024 * 1024  # a filled template is a few kilobytes
MAX_UNPACKED = 50 * 1024 * 1024  # refuse zip bombs before opening them

FONT = "Times New Roman"
BOLD = Font(name=FONT, bold=True, size=12)
NORMAL = Font(name=FONT, size=12)
TITLE = Font(name=FONT, bold=True, size=13)
NOTE = Font(name=FONT, italic=True, size=12)
DEFAULT_FONT = Font(name=FONT, size=12, family=1)
#: A string starting with one of these is a formula to a spreadsheet program (CSV/XLSX
#: formula injection): it is written as text.
FORMULA_STARTS = ("=", "+", "-", "@")
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


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _as_text(cell: Cell) -> None:
    """A string a spreadsheet would read as a formula, kept as text: stored as a string cell
    (openpyxl types "=…" as a formula) with the quote prefix, so editing it keeps it text."""
    cell.data_type = "s"
    cell.quotePrefix = True


def _in_times_new_roman(cell: Cell) -> None:
    font = cell.font
    if font.name != FONT:
        cell.font = Font(
            name=FONT,
            size=font.size,
            bold=font.bold,
            italic=font.italic,
            underline=font.underline,
            strike=font.strike,
            color=font.color,
            vertAlign=font.vertAlign,
        )


def _seal(workbook: Workbook) -> None:
    """The rules every written workbook keeps (see the module's docstring)."""
    fonts = list(workbook._fonts)  # the default font, used by every cell not styled otherwise
    fonts[0] = DEFAULT_FONT
    workbook._fonts = IndexedList(fonts)
    for sheet in workbook.worksheets:
        for cell in sheet._cells.values():
            if not isinstance(cell, Cell):  # merged cells hold nothing
                continue
            if is_formula_like(cell.value):
                _as_text(cell)
            if cell.has_style:
                _in_times_new_roman(cell)


def describe(workbook: Workbook, author: str, title: str) -> None:
    """The file's properties as Excel shows them: who issued it (not "openpyxl") and what
    it is."""
    workbook.properties.creator = workbook.properties.lastModifiedBy = author
    workbook.properties.title = title


def save(workbook: Workbook) -> bytes:
    _seal(workbook)
    if workbook.properties.creator == "openpyxl":  # the library's name is nobody's authorship
        workbook.properties.creator = ""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- printed documents --------------------------------------------------------------------

CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class Letterhead:
    """The title block of a printed table (Nghị định 30/2020/NĐ-CP, in a sheet)."""

    parent_body: str  # "Bộ Công an"
    issuer: str  # "Cụm thi đua số II"
    place_date: str  # "Hà Giang, ngày 16 tháng 11 năm 2020"
    kind: str  # "Bảng tổng hợp kết quả chấm điểm thi đua"
    summary: str  # "Cụm thi đua số II – năm 2020"


@dataclass(frozen=True)
class Signature:
    authority: str  # "TM. Cụm thi đua số II"
    title: str  # "Cụm trưởng"
    office: str  # "Giám đốc Công an tỉnh Hà Giang"
    name: str


def _block(sheet, row: int, first: int, last: int, text: str, font: Font, *, height=None):
    if last > first:
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell = sheet.cell(row=row, column=first, value=text)
    cell.font, cell.alignment = font, CENTRED
    if height:
        sheet.row_dimensions[row].height = height
    return cell


def letterhead(sheet, head: Letterhead, width: int) -> int:
    """The issuing body at the left, the national name and motto at the right, the place and
    date under them, then the document's name and summary across the table; returns the
    first free row (after a blank one)."""
    split = max(1, min(width - 1, round(width * 0.4)))
    left, right = (1, split), (split + 1, width)
    _block(sheet, 1, *left, head.parent_body.upper(), Font(name=FONT, size=12))
    _block(sheet, 1, *right, NATION, Font(name=FONT, size=12, bold=True))
    _block(sheet, 2, *left, head.issuer.upper(), Font(name=FONT, size=12, bold=True, u="single"))
    _block(sheet, 2, *right, MOTTO, Font(name=FONT, size=13, bold=True, u="single"))
    _block(sheet, 3, *right, head.place_date, Font(name=FONT, size=13, italic=True))
    _block(sheet, 5, 1, width, head.kind.upper(), Font(name=FONT, size=14, bold=True), height=21)
    _block(sheet, 6, 1, width, head.summary, Font(name=FONT, size=13, bold=True), height=19)
    return 8


def signatures(sheet, row: int, signers: Sequence[Signature], width: int) -> int:
    """Each signer's block at the right under the table, as NĐ 30/2020 writes it: authority
    and posts in capitals, bold; the place for the signature; the rank and name in bold.
    Returns the row after it."""
    first = max(1, min(width - 1, round(width * 0.5))) + 1
    bold = Font(name=FONT, size=13, bold=True)
    for signer in signers:
        posts = [line.upper() for line in (signer.authority, signer.title, signer.office) if line]
        for line in posts:
            row += 1
            _block(sheet, row, first, width, line, bold)
        row += 5  # room for the signature and the seal (NĐ 30: no hint printed there)
        _block(sheet, row, first, width, signer.name, bold)
        row += 1
    return row


def print_setup(sheet, header_rows: tuple[int, int] | None, *, landscape: bool = True) -> None:
    """A4, landscape by default, fit to the page's width (as many pages down as it takes),
    the table's header rows repeated on every printed page, centred horizontally."""
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = sheet.ORIENTATION_LANDSCAPE if landscape else sheet.ORIENTATION_PORTRAIT
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    if header_rows:
        sheet.print_title_rows = f"{header_rows[0]}:{header_rows[1]}"


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
