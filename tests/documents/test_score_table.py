"""The score table (bảng tổng hợp điểm) read back with openpyxl: the title block, the signature
block, the print set-up, the fonts, the wording, and scores that agree with the statistics."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest

from thidua.core.indicators import Period
from thidua.scoring import selectors as scoring_selectors
from thidua.stats import selectors as stats_selectors


@pytest.fixture
def table(plans):
    built = plans["score-table"].build()
    return openpyxl.load_workbook(io.BytesIO(built.content))


def _texts(sheet) -> list[str]:
    return [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]


def _header_row(sheet) -> int:
    return next(row for row in range(1, sheet.max_row + 1) if sheet[f"A{row}"].value == "Xếp hạng")


def test_title_block_in_the_official_style(table, demo_cycle):
    summary = table["Tổng hợp"]
    assert summary["A1"].value == "BỘ CÔNG AN"  # parent body: capitals, not bold
    assert not summary["A1"].font.bold
    assert summary["A2"].value == "CỤM THI ĐUA SỐ II"  # issuer: capitals, bold, a line under
    assert summary["A2"].font.bold
    assert summary["A2"].font.u == "single"
    nation = next(c for c in summary[1] if c.value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert nation.font.bold
    motto = summary.cell(row=2, column=nation.column)
    assert motto.value == "Độc lập - Tự do - Hạnh phúc"
    assert (motto.font.bold, motto.font.u) == (True, "single")
    place_date = summary.cell(row=3, column=nation.column)
    # the conference's day, at the leader's place (days under 10, months 1–2 with a leading 0)
    assert place_date.value == "Hà Giang, ngày 16 tháng 11 năm 2020"
    assert place_date.font.i
    assert summary["A5"].value == "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA"
    assert summary["A5"].font.bold
    assert summary["A6"].value == f"Cụm thi đua số II năm {demo_cycle.year}"
    # the blocks are centred across their columns, the name across the whole table
    merged = {str(area) for area in summary.merged_cells.ranges}
    width = summary.max_column
    assert f"A5:{openpyxl.utils.get_column_letter(width)}5" in merged
    assert summary["A5"].alignment.horizontal == "center"


def test_signature_block_of_the_cluster_leader(table, demo_cycle):
    summary = table["Tổng hợp"]
    lines = _texts(summary)
    head = f"Đại tá {demo_cycle.leader.head_name}"  # the rank before the name
    assert demo_cycle.leader.head_name
    authority = lines.index("TM. CỤM THI ĐUA SỐ II")
    # NĐ 30/2020's block: authority, posts, the room for the signature, rank and name (no
    # form hint such as "(Ký, ghi rõ họ tên)")
    assert lines[authority : authority + 4] == [
        "TM. CỤM THI ĐUA SỐ II",
        "CỤM TRƯỞNG",
        "GIÁM ĐỐC CÔNG AN TỈNH HÀ GIANG",
        head,
    ]
    assert lines[-1] == head  # the name closes the sheet, below the room for the signature
    name = next(c for row in summary.iter_rows() for c in row if c.value == head)
    assert name.font.bold
    last_unit = _header_row(summary) + len(scoring_selectors.results(demo_cycle).ranking)
    assert name.row > last_unit + 4


def test_print_setup_a4_landscape_fit_to_width_header_rows_repeated(table):
    for sheet in table.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert int(setup.paperSize) == 9, sheet.title  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0), sheet.title
    summary = table["Tổng hợp"]
    header = _header_row(summary)
    assert summary.print_title_rows == f"${header}:${header}"
    for sheet in table.worksheets[1:-1]:  # the sections
        assert sheet.print_title_rows == "$4:$4"
        assert sheet["A4"].value == "Đơn vị"


def test_times_new_roman_throughout(table):
    for sheet in table.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.font.name == "Times New Roman", (sheet.title, cell.coordinate)
    # and for what the secretary types in an empty cell: the workbook's default font
    assert table._fonts[0].name == "Times New Roman"


def test_vietnamese_labels_without_internal_wording(table):
    texts = "\n".join(text for sheet in table.worksheets for text in _texts(sheet))
    for internal in (
        "z-score",
        "zscore",
        "trimmed",
        "mean",
        "peer",
        "section:",
        "first_places",
        "tie",
        "band",
        "None",
    ):
        assert internal.lower() not in texts.lower(), internal
    summary = table["Tổng hợp"]
    header = _header_row(summary)
    headings = [cell.value for cell in summary[header]]
    assert headings[:2] == ["Xếp hạng", "Đơn vị"]
    assert headings[-3:] == ["Tổng điểm", "Điểm tự chấm", "Xếp loại"]
    rules = {row[0]: row[1] for row in table["Quy tắc"].iter_rows(min_row=4, values_only=True)}
    assert rules["Quy đổi điểm về cùng mặt bằng giữa các đơn vị chấm"] == "không"


def test_numbers_are_numbers(table, demo_cycle):
    results = scoring_selectors.results(demo_cycle)
    summary = table["Tổng hợp"]
    first = _header_row(summary) + 1
    for row in summary.iter_rows(min_row=first, max_row=first + len(results.ranking) - 1):
        assert row[0].data_type == "n"
        assert isinstance(row[0].value, int)
        for cell in row[2:-1]:  # the sections, the total and the self-assessment
            assert cell.data_type == "n", cell.coordinate
            assert isinstance(cell.value, int | float), cell.coordinate


def test_the_rules_sheet_keeps_its_figures_as_numbers(table, demo_cycle):
    rules = {row[0].value: row[1] for row in table["Quy tắc"].iter_rows(min_row=4)}
    total, step = rules["Tổng điểm"], rules["Bước điểm"]
    assert (total.data_type, total.value) == ("n", 100)
    assert (step.data_type, step.value) == ("n", 0.25)
    assert step.number_format == "0.00"  # 0,25 to a Vietnamese Excel


def test_the_workbook_says_who_issued_it_and_what_it_is(table):
    properties = table.properties
    assert properties.creator == properties.lastModifiedBy == "Cụm thi đua số II"
    assert (
        properties.title == "Bảng tổng hợp kết quả chấm điểm thi đua – Cụm thi đua số II năm 2020"
    )


def _changes(cycle) -> dict[str, object]:
    """Each member's change in cases against social order, as the cluster table shows it."""
    table = stats_selectors.cluster_table(cycle, Period.YEAR)
    changes = {}
    for row in table.rows:
        cell = next(c for c in row.cells if c.indicator.code == "social_order_cases")
        changes[row.unit.code] = cell.change.percent
    return changes


def test_crime_reduction_scores_agree_with_the_cycles_figures(table, demo_cycle):
    changes = _changes(demo_cycle)
    # the falls the conference published (Báo Hà Giang, 16/11/2020), from the cycle's figures
    assert changes["son-la"] == -26
    assert changes["ha-giang"] == Decimal("-19.6")
    assert all(value < 0 for value in changes.values())
    results = scoring_selectors.results(demo_cycle)
    names = {unit.name: unit.code for unit, _result in results.ranking}
    points = {unit.code: result.criteria["II.3"].points for unit, result in results.ranking}
    best = min(changes, key=changes.get)
    assert points[best] == 8  # the largest fall gets the criterion's maximum
    for unit, change in changes.items():
        # the police formula, "no rise" as the target: half, plus half × fall / largest fall
        expected = 4 + 4 * change / changes[best]
        assert abs(points[unit] - expected) <= 0.125, unit  # on the 0,25 step
        for other, other_change in changes.items():
            if change < other_change:  # a larger fall never scores less
                assert points[unit] >= points[other], (unit, other)
    # the printed table shows the same
    sheet = table["II"]
    column = next(c.column for c in sheet[4] if str(c.value).startswith("II.3. "))
    printed = {
        names[sheet.cell(row=row, column=1).value]: sheet.cell(row=row, column=column).value
        for row in range(5, 5 + len(results.ranking))
    }
    assert printed == {unit: float(value) for unit, value in points.items()}


def test_every_scorer_reads_crime_reduction_from_the_figures(demo_cycle):
    from thidua.scoring.demo import cycle_reduction_points, demo_reduction_points
    from thidua.scoring.models import Score

    derived = cycle_reduction_points(demo_cycle)
    assert derived == demo_reduction_points()  # the pages' journey enters the same figures
    given = Score.objects.filter(sheet__cycle=demo_cycle, criterion__code="II.3").values_list(
        "sheet__target__code", "value"
    )
    assert given
    for target, value in given:
        assert value == derived[target], target


def test_guidance_explains_the_reduction_formula(demo_cycle):
    from thidua.scoring.models import Criterion

    guidance = Criterion.objects.get(agreement__cycle=demo_cycle, code="II.3").guidance
    assert re.search(r"giảm nhiều nhất\s+được 8 điểm", guidance)
