"""Excel for scoring: the criteria table with its targets (out and in), and the results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from thidua.core import scoring as core
from thidua.core.messages import Problem, gettext_noop
from thidua.core.numbers import (
    InvalidNumber,
    format_exact,
    parse_number,
    round_half_up,
    to_decimal,
)
from thidua.org.models import Cycle, Unit
from thidua.scoring import selectors
from thidua.scoring.models import Agreement
from thidua.scoring.services import CriterionSpec
from thidua.xlsx import (
    BOLD,
    BOX,
    HEAD_FILL,
    INPUT_FILL,
    NOTE,
    TITLE,
    Letterhead,
    Signature,
    WorkbookRefused,
    at,
    cells,
    describe,
    letterhead,
    open_workbook,
    print_setup,
    save,
    signatures,
    too_many_rows,
)

TABLE_SHEET = "Tiêu chí"
TARGET_SHEET = "Chỉ tiêu giao"
COLUMNS = (
    ("code", "Mã"),
    ("parent", "Thuộc mục"),
    ("name", "Tên tiêu chí"),
    ("kind", "Loại"),
    ("max_points", "Điểm tối đa"),
    ("min_points", "Điểm thấp nhất"),
    ("indicator", "Chỉ tiêu thống kê"),
    ("points_each", "Điểm mỗi lần"),
    ("penalty_each", "Điểm trừ mỗi lần"),
    ("guidance", "Hướng dẫn chấm"),
)
KINDS = [kind.value for kind in core.Kind]
MAX_ROWS = 1000

#: Under every table of points (here, and in the DOCX that print them): why the printed
#: parts may not add up to the printed total.
ROUNDING_NOTE = (
    "Điểm từng mục được làm tròn để hiển thị; tổng điểm cộng từ điểm chưa làm tròn và chỉ "
    "làm tròn một lần, nên có thể lệch 0,01 so với tổng các mục đã làm tròn."
)


def agreement_xlsx(agreement: Agreement | None, members: list[Unit], cycle: Cycle) -> bytes:
    """The criteria table and the targets, ready to edit and import back; without an
    agreement, the empty template (headings and the member units)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = TABLE_SHEET
    sheet["A1"] = f"BẢNG TIÊU CHÍ THI ĐUA – {cycle.title} năm {cycle.year}"
    sheet["A1"].font = TITLE
    sheet["A2"] = "Loại: " + ", ".join(KINDS)
    for column, (_key, heading) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=3, column=column, value=heading)
        cell.font, cell.fill, cell.border = BOLD, HEAD_FILL, BOX
    criteria = selectors.criteria_of(agreement) if agreement else []
    for row, criterion in enumerate(criteria, start=4):
        values = {
            "code": criterion.code,
            "parent": criterion.parent.code if criterion.parent else None,
            "name": criterion.name,
            "kind": criterion.kind,
            "max_points": criterion.max_points,
            "min_points": criterion.min_points,
            "indicator": criterion.indicator.code if criterion.indicator else None,
            "points_each": criterion.points_each,
            "penalty_each": criterion.penalty_each,
            "guidance": criterion.guidance,
        }
        for column, (key, _heading) in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=row, column=column, value=values[key])
            cell.border = BOX
            if criterion.kind == core.Kind.SECTION:
                cell.font = BOLD
    for column, width in zip("ABCDEFGHIJ", (8, 10, 60, 14, 10, 10, 24, 10, 10, 50), strict=True):
        sheet.column_dimensions[column].width = width
    targets_sheet = workbook.create_sheet(TARGET_SHEET)
    quantitative = [c for c in criteria if c.kind == core.Kind.QUANTITATIVE]
    targets = selectors.targets_of(agreement) if agreement else {}
    targets_sheet["A1"] = "CHỈ TIÊU GIAO CHO TỪNG ĐƠN VỊ (0: không giao)"
    targets_sheet["A1"].font = TITLE
    targets_sheet.cell(row=3, column=1, value="Mã đơn vị").font = BOLD
    targets_sheet.cell(row=3, column=2, value="Đơn vị").font = BOLD
    for column, criterion in enumerate(quantitative, start=3):
        cell = targets_sheet.cell(row=3, column=column, value=criterion.code)
        cell.font, cell.fill = BOLD, HEAD_FILL
        targets_sheet.cell(row=2, column=column, value=criterion.name).alignment = Alignment(
            wrap_text=True
        )
    for row, unit in enumerate(members, start=4):
        targets_sheet.cell(row=row, column=1, value=unit.code)
        targets_sheet.cell(row=row, column=2, value=unit.name)
        for column, criterion in enumerate(quantitative, start=3):
            cell = targets_sheet.cell(
                row=row, column=column, value=targets.get((unit.code, criterion.code))
            )
            cell.fill, cell.border = INPUT_FILL, BOX
    targets_sheet.column_dimensions["B"].width = 30
    return save(workbook)


@dataclass(frozen=True)
class AgreementFile:
    criteria: list[CriterionSpec]
    targets: dict[tuple[str, str], Decimal | None]


def _decimal(raw: object) -> Decimal:
    if isinstance(raw, str):
        return parse_number(raw)
    return to_decimal(raw)


def read_agreement(content: bytes, members: list[Unit]) -> AgreementFile:
    """The criteria table and the targets from a workbook, or every problem found."""
    workbook = open_workbook(content)
    problems: list[Problem] = []
    try:
        if TABLE_SHEET not in workbook.sheetnames:
            raise WorkbookRefused(
                [
                    Problem(
                        "missing_sheet",
                        gettext_noop("Tệp thiếu trang “%(sheet)s”."),
                        {"sheet": TABLE_SHEET},
                        "file",
                    )
                ]
            )
        specs = _read_table(workbook[TABLE_SHEET], problems)
        codes = {spec.code for spec in specs}
        quantitative = {spec.code for spec in specs if spec.kind == core.Kind.QUANTITATIVE}
        targets: dict[tuple[str, str], Decimal | None] = {}
        if TARGET_SHEET in workbook.sheetnames:
            targets = _read_targets(workbook[TARGET_SHEET], members, quantitative, codes, problems)
    finally:
        workbook.close()
    if problems:
        raise WorkbookRefused(problems)
    return AgreementFile(specs, targets)


def _read_table(sheet, problems: list[Problem]) -> list[CriterionSpec]:
    read = cells(sheet, MAX_ROWS, len(COLUMNS))
    if read is None:
        problems.append(too_many_rows(sheet.title, MAX_ROWS))
        return []
    values, last_row = read
    letters = "ABCDEFGHIJ"
    specs = []
    for row in range(4, last_row + 1):
        raw = {key: values.get(f"{letters[i]}{row}") for i, (key, _h) in enumerate(COLUMNS)}
        if all(value in (None, "") for value in raw.values()):
            continue
        before = len(problems)
        code = str(raw["code"] or "").strip()
        if not code:
            problems.append(
                at(sheet.title, f"A{row}", Problem("no_code", gettext_noop("Thiếu mã tiêu chí.")))
            )
        kind = str(raw["kind"] or "").strip()
        if kind not in KINDS:
            problems.append(
                at(
                    sheet.title,
                    f"D{row}",
                    Problem(
                        "unknown_kind",
                        gettext_noop("Loại tiêu chí “%(kind)s” không hợp lệ."),
                        {"kind": kind},
                    ),
                )
            )
        numbers = {}
        for index, key in (
            (4, "max_points"),
            (5, "min_points"),
            (7, "points_each"),
            (8, "penalty_each"),
        ):
            value = raw[key]
            if value in (None, ""):
                numbers[key] = Decimal(0)
                if key == "max_points":
                    problems.append(
                        at(
                            sheet.title,
                            f"{letters[index]}{row}",
                            Problem("no_points", gettext_noop("Thiếu điểm tối đa.")),
                        )
                    )
                continue
            try:
                numbers[key] = _decimal(value)
            except InvalidNumber as error:
                problems.append(at(sheet.title, f"{letters[index]}{row}", error.problem))
        if len(problems) > before:
            continue
        specs.append(
            CriterionSpec(
                code=code,
                name=str(raw["name"] or "").strip() or code,
                kind=kind,
                max_points=numbers["max_points"],
                parent=str(raw["parent"]).strip() if raw["parent"] not in (None, "") else None,
                position=row * 10,
                min_points=numbers["min_points"],
                indicator=str(raw["indicator"]).strip() if raw["indicator"] else None,
                points_each=numbers["points_each"],
                penalty_each=numbers["penalty_each"],
                guidance=str(raw["guidance"] or "").strip(),
            )
        )
    return specs


def _read_targets(sheet, members, quantitative, codes, problems) -> dict:
    read = cells(sheet, MAX_ROWS, 3 + 200)
    if read is None:
        problems.append(too_many_rows(sheet.title, MAX_ROWS))
        return {}
    values, last_row = read
    from openpyxl.utils import get_column_letter

    header = {}
    column = 3
    while values.get(f"{get_column_letter(column)}3") not in (None, ""):
        code = str(values[f"{get_column_letter(column)}3"]).strip()
        if code not in quantitative:
            problems.append(
                at(
                    sheet.title,
                    f"{get_column_letter(column)}3",
                    Problem(
                        "not_quantitative",
                        gettext_noop("“%(code)s” không phải tiêu chí định lượng."),
                        {"code": code},
                    ),
                )
            )
        header[column] = code
        column += 1
    member_codes = {unit.code for unit in members}
    targets = {}
    for row in range(4, last_row + 1):
        unit = str(values.get(f"A{row}") or "").strip()
        if not unit:
            continue
        if unit not in member_codes:
            problems.append(
                at(
                    sheet.title,
                    f"A{row}",
                    Problem(
                        "not_member",
                        gettext_noop("%(unit)s không phải thành viên của cụm."),
                        {"unit": unit},
                    ),
                )
            )
            continue
        for column, code in header.items():
            raw = values.get(f"{get_column_letter(column)}{row}")
            if raw in (None, ""):
                targets[(unit, code)] = None
                continue
            try:
                value = _decimal(raw)
            except InvalidNumber as error:
                problems.append(at(sheet.title, f"{get_column_letter(column)}{row}", error.problem))
                continue
            if value < 0:
                problems.append(
                    at(
                        sheet.title,
                        f"{get_column_letter(column)}{row}",
                        Problem("negative_target", gettext_noop("Chỉ tiêu không thể âm.")),
                    )
                )
                continue
            targets[(unit, code)] = value
    return targets


def results_xlsx(
    results: selectors.Results,
    head: Letterhead | None = None,
    signers: Sequence[Signature] = (),
    notes: Sequence[str] = (),
) -> bytes:
    """Ranking with section scores, then one sheet per section with each criterion, then the
    rules. With `head` (the score table as a document), the summary opens with the official
    title block and closes with the signature blocks; every sheet prints on A4 landscape,
    fit to the page's width, its header row repeated on every page. `notes` go under the
    summary's table, before the signatures (the sheets entered on a unit's behalf)."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Tổng hợp"
    cycle: Cycle = results.cycle
    sections = results.sections
    headings = [
        "Xếp hạng",
        "Đơn vị",
        *[f"{s.code}. {s.name}" for s in sections],
        "Tổng điểm",
        "Điểm tự chấm",
        "Xếp loại",
    ]
    width = len(headings)
    if head is None:
        summary["A1"] = f"BẢNG TỔNG HỢP ĐIỂM – {cycle.title} năm {cycle.year}"
        summary["A1"].font = TITLE
        header_row = 3
        describe(workbook, cycle.title, f"Bảng tổng hợp điểm – {cycle.title} năm {cycle.year}")
    else:
        header_row = letterhead(summary, head, width)
        describe(workbook, head.issuer, f"{head.kind} – {head.summary}")
    for column, heading in enumerate(headings, start=1):
        cell = summary.cell(row=header_row, column=column, value=heading)
        cell.font, cell.fill, cell.border = BOLD, HEAD_FILL, BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    summary.row_dimensions[header_row].height = 64
    first = header_row + 1
    for row, (unit, result) in enumerate(results.ranking, start=first):
        line = [
            result.rank,
            unit.name,
            *[
                float(round_half_up(result.criteria[s.code].points, results.rules.decimals))
                for s in sections
            ],
            float(result.total),
            float(result.self_total) if result.self_total is not None else None,
            result.band,
        ]
        for column, value in enumerate(line, start=1):
            cell = summary.cell(row=row, column=column, value=value)
            cell.border = BOX
            if isinstance(value, float):
                cell.number_format = "0.00"
            if column != 2:
                cell.alignment = Alignment(horizontal="center")
    note_row = first + len(results.ranking) + 1
    summary.cell(
        row=note_row,
        column=1,
        value=ROUNDING_NOTE,
    ).font = NOTE
    for note in notes:
        note_row += 1
        summary.cell(row=note_row, column=1, value=note).font = NOTE
    if signers:
        signatures(summary, note_row + 1, signers, width)
    summary.column_dimensions["A"].width = 9
    summary.column_dimensions["B"].width = 30
    for column in range(3, width + 1):
        summary.column_dimensions[get_column_letter(column)].width = 16
    print_setup(summary, (header_row, header_row))
    subtitle = f"{cycle.title} – năm {cycle.year}"
    for section in sections:
        sheet = workbook.create_sheet(section.code[:28])
        sheet["A1"] = f"BẢNG ĐIỂM MỤC {section.code}. {section.name.upper()}"
        sheet["A1"].font = TITLE
        sheet["A2"] = subtitle
        sheet["A2"].font = NOTE
        inside = [c for c in results.criteria if c.parent_id == section.pk] or [section]
        cell = sheet.cell(row=4, column=1, value="Đơn vị")
        cell.font, cell.fill, cell.border = BOLD, HEAD_FILL, BOX
        for column, criterion in enumerate(inside, start=2):
            cell = sheet.cell(row=4, column=column, value=f"{criterion.code}. {criterion.name}")
            cell.font, cell.fill, cell.border = BOLD, HEAD_FILL, BOX
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            sheet.column_dimensions[get_column_letter(column)].width = 22
        sheet.row_dimensions[4].height = 80
        for row, (unit, result) in enumerate(results.ranking, start=5):
            sheet.cell(row=row, column=1, value=unit.name).border = BOX
            for column, criterion in enumerate(inside, start=2):
                cell = sheet.cell(
                    row=row,
                    column=column,
                    value=float(
                        round_half_up(
                            result.criteria[criterion.code].points, results.rules.decimals
                        )
                    ),
                )
                cell.number_format, cell.border = "0.00", BOX
                cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions["A"].width = 30
        print_setup(sheet, (4, 4))
    rules = workbook.create_sheet("Quy tắc")
    rules["A1"] = "QUY TẮC TÍNH ĐIỂM VÀ XẾP HẠNG"
    rules["A1"].font = TITLE
    rules["A2"] = subtitle
    rules["A2"].font = NOTE
    lines = rules_lines(results)
    # the sheets entered on a scorer unit's behalf ("nhập thay"): by whom, why, how they stand
    lines += [
        ("Phiếu chấm nhập thay", selectors.on_behalf_mark(slot.sheet)) for slot in results.on_behalf
    ]
    for row, (label, value) in enumerate(lines, start=4):
        rules.cell(row=row, column=1, value=label).font = BOLD
        cell = rules.cell(row=row, column=2, value=value)
        cell.alignment = Alignment(wrap_text=True, horizontal="left")
        if isinstance(value, float):  # a figure stays a number
            cell.number_format = "0.00"
    rules.column_dimensions["A"].width = 34
    rules.column_dimensions["B"].width = 90
    print_setup(rules, None)
    return save(workbook)


AGGREGATION_NAMES = {
    core.Aggregation.MEAN: "trung bình cộng",
    core.Aggregation.MEDIAN: "trung vị",
    core.Aggregation.TRIMMED_MEAN: "trung bình sau khi bỏ một điểm cao nhất và một điểm thấp nhất",
}


def _figure(value: Decimal) -> int | float:
    """A figure as a spreadsheet number: 100, 0.25."""
    return int(value) if value == value.to_integral_value() else float(value)


def rules_lines(results: selectors.Results) -> list[tuple[str, str | int | float]]:
    """The rules the results were computed under, printed with every result; a figure alone
    (the total, the step) is a number, so a spreadsheet reads it as one."""
    rules = results.rules
    return [
        ("Tổng điểm", _figure(results.agreement.declared_total)),
        (
            "Tổng hợp điểm chấm chéo",
            AGGREGATION_NAMES[rules.aggregation]
            + (
                f" (khi có từ {rules.trim_from} đơn vị chấm)"
                if rules.aggregation == core.Aggregation.TRIMMED_MEAN
                else ""
            ),
        ),
        (
            "Quy đổi điểm về cùng mặt bằng giữa các đơn vị chấm",
            "có" if rules.zscore else "không",
        ),
        ("Bước điểm", _figure(rules.step)),
        (
            "Tiêu chí phụ khi bằng điểm",
            ", ".join(core.describe_tie_break(rule).render() for rule in rules.tie_breaks)
            or "không (đồng hạng)",
        ),
        (
            "Xếp loại",
            "; ".join(f"{band.label} từ {format_exact(band.minimum)}" for band in rules.bands)
            or "không",
        ),
        ("Cảnh báo chênh lệch tự chấm", f"trên {format_exact(rules.gap_threshold)} điểm"),
        ("Phiếu tự chấm", "hiển thị bên cạnh, không tính vào kết quả"),
    ]
