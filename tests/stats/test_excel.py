"""Excel in and out: real files written and read back with openpyxl."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from thidua.audit.models import AuditEntry
from thidua.core.indicators import Period
from thidua.org.authz import SYSTEM
from thidua.stats import services
from thidua.stats.excel import FIRST_ROW, WorkbookRefused, template_xlsx
from thidua.stats.models import Report, ReportValue

pytestmark = pytest.mark.django_db

FILLED = {
    "social_order_cases": 120,
    "social_order_offenders": 150,
    "social_order_solved": 95,
    "clearance_rate": "79,2%",
    "serious_cases": 9,
    "serious_solved": 9,
    "drug_heroin_kg": 2.5,
    "fire_damage": "1.250,5",
}


def template(client: Client, unit: str | None = None) -> Workbook:
    url = "/clusters/cum-2/2021/stats/template.xlsx?period=Y"
    response = client.get(url + (f"&unit={unit}" if unit else ""))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        'attachment; filename="mau-bao-cao-cum-2-2021-Y'
    )
    return load_workbook(io.BytesIO(response.content))


def fill(workbook: Workbook, values: dict) -> None:
    for sheet in workbook.worksheets:
        for row in range(FIRST_ROW, sheet.max_row + 1):
            code = sheet[f"A{row}"].value
            if code in values:
                sheet[f"D{row}"] = values[code]


def as_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def stored(unit: str, year: int = 2021) -> dict:
    return dict(
        ReportValue.objects.filter(
            report__unit__code=unit, report__year=year, report__period="Y"
        ).values_list("indicator__code", "value")
    )


def row_of(sheet, code: str) -> int:
    return next(
        row for row in range(FIRST_ROW, sheet.max_row + 1) if sheet[f"A{row}"].value == code
    )


def test_template_has_vietnamese_headers_and_the_units_meta(client_for, reporting_cycle):
    workbook = template(client_for("sonla.canbo"), "son-la")
    sheet = workbook["Sơn La"]
    assert sheet["B2"].value == "son-la"
    assert sheet["B3"].value == "Công an tỉnh Sơn La"
    assert sheet["B4"].value == 2021
    assert sheet["B5"].value == "Y"
    assert [cell.value for cell in sheet[7]][:4] == [
        "Mã chỉ tiêu",
        "Chỉ tiêu",
        "Đơn vị tính",
        "Số liệu",
    ]
    cases = row_of(sheet, "social_order_cases")
    assert sheet[f"B{cases}"].value == "Số vụ phạm tội về trật tự xã hội"
    assert sheet[f"D{cases}"].number_format == "#,##0"


def test_round_trip_gives_identical_figures(client_for, reporting_cycle):
    client = client_for("sonla.canbo")
    workbook = template(client, "son-la")
    fill(workbook, FILLED)
    response = client.post(
        "/clusters/cum-2/2021/stats/import/",
        {"file": io.BytesIO(as_bytes(workbook))},
    )
    assert response.status_code == 302, response.content.decode()
    expected = {
        "social_order_cases": Decimal(120),
        "social_order_offenders": Decimal(150),
        "social_order_solved": Decimal(95),
        "clearance_rate": Decimal("79.2"),
        "serious_cases": Decimal(9),
        "serious_solved": Decimal(9),
        "drug_heroin_kg": Decimal("2.5"),
        "fire_damage": Decimal("1250.5"),
    }
    assert stored("son-la") == expected
    # and out again: a filled template carries the same figures
    again = template(client, "son-la")
    sheet = again["Sơn La"]
    assert sheet[f"D{row_of(sheet, 'social_order_cases')}"].value is None  # blank by default
    refilled = load_workbook(
        io.BytesIO(
            client.get("/clusters/cum-2/2021/stats/template.xlsx?unit=son-la&filled=1").content
        )
    )["Sơn La"]
    assert Decimal(str(refilled[f"D{row_of(refilled, 'fire_damage')}"].value)) == Decimal("1250.5")
    assert refilled[f"D{row_of(refilled, 'social_order_cases')}"].value == 120


BAD_CELLS = [
    ("text in a count", "social_order_cases", "một trăm", "not_a_number"),
    ("negative count", "social_order_offenders", -3, "negative"),
    ("solved above cases", "social_order_solved", 500, "numerator_above_denominator"),
    ("fraction in a count", "serious_cases", 2.5, "not_whole"),
    ("formula", "social_order_offenders", "=A1+1", "formula"),
    ("ambiguous number", "social_order_offenders", "1.5", "ambiguous_number"),
]


@pytest.mark.parametrize(
    ("case", "code", "bad", "reason"), BAD_CELLS, ids=[c[0] for c in BAD_CELLS]
)
def test_one_bad_cell_refuses_the_file_and_names_it(
    reporting_cycle, get_user, case, code, bad, reason
):
    client = Client()
    client.force_login(get_user("sonla.canbo"))
    workbook = template(client, "son-la")
    fill(workbook, FILLED)
    sheet = workbook["Sơn La"]
    row = row_of(sheet, code)
    sheet[f"D{row}"] = bad
    entries = AuditEntry.objects.count()
    with pytest.raises(WorkbookRefused) as error:
        services.import_workbook(
            actor=get_user("sonla.canbo"), cycle=reporting_cycle, content=as_bytes(workbook)
        )
    problems = error.value.problems
    assert [problem.code for problem in problems] == [reason]
    assert problems[0].params["sheet"] == "Sơn La"
    assert problems[0].params["row"] == row
    assert problems[0].params["column"] == "D"
    assert problems[0].render().startswith(f"Trang “Sơn La”, hàng {row}, cột D (ô D{row}): ")
    assert not Report.objects.filter(unit__code="son-la", year=2021).exists()
    assert AuditEntry.objects.count() == entries


def test_unknown_unit_is_named(reporting_cycle, get_user, client_for):
    workbook = template(client_for("sonla.canbo"), "son-la")
    fill(workbook, FILLED)
    workbook["Sơn La"]["B2"] = "ha-noi"
    with pytest.raises(WorkbookRefused) as error:
        services.import_workbook(
            actor=get_user("sonla.canbo"), cycle=reporting_cycle, content=as_bytes(workbook)
        )
    [problem] = error.value.problems
    assert problem.code == "unknown_unit"
    assert problem.render() == (
        "Trang “Sơn La”, hàng 2, cột B (ô B2): “ha-noi” không phải là mã của một đơn vị "
        "thành viên của cụm năm 2021."
    )


@pytest.mark.parametrize(
    ("cell", "value", "reason"), [("B5", "Q5", "wrong_period"), ("B4", 2020, "wrong_year")]
)
def test_wrong_period_is_named(reporting_cycle, get_user, client_for, cell, value, reason):
    workbook = template(client_for("sonla.canbo"), "son-la")
    fill(workbook, FILLED)
    workbook["Sơn La"][cell] = value
    with pytest.raises(WorkbookRefused) as error:
        services.import_workbook(
            actor=get_user("sonla.canbo"), cycle=reporting_cycle, content=as_bytes(workbook)
        )
    assert [(p.code, p.params["cell"]) for p in error.value.problems] == [(reason, cell)]
    assert not Report.objects.filter(year=2021, period="Y").exists()


def test_a_multi_unit_file_is_all_or_nothing(reporting_cycle, get_user, client_for):
    """The leader secretary's workbook has every unit; one bad sheet stops all of them."""
    workbook = template(client_for("laocai.thuky"))
    assert len(workbook.worksheets) == 7
    fill(workbook, FILLED)
    workbook["Điện Biên"][f"D{row_of(workbook['Điện Biên'], 'serious_solved')}"] = 10
    with pytest.raises(WorkbookRefused) as error:
        services.import_workbook(actor=SYSTEM, cycle=reporting_cycle, content=as_bytes(workbook))
    assert [p.params["sheet"] for p in error.value.problems] == ["Điện Biên"]
    assert not Report.objects.filter(year=2021, period="Y").exists()
    # an officer may import only its own unit's sheet
    workbook["Điện Biên"][f"D{row_of(workbook['Điện Biên'], 'serious_solved')}"] = 9
    with pytest.raises(WorkbookRefused) as error:
        services.import_workbook(
            actor=get_user("sonla.canbo"), cycle=reporting_cycle, content=as_bytes(workbook)
        )
    assert (
        "Bạn không có quyền nhập, sửa, nộp báo cáo số liệu của đơn vị."
        in error.value.problems[0].render()
    )
    assert not Report.objects.filter(year=2021, period="Y").exists()
    progress = []
    services.import_workbook(
        actor=SYSTEM,
        cycle=reporting_cycle,
        content=as_bytes(workbook),
        progress=lambda done, total: progress.append((done, total)),
    )
    assert Report.objects.filter(year=2021, period="Y").count() == 7
    assert progress[-1] == (7, 7)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not a spreadsheet", "not_xlsx"),
        (b"PK\x03\x04" + b"\0" * 100, "not_xlsx"),
        (b"x" * (6 * 1024 * 1024), "file_too_large"),
    ],
)
def test_files_that_are_not_templates_are_refused(reporting_cycle, content, reason):
    with pytest.raises(WorkbookRefused) as error:
        services.import_workbook(actor=SYSTEM, cycle=reporting_cycle, content=content)
    assert [problem.code for problem in error.value.problems] == [reason]


def test_import_page_shows_every_problem(client_for, reporting_cycle):
    client = client_for("sonla.canbo")
    workbook = template(client, "son-la")
    fill(workbook, FILLED)
    sheet = workbook["Sơn La"]
    sheet[f"D{row_of(sheet, 'social_order_cases')}"] = "nhiều"
    sheet[f"D{row_of(sheet, 'serious_cases')}"] = -1
    response = client.post(
        "/clusters/cum-2/2021/stats/import/", {"file": io.BytesIO(as_bytes(workbook))}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "“nhiều” không phải là một số." in text
    assert "Án rất nghiêm trọng và đặc biệt nghiêm trọng không thể âm (-1)." in text
    assert not Report.objects.filter(year=2021, period="Y").exists()


def test_cluster_table_export(client_for):
    response = client_for("quansat").get("/clusters/cum-2/2020/stats/export.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="so-lieu-cum-2-2020-Y.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Số liệu", "So với cùng kỳ", "Cảnh báo"]
    figures = workbook["Số liệu"]
    headers = [cell.value for cell in figures[3]]
    cases = headers.index("Số vụ phạm tội về trật tự xã hội (vụ)") + 1
    total_row = next(
        row for row in range(4, figures.max_row + 1) if figures.cell(row, 1).value == "Toàn cụm"
    )
    assert figures.cell(total_row, cases).value == 2156
    assert figures.cell(total_row, cases).number_format == "#,##0"
    changes = workbook["So với cùng kỳ"]
    ha_giang = next(
        row
        for row in range(4, changes.max_row + 1)
        if changes.cell(row, 1).value == "Công an tỉnh Hà Giang"
    )
    assert changes.cell(ha_giang, cases).value == "giảm 19,6%"
    notes = [cell.value for cell in workbook["Cảnh báo"]["B"] if cell.value]
    assert any("1.681/2.156 = 78,0%" in note for note in notes)


def test_a_unit_officer_is_linked_to_their_own_units_template(client_for, reporting_cycle):
    page = client_for("laichau.canbo").get("/clusters/cum-2/2021/stats/").content.decode()
    assert "template.xlsx?period=Y&amp;unit=lai-chau" in page
    page = client_for("laocai.thuky").get("/clusters/cum-2/2021/stats/").content.decode()
    assert "template.xlsx?period=Y&quot;" not in page
    assert 'template.xlsx?period=Y">' in page  # the leader secretary keeps every unit's sheet
    page = client_for("quansat").get("/clusters/cum-2/2021/stats/").content.decode()
    assert 'template.xlsx?period=Y">' in page


def test_empty_sheets_of_other_units_are_skipped(client_for, reporting_cycle):
    """The all-units template with only Lai Châu's sheet filled imports Lai Châu alone."""
    client = client_for("laichau.canbo")
    workbook = template(client_for("laocai.thuky"))
    sheet = workbook["Lai Châu"]
    for code, value in FILLED.items():
        sheet[f"D{row_of(sheet, code)}"] = value
    response = client.post(
        "/clusters/cum-2/2021/stats/import/", {"file": io.BytesIO(as_bytes(workbook))}
    )
    assert response.status_code == 302
    assert list(
        Report.objects.filter(year=2021, period="Y").values_list("unit__code", flat=True)
    ) == ["lai-chau"]
    assert stored("lai-chau")["social_order_cases"] == 120


def test_a_filled_sheet_of_another_unit_is_still_refused(client_for, reporting_cycle):
    client = client_for("laichau.canbo")
    workbook = template(client_for("laocai.thuky"))
    for name in ("Lai Châu", "Cao Bằng"):
        workbook[name][f"D{row_of(workbook[name], 'social_order_cases')}"] = 5
    response = client.post(
        "/clusters/cum-2/2021/stats/import/", {"file": io.BytesIO(as_bytes(workbook))}
    )
    assert response.status_code == 400
    assert (
        "Trang “Cao Bằng”: Bạn không có quyền nhập, sửa, nộp báo cáo số liệu của đơn vị."
        in response.content.decode()
    )
    assert not Report.objects.filter(year=2021, period="Y").exists()


def test_a_file_with_only_other_units_empty_sheets_is_refused(get_user, units, reporting_cycle):
    content = template_xlsx(reporting_cycle, Period.YEAR, [units["cao-bang"]], filled=False)
    with pytest.raises(WorkbookRefused) as error:
        services.import_workbook(
            actor=get_user("laichau.canbo"), cycle=reporting_cycle, content=content
        )
    assert [problem.code for problem in error.value.problems] == ["nothing_to_import"]


IMPORT_PAGE = "/clusters/cum-2/2021/stats/import/"


@pytest.mark.parametrize("reader", ["quansat", "sonla.daibieu2", "sonla.giamdoc", "hanoi.canbo"])
def test_the_import_page_is_refused_to_whoever_writes_no_report(
    client_for, reporting_cycle, reader
):
    """The page is a form to import reports: a reader of the cycle's statistics (the
    observer, a delegate, a director, another cluster's officer) is refused the page as well
    as the upload, and nothing is written."""
    client = client_for(reader)
    reports = Report.objects.count()
    assert client.get(IMPORT_PAGE).status_code == 403
    workbook = template(client_for("sonla.canbo"), "son-la")
    fill(workbook, FILLED)
    refused = client.post(IMPORT_PAGE, {"file": io.BytesIO(as_bytes(workbook))})
    assert refused.status_code == 403
    assert Report.objects.count() == reports


def test_the_import_page_opens_to_a_units_officer_while_reports_are_written(
    client_for, reporting_cycle
):
    page = client_for("sonla.canbo").get(IMPORT_PAGE)
    assert page.status_code == 200
    assert 'type="file"' in page.content.decode()


def test_outside_reporting_an_officer_is_told_the_phase_not_refused_as_a_reader(client_for):
    """Cụm II 2020 at its conference: no report of the year, nor of its first half, can be
    written any more."""
    assert client_for("sonla.canbo").get("/clusters/cum-2/2020/stats/import/").status_code == 409
