"""Excel in and out: the cluster table, and the report template that units fill and send back.

A template holds one sheet per unit: the unit's code, the year and the period at the top,
then one row per indicator with its figure in column D. Reading checks every cell and
collects every problem with its sheet, row and column; nothing is written unless the whole
file is right (see `services.import_workbook`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from thidua.core import indicators as core
from thidua.core.messages import Problem, gettext_noop
from thidua.core.numbers import InvalidNumber, format_exact, parse_number, to_decimal
from thidua.org.models import Cycle, Unit
from thidua.stats import selectors
from thidua.xlsx import (
    BOLD,
    BOX,
    HEAD_FILL,
    INPUT_FILL,
    NORMAL,
    WorkbookRefused,
    at,
    cells,
    open_workbook,
    safe_filename,
    save,
    too_many_rows,
)

MAX_ROWS = 500  # per sheet: the catalog has a few dozen indicators

META_ROWS = {"unit": 2, "name": 3, "year": 4, "period": 5}
HEADER_ROW = 7
FIRST_ROW = 8
VALUE_COLUMN = "D"
CODE_COLUMN = "A"


@dataclass(frozen=True)
class SheetFigures:
    sheet: str
    unit: Unit
    period: core.Period
    figures: dict[str, Decimal]
    rows: dict[str, int]  # indicator code → row, to place later problems


def number_format(indicator_kind: str, decimals: int) -> str:
    if indicator_kind == core.Kind.RATE:
        return "0.0"
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals


def filename(stem: str, cycle: Cycle, period: core.Period, unit_code: str | None = None) -> str:
    return safe_filename(stem, cycle.cluster.code, str(cycle.year), period.value, unit_code or "")


def _sheet_title(unit: Unit, used: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "-", unit.short_name)[:28] or unit.code[:28]
    base, counter = title, 2
    while title in used:
        title, counter = f"{base} {counter}", counter + 1
    used.add(title)
    return title


# --- out ----------------------------------------------------------------------------------


def cluster_table_xlsx(table: selectors.ClusterTable) -> bytes:
    """The cluster table: figures, change against last year, and warnings (values only)."""
    workbook = Workbook()
    figures = workbook.active
    figures.title = "Số liệu"
    changes = workbook.create_sheet("So với cùng kỳ")
    notes = workbook.create_sheet("Cảnh báo")
    title = f"{table.cycle.title} – {core.PERIOD_LABELS[table.period]} {table.cycle.year}"
    for sheet, heading in (
        (figures, title),
        (changes, f"{title}: so với cùng kỳ {table.cycle.year - 1}"),
    ):
        sheet["A1"] = heading
        sheet["A1"].font = Font(name="Times New Roman", bold=True, size=13)
        sheet.cell(row=3, column=1, value="Đơn vị").font = BOLD
        for index, indicator in enumerate(table.indicators, start=2):
            cell = sheet.cell(row=3, column=index, value=f"{indicator.name} ({indicator.measure})")
            cell.font, cell.alignment, cell.fill, cell.border = (
                BOLD,
                Alignment(wrap_text=True, vertical="top"),
                HEAD_FILL,
                BOX,
            )
            sheet.column_dimensions[get_column_letter(index)].width = 16
        sheet.column_dimensions["A"].width = 30
        sheet.row_dimensions[3].height = 75
    rows = [*table.rows, table.total]
    for offset, row in enumerate(rows, start=4):
        name = row.unit.name if row.unit else "Toàn cụm"
        if row.report is not None and row.report.on_behalf:
            name += " (nhập thay)"
        for sheet in (figures, changes):
            sheet.cell(row=offset, column=1, value=name).font = BOLD if row.unit is None else NORMAL
        for index, cell in enumerate(row.cells, start=2):
            value_cell = figures.cell(
                row=offset, column=index, value=None if cell.value is None else cell.value
            )
            value_cell.number_format = number_format(cell.indicator.kind, cell.indicator.decimals)
            value_cell.border = BOX
            if row.unit is None:
                value_cell.font = BOLD
            changes.cell(
                row=offset,
                column=index,
                value=cell.change.phrase().render() if cell.change else "",
            ).border = BOX
    notes["A1"] = "Cảnh báo về số liệu"
    notes["A1"].font = BOLD
    line = 3
    for row in table.rows:
        for note in row.notes:
            notes.cell(row=line, column=1, value=row.unit.name)
            notes.cell(row=line, column=2, value=note.render())
            line += 1
        for text in _row_marks(row, table.cycle.year):
            notes.cell(row=line, column=1, value=row.unit.name)
            notes.cell(row=line, column=2, value=text)
            line += 1
    for mismatch in table.published_mismatches:
        notes.cell(row=line, column=1, value="Số liệu công bố của cụm")
        notes.cell(row=line, column=2, value=mismatch.phrase().render())
        line += 1
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["B"].width = 120
    return save(workbook)


def _row_marks(row: selectors.Row, year: int) -> list[str]:
    """What the page says beside a unit's name: entered on its behalf, and the predecessors
    its last-year figures sum."""
    marks = []
    report = row.report
    if report is not None and report.on_behalf:
        by = report.on_behalf_by.get_full_name() if report.on_behalf_by else ""
        state = (
            "chờ đơn vị xác nhận, chưa tính vào toàn cụm"
            if report.status == core.AWAITING
            else f"đơn vị không xác nhận được: {report.excuse}"
            if report.excuse
            else "đơn vị đã xác nhận"
        )
        marks.append(f"Nhập thay{f' ({by})' if by else ''}: {report.on_behalf_reason}; {state}.")
    if row.predecessors:
        names = " + ".join(row.predecessors)
        marks.append(f"Số liệu kỳ này là của đơn vị trước sáp nhập: {names}.")
    if row.baseline is not None and row.baseline.lineage:
        marks.append(f"Cùng kỳ {year - 1} là tổng của {' + '.join(row.baseline.names)}.")
    return marks


def template_xlsx(cycle: Cycle, period: core.Period, units: list[Unit], *, filled: bool) -> bytes:
    """A report template, one sheet per unit; `filled` puts in the figures already stored."""
    _catalog, models = selectors.catalog()
    stored, _reports = selectors.figures_by_unit([unit.code for unit in units], cycle.year, period)
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for unit in units:
        sheet = workbook.create_sheet(_sheet_title(unit, used))
        sheet["A1"] = f"BÁO CÁO SỐ LIỆU – {cycle.title}"
        sheet["A1"].font = Font(name="Times New Roman", bold=True, size=13)
        meta = {
            "unit": ("Mã đơn vị", unit.code),
            "name": ("Tên đơn vị", unit.name),
            "year": ("Năm", cycle.year),
            "period": ("Kỳ báo cáo", period.value),
        }
        for key, row in META_ROWS.items():
            label, value = meta[key]
            sheet.cell(row=row, column=1, value=label).font = BOLD
            sheet.cell(row=row, column=2, value=value).font = NORMAL
        sheet.cell(row=META_ROWS["period"], column=3, value=str(core.PERIOD_LABELS[period]))
        for column, heading in enumerate(
            ("Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"), start=1
        ):
            cell = sheet.cell(row=HEADER_ROW, column=column, value=heading)
            cell.font, cell.fill, cell.border = BOLD, HEAD_FILL, BOX
        figures = stored.get(unit.code, {}) if filled else {}
        for row, (code, model) in enumerate(models.items(), start=FIRST_ROW):
            sheet.cell(row=row, column=1, value=code)
            sheet.cell(row=row, column=2, value=model.name)
            sheet.cell(row=row, column=3, value=model.measure)
            value = sheet.cell(row=row, column=4, value=figures.get(code))
            value.number_format = number_format(model.kind, model.decimals)
            value.fill, value.border = INPUT_FILL, BOX
            if model.kind == core.Kind.RATE:
                sheet.cell(
                    row=row,
                    column=5,
                    value="Tỷ lệ do đơn vị báo cáo (không bắt buộc); hệ thống tự tính từ số vụ.",
                )
        for column, width in zip("ABCDE", (28, 60, 12, 14, 60), strict=True):
            sheet.column_dimensions[column].width = width
    return save(workbook)


# --- in -----------------------------------------------------------------------------------


def no_file_problem() -> Problem:
    return Problem("no_file", gettext_noop("Chưa chọn tệp để nhập."), {}, "file")


def _value(raw: object, indicator: core.Indicator) -> Decimal:
    """A cell's figure; formulas and text that is not a clear number are refused."""
    if isinstance(raw, str):
        if raw.strip().startswith("="):
            raise InvalidNumber(
                Problem(
                    "formula",
                    gettext_noop("Ô có công thức; hãy nhập giá trị số."),
                )
            )
        return parse_number(
            raw, whole=indicator.kind == core.Kind.COUNT, percent=indicator.kind == core.Kind.RATE
        )
    number = to_decimal(raw)
    if indicator.kind == core.Kind.COUNT and number != number.to_integral_value():
        raise InvalidNumber(
            Problem(
                "not_whole",
                gettext_noop("“%(text)s” phải là số nguyên (số vụ, số người)."),
                {"text": format_exact(number)},
            )
        )
    return number


def read_workbook(
    content: bytes, cycle: Cycle, members: list[Unit], catalog: core.Catalog
) -> list[SheetFigures]:
    """Every sheet's figures, or `WorkbookRefused` with every problem found."""
    workbook = open_workbook(content)
    by_code = {unit.code: unit for unit in members}
    problems: list[Problem] = []
    sheets: list[SheetFigures] = []
    seen_units: dict[str, str] = {}
    try:
        for sheet in workbook.worksheets:
            parsed = _read_sheet(sheet, cycle, by_code, catalog, problems, seen_units)
            if parsed is not None:
                sheets.append(parsed)
    finally:
        workbook.close()
    if not sheets and not problems:
        problems.append(
            Problem("empty_file", gettext_noop("Tệp không có trang báo cáo nào."), {}, "file")
        )
    if problems:
        raise WorkbookRefused(problems)
    return sheets


def _read_sheet(sheet, cycle, by_code, catalog, problems, seen_units) -> SheetFigures | None:
    title = sheet.title
    read = cells(sheet, MAX_ROWS, 5)
    if read is None:
        problems.append(too_many_rows(title, MAX_ROWS))
        return None
    cell, last_row = read
    before = len(problems)
    unit_code = str(cell.get(f"B{META_ROWS['unit']}") or "").strip()
    unit = by_code.get(unit_code)
    if unit is None:
        problems.append(
            at(
                title,
                f"B{META_ROWS['unit']}",
                Problem(
                    "unknown_unit",
                    gettext_noop(
                        "“%(code)s” không phải là mã của một đơn vị thành viên của cụm năm "
                        "%(year)s."
                    ),
                    {"code": unit_code, "year": cycle.year},
                ),
            )
        )
    elif unit_code in seen_units:
        problems.append(
            at(
                title,
                f"B{META_ROWS['unit']}",
                Problem(
                    "repeated_unit",
                    gettext_noop("Đơn vị %(code)s đã có ở trang “%(other)s”."),
                    {"code": unit_code, "other": seen_units[unit_code]},
                ),
            )
        )
    else:
        seen_units[unit_code] = title
    year = cell.get(f"B{META_ROWS['year']}")
    if str(year).strip() != str(cycle.year):
        problems.append(
            at(
                title,
                f"B{META_ROWS['year']}",
                Problem(
                    "wrong_year",
                    gettext_noop("Năm “%(value)s” không phải năm %(year)s của năm thi đua."),
                    {"value": year if year is not None else "", "year": cycle.year},
                ),
            )
        )
    period_text = str(cell.get(f"B{META_ROWS['period']}") or "").strip()
    try:
        period = core.Period(period_text)
    except ValueError:
        period = None
        problems.append(
            at(
                title,
                f"B{META_ROWS['period']}",
                Problem(
                    "wrong_period",
                    gettext_noop(
                        "Kỳ báo cáo “%(value)s” không hợp lệ (Y, H1, H2, Q1, Q2, Q3 hoặc Q4)."
                    ),
                    {"value": period_text},
                ),
            )
        )
    figures: dict[str, Decimal] = {}
    places: dict[str, int] = {}
    for row_number in range(FIRST_ROW, last_row + 1):
        code = str(cell.get(f"{CODE_COLUMN}{row_number}") or "").strip()
        raw = cell.get(f"{VALUE_COLUMN}{row_number}")
        if not code and (raw is None or str(raw).strip() == ""):
            continue
        indicator = catalog.get(code)
        if indicator is None:
            problems.append(
                at(
                    title,
                    f"{CODE_COLUMN}{row_number}",
                    Problem(
                        "unknown_indicator",
                        gettext_noop("Không có chỉ tiêu mã %(code)s."),
                        {"code": code},
                    ),
                )
            )
            continue
        if code in places:
            problems.append(
                at(
                    title,
                    f"{CODE_COLUMN}{row_number}",
                    Problem(
                        "repeated_indicator",
                        gettext_noop("Chỉ tiêu %(code)s đã có ở hàng %(other)s."),
                        {"code": code, "other": places[code]},
                    ),
                )
            )
            continue
        places[code] = row_number
        if raw is None or str(raw).strip() == "":
            continue
        try:
            figures[code] = _value(raw, indicator)
        except InvalidNumber as error:
            problems.append(at(title, f"{VALUE_COLUMN}{row_number}", error.problem))
    for problem in core.validate(figures, catalog):
        problems.append(at(title, f"{VALUE_COLUMN}{places[problem.field]}", problem))
    if len(problems) > before or unit is None or period is None:
        return None
    return SheetFigures(title, unit, period, figures, places)
