"""The year 2020 of Cụm thi đua số II, walked in the browser, step by step.

Each step is what one person does on one device. Where the year needs the same thing done by
many (five more statistics reports, 49 score sheets, 21 delegates × 4 polls), a few are done
through the pages and the rest through the API from the same signed-in browser — the way a
unit's own software would — so that the test stays within minutes.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl

from tests.e2e.conftest import PHONE, Visitor

CYCLE = "/clusters/cum-2/2020"
UNITS = {
    "ha-giang": "Hà Giang",
    "dien-bien": "Điện Biên",
    "lai-chau": "Lai Châu",
    "lang-son": "Lạng Sơn",
    "lao-cai": "Lào Cai",
    "son-la": "Sơn La",
    "cao-bang": "Cao Bằng",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def officer(unit: str) -> str:
    return unit.replace("-", "") + ".canbo"


def secretary(unit: str) -> str:
    return unit.replace("-", "") + ".thuky"


def delegates() -> list[str]:
    names = []
    for unit in UNITS:
        base = unit.replace("-", "") + ".daibieu"
        names += [base, base + "2", base + "3"]
    return names


@dataclass
class Journey:
    visit: object  # the `visit` fixture: username, viewport → Visitor
    server: object
    shots: int = 0
    people: dict[str, Visitor] = field(default_factory=dict)

    def person(self, username: str, viewport: dict | None = None) -> Visitor:
        """The same person keeps one signed-in browser for the whole year."""
        if username not in self.people:
            self.people[username] = (
                self.visit(username, viewport) if viewport else self.visit(username)
            )
        return self.people[username]

    def shot(self, who: Visitor, name: str) -> None:
        self.shots += 1
        who.shot(f"{self.shots:02d}-{name}")


def flash(page) -> list[str]:
    return page.locator(".messages li").all_inner_texts()


def csrf(visitor: Visitor) -> str:
    return next(c["value"] for c in visitor.context.cookies() if c["name"] == "csrftoken")


def api(visitor: Visitor, method: str, path: str, data: dict) -> dict:
    """A call to the API from the person's signed-in browser (session and CSRF token)."""
    response = visitor.page.request.fetch(
        visitor.server.url + path,
        method=method,
        data=data,
        headers={"X-CSRFToken": csrf(visitor), "Referer": visitor.server.url + "/"},
    )
    assert response.ok, f"{method} {path}: {response.status} {response.text()}"
    return response.json()


def click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


# --- 1. the Ministry opens the year -------------------------------------------------------


def admin_creates_the_year(j: Journey) -> None:
    admin = j.person("admin")
    page = admin.page
    admin.go("/clusters/cum-2/cycles/new/")
    page.get_by_role("spinbutton", name="Năm").fill("2020")
    for unit in ("Hà Giang (đến 30/06/2025)", "Điện Biên", "Lai Châu", "Lạng Sơn"):
        page.get_by_label(f"Công an tỉnh {unit}", exact=True).check()
    for unit in ("Lào Cai (đến 30/06/2025)", "Sơn La", "Cao Bằng"):
        page.get_by_label(f"Công an tỉnh {unit}", exact=True).check()
    page.locator("select[name=leader]").select_option(
        label="Công an tỉnh Hà Giang (đến 30/06/2025)"
    )
    page.locator("select[name=deputy]").select_option(
        label="Công an tỉnh Lào Cai (đến 30/06/2025)"
    )
    page.get_by_label("Văn bản phân công cụm trưởng").fill("Bộ Công an phân công (minh hoạ)")
    j.shot(admin, "admin-new-cycle")
    click(page, "Lưu")
    assert page.url.endswith(f"{CYCLE}/")
    assert "Đã tạo năm thi đua." in flash(page)
    assert "Cụm trưởng: Công an tỉnh Hà Giang" in page.inner_text("main")
    j.shot(admin, "admin-cycle-created")


# --- 2. the leader's secretary drafts and signs the agreement -----------------------------


def _agreement_workbook(template: bytes) -> bytes:
    """The downloaded template, filled in with the demo criteria table."""
    from thidua.scoring.demo import TABLE

    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook["Tiêu chí"]
    for row, spec in enumerate(TABLE, start=4):
        values = (
            spec.code,
            spec.parent,
            spec.name,
            spec.kind,
            spec.max_points,
            spec.min_points,
            spec.indicator,
            spec.points_each,
            spec.penalty_each,
            spec.guidance,
        )
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, float(value) if isinstance(value, Decimal) else value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def secretary_signs_the_agreement(j: Journey) -> None:
    leader = j.person(secretary("ha-giang"))
    page = leader.page
    leader.go(f"{CYCLE}/agreement/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải mẫu bảng tiêu chí (Excel)").click()
    filled = _agreement_workbook(download.value.path().read_bytes())
    page.get_by_label("Nhập bảng tiêu chí và chỉ tiêu từ Excel").set_input_files(
        files=[{"name": "giao-uoc-2020.xlsx", "mimeType": XLSX, "buffer": filled}]
    )
    click(page, "Nhập")
    assert "Đã nhập bảng tiêu chí và chỉ tiêu giao." in flash(page)
    for name in UNITS.values():
        page.get_by_label(f"{name} – II.1").fill("75")
        page.get_by_label(f"{name} – II.2").fill("90")
    click(page, "Lưu chỉ tiêu giao")
    assert "Đã lưu chỉ tiêu giao." in flash(page)
    page.get_by_text("Sửa quy tắc chấm điểm và phân công chấm").click()
    page.get_by_label("Tổng hợp điểm chấm chéo").select_option("trimmed_mean")
    page.get_by_label("Khi bằng điểm").fill("section:II, first_places")
    page.get_by_label("Xếp loại").fill("90 Xuất sắc; 80 Tốt; 65 Khá; 0 Trung bình")
    click(page, "Lưu quy tắc")
    assert "Đã lưu quy tắc chấm điểm." in flash(page)
    sign = page.locator("form[action$='/agreement/sign/']")
    for name in UNITS.values():
        sign.get_by_label(name, exact=True).check()
    j.shot(leader, "secretary-agreement")
    click(page, "Ký giao ước và chuyển sang giai đoạn đã ký")
    assert "Đã ký giao ước thi đua." in flash(page)


def _next_phase(j: Journey, visitor: Visitor, following: str) -> None:
    page = visitor.page
    visitor.go(f"{CYCLE}/")
    click(page, "Đóng giai đoạn")
    click(page, f"Mở giai đoạn: {following}")
    assert re.search(rf"{following}\s+đang mở", page.inner_text("main")), following


def secretary_opens_reporting(j: Journey) -> None:
    leader = j.person(secretary("ha-giang"))
    _next_phase(j, leader, "Báo cáo số liệu")
    j.shot(leader, "secretary-reporting-open")


# --- 3. the units report their statistics -------------------------------------------------


def _figures(unit: str) -> dict[str, int]:
    from thidua.stats.demo import FIELDS, FIGURES_2020

    return dict(zip(FIELDS, FIGURES_2020[unit], strict=True))


def _vn(number: int) -> str:
    """2156 → "2.156", as people type it."""
    return f"{number:,}".replace(",", ".")


def son_la_reports_by_form(j: Journey) -> None:
    """Sơn La types its figures in the form, previews the computed rate, then submits."""
    unit = j.person(officer("son-la"))
    page = unit.page
    unit.go(f"{CYCLE}/stats/son-la/")
    for code, value in _figures("son-la").items():
        page.locator(f"input[name=v_{code}]").fill(_vn(value))
    click(page, "Tính lại")
    main = page.inner_text("main")
    assert "78,0%" in main  # 404 of 518 solved, computed before anything is saved
    assert "giảm 26,0%" in main  # against 700 cases in 2019
    j.shot(unit, "officer-report-form")
    click(page, "Nộp báo cáo")
    assert "Đã nộp báo cáo." in flash(page)
    assert page.locator("input[name=v_social_order_cases]").is_disabled()  # submitted: read-only


def _report_workbook(template: bytes, unit_name: str, figures: dict[str, object]) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    for name in list(workbook.sheetnames):
        if name != unit_name:
            del workbook[name]
    sheet = workbook[unit_name]
    for row in range(8, sheet.max_row + 1):
        code = sheet.cell(row, 1).value
        if code in figures:
            sheet.cell(row, 4, figures[code])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def lao_cai_reports_by_excel(j: Journey) -> None:
    """Lào Cai fills the Excel template: a first file with a mistake is refused whole, with the
    cell and the reason; the corrected file goes in."""
    unit = j.person(officer("lao-cai"))
    page = unit.page
    unit.go(f"{CYCLE}/stats/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải mẫu báo cáo (Excel)").click()
    template = download.value.path().read_bytes()
    figures = _figures("lao-cai")
    wrong = _report_workbook(template, "Lào Cai", {**figures, "social_order_solved": "hai trăm"})
    unit.go(f"{CYCLE}/stats/import/")
    page.get_by_label("Tệp .xlsx (tối đa 5 MB)").set_input_files(
        files=[{"name": "bao-cao-lao-cai.xlsx", "mimeType": XLSX, "buffer": wrong}]
    )
    page.get_by_label("Nộp luôn sau khi nhập").check()
    click(page, "Nhập")
    errors = page.inner_text("main")
    j.shot(unit, "officer-excel-refused")
    assert "Trang “Lào Cai”, hàng 10, cột D (ô D10): “hai trăm” không phải là một số." in errors
    right = _report_workbook(template, "Lào Cai", figures)
    page.get_by_label("Tệp .xlsx (tối đa 5 MB)").set_input_files(
        files=[{"name": "bao-cao-lao-cai.xlsx", "mimeType": XLSX, "buffer": right}]
    )
    page.get_by_label("Nộp luôn sau khi nhập").check()
    click(page, "Nhập")
    j.shot(unit, "officer-excel-imported")
    unit.go(f"{CYCLE}/stats/lao-cai/")
    assert "Đã nộp" in page.inner_text("main")


def other_units_report_through_the_api(j: Journey) -> None:
    for unit in ("ha-giang", "dien-bien", "lai-chau", "lang-son", "cao-bang"):
        body = api(
            j.person(officer(unit)),
            "PUT",
            f"/api/cycles/cum-2/2020/reports/{unit}",
            {"period": "Y", "figures": _figures(unit), "submit": True},
        )
        assert body["status"] == "submitted"


def secretary_sees_the_cluster_table_and_opens_scoring(j: Journey) -> None:
    leader = j.person(secretary("ha-giang"))
    page = leader.page
    leader.go(f"{CYCLE}/stats/")
    table = page.inner_text("main")
    assert "Chưa báo cáo" not in table
    assert "2.156" in table  # the cluster's cases, as published
    assert "3.066" in table
    j.shot(leader, "secretary-cluster-table")
    _next_phase(j, leader, "Chấm điểm")
